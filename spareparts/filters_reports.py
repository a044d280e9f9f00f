"""Filter sets of the spare-parts reports (stock, ledger, consumption, slow-moving, alerts). A
warehouse filter means the warehouse and every location below it, and only the warehouses the
user's reports cover are offered; a part category means the category and its sub-categories."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logistics.org.models import Campus, Department

from .models import ItemCategory, MovementKind, Warehouse
from .reports import CONSUMPTION_GROUPS, SLOW_DEFAULT_DAYS
from .selectors import category_subtree_ids, warehouse_subtree_ids

MAX_SLOW_DAYS = 3650

GROUP_LABELS = {
    "month": _("Month"),
    "department": _("Department"),
    "equipment_category": _("Equipment category"),
    "work_order": _("Work order"),
    "technician": _("Technician"),
    "item": _("Part"),
    "category": _("Part category"),
}


def midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months: from the first day of the month eleven months back to today."""
    today = today or timezone.localdate()
    month = today.month - 11
    year = today.year + (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, 1), today


class ReportFilter(django_filters.FilterSet):
    """Shared controls: ``scope`` (warehouse ids, None for all) limits the warehouses offered."""

    warehouse = django_filters.ModelChoiceFilter(
        label=_("Warehouse"), queryset=Warehouse.objects.none(), method="in_warehouse", empty_label=_("All")
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Part category"), queryset=ItemCategory.objects.all(), method="in_category", empty_label=_("All")
    )
    warehouse_field = "warehouse_id"
    category_field = "item__category_id"

    def __init__(self, data=None, queryset=None, *, scope: set[int] | None = None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        warehouses = Warehouse.objects.select_related("parent").order_by("code")
        if scope is not None:
            warehouses = warehouses.filter(pk__in=scope)
        self.filters["warehouse"].queryset = warehouses
        self.form.fields["warehouse"].queryset = warehouses
        self.form.fields["warehouse"].label_from_instance = lambda w: f"{w.code} {w.name}"
        for form_field in self.form.fields.values():  # the pages' compact Bootstrap controls
            css = (
                "form-select form-select-sm"
                if isinstance(form_field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            form_field.widget.attrs.setdefault("class", css)

    def in_warehouse(self, queryset, name, value):
        return queryset.filter(**{f"{self.warehouse_field}__in": warehouse_subtree_ids(value)})

    def in_category(self, queryset, name, value):
        return queryset.filter(**{f"{self.category_field}__in": category_subtree_ids(value)})

    def unchanged(self, queryset, name, value):
        """A parameter of the report itself (grouping, days), not a filter of its rows."""
        return queryset


class StockFilter(ReportFilter):
    campus = django_filters.ModelChoiceFilter(
        label=_("Campus"), queryset=Campus.objects.all(), field_name="warehouse__campus", empty_label=_("All")
    )


class AlertFilter(StockFilter):
    pass


class SlowFilter(ReportFilter):
    days = django_filters.NumberFilter(
        label=_("Not issued for (days)"), method="unchanged", min_value=1, max_value=MAX_SLOW_DAYS
    )

    @property
    def days_value(self) -> int:
        if self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("days"):
            return int(self.form.cleaned_data["days"])
        return SLOW_DEFAULT_DAYS


class PeriodFilter(ReportFilter):
    start = django_filters.DateFilter(label=_("From"), method="from_day")
    end = django_filters.DateFilter(label=_("To"), method="to_day")

    def from_day(self, queryset, name, value):
        return queryset.filter(at__gte=midnight(value))

    def to_day(self, queryset, name, value):
        return queryset.filter(at__lt=midnight(value + dt.timedelta(days=1)))


class LedgerFilter(PeriodFilter):
    """Movements by part, warehouse (and below), kind, period, document number and work order."""

    item = django_filters.CharFilter(label=_("Part"), method="by_item", max_length=64)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=MovementKind.choices, empty_label=_("All"))
    document = django_filters.CharFilter(
        label=_("Document"), field_name="document", lookup_expr="icontains", max_length=30
    )
    work_order = django_filters.CharFilter(
        label=_("Work order"), field_name="work_order__number", lookup_expr="icontains", max_length=20
    )

    def by_item(self, queryset, name, value):
        """A part by its code or barcode exactly, else by a piece of its code or name."""
        value = value.strip()
        if not value:
            return queryset
        exact = Q(item__code__iexact=value) | Q(item__barcode=value)
        if queryset.filter(exact).exists():
            return queryset.filter(exact)
        return queryset.filter(Q(item__code__icontains=value) | Q(item__name__icontains=value))


class ConsumptionFilter(PeriodFilter):
    """Issues and returns of a period; ``by`` chooses the grouping."""

    by = django_filters.ChoiceFilter(
        label=_("Group by"), choices=list(GROUP_LABELS.items()), method="unchanged", empty_label=None
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        queryset=Department.objects.all(),
        field_name="work_order__department",
        empty_label=_("All"),
    )

    @property
    def group(self) -> str:
        value = self.form.cleaned_data.get("by") if self.is_bound and self.form.is_valid() else None
        return value if value in CONSUMPTION_GROUPS else "month"
