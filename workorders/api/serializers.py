"""What the work-order API reads and writes: orders (a list row, and the full order with its
timeline and attachments), the input of each workflow step, and the KPIs."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from rest_framework import serializers

from logistics.org.models import Department, Location, Staff, Vendor
from logistics.org.qr import location_token_from_code
from logistics.org.selectors import location_by_token

from ..models import Attachment, Category, HoldReason, Kind, Priority, Status, WorkOrder, WorkOrderEvent
from ..services import TEXT_MAX, TITLE_MAX

LABOUR_MAX = 24 * 60 * 7


# --- orders ----------------------------------------------------------------------------------------
def _coded(choices: type[models.TextChoices]) -> serializers.CharField:
    """A coded value, shown with its ``*_label`` beside it. Documented by its values rather than as an
    enum component: other apps' APIs name different choice sets "kind" and "status" too."""
    return serializers.CharField(read_only=True, help_text=f"One of: {', '.join(choices.values)}.")


class WorkOrderSerializer(serializers.ModelSerializer):
    """A row of the order list: the order's fields with the names of what it refers to."""

    kind = _coded(Kind)
    status = _coded(Status)
    hold_reason = _coded(HoldReason)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    priority_label = serializers.CharField(source="get_priority_display", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    requester_name = serializers.CharField(source="requester.name", read_only=True, allow_null=True)
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True)
    location_name = serializers.CharField(source="location.name", read_only=True, allow_null=True)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True)
    assignee_name = serializers.CharField(source="assignee.name", read_only=True, allow_null=True)
    vendor_name = serializers.CharField(source="vendor.name", read_only=True, allow_null=True)

    class Meta:
        model = WorkOrder
        fields = (
            "id", "number", "kind", "kind_label", "category", "category_name", "priority", "priority_label",
            "title", "status", "status_label", "hold_reason", "origin", "requester", "requester_name",
            "department", "department_name", "location", "location_name", "team", "team_name", "assignee",
            "assignee_name", "vendor", "vendor_name", "auto_dispatched", "response_due", "resolution_due",
            "submitted_at", "dispatched_at", "accepted_at", "arrived_at", "completed_at", "closed_at",
            "auto_closed", "rating", "reopen_count",
        )  # fmt: skip
        read_only_fields = fields


class WorkOrderEventSerializer(serializers.ModelSerializer):
    """One step of the timeline."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    actor = serializers.CharField(source="actor.get_username", read_only=True, allow_null=True)

    class Meta:
        model = WorkOrderEvent
        fields = ("id", "kind", "kind_label", "from_status", "to_status", "actor", "at", "comment", "data")
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    """A photo or report on the order: its description and the page that serves it to whoever may
    see the order (there is no public file URL)."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ("id", "stage", "original_name", "content_type", "size", "uploaded_at", "url")
        read_only_fields = fields

    def get_url(self, attachment: Attachment) -> str:
        return f"/workorders/{attachment.work_order_id}/attachments/{attachment.pk}/"


class WorkOrderDetailSerializer(WorkOrderSerializer):
    """The full order: the list row plus the report, the work done, the rating, the timeline and
    the attachments."""

    events = WorkOrderEventSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta(WorkOrderSerializer.Meta):
        fields = (
            *WorkOrderSerializer.Meta.fields, "description", "contact", "parent", "helpers", "findings", "cause",
            "actions", "labour_minutes", "held_minutes", "rating_comment", "events", "attachments",
        )  # fmt: skip
        read_only_fields = fields


# --- input -----------------------------------------------------------------------------------------
class WorkOrderCreateSerializer(serializers.Serializer):
    """A new report: what (category, title, description), how urgent, where, and whom to call."""

    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(is_active=True))
    title = serializers.CharField(max_length=TITLE_MAX)
    description = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    contact = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    """Why (handing an order back, cancelling it)."""

    reason = serializers.CharField(max_length=500)


class ArriveSerializer(serializers.Serializer):
    """The place the technician scanned on arrival: its id, or the scanned code (the label's URL
    or ``L:<token>``)."""

    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.filter(is_active=True), required=False)
    code = serializers.CharField(max_length=300, required=False)

    def validate(self, data: dict) -> dict:
        if ("location" in data) == ("code" in data):
            raise serializers.ValidationError(_("Give either the place or the scanned code."))
        if "code" in data:
            token = location_token_from_code(data["code"])
            place = location_by_token(token) if token else None
            if place is None:
                raise serializers.ValidationError({"code": _("This code is not the label of a known place.")})
            data["location"] = place
        return data


class HoldSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=HoldReason.choices)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CompleteSerializer(serializers.Serializer):
    findings = serializers.CharField(max_length=TEXT_MAX)
    cause = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    actions = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    labour_minutes = serializers.IntegerField(min_value=0, max_value=LABOUR_MAX, default=0)


class VerifySerializer(serializers.Serializer):
    """The requester's verdict: accept with a rating (1–5), or send it back with a comment."""

    accept = serializers.BooleanField()
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True, default=None)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DispatchSerializer(serializers.Serializer):
    """Whom the order goes to: a technician (and their team) or an outside vendor."""

    assignee = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    vendor = serializers.PrimaryKeyRelatedField(
        queryset=Vendor.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )


# --- KPIs ------------------------------------------------------------------------------------------
class DurationsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    p90 = serializers.FloatField(allow_null=True)


class SatisfactionSerializer(serializers.Serializer):
    rated = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    distribution = serializers.DictField(child=serializers.IntegerField(), help_text="Stars 1–5: number of orders.")


class TechnicianLoadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    open = serializers.IntegerField()
    completed = serializers.IntegerField()
    labour_minutes = serializers.IntegerField()


class TeamLoadSerializer(TechnicianLoadSerializer):
    total = serializers.IntegerField()


class TargetCheckSerializer(serializers.Serializer):
    kpi = serializers.CharField()
    label = serializers.CharField()
    target = serializers.FloatField()
    higher_is_better = serializers.BooleanField()
    value = serializers.FloatField(allow_null=True)
    met = serializers.BooleanField(allow_null=True)


class GroupKpisSerializer(serializers.Serializer):
    """The KPIs of one group of orders; times in minutes, rates from 0 to 1 (null: nothing to
    divide by)."""

    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_kind = serializers.DictField(child=serializers.IntegerField())
    overdue = serializers.IntegerField()
    auto_closed = serializers.IntegerField()
    response_minutes = DurationsSerializer()
    resolution_minutes = DurationsSerializer()
    first_time_fix_rate = serializers.FloatField(allow_null=True)
    closure_rate = serializers.FloatField(allow_null=True)
    reopen_rate = serializers.FloatField(allow_null=True)
    urgent_on_time_rate = serializers.FloatField(allow_null=True)
    auto_dispatch_rate = serializers.FloatField(allow_null=True)
    satisfaction = SatisfactionSerializer()
    technicians = TechnicianLoadSerializer(many=True)
    teams = TeamLoadSerializer(many=True)
    targets = TargetCheckSerializer(many=True)


class KpisSerializer(serializers.Serializer):
    """Repair orders (repairs and assistance), planned orders (inspections and maintenance) and all."""

    repair = GroupKpisSerializer()
    planned = GroupKpisSerializer()
    all = GroupKpisSerializer()
