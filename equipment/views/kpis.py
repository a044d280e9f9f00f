"""Equipment KPIs for managers, team leads, dispatchers and administrators: the good-condition rate
(完好率) now and over a period, downtime, failures, MTTR and MTBF from the ledger's status history,
beside the maintenance plans' compliance and the cost of the orders on the items. The ledger's
figures come from ``equipment.kpis`` and the planned work's from ``workorders.maintenance_kpis``:
presentation composes the two apps, neither domain layer reads the other. The API's KPI endpoint
returns the same report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from workorders.maintenance_kpis import maintenance_kpis

from ..filters import EquipmentFilter
from ..kpis import equipment_kpis
from ..models import Equipment
from ..permissions import can_view_kpis
from ..selectors import equipment_visible_to

DEFAULT_DAYS = 30
MAX_DAYS = 731  # two years: a yearly report and the one before it
FILTERS = ("category", "campus", "department")  # the filters the page offers (the API takes them all)
TABLE_ROWS = 20


class PeriodForm(forms.Form):
    """The days the figures cover, first and last included; by default the last 30 days."""

    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError(_("The period starts after it ends."))
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(_("A period is at most %(days)d days long."), params={"days": MAX_DAYS})
        data["start"], data["end"] = start, end
        return data

    @staticmethod
    def default() -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        return today - dt.timedelta(days=DEFAULT_DAYS - 1), today


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def kpi_report(items: QuerySet[Equipment], *, first_day: dt.date, last_day: dt.date) -> dict[str, Any]:
    """The equipment KPIs of ``items`` from ``first_day`` to ``last_day`` (both included): the
    ledger's figures and the planned work's, as the page shows them and the API returns them."""
    start, end = _midnight(first_day), _midnight(last_day + dt.timedelta(days=1))
    return {
        "first_day": first_day,
        "last_day": last_day,
        "equipment": equipment_kpis(items, start=start, end=end),
        "maintenance": maintenance_kpis(items, start=start, end=end),
    }


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _chart(report: dict[str, Any]) -> dict[str, Any]:
    """What the page's two charts draw: downtime and 完好率 by top-level category, and the
    compliance of each kind of plan (in percent)."""
    categories = report["equipment"]["by_top_category"]
    kinds = report["maintenance"]["by_plan_kind"]
    return {
        "categories": [group["name"] or "—" for group in categories],
        "downtime": [group["downtime_hours"] for group in categories],
        "good_rate": [_percent(group["good_rate"]) for group in categories],
        "kinds": [group["name"] for group in kinds],
        "compliance": [_percent(group["rate"]) for group in kinds],
    }


class KpiView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "equipment.view_equipment"
    http_method_names = ["get"]

    def has_permission(self) -> bool:
        return can_view_kpis(self.request.user)

    def get(self, request: HttpRequest) -> HttpResponse:
        period = PeriodForm(request.GET)
        if period.is_valid():
            first_day, last_day = period.cleaned_data["start"], period.cleaned_data["end"]
        else:  # the errors are shown above the figures of the default period
            first_day, last_day = PeriodForm.default()
        filterset = EquipmentFilter(request.GET or None, queryset=equipment_visible_to(request.user))
        report = kpi_report(filterset.qs, first_day=first_day, last_day=last_day)
        return render(request, "equipment/kpis.html", {
            "period": period,
            "filter": filterset,
            "filters": FILTERS,
            "report": report,
            "rows": TABLE_ROWS,
            "chart": _chart(report),
        })  # fmt: skip


urlpatterns = [path("kpis/", KpiView.as_view(), name="kpis")]
