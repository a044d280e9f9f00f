"""Lists of work orders: my requests, my tasks (the technician's phone), and the full list with
filters and its Excel export. Every list reads ``orders_visible_to`` and the one filter set."""

from __future__ import annotations

import tempfile

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..filters import WorkOrderFilter
from ..models import WorkOrder
from ..selectors import LIST_RELATED, my_tasks, orders_visible_to, with_list_related
from ..states import OPEN
from .common import PRIORITY_CSS, STATUS_CSS, own_staff

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_MAX_ROWS = 100_000


class SlicePage:
    """A page of a long list without counting it: one row more than shown tells whether a next page
    exists (a COUNT over a million orders would cost more than the page itself)."""

    def __init__(self, queryset, number: str | None, size: int = PAGE_SIZE):
        self.number = max(int(number), 1) if number and number.isdigit() and len(number) < 7 else 1
        start = (self.number - 1) * size
        rows = list(queryset[start : start + size + 1])
        self.has_next = len(rows) > size
        self.has_previous = self.number > 1
        self.object_list = rows[:size]
        self.next_page_number = self.number + 1
        self.previous_page_number = self.number - 1


def decorate(orders, now=None) -> list[WorkOrder]:
    now = now or timezone.now()
    rows = list(orders)
    for wo in rows:
        wo.status_css = STATUS_CSS.get(wo.status, "secondary")
        wo.priority_css = PRIORITY_CSS.get(wo.priority, "secondary")
        wo.is_overdue = wo.status in OPEN and (
            (wo.resolution_due is not None and wo.resolution_due < now)
            or (wo.status in ("submitted", "dispatched") and wo.response_due is not None and wo.response_due < now)
        )
    return rows


class MyRequestsView(LoginRequiredMixin, View):
    """The orders I reported (or the service desk filed for me): what happened, and what to verify."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        orders = (
            WorkOrder.objects.filter(requester__user=request.user)
            .select_related(*LIST_RELATED)
            .order_by("-submitted_at", "-pk")
        )
        page = SlicePage(orders, request.GET.get("page"))
        to_verify = decorate(orders.filter(status=WorkOrder.Status.COMPLETED)[:20])
        return render(request, "workorders/my_requests.html",
                      {"page": page, "orders": decorate(page.object_list), "to_verify": to_verify})  # fmt: skip


class MyTasksView(LoginRequiredMixin, View):
    """A technician's open orders on a phone, most urgent first, each with its next step."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        staff = own_staff(request.user)
        orders = decorate(my_tasks(staff)) if staff is not None else []
        done_today = 0
        if staff is not None:
            start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
            done_today = WorkOrder.objects.filter(assignee=staff, completed_at__gte=start).count()
        return render(request, "workorders/my_tasks.html",
                      {"orders": orders, "staff": staff, "done_today": done_today})  # fmt: skip


class ListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Every order the user may see, filtered by status, priority, team, category, campus,
    department, dates and overdue; paginated; exportable as shown."""

    permission_required = "workorders.view_workorder"
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = WorkOrderFilter(request.GET or None, queryset=orders_visible_to(request.user), request=request)
        orders = with_list_related(filterset.qs.order_by("-submitted_at", "-pk"))
        page = SlicePage(orders, request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "filter": filterset,
            "page": page,
            "orders": decorate(page.object_list),
            "query": query.urlencode(),
        }
        template = "workorders/partials/_list_table.html" if request.htmx else "workorders/list.html"
        return render(request, template, context)


EXPORT_COLUMNS = [
    (lambda: _("Number"), lambda wo: wo.number, 18),
    (lambda: _("Kind"), lambda wo: wo.get_kind_display(), 10),
    (lambda: _("Category"), lambda wo: str(wo.category), 12),
    (lambda: _("Priority"), lambda wo: wo.get_priority_display(), 8),
    (lambda: _("Status"), lambda wo: wo.get_status_display(), 14),
    (lambda: _("Title"), lambda wo: wo.title, 40),
    (lambda: _("Department"), lambda wo: str(wo.department or ""), 16),
    (lambda: _("Location"), lambda wo: str(wo.location or ""), 24),
    (lambda: _("Requester"), lambda wo: str(wo.requester.name if wo.requester_id else wo.contact), 12),
    (lambda: _("Team"), lambda wo: str(wo.team or ""), 12),
    (lambda: _("Technician / vendor"), lambda wo: str(wo.assignee.name if wo.assignee_id else wo.vendor or ""), 14),
    (lambda: _("Submitted"), lambda wo: timezone.localtime(wo.submitted_at).replace(tzinfo=None), 17),
    (lambda: _("Accepted"), lambda wo: _local(wo.accepted_at), 17),
    (lambda: _("Completed"), lambda wo: _local(wo.completed_at), 17),
    (lambda: _("Closed"), lambda wo: _local(wo.closed_at), 17),
    (lambda: _("Response (min)"), lambda wo: _minutes(wo.submitted_at, wo.accepted_at), 9),
    (lambda: _("Resolution (min)"), lambda wo: _minutes(wo.submitted_at, wo.completed_at, wo.held_minutes), 9),
    (lambda: _("Labour (min)"), lambda wo: wo.labour_minutes, 8),
    (lambda: _("Parts cost"), lambda wo: float(wo.parts_cost), 10),
    (lambda: _("Rating"), lambda wo: wo.rating, 6),
    (lambda: _("Reopened"), lambda wo: wo.reopen_count, 6),
    (lambda: _("Dispatched automatically"), lambda wo: _("yes") if wo.auto_dispatched else _("no"), 8),
    (lambda: _("Closed automatically"), lambda wo: _("yes") if wo.auto_closed else _("no"), 8),
]


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _minutes(start, end, held: int = 0):
    if not start or not end:
        return None
    return max(int((end - start).total_seconds() // 60) - held, 0)


class ExportView(ListView):
    """The filtered list as an Excel workbook (write-only: memory stays flat), up to EXPORT_MAX_ROWS."""

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = WorkOrderFilter(request.GET or None, queryset=orders_visible_to(request.user), request=request)
        orders = filterset.qs.select_related(*LIST_RELATED).order_by("-submitted_at", "-pk")[:EXPORT_MAX_ROWS]
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Work orders"))
        sheet.freeze_panes = "B2"
        for index, (_title, _value, width) in enumerate(EXPORT_COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.append([title() for title, _value, _width in EXPORT_COLUMNS])
        for wo in orders.iterator(chunk_size=2000):
            sheet.append([value(wo) for _title, value, _width in EXPORT_COLUMNS])
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse once sent
        workbook.save(handle)
        handle.seek(0)
        name = f"work-orders-{timezone.localdate():%Y%m%d}.xlsx"
        return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)


urlpatterns = [
    path("", ListView.as_view(), name="list"),
    path("export.xlsx", ExportView.as_view(), name="export"),
    path("mine/", MyRequestsView.as_view(), name="my_requests"),
    path("tasks/", MyTasksView.as_view(), name="my_tasks"),
]
