"""Pages of the attendance app: requests with approval (leave, overtime, punch corrections 补卡).

My requests, the three request forms, one request's page (its history and the buttons the user
may use: approve, reject with a reason, cancel or revoke), and the approval queue of team leads and
the attendance administrator (approve or reject inline with htmx, approve several at once).

Every request is fetched through ``requests_visible_to`` (the requester, the lead of their team,
attendance administrators and managers; anyone else gets 404). Writes go through
``attendance.services``; a ``DomainError`` becomes a form error.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from logistics.common.errors import DomainError
from logistics.common.http import safe_next
from logistics.common.registries import MenuEntry, menu

from .. import services
from ..forms_requests import (
    CorrectionRequestForm,
    DecisionForm,
    LeaveRequestForm,
    OvertimeRequestForm,
    RequestFilterForm,
    days_label,
    format_days,
    hours_label,
)
from ..models import AttendanceRequest, LeavePortion, LeaveType, RequestKind, RequestStatus
from ..permissions import can_decide, is_attendance_admin
from ..selectors import requests_pending_for, requests_visible_to

APPROVE_PERMISSION = "attendance.approve_attendancerequest"
CHANGED_EVENT = "attendance-requests-changed"  # the queue counter and lists listen for it
PAGE_SIZE = 20
QUEUE_PAGE_SIZE = 50
STATUS_CSS = {
    RequestStatus.PENDING_LEAD: "warning",
    RequestStatus.PENDING_ADMIN: "warning",
    RequestStatus.APPROVED: "success",
    RequestStatus.REJECTED: "danger",
    RequestStatus.CANCELLED: "secondary",
}


# --- scoping and predicates ----------------------------------------------------------------------
def own_staff(user):
    """The user's own active, attendance-tracked staff record, or None (no record, or not tracked)."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        staff = user.staff
    except ObjectDoesNotExist:
        return None
    return staff if staff.attendance_tracked and staff.is_active else None


def is_own(user, req: AttendanceRequest) -> bool:
    return req.staff.user_id == user.pk or req.created_by_id == user.pk


def can_cancel(user, req: AttendanceRequest) -> bool:
    """The requester withdraws an open request; the attendance administrator withdraws any open one
    and revokes an approved leave or overtime (an approved correction stays: its punch is record)."""
    if req.status == RequestStatus.APPROVED:
        return req.kind != RequestKind.CORRECTION and is_attendance_admin(user)
    return req.is_open and (is_own(user, req) or is_attendance_admin(user))


def decorate(requests, user=None) -> list[AttendanceRequest]:
    """Display values the templates cannot compute: hours from minutes, days as people write
    them, the status colour, whether an overtime ends the next day, and (given ``user``) whether
    that user may decide the request now."""
    rows = list(requests)
    for req in rows:
        req.decidable = bool(user and can_decide(user, req))
        req.hours_label = hours_label(req.minutes)
        req.days_label = days_label(req.days)
        req.status_css = STATUS_CSS.get(req.status, "secondary")
        req.next_day = bool(req.start_at and req.end_at and req.end_at.date() > req.start_at.date())
    return rows


def leave_balances(staff, year: int) -> list[tuple[LeaveType, dict[str, Decimal]]]:
    """The person's balances of the balance-limited leave types for ``year`` (three small queries
    per type; there are a handful of types)."""
    types = LeaveType.objects.filter(is_active=True, has_balance=True)
    return [(t, services.leave_balance(staff=staff, leave_type=t, year=year)) for t in types]


def parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _parse_time(value: str | None) -> dt.time | None:
    try:
        return dt.time.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- my requests ---------------------------------------------------------------------------------
