"""Forms of the requisition pages: the parts request inside a work order (a draft of lines the
technician builds with the search box), the keeper's decisions on a line (approve fully or partly,
reject, issue) and the return of unused parts; the filters of the keeper's queue.

Forms check shape and size only. Quantities stay text here: ``ledger.quantity_checked`` in the
services decides (negative, zero, fractional for a piece item ...) and says why in its message."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Balance, Item, LineState, Warehouse
from .models.stock import ZERO

MAX_DRAFT_LINES = 30
QUANTITY_MAX_LENGTH = 20
REASON_MAX = 300


@dataclass
class DraftLine:
    """One line of a parts request being put together: the part, the warehouse it is taken from,
    the quantity as typed, and what that warehouse has available now (for the hint and the max)."""

    item: Item
    warehouse: Warehouse
    quantity: str
    available: Decimal

    @property
    def step(self) -> str:
        return "0.001" if self.item.fractional else "1"


def _ids(values: list[str]) -> list[int | None]:
    return [int(v) if v.isdigit() and len(v) < 12 else None for v in values]


def draft_lines(data, *, add: tuple[str, str] | None = None, remove: str | None = None) -> list[DraftLine]:
    """The draft lines posted as parallel lists ``item``, ``warehouse``, ``quantity`` (rows with an
    unknown part or warehouse are dropped), plus a line added (``add`` = item id, warehouse id: the
    same part from the same warehouse again adds one to its quantity) or one removed (its index).
    Raises ``ValidationError`` when the draft holds too many lines."""
    items, warehouses = _ids(data.getlist("item")), _ids(data.getlist("warehouse"))
    quantities = [q.strip()[:QUANTITY_MAX_LENGTH] for q in data.getlist("quantity")]
    rows = [list(row) for row in zip(items, warehouses, quantities, strict=False) if row[0] and row[1]]
    if remove is not None and remove.isdigit() and int(remove) < len(rows):
        del rows[int(remove)]
    if add is not None:
        added = _ids(list(add))
        if added[0] and added[1]:
            same = [row for row in rows if row[0] == added[0] and row[1] == added[1]]
            if same:
                try:
                    same[0][2] = format((Decimal(same[0][2] or "0") + 1).normalize(), "f")
                except ArithmeticError:
                    same[0][2] = "1"
            else:
                rows.append([added[0], added[1], "1"])
    if len(rows) > MAX_DRAFT_LINES:
        raise ValidationError(_("A request holds at most %(count)d lines.") % {"count": MAX_DRAFT_LINES})
    if not rows:
        return []
    found_items = Item.objects.filter(is_active=True).in_bulk({row[0] for row in rows})
    found_warehouses = Warehouse.objects.select_related("parent").in_bulk({row[1] for row in rows})
    stock = {
        (b.item_id, b.warehouse_id): b.available
        for b in Balance.objects.filter(item_id__in=found_items, warehouse_id__in=found_warehouses)
    }
    return [
        DraftLine(item=found_items[i], warehouse=found_warehouses[w], quantity=q, available=stock.get((i, w), ZERO))
        for i, w, q in rows
        if i in found_items and w in found_warehouses
    ]


class RequestForm(forms.Form):
    """The parts request of a work order: its lines come from ``draft_lines``; a note for the keeper."""

    note = forms.CharField(
        label=_("Note for the keeper"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. needed today, I will pick them up at 14:00")}),
    )

    def clean(self):
        data = super().clean()
        data["lines"] = draft_lines(self.data)
        if not data["lines"]:
            raise ValidationError(_("Add at least one part: search for it above and choose the warehouse."))
        return data


class ApproveForm(forms.Form):
    """Approve a line: blank quantity approves what was asked; less needs a reason."""

    quantity = forms.CharField(label=_("Quantity approved"), max_length=QUANTITY_MAX_LENGTH, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX)


class ReturnForm(forms.Form):
    quantity = forms.CharField(label=_("Quantity returned"), max_length=QUANTITY_MAX_LENGTH)
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, required=False)


WAITING_STATES = [
    ("", _("All waiting")),
    (LineState.PENDING, _("To approve")),
    (LineState.APPROVED, _("To issue")),
]


class QueueFilterForm(forms.Form):
    """Filters of the keeper's queue: a warehouse (with everything below it), a state, a search."""

    warehouse = forms.TypedChoiceField(label=_("Warehouse"), coerce=int, required=False, empty_value=None)
    state = forms.ChoiceField(label=_("State"), choices=WAITING_STATES, required=False)
    q = forms.CharField(label=_("Search"), max_length=60, required=False, strip=True)

    def __init__(self, *args, warehouses=(), **kwargs):
        """``warehouses``: (id, label) of the warehouses the user may filter by."""
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = [("", _("All warehouses")), *warehouses]


def first_error(form: forms.Form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return str(_("Check the form."))
