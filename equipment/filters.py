"""The one filter set of the equipment ledger: the list page, its Excel export, its label sheets
and the API use it, so "HVAC items in building A whose certificate runs out this month" means the
same everywhere. It reads nothing of the request but the data it is given."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from logistics.org.models import Building, Campus, Department, Location, Team, Vendor

from .models import Category, Certificate, Equipment, Status
from .selectors import category_with_descendants

WARRANTY_SOON_DAYS = 90
CERTIFICATE_SOON_DAYS = 30
EXPIRED, EXPIRING = "expired", "expiring"


@extend_schema_field(OpenApiTypes.INT)
class CampusFilter(django_filters.ModelChoiceFilter):
    """A campus by id, matched on the item's location (or its department when it has no location)."""


@extend_schema_field(OpenApiTypes.STR)
class LocationFilter(django_filters.ModelChoiceFilter):
    """A location by its code (the code printed on its label; a hospital has thousands)."""


class EquipmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=60)
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.all(), method="in_category", empty_label=_("All")
    )
    # distinct=False: one value per item, and DISTINCT would sort every match before paging
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Status.choices, distinct=False)
    campus = CampusFilter(label=_("Campus"), queryset=Campus.objects.all(), method="in_campus", empty_label=_("All"))
    building = django_filters.ModelChoiceFilter(
        label=_("Building"),
        queryset=Building.objects.select_related("campus"),
        field_name="location__building",
        empty_label=_("All"),
    )
    location = LocationFilter(
        label=_("Location code"),
        queryset=Location.objects.all(),
        to_field_name="code",
        field_name="location",
        widget=forms.TextInput,
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.all(), empty_label=_("All")
    )
    team = django_filters.ModelChoiceFilter(
        label=_("Maintenance team"), queryset=Team.objects.all(), field_name="maintainer_team", empty_label=_("All")
    )
    vendor = django_filters.ModelChoiceFilter(
        label=_("Maintenance vendor"),
        queryset=Vendor.objects.all(),
        field_name="maintainer_vendor",
        empty_label=_("All"),
    )
    warranty = django_filters.ChoiceFilter(
        label=_("Warranty"),
        method="by_warranty",
        empty_label=_("All"),
        choices=[(EXPIRED, _("Expired")), (EXPIRING, _("Ends within 90 days"))],
    )
    certificate = django_filters.ChoiceFilter(
        label=_("Certificates"),
        method="by_certificate",
        empty_label=_("All"),
        choices=[(EXPIRED, _("A certificate has expired")), (EXPIRING, _("A certificate expires within 30 days"))],
    )
    installed_from = django_filters.DateFilter(label=_("Installed from"), field_name="install_date", lookup_expr="gte")
    installed_to = django_filters.DateFilter(label=_("Installed to"), field_name="install_date", lookup_expr="lte")

    class Meta:
        model = Equipment
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():  # the pages' compact Bootstrap controls
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        fields = ("code", "name", "model", "serial", "manufacturer")
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}__icontains": value})
        return queryset.filter(match)

    def in_category(self, queryset, name, value):
        return queryset.filter(category_id__in=category_with_descendants(value))

    def in_campus(self, queryset, name, value):
        # subqueries rather than joins: the planner then walks the item indexes, not joined tables
        places = Location.objects.filter(campus=value).values("pk")
        departments = Department.objects.filter(campus=value).values("pk")
        return queryset.filter(Q(location__in=places) | Q(location__isnull=True, department__in=departments))

    def by_warranty(self, queryset, name, value):
        today = timezone.localdate()
        if value == EXPIRED:
            return queryset.filter(warranty_end__lt=today)
        if value == EXPIRING:
            return queryset.filter(warranty_end__gte=today, warranty_end__lte=today + timedelta(WARRANTY_SOON_DAYS))
        return queryset

    def by_certificate(self, queryset, name, value):
        """By the newest certificate of each kind an item holds: a renewed certificate replaces
        the expired one it follows."""
        today = timezone.localdate()
        newest = Certificate.objects.values("equipment_id", "kind").annotate(last=Max("expires_on"))
        if value == EXPIRED:
            newest = newest.filter(last__lt=today)
        elif value == EXPIRING:
            newest = newest.filter(last__gte=today, last__lte=today + timedelta(CERTIFICATE_SOON_DAYS))
        else:
            return queryset
        return queryset.filter(pk__in=newest.values("equipment_id"))