class RequestListView(LoginRequiredMixin, View):
    """The user's own requests, newest first, filtered by kind and status; htmx gets the list."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        form = RequestFilterForm(request.GET or None)
        qs = AttendanceRequest.objects.filter(staff__user=request.user).select_related("leave_type")
        if form.is_valid():
            if form.cleaned_data["kind"]:
                qs = qs.filter(kind=form.cleaned_data["kind"])
            if form.cleaned_data["status"]:
                qs = qs.filter(status=form.cleaned_data["status"])
        page = Paginator(qs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "filter_form": form,
            "requests": decorate(page.object_list),
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "staff": own_staff(request.user),
        }
        partial = request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
        template = "attendance/partials/_request_list.html" if partial else "attendance/request_list.html"
        response = render(request, template, context)
        patch_vary_headers(response, ("HX-Request",))
        return response


# --- new requests --------------------------------------------------------------------------------
class _RequestCreateView(LoginRequiredMixin, View):
    """Show the form (or, without a tracked staff record, a message why there is none); on a valid
    POST call the service and go to the new request's page."""

    http_method_names = ["get", "post"]
    template_name = "attendance/request_create.html"
    kind: str = ""
    title = ""
    form_class: type = LeaveRequestForm

    def form_kwargs(self, staff) -> dict:
        return {}

    def initial(self, request: HttpRequest) -> dict:
        return {}

    def submit(self, staff, data: dict, actor) -> AttendanceRequest:
        raise NotImplementedError

    def render_form(self, request: HttpRequest, staff, form, status: int = 200) -> HttpResponse:
        context = {"form": form, "staff": staff, "kind": self.kind, "title": self.title}
        if staff is not None and self.kind == RequestKind.LEAVE:
            context["balances"] = [(t, {k: format_days(v) for k, v in b.items()}) for t, b in self.balances]
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        staff = own_staff(request.user)
        form = self.form_class(initial=self.initial(request), **self.form_kwargs(staff)) if staff else None
        return self.render_form(request, staff, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        staff = own_staff(request.user)
        if staff is None:
            return self.render_form(request, None, None)
        form = self.form_class(request.POST, **self.form_kwargs(staff))
        if form.is_valid():
            try:
                created = self.submit(staff, form.cleaned_data, request.user)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Your request is submitted: %(status)s.") % {
                    "status": created.get_status_display()
                })  # fmt: skip
                return HttpResponseRedirect(reverse("attendance:request_detail", args=[created.pk]))
        return self.render_form(request, staff, form)


