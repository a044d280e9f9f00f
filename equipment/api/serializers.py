"""What the equipment API returns: an item (a list row, and the full item with its category path,
place, parameters and certificates), a maintenance plan (with, in full, the items it covers and
its next due dates) and the KPI report the page shows. Read-only: nothing here is written."""

from __future__ import annotations

from django.db import models
from rest_framework import serializers

from ..models import Anchor, Certificate, Equipment, IntervalUnit, MaintenancePlan, PlanKind, ScheduleKind, Status


def _coded(choices: type[models.TextChoices]) -> serializers.CharField:
    """A coded value, shown with its ``*_label`` beside it; documented by its values, not as an enum
    component (other apps' APIs name other choice sets "status" and "kind" too)."""
    return serializers.CharField(read_only=True, help_text=f"One of: {', '.join(choices.values)}.")


# --- items -----------------------------------------------------------------------------------------
class EquipmentSerializer(serializers.ModelSerializer):
    """A row of the ledger: the item's fields with the names of what it refers to."""

    status = _coded(Status)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    location_code = serializers.CharField(source="location.code", read_only=True, allow_null=True)
    location_name = serializers.CharField(source="location.name", read_only=True, allow_null=True)
    campus_name = serializers.CharField(source="location.campus.name", read_only=True, allow_null=True)
    building_name = serializers.CharField(source="location.building.name", read_only=True, allow_null=True)
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True)
    maintainer_team_name = serializers.CharField(source="maintainer_team.name", read_only=True, allow_null=True)
    maintainer_vendor_name = serializers.CharField(source="maintainer_vendor.name", read_only=True, allow_null=True)

    class Meta:
        model = Equipment
        fields = (
            "id", "code", "name", "category", "category_name", "model", "manufacturer", "serial", "status",
            "status_label", "status_since", "location", "location_code", "location_name", "campus_name",
            "building_name", "department", "department_name", "maintainer_team", "maintainer_team_name",
            "maintainer_vendor", "maintainer_vendor_name", "install_date", "warranty_end",
        )  # fmt: skip
        read_only_fields = fields


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class ParameterValueSerializer(serializers.Serializer):
    """A technical parameter of the item's category and the item's value (null: not recorded)."""

    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.JSONField(allow_null=True)


class CertificateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Certificate
        fields = ("id", "kind", "number", "issuer", "issued_on", "expires_on")
        read_only_fields = fields


class EquipmentDetailSerializer(EquipmentSerializer):
    """The full item: the list row plus its category path (top level first), its technical
    parameters, its certificates, notes and the URL its QR label encodes."""

    category_path = CategoryRefSerializer(many=True, read_only=True)
    parameter_values = ParameterValueSerializer(many=True, read_only=True)
    certificates = CertificateSerializer(many=True, read_only=True)
    label_url = serializers.CharField(read_only=True)

    class Meta(EquipmentSerializer.Meta):
        fields = (*EquipmentSerializer.Meta.fields, "category_path", "parameter_values", "certificates", "notes",
                  "label_url")  # fmt: skip
        read_only_fields = fields


# --- plans -----------------------------------------------------------------------------------------
class MaintenancePlanSerializer(serializers.ModelSerializer):
    """A plan: what, on which items (listed, or every item of a category at a place), how often.
    ``next_due`` is null for plans counted from the last completion (their next date follows the
    work) and for plans past their end."""

    kind = _coded(PlanKind)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    schedule = _coded(ScheduleKind)
    interval_unit = _coded(IntervalUnit)
    anchor = _coded(Anchor)
    schedule_text = serializers.CharField(read_only=True, help_text="The schedule in words.")
    counts_from_completion = serializers.BooleanField(read_only=True)
    next_due = serializers.DateField(read_only=True, allow_null=True)
    category_name = serializers.CharField(source="category.name", read_only=True, allow_null=True)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True)
    checklist_name = serializers.CharField(source="checklist.name", read_only=True, allow_null=True)

    class Meta:
        model = MaintenancePlan
        fields = (
            "id", "code", "name", "kind", "kind_label", "category", "category_name", "campus", "building",
            "location", "schedule", "schedule_text", "interval", "interval_unit", "anchor", "weekdays", "month_days",
            "start_date", "end_date", "lead_days", "counts_from_completion", "next_due", "checklist",
            "checklist_name", "team", "team_name", "estimated_minutes", "is_active",
        )  # fmt: skip
        read_only_fields = fields


