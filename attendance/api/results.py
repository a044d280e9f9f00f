"""Read API of daily results, filterable by staff, team, department, date range and status;
scoped like the pages (a team lead sees their teams, managers and administrators everyone)."""

from __future__ import annotations

import django_filters
from rest_framework import serializers, viewsets

from logistics.common.api_permissions import ModelViewPermissions
from logistics.org.api_auth import TokenHasScope

from ..models import DailyResult
from ..selectors import tracked_staff_visible_to


class DailyResultSerializer(serializers.ModelSerializer):
    employee_no = serializers.CharField(source="staff.employee_no", read_only=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    leave_type = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = DailyResult
        fields = (
            "id", "staff", "employee_no", "staff_name", "date", "day_type", "status", "shift_codes", "night",
            "scheduled_minutes", "worked_minutes", "late_minutes", "early_minutes", "absent", "missing_in",
            "missing_out", "leave_type", "leave_minutes", "leave_days", "overtime_workday_minutes",
            "overtime_rest_minutes", "overtime_holiday_minutes", "first_in", "last_out", "evidence_used",
            "awaiting_sync", "changed_after_close", "computed_at",
        )  # fmt: skip


class DailyResultFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    team = django_filters.NumberFilter(field_name="staff__team")
    department = django_filters.NumberFilter(field_name="staff__department")
    employee_no = django_filters.CharFilter(field_name="staff__employee_no")
    status = django_filters.MultipleChoiceFilter(choices=DailyResult.Status.choices)

    class Meta:
        model = DailyResult
        fields = ("staff", "date", "absent", "changed_after_close")


class DailyResultViewSet(viewsets.ReadOnlyModelViewSet):
    """Daily attendance results (one row per person and day)."""

    serializer_class = DailyResultSerializer
    permission_classes = [ModelViewPermissions, TokenHasScope]
    filterset_class = DailyResultFilter
    queryset = DailyResult.objects.none()  # for the schema; the real queryset is scoped per user

    def get_queryset(self):
        visible = tracked_staff_visible_to(self.request.user).values("pk")
        return (
            DailyResult.objects.filter(staff__in=visible)
            .select_related("staff", "leave_type")
            .order_by("-date", "staff__employee_no")
        )