class LeaveRequestCreateView(_RequestCreateView):
    kind = RequestKind.LEAVE
    title = gettext_lazy("Request leave")
    form_class = LeaveRequestForm

    def form_kwargs(self, staff) -> dict:
        year = timezone.localdate().year
        self.balances = leave_balances(staff, year)
        return {"balances": {t.pk: b for t, b in self.balances}}

    def initial(self, request: HttpRequest) -> dict:
        day = parse_date(request.GET.get("date"))
        return {"start_date": day, "end_date": day} if day else {}

    def submit(self, staff, data: dict, actor) -> AttendanceRequest:
        return services.leave_request_submit(
            staff=staff,
            leave_type=data["leave_type"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            portion=data["portion"],
            start_at=data["start_at"],
            end_at=data["end_at"],
            reason=data["reason"],
            actor=actor,
        )


class OvertimeRequestCreateView(_RequestCreateView):
    kind = RequestKind.OVERTIME
    title = gettext_lazy("Request overtime")
    form_class = OvertimeRequestForm

    def initial(self, request: HttpRequest) -> dict:
        return {"date": parse_date(request.GET.get("date"))}

    def submit(self, staff, data: dict, actor) -> AttendanceRequest:
        return services.overtime_request_submit(
            staff=staff, start_at=data["start_at"], end_at=data["end_at"], reason=data["reason"], actor=actor
        )


class CorrectionRequestCreateView(_RequestCreateView):
    kind = RequestKind.CORRECTION
    title = gettext_lazy("Request a punch correction")
    form_class = CorrectionRequestForm

    def initial(self, request: HttpRequest) -> dict:
        return {"date": parse_date(request.GET.get("date")), "time": _parse_time(request.GET.get("time"))}

    def submit(self, staff, data: dict, actor) -> AttendanceRequest:
        return services.correction_request_submit(
            staff=staff, punch_at=data["punch_at"], reason=data["reason"], actor=actor
        )


class LeaveDaysPreviewView(LoginRequiredMixin, View):
    """htmx, as the leave form changes: how many days the request would take and what is left of
    the type's balance. Nothing is stored; the service checks everything again on submit."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        staff = own_staff(request.user)
        context: dict = {}
        if staff is not None:
            form = LeaveRequestForm(request.GET)
            form.is_valid()  # fills cleaned_data with whatever is valid; the reason may be missing
            data = form.cleaned_data
            ready = data.get("leave_type") and data.get("start_date") and data.get("portion")
            hours = data.get("portion") == LeavePortion.HOURS
            if ready and not form.has_error("end_date") and (not hours or data.get("end_at")):
                minutes = int((data["end_at"] - data["start_at"]).total_seconds() // 60) if hours else 0
                days = services.leave_days(
                    staff=staff,
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    portion=data["portion"],
                    minutes=minutes,
                )
                balance = services.leave_balance(
                    staff=staff, leave_type=data["leave_type"], year=data["start_date"].year
                )
                context = {
                    "days": format_days(days),
                    "zero": days <= 0,
                    "available": format_days(balance["available"]) if balance else None,
                    "short": bool(balance and days > balance["available"]),
                }
        return render(request, "attendance/partials/_request_leave_days.html", context)


# --- one request ---------------------------------------------------------------------------------
def _detail_context(request: HttpRequest, req: AttendanceRequest, **forms) -> dict:
    user = request.user
    req = decorate([req])[0]
    balance = None
    if req.kind == RequestKind.LEAVE and req.leave_type.has_balance:
        balance = services.leave_balance(staff=req.staff, leave_type=req.leave_type, year=req.start_date.year)
        balance = {k: format_days(v) for k, v in balance.items()}
    return {
        "req": req,
        "events": req.events.select_related("actor__staff").order_by("at", "pk"),
        "can_decide": can_decide(user, req),
        "can_cancel": can_cancel(user, req),
        "is_own": is_own(user, req),
        "balance": balance,
        "action_errors": [e for f in forms.values() if f is not None for e in f.non_field_errors()],
        "approve_form": forms.get("approve_form") or DecisionForm(prefix="approve"),
        "reject_form": forms.get("reject_form") or DecisionForm(prefix="reject", comment_required=True),
        "cancel_form": forms.get("cancel_form") or DecisionForm(prefix="cancel"),
    }


class RequestDetailView(LoginRequiredMixin, View):
    """A request with its history and the buttons the user may use."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        req = get_object_or_404(requests_visible_to(request.user), pk=pk)
        return render(request, "attendance/request_detail.html", _detail_context(request, req))


class _RequestActionView(LoginRequiredMixin, View):
    """POST one decision on one request. Out of scope → 404; a step the user may not take on an
    open request → 403; a request decided meanwhile → the service's message as a form error.
    htmx from the queue (``partial=row``) gets the updated row, htmx from the request's page its
    updated body (both with ``HX-Trigger``); a plain form is redirected to ``next`` or the page."""

    http_method_names = ["post"]
    prefix = ""
    comment_required = False
    success_message = ""

    def allowed(self, user, req: AttendanceRequest) -> bool:
        return can_decide(user, req)

    def still_possible(self, req: AttendanceRequest) -> bool:
        """Whether someone could still take this step (else the service explains why not)."""
        return req.is_open

    def perform(self, req: AttendanceRequest, comment: str, actor) -> AttendanceRequest:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        req = get_object_or_404(requests_visible_to(request.user), pk=pk)
        if self.still_possible(req) and not self.allowed(request.user, req):
            raise PermissionDenied
        form = DecisionForm(request.POST, prefix=self.prefix, comment_required=self.comment_required)
        done = False
        if form.is_valid():
            try:
                self.perform(req, form.cleaned_data["comment"], request.user)
            except DomainError as exc:
                if exc.code == "forbidden":
                    raise PermissionDenied(exc.message) from exc
                form.add_error(None, exc.message)
            else:
                done = True
        req = get_object_or_404(requests_visible_to(request.user), pk=pk)  # the state after the step
        if request.htmx:
            if request.POST.get("partial") == "row":
                context = {"req": decorate([req], request.user)[0], "row_form": form, "done": done}
                response = render(request, "attendance/partials/_request_row.html", context)
            else:
                context = _detail_context(request, req, **{f"{self.prefix}_form": None if done else form})
                response = render(request, "attendance/partials/_request_detail_body.html", context)
            if done:
                response["HX-Trigger"] = CHANGED_EVENT
            return response
        if done:
            messages.success(request, self.success_message)
            return HttpResponseRedirect(safe_next(request, reverse("attendance:request_detail", args=[req.pk])))
        context = _detail_context(request, req, **{f"{self.prefix}_form": form})
        return render(request, "attendance/request_detail.html", context)


class RequestApproveView(_RequestActionView):
    prefix = "approve"
    success_message = gettext_lazy("The request is approved.")

    def perform(self, req, comment, actor):
        return services.request_approve(request=req, actor=actor, comment=comment)


class RequestRejectView(_RequestActionView):
    prefix = "reject"
    comment_required = True
    success_message = gettext_lazy("The request is rejected.")

    def perform(self, req, comment, actor):
        return services.request_reject(request=req, actor=actor, comment=comment)


class RequestCancelView(_RequestActionView):
    prefix = "cancel"
    success_message = gettext_lazy("The request is cancelled.")

    def allowed(self, user, req: AttendanceRequest) -> bool:
        return can_cancel(user, req)

    def still_possible(self, req: AttendanceRequest) -> bool:
        return req.is_open or (req.status == RequestStatus.APPROVED and req.kind != RequestKind.CORRECTION)

    def perform(self, req, comment, actor):
        return services.request_cancel(request=req, actor=actor, comment=comment)


# --- approval queue ------------------------------------------------------------------------------
def _queue_context(request: HttpRequest, page_number: str | None = None, **extra) -> dict:
    kind = request.GET.get("kind") or request.POST.get("kind") or ""
    qs = requests_pending_for(request.user)
    if kind in RequestKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs.order_by("created_at", "pk"), QUEUE_PAGE_SIZE).get_page(page_number)
    return {
        "requests": decorate(page.object_list, request.user),
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.has_other_pages(),
        "kind": kind if kind in RequestKind.values else "",
        "kinds": RequestKind.choices,
        "reject_form": DecisionForm(prefix="reject", comment_required=True),
        **extra,
    }


