"""Read API of punches, filtered by staff, terminal and time range."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from logistics.common.api_permissions import ModelViewPermissions

from ..models import PinMapping, Punch


class PunchSerializer(serializers.ModelSerializer):
    local_time = serializers.SerializerMethodField(help_text="Device-local wall-clock time, as the terminal said it.")

    class Meta:
        model = Punch
        fields = ("id", "terminal_serial", "pin", "local_time", "punched_at", "status", "verify_type", "workcode",
                  "source", "received_at")  # fmt: skip

    @extend_schema_field(OpenApiTypes.STR)
    def get_local_time(self, punch: Punch) -> str:
        return punch.local_time.isoformat()


class PunchFilter(django_filters.FilterSet):
    staff = django_filters.NumberFilter(method="filter_staff", label="staff id")
    terminal = django_filters.CharFilter(field_name="terminal_serial")
    since = django_filters.IsoDateTimeFilter(field_name="punched_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="punched_at", lookup_expr="lt")

    class Meta:
        model = Punch
        fields = ("pin", "source")

    def filter_staff(self, queryset, name, value):
        """The staff member's employee number plus every PIN mapped to them (their validity dates
        are applied by the attendance results, not here)."""
        from logistics.org.models import Staff

        pins = set(PinMapping.objects.filter(staff_id=value).values_list("pin", flat=True))
        pins |= set(Staff.objects.filter(pk=value).values_list("employee_no", flat=True))
        return queryset.filter(Q(pin__in=pins))


class PunchViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Punch.objects.order_by("-punched_at", "-id")
    serializer_class = PunchSerializer
    permission_classes = [ModelViewPermissions]
    filterset_class = PunchFilter
