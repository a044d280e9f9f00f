"""Read API of daily results, filterable by staff, team, department, date range and status;
scoped like the pages (a team lead sees their teams, managers and administrators everyone)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from logistics.common.api_permissions import ModelViewPermissions
from logistics.org.api_auth import TokenHasScope

from ..models import DailyResult
from ..selectors import tracked_staff_visible_to
from ..selectors_month import month_rows


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


class MonthlyTotalsView(APIView):
    """Monthly totals per person (the rows of the monthly sheet): ``?month=2026-11`` (required),
    optional ``department`` and ``team`` ids. A month closed for payroll is read from its frozen
    snapshot; adjustments of earlier closed months carried into this one are listed per person."""

    permission_classes = [IsAuthenticated, TokenHasScope]

    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, required=True, description="YYYY-MM"),
            OpenApiParameter("department", int),
            OpenApiParameter("team", int),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        if not request.user.has_perm("attendance.view_dailyresult"):
            raise PermissionDenied
        try:
            month = dt.date.fromisoformat(f"{request.query_params.get('month', '')}-01")
        except ValueError as exc:
            raise ValidationError({"month": _("Give the month as YYYY-MM.")}) from exc
        department = request.query_params.get("department")
        team = request.query_params.get("team")
        staff = tracked_staff_visible_to(request.user)
        if team:
            if not team.isdigit():
                raise ValidationError({"team": _("Give a team id.")})
            staff = staff.filter(team_id=int(team))
        if department and not department.isdigit():
            raise ValidationError({"department": _("Give a department id.")})
        rows = month_rows(month=month, department=int(department) if department else None, staff_qs=staff)
        return Response(
            {
                "month": f"{month:%Y-%m}",
                "results": [
                    {
                        "staff": row.staff_id,
                        "employee_no": row.employee_no,
                        "name": row.name,
                        "department": row.department,
                        "team": row.team,
                        "closed": row.closed,
                        "flags": list(row.flags),
                        "days": row.days,
                        "totals": row.totals.as_json(),
                        "adjustments": [a.as_json() for a in row.adjustments],
                    }
                    for row in rows
                ],
            }
        )