class ApprovalQueueView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The open requests the user can decide now, oldest first: the team lead's own team at the
    first step, everything for the attendance administrator."""

    http_method_names = ["get"]
    permission_required = APPROVE_PERMISSION

    def get(self, request: HttpRequest) -> HttpResponse:
        context = _queue_context(request, request.GET.get("page"))
        partial = request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
        template = "attendance/partials/_request_queue.html" if partial else "attendance/request_queue.html"
        response = render(request, template, context)
        patch_vary_headers(response, ("HX-Request",))
        return response


class RequestBulkApproveView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST ``ids``: approve the ticked requests the user can decide, each in its own transaction
    (one that cannot be approved does not hold up the others); the reasons are listed."""

    http_method_names = ["post"]
    permission_required = APPROVE_PERMISSION

    def post(self, request: HttpRequest) -> HttpResponse:
        ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
        approved, problems = 0, []
        for req in requests_pending_for(request.user).filter(pk__in=ids).order_by("pk"):
            try:
                services.request_approve(request=req, actor=request.user)
            except DomainError as exc:
                problems.append(f"{req.staff.name} · {req.get_kind_display()} {req.start_date}: {exc.message}")
            else:
                approved += 1
        summary = ngettext("%(count)d request approved.", "%(count)d requests approved.", approved) % {
            "count": approved
        }
        if not ids:
            summary = _("Tick the requests to approve first.")
        if request.htmx:
            context = _queue_context(request, None, bulk_summary=summary, bulk_problems=problems)
            response = render(request, "attendance/partials/_request_queue.html", context)
            if approved:
                response["HX-Trigger"] = CHANGED_EVENT
            return response
        (messages.success if approved else messages.warning)(request, summary)
        for problem in problems:
            messages.error(request, problem)
        return HttpResponseRedirect(reverse("attendance:request_queue"))


urlpatterns: list = [
    path("requests/", RequestListView.as_view(), name="request_list"),
    path("requests/new/leave/", LeaveRequestCreateView.as_view(), name="request_leave_create"),
    path("requests/new/leave/days/", LeaveDaysPreviewView.as_view(), name="request_leave_days"),
    path("requests/new/overtime/", OvertimeRequestCreateView.as_view(), name="request_overtime_create"),
    path("requests/new/correction/", CorrectionRequestCreateView.as_view(), name="request_correction_create"),
    path("requests/approvals/", ApprovalQueueView.as_view(), name="request_queue"),
    path("requests/approvals/approve/", RequestBulkApproveView.as_view(), name="request_bulk_approve"),
    path("requests/<int:pk>/", RequestDetailView.as_view(), name="request_detail"),
    path("requests/<int:pk>/approve/", RequestApproveView.as_view(), name="request_approve"),
    path("requests/<int:pk>/reject/", RequestRejectView.as_view(), name="request_reject"),
    path("requests/<int:pk>/cancel/", RequestCancelView.as_view(), name="request_cancel"),
]


def register_menu() -> None:
    """Menu entries of these pages (called from AttendanceConfig.ready)."""
    menu.register(
        MenuEntry(
            key="attendance.request_queue",
            label=gettext_lazy("Approvals"),
            description=gettext_lazy("Leave, overtime and punch corrections waiting for your decision"),
            url_name="attendance:request_queue",
            section=gettext_lazy("Attendance"),
            icon="bi-check2-square",
            order=210,
            permissions=(APPROVE_PERMISSION,),
        )
    )
