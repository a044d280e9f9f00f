"""Forms of the stocktake pages. Quantities are passed on as typed: the service checks them
(``ledger.quantity_checked``) and its message says what is wrong (negative, not whole for a part
counted in pieces, too many decimals)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Item, Warehouse


def item_by_code(code: str) -> Item | None:
    """A part by its code (any case) or its barcode, as typed or scanned."""
    code = (code or "").strip()
    if not code:
        return None
    return Item.objects.filter(Q(code__iexact=code) | Q(barcode=code)).order_by("pk").first()


class StartForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, warehouses=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["warehouse"]
        field.queryset = warehouses if warehouses is not None else Warehouse.objects.none()
        field.label_from_instance = lambda w: f"{w.code} {w.name}"
        field.widget.attrs["class"] = "form-select"
        self.fields["note"].widget.attrs["class"] = "form-control"


class CountForm(forms.Form):
    """The count of one line (``item``), or of a part found that is not on the sheet (``code``)."""

    item = forms.IntegerField(required=False, widget=forms.HiddenInput)
    code = forms.CharField(label=_("Code or barcode"), max_length=64, required=False)
    counted = forms.CharField(label=_("Counted"), max_length=20)

    def clean(self):
        data = super().clean()
        if data.get("item"):
            data["part"] = Item.objects.filter(pk=data["item"]).first()
            if data["part"] is None:
                raise forms.ValidationError(_("This part no longer exists."))
        elif data.get("code"):
            data["part"] = item_by_code(data["code"])
            if data["part"] is None:
                self.add_error("code", _("No part has the code or barcode “%(code)s”.") % {"code": data["code"]})
        else:
            self.add_error("code", _("Scan or type the code or barcode of the part."))
        return data

    def first_error(self) -> str:
        for field, errors in self.errors.items():
            label = self.fields[field].label if field in self.fields and field != "code" else ""
            return f"{label}: {errors[0]}" if label else errors[0]
        return ""
