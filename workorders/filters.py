"""The one filter set of work-order lists: the list page, its Excel export and the API use it, so
"urgent overdue orders of the HVAC team last week" means the same everywhere."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from logistics.org.models import Campus, Department, Location, Team

from .models import Category, Kind, Priority, Status, WorkOrder
from .states import OPEN


@extend_schema_field(OpenApiTypes.INT)
class CampusFilter(django_filters.ModelChoiceFilter):
    """A campus by id, matched on the order's location (or its department when it has no location)."""


class WorkOrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=60)
    # distinct=False: one value per order, and DISTINCT would sort every match before paging
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Status.choices, distinct=False)
    state = django_filters.ChoiceFilter(
        label=_("Open or finished"), method="open_or_finished", empty_label=_("All"),
        choices=[("open", _("Open")), ("finished", _("Closed or cancelled"))],
    )  # fmt: skip
    priority = django_filters.MultipleChoiceFilter(label=_("Priority"), choices=Priority.choices, distinct=False)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices, empty_label=_("All"))
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.filter(is_active=True))
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=Category.objects.all())
    campus = CampusFilter(label=_("Campus"), queryset=Campus.objects.all(), method="in_campus")
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all())
    submitted_from = django_filters.DateFilter(label=_("Submitted from"), field_name="submitted_at",
                                               lookup_expr="date__gte")  # fmt: skip
    submitted_to = django_filters.DateFilter(label=_("Submitted to"), field_name="submitted_at",
                                             lookup_expr="date__lte")  # fmt: skip
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="only_overdue")
    assignee = django_filters.NumberFilter(label=_("Technician"), field_name="assignee_id")

    class Meta:
        model = WorkOrder
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():  # the pages' compact Bootstrap controls
            css = "form-select form-select-sm" if hasattr(field, "choices") else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value))

    def open_or_finished(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN)
        if value == "finished":
            return queryset.exclude(status__in=OPEN)
        return queryset

    def in_campus(self, queryset, name, value):
        # subqueries rather than joins: the planner then walks the order indexes, not two joined tables
        places = Location.objects.filter(campus=value).values("pk")
        departments = Department.objects.filter(campus=value).values("pk")
        return queryset.filter(Q(location__in=places) | Q(location__isnull=True, department__in=departments))

    def only_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = overdue_q()
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


def overdue_q(now=None) -> Q:
    """Open orders past their resolution target, or still waiting for a response past its target."""
    now = now or timezone.now()
    return Q(status__in=OPEN, resolution_due__lt=now) | Q(
        status__in=(Status.SUBMITTED, Status.DISPATCHED), response_due__lt=now
    )
