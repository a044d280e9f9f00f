"""Filter sets of the spare-parts lists, shared by the pages, their Excel exports and the API, so
"contactors below minimum anywhere in the main store" means the same everywhere.

A warehouse filter covers the warehouse and every location below it (stock is held in bins, and a
keeper thinks of "the main store"); a category filter covers its sub-categories."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from logistics.org.models import Campus

from .models import Balance, Item, ItemCategory, Movement, MovementKind, Transfer, Warehouse
from .permissions import kept_warehouse_ids
from .selectors import category_subtree_ids, warehouse_subtree_ids

LOW, HIGH, OUT = "low", "high", "out"


class WarehouseField(forms.ModelChoiceField):
    """A warehouse shown as "name (code)" with its tree depth, in code order."""

    def label_from_instance(self, obj: Warehouse) -> str:
        return f"{obj.name} ({obj.code})"


@extend_schema_field(OpenApiTypes.INT)
class WarehouseFilter(django_filters.ModelChoiceFilter):
    """A warehouse by id: the rows of it and of every location below it."""

    field_class = WarehouseField


class ActiveWidget(BooleanWidget):
    """All / active / no longer stocked."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("All")), ("true", _("Active")), ("false", _("No longer stocked"))]


@extend_schema_field(OpenApiTypes.INT)
class CategoryFilter(django_filters.ModelChoiceFilter):
    """A part category by id: its parts and those of every category below it."""


def _compact(filterset: django_filters.FilterSet) -> None:
    for field in filterset.form.fields.values():  # the pages' compact Bootstrap controls
        css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
        field.widget.attrs.setdefault("class", css)


def _warehouses() -> QuerySet[Warehouse]:
    return Warehouse.objects.order_by("campus__code", "code")


class BalanceFilter(django_filters.FilterSet):
    """The stock list: balances by place, category, text, level and the item's state."""

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=60)
    warehouse = WarehouseFilter(
        label=_("Warehouse"), queryset=_warehouses(), method="in_warehouse", empty_label=_("All")
    )
    campus = django_filters.ModelChoiceFilter(
        label=_("Campus"), queryset=Campus.objects.all(), field_name="warehouse__campus", empty_label=_("All")
    )
    category = CategoryFilter(
        label=_("Category"), queryset=ItemCategory.objects.all(), method="in_category", empty_label=_("All")
    )
    level = django_filters.ChoiceFilter(
        label=_("Stock level"),
        method="by_level",
        empty_label=_("All"),
        choices=[(LOW, _("Below minimum")), (HIGH, _("Above maximum")), (OUT, _("Out of stock"))],
    )
    active = django_filters.BooleanFilter(label=_("Active parts"), field_name="item__is_active", widget=ActiveWidget)
    mine = django_filters.BooleanFilter(
        label=_("Only warehouses I keep"), method="only_mine", widget=forms.CheckboxInput
    )
    order = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Part code"),
        fields=(
            ("item__code", "code"),
            ("warehouse__code", "warehouse"),
            ("value", "value"),
            ("free", "available"),
        ),
        field_labels={
            "item__code": _("Part code"),
            "warehouse__code": _("Warehouse"),
            "value": _("Stock value"),
            "free": _("Available"),
        },
    )

    class Meta:
        model = Balance
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _compact(self)
        self.form.fields["mine"].widget.attrs["class"] = "form-check-input"

    @property
    def qs(self):
        qs = super().qs  # a stable order (pk last) for the pager
        return qs.order_by(*(qs.query.order_by or ("item__code", "warehouse__code")), "pk")

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset.annotate(free=F("on_hand") - F("reserved")))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(item__code__icontains=value)
            | Q(item__name__icontains=value)
            | Q(item__specification__icontains=value)
            | Q(item__barcode__iexact=value)
        )

    def in_warehouse(self, queryset, name, value):
        return queryset.filter(warehouse_id__in=warehouse_subtree_ids(value))

    def in_category(self, queryset, name, value):
        return queryset.filter(item__category_id__in=category_subtree_ids(value))

    def by_level(self, queryset, name, value):
        if value == LOW:  # as the alerts see it: what can still be had is below the minimum
            return queryset.filter(min_quantity__isnull=False, min_quantity__gt=F("on_hand") - F("reserved"))
        if value == HIGH:
            return queryset.filter(max_quantity__isnull=False, max_quantity__lt=F("on_hand"))
        if value == OUT:
            return queryset.filter(on_hand=0)
        return queryset

    def only_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        kept = kept_warehouse_ids(self.request.user)
        return queryset if kept is None else queryset.filter(warehouse_id__in=kept)


class ItemFilter(django_filters.FilterSet):
    """Parts by text, category, state, and the warehouse (with what is below it) that holds them."""

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=60)
    category = CategoryFilter(
        label=_("Category"), queryset=ItemCategory.objects.all(), method="in_category", empty_label=_("All")
    )
    warehouse = WarehouseFilter(label=_("Held in"), queryset=_warehouses(), method="held_in", empty_label=_("All"))
    active = django_filters.BooleanFilter(label=_("Active parts"), field_name="is_active", widget=ActiveWidget)

    class Meta:
        model = Item
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _compact(self)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value)
            | Q(name__icontains=value)
            | Q(specification__icontains=value)
            | Q(barcode__iexact=value)
        )

    def in_category(self, queryset, name, value):
        return queryset.filter(category_id__in=category_subtree_ids(value))

    def held_in(self, queryset, name, value):
        held = Balance.objects.filter(warehouse_id__in=warehouse_subtree_ids(value), on_hand__gt=0)
        return queryset.filter(pk__in=held.values("item_id"))


class MovementFilter(django_filters.FilterSet):
    """Ledger rows by item, place (with what is below it), kind, date range, document and work order."""

    item = django_filters.NumberFilter(label=_("Part"), field_name="item_id", widget=forms.HiddenInput)
    warehouse = WarehouseFilter(
        label=_("Warehouse"), queryset=_warehouses(), method="in_warehouse", empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=MovementKind.choices, empty_label=_("All"))
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )
    document = django_filters.CharFilter(
        label=_("Document"), field_name="document", lookup_expr="iexact", max_length=30
    )
    work_order = django_filters.CharFilter(
        label=_("Work order"), field_name="work_order__number", lookup_expr="iexact", max_length=30
    )

    class Meta:
        model = Movement
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _compact(self)

    def in_warehouse(self, queryset, name, value):
        return queryset.filter(warehouse_id__in=warehouse_subtree_ids(value))


class TransferFilter(django_filters.FilterSet):
    """Transfers by state and by a warehouse (with what is below it) they leave or reach."""

    state = django_filters.ChoiceFilter(label=_("State"), choices=Transfer.State.choices, empty_label=_("All"))
    warehouse = WarehouseFilter(label=_("From or to"), queryset=_warehouses(), method="touching", empty_label=_("All"))
    q = django_filters.CharFilter(label=_("Number"), field_name="number", lookup_expr="icontains", max_length=30)

    class Meta:
        model = Transfer
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _compact(self)

    def touching(self, queryset, name, value):
        ids = warehouse_subtree_ids(value)
        return queryset.filter(Q(source_id__in=ids) | Q(destination_id__in=ids))
