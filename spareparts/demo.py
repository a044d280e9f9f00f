"""Demo data of the spare-parts app: warehouses on every campus, a catalogue of parts and a year of
stock history ending now that the ledger audit finds right to the cent (tables: ``demo_catalog.py``).

- Warehouses: per campus a central store (areas with bins; the outpatient campus's has bins only),
  secondary stores below it in the big buildings. The warehouse team keeps them: its lead every
  campus store, the ``warehouse_keeper`` login the main campus store (so everything below it).
- Items: 300 at ``small``, 600 at ``hospital``, the whole catalogue (≈900) at ``large``: Chinese
  names, specifications and units, fractional ones (cable in metres, paint in litres), barcodes for
  branded goods, standard costs, the org demo's vendors where they supply the part, the equipment
  categories each fits (those that exist).
- History, replayed event by event in time order and written in bulk: opening stock a year ago,
  purchases every two weeks up to the maximum of what fell below its minimum (urgent ones when a
  request finds too little), transfers to the secondary stores (received the next morning; one
  shipped yesterday still in transit), adjustments with reasons, stocktakes (finished, one submitted
  for review, one being counted with an issue during the count), and requisitions on the work-orders
  demo's orders: issued (some approved in part, some partly returned) on the done orders that have
  a parts cost, released on cancelled ones, rejected, and on the orders under way pending, approved
  and issued lines for the keepers. Limits follow each warehouse's consumption, so the alerts at
  the end are what the year left.
- ``Book.post`` computes exactly as ``ledger.post`` (same moving average, same checks), so
  ``audit.ledger_verify()`` finds nothing; parts costs go through ``work_order_parts_cost_set``,
  alerts through ``alerts.alerts_check``, and open requests notify keepers as the service does.

Idempotent: categories, warehouses and items are found by code; the history is written only while
the stock books (movements, balances) are empty. Deterministic from ``rng`` (and the present time);
draws one number from it.
"""

from __future__ import annotations

import random

from logistics.org.models import Building, Campus, Floor, Staff, Vendor

from . import demo_catalog as data
from .demo_catalog import Spec
from .demo_history import SCALES, History
from .models import (
    Balance,
    Item,
    ItemCategory,
    Movement,
    Warehouse,
)


def seed(scale: str, rng: random.Random) -> dict[str, int]:
    """Create what of the demo stores does not exist yet; the history only into empty stock books."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}")
    own = random.Random(rng.getrandbits(64))
    counts: dict[str, int] = {}
    categories = _seed_categories(counts)
    warehouses = _seed_warehouses(counts, scale)
    items = _seed_items(counts, scale, categories)
    if not Movement.objects.exists() and not Balance.objects.exists():
        counts.update(History(own, scale, items, warehouses).run())
    return counts


# --- configuration ---------------------------------------------------------------------------------
def _seed_categories(counts: dict[str, int]) -> dict[str, ItemCategory]:
    existing = {c.code: c for c in ItemCategory.objects.all()}
    created = 0
    for code, name, parent in data.CATEGORIES:  # one by one: the audit trail records configuration
        if code not in existing:
            existing[code] = ItemCategory.objects.create(code=code, name=name, parent=existing.get(parent))
            created += 1
    counts["part_categories"] = created
    return existing


def _seed_warehouses(counts: dict[str, int], scale: str) -> dict[str, Warehouse]:
    from logistics.org.demo import employee_no

    campuses = dict(Campus.objects.values_list("code", "id"))
    buildings = {(c, b): pk for c, b, pk in Building.objects.values_list("campus__code", "code", "id")}
    floors = {(c, b, lv): pk for c, b, lv, pk in
              Floor.objects.values_list("building__campus__code", "building__code", "level", "id")}  # fmt: skip
    numbers = {i: employee_no("T-WH", i) for i in {i for team in data.KEEPERS.values() for i in team}}
    staff = {s.employee_no: s for s in Staff.objects.filter(employee_no__in=numbers.values(), is_active=True)}
    existing = {w.code: w for w in Warehouse.objects.all()}
    created = 0
    for code, name, kind, parent, campus, building, level in data.warehouse_plan(scale):
        if code in existing or campus not in campuses:
            continue
        existing[code] = Warehouse.objects.create(
            code=code, name=name, kind=kind, parent=existing.get(parent), campus_id=campuses[campus],
            building_id=buildings.get((campus, building)), floor_id=floors.get((campus, building, level)),
        )  # fmt: skip
        keepers = [staff[numbers[i]] for i in data.KEEPERS.get(code, ()) if numbers[i] in staff]
        if keepers:
            existing[code].keepers.add(*keepers)
        created += 1
    counts["warehouses"] = created
    return existing


def _seed_items(counts, scale: str, categories: dict[str, ItemCategory]) -> dict[str, tuple[Item, Spec]]:
    from equipment.models import Category as EquipmentCategory
    from logistics.org.demo_names import VENDORS

    chosen = data.catalogue()[: data.ITEMS[scale]]
    existing = {i.code: i for i in Item.objects.filter(code__in=[s.code for s in chosen])}
    names = {row.key: row.name for row in VENDORS}
    vendors = dict(Vendor.objects.filter(name__in=names.values()).values_list("name", "id"))
    new = [Item(code=s.code, name=s.family.name, specification=s.specification, unit=s.family.unit,
                fractional=s.family.fractional, category=categories[s.family.category], barcode=s.barcode,
                unit_cost=s.cost, is_active=s.family.active,
                vendor_id=vendors.get(names.get(s.family.vendor or data.SUPPLIERS.get(s.family.category[:2], ""), "")))
           for s in chosen if s.code not in existing]  # fmt: skip
    Item.objects.bulk_create(new, batch_size=1000)
    fits, specs = dict(EquipmentCategory.objects.values_list("code", "id")), {s.code: s for s in chosen}
    Fit = Item.equipment_categories.through
    links = [(item.pk, fits[c]) for item in new for c in specs[item.code].family.equipment if c in fits]
    Fit.objects.bulk_create([Fit(item_id=i, category_id=c) for i, c in links], batch_size=2000)
    counts["items"] = len(new)
    existing.update({item.code: item for item in new})
    return {s.code: (existing[s.code], s) for s in chosen}
