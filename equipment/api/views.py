"""Read API of the equipment ledger: the items (filtered like the ledger page, with
``EquipmentFilter``), one item in full, the maintenance plans with the items they cover and their
next due dates, and the KPIs the equipment KPI page shows. Items and plans need the view permission
of their model, as their pages do; the KPIs the roles that see the KPI page. Nothing is written
here, so no scope beyond ``read`` is needed."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from logistics.common.api_permissions import ModelViewPermissions
from logistics.org.api_auth import TokenHasScope

from ..filters import EquipmentFilter
from ..models import Equipment, MaintenancePlan
from ..permissions import can_view_kpis
from ..schedules import counts_from_completion, describe, due_dates, next_due_after
from ..selectors import equipment_url, equipment_visible_to, plan_equipment, with_list_related
from ..views.kpis import PeriodForm, kpi_report
from .serializers import (
    EquipmentDetailSerializer,
    EquipmentSerializer,
    KpiReportSerializer,
    MaintenancePlanDetailSerializer,
    MaintenancePlanSerializer,
)

UPCOMING_DAYS = 90


class EquipmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Items of the equipment ledger, filtered like the ledger page."""

    permission_classes = [ModelViewPermissions, TokenHasScope]
    filterset_class = EquipmentFilter
    queryset = Equipment.objects.none()  # for the schema and the permission; the real one is per user

    def get_queryset(self):
        items = with_list_related(equipment_visible_to(self.request.user)).order_by("code")
        if self.action == "retrieve":
            items = items.select_related("category__parent__parent").prefetch_related(
                "certificates", "category__parameters"
            )
        return items

    def get_serializer_class(self):
        return EquipmentSerializer if self.action == "list" else EquipmentDetailSerializer

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        """One item: its category path, place, status, technical parameters and certificates."""
        item = self.get_object()
        item.category_path = [
            {"id": c.pk, "code": c.code, "name": c.name} for c in reversed(item.category.ancestors_and_self())
        ]
        item.parameter_values = [
            {"key": p.key, "label": p.label, "unit": p.unit, "value": item.parameters.get(p.key)}
            for p in item.category.parameters.all()
        ]
        item.label_url = equipment_url(item.qr_token)
        return Response(EquipmentDetailSerializer(item).data)


def _with_schedule(plan: MaintenancePlan, today: dt.date) -> MaintenancePlan:
    """The plan with its schedule in words and its next due date (date-driven plans only)."""
    plan.schedule_text = describe(plan)
    plan.counts_from_completion = counts_from_completion(plan)
    plan.next_due = None if plan.counts_from_completion else next_due_after(plan, today - dt.timedelta(days=1))
    return plan


class MaintenancePlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Maintenance, inspection and certification plans."""

    permission_classes = [ModelViewPermissions, TokenHasScope]
    filterset_fields = ("kind", "is_active", "team", "category")
    queryset = MaintenancePlan.objects.select_related("category", "team", "checklist").order_by("code")

    def get_serializer_class(self):
        return MaintenancePlanSerializer if self.action == "list" else MaintenancePlanDetailSerializer

    def list(self, request: Request, *args, **kwargs) -> Response:
        today = timezone.localdate()
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        plans = [_with_schedule(plan, today) for plan in page]
        return self.get_paginated_response(MaintenancePlanSerializer(plans, many=True).data)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        """One plan: its schedule, the items it covers now, and its due dates in the next 90 days."""
        today = timezone.localdate()
        plan = _with_schedule(self.get_object(), today)
        plan.items = list(plan_equipment(plan))
        plan.next_due_dates = (
            [] if plan.counts_from_completion else due_dates(plan, today, today + dt.timedelta(days=UPCOMING_DAYS))
        )
        return Response(MaintenancePlanDetailSerializer(plan).data)


class CanViewKpis(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return can_view_kpis(request.user)


class EquipmentKpisView(generics.GenericAPIView):
    """The equipment KPIs of the items filtered like the ledger (category, campus, department …)
    over ``start`` … ``end`` (days, both included; by default the last 30 days): the same report
    as the KPI page."""

    permission_classes = [permissions.IsAuthenticated, CanViewKpis, TokenHasScope]
    filterset_class = EquipmentFilter
    queryset = Equipment.objects.none()  # for the schema; the real queryset is per user

    def get_queryset(self):
        return equipment_visible_to(self.request.user)

    @extend_schema(
        filters=True,
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="First day (default: 29 days before the end)."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last day (default: today)."),
        ],
        responses=KpiReportSerializer,
    )
    def get(self, request: Request) -> Response:
        period = PeriodForm(request.query_params)
        if not period.is_valid():
            raise ValidationError(period.errors)
        items = self.filter_queryset(self.get_queryset())
        report = kpi_report(items, first_day=period.cleaned_data["start"], last_day=period.cleaned_data["end"])
        return Response(KpiReportSerializer(report).data)
