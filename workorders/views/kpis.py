"""Work-order KPIs for managers, dispatchers and team leads: the hospital's targets met or not,
response and resolution times (mean, p90), first-time fix, closure, reopen, satisfaction and load,
for repair and planned work apart, over any period, team, category, campus or department."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views import View

from ..filters import WorkOrderFilter
from ..kpis import work_order_kpis
from ..selectors import orders_visible_to

DEFAULT_DAYS = 30


class KpiView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "workorders.view_workorder"
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        data = request.GET.copy()
        today = timezone.localdate()
        data.setdefault("submitted_from", (today - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat())
        data.setdefault("submitted_to", today.isoformat())
        filterset = WorkOrderFilter(data, queryset=orders_visible_to(request.user), request=request)
        kpis = work_order_kpis(filterset.qs)
        groups = [("repair", kpis["repair"]), ("planned", kpis["planned"])]
        chart = {name: [group["satisfaction"]["distribution"].get(i, 0) for i in range(1, 6)] for name, group in groups}
        return render(request, "workorders/kpis.html",
                      {"filter": filterset, "kpis": kpis, "groups": groups, "chart": chart,
                       "query": data.urlencode()})  # fmt: skip


urlpatterns = [path("kpis/", KpiView.as_view(), name="kpis")]
