"""Read API of the terminals app: terminals and their runs."""

from __future__ import annotations

import django_filters
from rest_framework import serializers, viewsets

from logistics.common.api_permissions import ModelViewPermissions

from ..models import Terminal, TerminalRun


class TerminalSerializer(serializers.ModelSerializer):
    campus = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Terminal
        fields = (
            "id", "name", "serial", "host", "port", "transport", "campus", "time_zone", "mode", "poll_interval_minutes",
            "enabled", "state", "last_contact_at", "last_pull_at", "last_error", "records_on_device",
            "users_on_device", "clock_drift_seconds", "firmware", "platform", "device_name",
        )  # fmt: skip


class TerminalRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = TerminalRun
        fields = (
            "id", "terminal", "kind", "status", "started_at", "finished_at", "read", "new", "duplicates", "rejected",
            "device_count", "cleared", "error", "file_name",
        )  # fmt: skip


class TerminalRunFilter(django_filters.FilterSet):
    started_after = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_before = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lt")

    class Meta:
        model = TerminalRun
        fields = ("terminal", "kind", "status")


class TerminalViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Terminal.objects.select_related("campus").order_by("name")
    serializer_class = TerminalSerializer
    permission_classes = [ModelViewPermissions]
    filterset_fields = ("campus", "mode", "state", "enabled")


class TerminalRunViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = TerminalRun.objects.order_by("-started_at")
    serializer_class = TerminalRunSerializer
    permission_classes = [ModelViewPermissions]
    filterset_class = TerminalRunFilter