class CoveredItemSerializer(serializers.ModelSerializer):
    status = _coded(Status)
    location_name = serializers.CharField(source="location.name", read_only=True, allow_null=True)

    class Meta:
        model = Equipment
        fields = ("id", "code", "name", "status", "location", "location_name")
        read_only_fields = fields


class MaintenancePlanDetailSerializer(MaintenancePlanSerializer):
    """The full plan: the list row plus its instructions, the items it covers now and its due dates
    in the next 90 days (empty for plans counted from the last completion)."""

    items = CoveredItemSerializer(many=True, read_only=True)
    next_due_dates = serializers.ListField(child=serializers.DateField(), read_only=True)

    class Meta(MaintenancePlanSerializer.Meta):
        fields = (*MaintenancePlanSerializer.Meta.fields, "instructions", "auto_repair", "items", "next_due_dates")
        read_only_fields = fields


# --- KPIs ------------------------------------------------------------------------------------------
class PeriodFiguresSerializer(serializers.Serializer):
    """What the period's history says: hours; rates from 0 to 1 (null: nothing to divide by)."""

    good_rate = serializers.FloatField(allow_null=True, help_text="Item-hours in service / item-hours not retired.")
    in_service_hours = serializers.FloatField()
    downtime_hours = serializers.FloatField()
    failures = serializers.IntegerField()
    repairs = serializers.IntegerField()
    mttr_hours = serializers.FloatField(allow_null=True)
    mtbf_hours = serializers.FloatField(allow_null=True)


class FiguresSerializer(PeriodFiguresSerializer):
    """The period's figures, and now: ``items`` not retired, ``in_service`` of them, their ratio."""

    items = serializers.IntegerField()
    in_service = serializers.IntegerField()
    good_rate_now = serializers.FloatField(allow_null=True)


class GroupFiguresSerializer(FiguresSerializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null: items without a value for this grouping.")
    name = serializers.CharField()


class ItemFiguresSerializer(PeriodFiguresSerializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()


class EquipmentKpisSerializer(serializers.Serializer):
    """The ledger's figures; ``end`` is where the period was measured up to (now, if earlier)."""

    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    period_hours = serializers.FloatField()
    overall = FiguresSerializer()
    by_top_category = GroupFiguresSerializer(many=True)
    by_category = GroupFiguresSerializer(many=True)
    by_campus = GroupFiguresSerializer(many=True)
    by_building = GroupFiguresSerializer(many=True)
    by_department = GroupFiguresSerializer(many=True)
    worst_items = ItemFiguresSerializer(many=True)


class ComplianceSerializer(serializers.Serializer):
    """Occurrences due in the period; ``due`` = on time + late + missed + overdue (open ones not yet
    past due and cancelled ones are not counted); ``rate`` = on time / due."""

    due = serializers.IntegerField()
    done_on_time = serializers.IntegerField()
    done_late = serializers.IntegerField()
    missed = serializers.IntegerField()
    overdue = serializers.IntegerField()
    not_yet_due = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class PlanKindComplianceSerializer(ComplianceSerializer):
    id = serializers.CharField(help_text=f"The kind of plan: one of {', '.join(PlanKind.values)}.")
    name = serializers.CharField()


class GroupComplianceSerializer(ComplianceSerializer):
    id = serializers.IntegerField(allow_null=True, help_text="The category's or team's id (null: none).")
    name = serializers.CharField()


class CostSerializer(serializers.Serializer):
    orders = serializers.IntegerField()
    parts_cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    labour_hours = serializers.FloatField()
    labour_cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    total_cost = serializers.DecimalField(max_digits=14, decimal_places=2)


class GroupCostSerializer(CostSerializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class ItemCostSerializer(CostSerializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class MaintenanceKpisSerializer(serializers.Serializer):
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    compliance = ComplianceSerializer()
    by_plan_kind = PlanKindComplianceSerializer(many=True)
    by_category = GroupComplianceSerializer(many=True)
    by_team = GroupComplianceSerializer(many=True)
    labour_rate_per_hour = serializers.DecimalField(max_digits=10, decimal_places=2)
    cost = CostSerializer()
    cost_by_category = GroupCostSerializer(many=True)
    costliest_items = ItemCostSerializer(many=True)


class KpiReportSerializer(serializers.Serializer):
    """The equipment KPI page's report: the ledger's figures and the planned work's."""

    first_day = serializers.DateField()
    last_day = serializers.DateField()
    equipment = EquipmentKpisSerializer()
    maintenance = MaintenanceKpisSerializer()
