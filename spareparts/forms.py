"""Forms of the stock pages and the keepers' operations (receive, adjust, limits, transfer).

Forms check shape: a part named by a code, barcode or label that exists, a warehouse the user
keeps, quantities that fit the part (the ledger's own ``quantity_checked``, so a line shows its
error beside it). The services decide the rest (enough stock, two different warehouses ...) and
say why not; the views show that message and keep what was typed."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from logistics.common.errors import DomainError
from logistics.org.models import Vendor

from .ledger import quantity_checked
from .models import Item, Warehouse
from .scan import item_from_code
from .selectors import leaf_warehouses

LINES = 3  # empty lines a new document starts with; "add a line" adds more
MAX_LINES = 200
TEXT = "form-control"


class WarehouseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Warehouse) -> str:
        return f"{obj.name} ({obj.code}) · {obj.campus.name}"


def stock_places(kept: set[int] | None = None) -> QuerySet[Warehouse]:
    """Active warehouses that hold stock, limited to ``kept`` ids unless None (all)."""
    places = leaf_warehouses().select_related("campus").order_by("campus__code", "code")
    return places if kept is None else places.filter(pk__in=kept)


class PartField(forms.CharField):
    """A part named by its code, its vendor barcode or its QR label (scanned or typed)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("label", _("Part"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "data-scan": "part",
                                  "placeholder": _("Code or barcode")})  # fmt: skip

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        item = item_from_code(text)
        if item is None:
            raise ValidationError(_("No part has the code or barcode “%(code)s”."), params={"code": text[:64]})
        return item


class SubmissionForm(forms.Form):
    """A form that may be sent once: the key identifies this filling of the form, so a second
    click (or the browser re-posting it) records nothing more."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.HiddenInput):
            continue
        css = "form-select" if isinstance(field.widget, forms.Select) else TEXT
        field.widget.attrs.setdefault("class", css)


def _quantity_error(form: forms.Form, item: Item | None, field: str) -> Decimal | None:
    """The quantity typed, checked against the part (whole pieces, positive); the error beside it."""
    text = (form.cleaned_data.get(field) or "").strip()
    if item is None or not text:
        return None
    try:
        return quantity_checked(item, text)
    except DomainError as exc:
        form.add_error(field, exc.message)
        return None


def number_field(label, **kwargs) -> forms.CharField:
    """A number kept as typed (the services read it, and say what is wrong with it)."""
    attrs = {"inputmode": "decimal", "autocomplete": "off", **kwargs.pop("attrs", {})}
    return forms.CharField(label=label, max_length=20, widget=forms.TextInput(attrs=attrs), **kwargs)


class ReceiptLineForm(forms.Form):
    part: Item | None = None  # the part found for the code typed, shown beside it again on errors
    item = PartField(required=False)
    quantity = number_field(_("Quantity"), required=False)
    unit_cost = number_field(_("Unit cost"), required=False, help_text=_("Blank: the part's standard cost."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)

    def clean(self):
        data = super().clean()
        item = self.part = data.get("item")
        typed = any((data.get(f) or "").strip() for f in ("quantity", "unit_cost"))
        if item is None and typed and "item" not in self.errors:
            self.add_error("item", _("Enter the part's code or barcode."))
        if item is not None and not (data.get("quantity") or "").strip():
            self.add_error("quantity", _("Enter the quantity."))
        _quantity_error(self, item, "quantity")
        return data

    def line(self) -> tuple[Item, str, str] | None:
        item = self.cleaned_data.get("item")
        if item is None:
            return None
        cost = (self.cleaned_data.get("unit_cost") or "").strip() or str(item.unit_cost)
        return item, self.cleaned_data["quantity"].strip(), cost


class TransferLineForm(forms.Form):
    part: Item | None = None
    item = PartField(required=False)
    quantity = number_field(_("Quantity"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)

    def clean(self):
        data = super().clean()
        item = self.part = data.get("item")
        if item is None and (data.get("quantity") or "").strip() and "item" not in self.errors:
            self.add_error("item", _("Enter the part's code or barcode."))
        if item is not None and not (data.get("quantity") or "").strip():
            self.add_error("quantity", _("Enter the quantity."))
        _quantity_error(self, item, "quantity")
        return data

    def line(self) -> tuple[Item, str] | None:
        item = self.cleaned_data.get("item")
        return None if item is None else (item, self.cleaned_data["quantity"].strip())


class LineFormSet(forms.BaseFormSet):
    """The lines of a document; blank lines are ignored, at least one is needed."""

    def clean(self):
        if any(self.errors):
            return
        if not self.lines():
            raise ValidationError(_("Enter at least one part and its quantity."))

    def lines(self) -> list[tuple]:
        return [line for form in self.forms if getattr(form, "cleaned_data", None) and (line := form.line())]


def line_formset(form: type[forms.Form], data=None, *, initial=None) -> LineFormSet:
    """The lines of a receipt (``ReceiptLineForm``) or a transfer (``TransferLineForm``)."""
    formset = forms.formset_factory(form, formset=LineFormSet, extra=LINES, max_num=MAX_LINES,
                                    absolute_max=MAX_LINES, validate_max=True)  # fmt: skip
    return formset(data, prefix="lines", initial=initial)


class ReceiptForm(SubmissionForm):
    warehouse = WarehouseChoiceField(label=_("Into warehouse"), queryset=Warehouse.objects.none())
    vendor = forms.ModelChoiceField(label=_("Vendor"), queryset=Vendor.objects.none(), required=False)
    reference = forms.CharField(label=_("Delivery note / invoice"), max_length=60, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, kept: set[int] | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = stock_places(kept)
        self.fields["vendor"].queryset = Vendor.objects.filter(is_active=True).order_by("name")
        _styled(self)


class AdjustForm(SubmissionForm):
    item = PartField()
    warehouse = WarehouseChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    change = number_field(_("Change in stock"), attrs={"placeholder": "-2 / +3"},
                          help_text=_("Signed: −2 takes two out (damaged, expired), +3 adds three found."))  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=300,
                             widget=forms.TextInput(attrs={"placeholder": _("e.g. damaged in storage")}))  # fmt: skip

    def __init__(self, *args, kept: set[int] | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = stock_places(kept)
        _styled(self)

    def clean_change(self):
        text = self.cleaned_data["change"].strip().replace("−", "-").replace("＋", "+").replace("－", "-")
        if text.lstrip("+-") in ("", "0") or text.count("-") + text.count("+") > 1:
            raise ValidationError(_("Enter the change with its sign, such as -2 or +3."))
        return text

    def clean(self):
        data = super().clean()
        change, item = data.get("change"), data.get("item")
        if change and item is not None:
            try:
                quantity_checked(item, change.lstrip("+-"), label=_("Change in stock"))
            except DomainError as exc:
                self.add_error("change", exc.message)
        return data


class LimitsForm(forms.Form):
    warehouse = WarehouseChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    minimum = number_field(_("Minimum"), required=False)
    maximum = number_field(_("Maximum"), required=False)

    def __init__(self, *args, kept: set[int] | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = stock_places(kept)
        _styled(self)
        for name in ("warehouse", "minimum", "maximum"):
            self.fields[name].widget.attrs["class"] += " form-control-sm" if name != "warehouse" else " form-select-sm"


class TransferForm(SubmissionForm):
    source = WarehouseChoiceField(label=_("From warehouse"), queryset=Warehouse.objects.none())
    destination = WarehouseChoiceField(label=_("To warehouse"), queryset=Warehouse.objects.none())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, kept: set[int] | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = stock_places(kept)
        self.fields["destination"].queryset = stock_places()
        _styled(self)
