"""API of attendance requests: list and read (scoped), submit leave / overtime / corrections for
oneself, and approve / reject / cancel through the same services as the pages."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from logistics.org.api_auth import TokenHasScope

from ..models import AttendanceRequest, LeavePortion, LeaveType, RequestKind
from ..selectors import requests_visible_to
from ..services import (
    correction_request_submit,
    leave_request_submit,
    overtime_request_submit,
    request_approve,
    request_cancel,
    request_reject,
)


class RequestEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    actor = serializers.CharField(source="actor.get_username")
    at = serializers.DateTimeField()
    comment = serializers.CharField()


class AttendanceRequestSerializer(serializers.ModelSerializer):
    employee_no = serializers.CharField(source="staff.employee_no", read_only=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    leave_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    start_at = serializers.SerializerMethodField(help_text="Local wall-clock time.")
    end_at = serializers.SerializerMethodField(help_text="Local wall-clock time.")
    events = RequestEventSerializer(many=True, read_only=True)

    class Meta:
        model = AttendanceRequest
        fields = (
            "id", "staff", "employee_no", "staff_name", "kind", "status", "leave_type", "portion", "start_date",
            "end_date", "start_at", "end_at", "days", "minutes", "reason", "needs_admin", "created_at",
            "decided_at", "events",
        )  # fmt: skip

    def get_start_at(self, obj) -> str | None:
        return obj.start_at.isoformat() if obj.start_at else None

    def get_end_at(self, obj) -> str | None:
        return obj.end_at.isoformat() if obj.end_at else None


class LocalDateTimeField(serializers.DateTimeField):
    """A local wall-clock time (no offset), as the attendance rules use; an offset is refused
    rather than silently converted."""

    def default_timezone(self):
        return None

    def enforce_timezone(self, value):
        if value.tzinfo is not None:
            raise ValidationError(_("Give the local wall-clock time without a time-zone offset."))
        return value


class RequestSubmitSerializer(serializers.Serializer):
    """Input of a new request for oneself. Leave: leave_type (code), start_date, end_date, portion
    (and start_at/end_at for hours). Overtime: start_at, end_at. Correction: start_at (the punch)."""

    kind = serializers.ChoiceField(choices=RequestKind.choices)
    leave_type = serializers.SlugRelatedField(
        slug_field="code", queryset=LeaveType.objects.filter(is_active=True), required=False
    )
    portion = serializers.ChoiceField(choices=LeavePortion.choices, default=LeavePortion.FULL)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    start_at = LocalDateTimeField(required=False, help_text="Local wall-clock time.")
    end_at = LocalDateTimeField(required=False, help_text="Local wall-clock time.")
    reason = serializers.CharField(max_length=300)

    def validate(self, data):
        need = {
            RequestKind.LEAVE: ("leave_type", "start_date", "end_date"),
            RequestKind.OVERTIME: ("start_at", "end_at"),
            RequestKind.CORRECTION: ("start_at",),
        }[data["kind"]]
        missing = [key for key in need if data.get(key) is None]
        if missing:
            raise ValidationError(dict.fromkeys(missing, _("This field is required.")))
        return data


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RequestFilter(django_filters.FilterSet):
    class Meta:
        model = AttendanceRequest
        fields = ("kind", "status", "staff", "start_date")


class AttendanceRequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Leave, overtime and punch-correction requests."""

    serializer_class = AttendanceRequestSerializer
    permission_classes = [IsAuthenticated, TokenHasScope]
    filterset_class = RequestFilter
    queryset = AttendanceRequest.objects.none()

    def get_queryset(self):
        return requests_visible_to(self.request.user).prefetch_related("events__actor").order_by("-created_at")

    @property
    def required_scopes(self):
        return ("read",) if self.request.method in ("GET", "HEAD", "OPTIONS") else ("attendance_requests",)

    @extend_schema(request=RequestSubmitSerializer, responses={201: AttendanceRequestSerializer})
    def create(self, request, *args, **kwargs):
        staff = getattr(request.user, "staff", None)
        if staff is None:
            raise PermissionDenied(_("This account has no staff record."))
        data = RequestSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["kind"] == RequestKind.LEAVE:
            created = leave_request_submit(
                staff=staff, leave_type=v["leave_type"], start_date=v["start_date"], end_date=v["end_date"],
                portion=v["portion"], start_at=v.get("start_at"), end_at=v.get("end_at"), reason=v["reason"],
                actor=request.user,
            )  # fmt: skip
        elif v["kind"] == RequestKind.OVERTIME:
            created = overtime_request_submit(
                staff=staff, start_at=v["start_at"], end_at=v["end_at"], reason=v["reason"], actor=request.user
            )
        else:
            created = correction_request_submit(
                staff=staff, punch_at=v["start_at"], reason=v["reason"], actor=request.user
            )
        return Response(AttendanceRequestSerializer(created).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, service):
        target = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = service(request=target, actor=request.user, comment=body.validated_data["comment"])
        return Response(AttendanceRequestSerializer(done).data)

    @extend_schema(request=DecisionSerializer, responses=AttendanceRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, request_approve)

    @extend_schema(request=DecisionSerializer, responses=AttendanceRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, request_reject)

    @extend_schema(request=DecisionSerializer, responses=AttendanceRequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._decide(request, request_cancel)
