"""Excel files of the stock pages: the stock list as filtered on the page (one row per part and
warehouse, the figures the page shows), written with a write-only workbook so memory stays flat."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from logistics.common.xlsx import Column, write_table

from .alerts import HIGH, LOW, level_of
from .models import Balance

EXPORT_MAX_ROWS = 100_000
SHEET_TITLE = _("Stock")

STOCK_COLUMNS: tuple[Column, ...] = (
    Column("code", _("part code"), 14),
    Column("name", _("part name"), 24),
    Column("specification", _("specification"), 24),
    Column("category", _("category"), 14),
    Column("unit", _("unit"), 6),
    Column("campus", _("campus"), 12),
    Column("warehouse_code", _("warehouse code"), 14),
    Column("warehouse", _("warehouse"), 18),
    Column("on_hand", _("on hand"), 10),
    Column("reserved", _("reserved"), 10),
    Column("available", _("available"), 10),
    Column("average_cost", _("average cost"), 12),
    Column("value", _("stock value"), 14),
    Column("minimum", _("minimum"), 10),
    Column("maximum", _("maximum"), 10),
    Column("level", _("stock level"), 12),
    Column("active", _("active"), 8),
)


OUT = "out"


def level_key(balance: Balance) -> str:
    """``low`` (available below the minimum, as the alerts see it), ``high`` (on hand above the
    maximum), ``out`` (nothing on hand, no minimum broken) or ""."""
    return level_of(balance) or (OUT if not balance.on_hand else "")


def level_text(balance: Balance) -> str:
    """The level of a balance as the list shows it: below minimum, above maximum, out of stock."""
    texts = {LOW: gettext("Below minimum"), HIGH: gettext("Above maximum"), OUT: gettext("Out of stock")}
    return texts.get(level_key(balance), "")


def stock_rows(queryset: QuerySet[Balance]) -> Iterable[dict[str, Any]]:
    """The values of the first ``EXPORT_MAX_ROWS`` balances of ``queryset`` (with item, category
    and warehouse loaded), in the queryset's order."""
    rows = queryset.select_related("item__category", "warehouse__campus")[:EXPORT_MAX_ROWS]
    for balance in rows.iterator(chunk_size=2000):
        item, warehouse = balance.item, balance.warehouse
        yield {
            "code": item.code,
            "name": item.name,
            "specification": item.specification,
            "category": item.category.name,
            "unit": item.unit,
            "campus": warehouse.campus.name,
            "warehouse_code": warehouse.code,
            "warehouse": warehouse.name,
            "on_hand": balance.on_hand,
            "reserved": balance.reserved,
            "available": balance.available,
            "average_cost": balance.average_cost,
            "value": balance.value,
            "minimum": balance.min_quantity,
            "maximum": balance.max_quantity,
            "level": level_text(balance),
            "active": item.is_active,
        }


def write_stock(queryset: QuerySet[Balance], out: IO[bytes]) -> None:
    """Write an .xlsx of the balances of ``queryset`` to ``out`` (numbers as numbers, user text
    escaped against formula injection)."""
    wb = Workbook(write_only=True)
    write_table(wb, str(SHEET_TITLE), STOCK_COLUMNS, stock_rows(queryset))
    wb.save(out)
