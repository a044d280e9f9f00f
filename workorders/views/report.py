"""Report a fault: one phone screen (what, where, how urgent, photos), prefilled from a location's
QR label; the service desk files the same form on behalf of a caller who phoned.

Before filing, open orders of the same kind at the same place are shown and the reporter confirms
("report it anyway"); a replayed or double-clicked post finds the order it already made. A bad
photo refuses the whole report, so nothing half-made is stored."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from equipment.selectors import equipment_by_token
from logistics.common.errors import DomainError
from logistics.org.selectors import location_by_token

from ..attachments import attachments_add
from ..forms import ReportForm, ServiceDeskForm
from ..maintenance import order_category_for
from ..models import Attachment, Category, WorkOrder
from ..selectors import is_dispatcher, open_duplicates
from ..services import work_order_create
from .common import own_staff


class ReportView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict = {}
        location = location_by_token(request.GET.get("location", "")) if request.GET.get("location") else None
        item = equipment_by_token(request.GET.get("equipment")) if request.GET.get("equipment") else None
        if item is not None and item.status != item.Status.RETIRED:
            initial["equipment"] = item.qr_token
            location = location or item.location
        else:
            item = None
        if location is not None:
            initial["location"] = location.pk
        category = request.GET.get("category")
        if category and category.isdigit():
            initial["category"] = int(category)
        elif item is not None and (mapped := order_category_for(item.category, fallback=False)):
            initial["category"] = mapped.pk  # the kind of work this item's category falls under
        staff = own_staff(request.user)
        if staff is not None and staff.phone:
            initial["contact"] = staff.phone
        form = ReportForm(initial=initial)
        return self._render(request, form, self._desk_form(request), location=location, item=item)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReportForm(request.POST, request.FILES)
        desk = self._desk_form(request, bound=True)
        if not form.is_valid() or (desk is not None and not desk.is_valid()):
            return self._render(request, form, desk, status=400)
        data = form.cleaned_data
        existing = WorkOrder.objects.filter(submission_key=data["submission_key"]).first()
        if existing is not None:
            return self._already(request, existing)
        duplicates = list(
            open_duplicates(category=data["category"], location=data["location"], equipment=data["equipment"])[:5]
        )
        if duplicates and not data["confirm_duplicate"]:
            return self._render(request, form, desk, duplicates=duplicates, status=409)
        requester, origin, department = own_staff(request.user), WorkOrder.Origin.PERSON, None
        if desk is not None:
            origin = WorkOrder.Origin.SERVICE_DESK
            requester = desk.cleaned_data["caller_employee_no"]
            department = desk.cleaned_data["department"]
        contact = data["contact"]
        if desk is not None and desk.cleaned_data["caller_name"]:
            contact = f"{desk.cleaned_data['caller_name']} {contact}".strip()[:60]
        if data["location"] is None and department is None:
            form.add_error("location", _("Say where the problem is."))
            return self._render(request, form, desk, status=400)
        try:
            with transaction.atomic():
                wo = work_order_create(
                    category=data["category"], title=data["title"], description=data["description"],
                    priority=data["priority"], origin=origin, requester=requester, contact=contact,
                    department=department, location=data["location"], equipment=data["equipment"], actor=request.user,
                    submission_key=data["submission_key"],
                )  # fmt: skip
                if getattr(wo, "replayed", False):
                    return self._already(request, wo)  # the same post, filed a moment ago
                attachments_add(work_order=wo, files=data["photos"], stage=Attachment.Stage.REPORT, actor=request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self._render(request, form, desk, status=400)
        if wo.assignee_id:
            messages.success(request, _("%(number)s filed and given to %(name)s.")
                             % {"number": wo.number, "name": wo.assignee.name})  # fmt: skip
        else:
            messages.success(request, _("%(number)s filed; dispatch will assign it shortly.") % {"number": wo.number})
        return HttpResponseRedirect(reverse("workorders:detail", args=[wo.pk]))

    @staticmethod
    def _already(request: HttpRequest, wo: WorkOrder) -> HttpResponse:
        messages.info(request, _("This report was already filed as %(number)s.") % {"number": wo.number})
        return HttpResponseRedirect(reverse("workorders:detail", args=[wo.pk]))

    @staticmethod
    def _desk_form(request: HttpRequest, bound: bool = False) -> ServiceDeskForm | None:
        """The caller's fields, for dispatchers filing on someone's behalf (``?desk=1``)."""
        wants = request.GET.get("desk") == "1" or request.POST.get("desk") == "1"
        if not (wants and is_dispatcher(request.user)):
            return None
        return ServiceDeskForm(request.POST) if bound else ServiceDeskForm()

    @staticmethod
    def _render(request, form, desk, *, location=None, item=None, duplicates=(), status: int = 200) -> HttpResponse:
        if form.is_bound and form.is_valid():
            location = location or form.cleaned_data.get("location")
            item = item or form.cleaned_data.get("equipment")
        return render(
            request, "workorders/report.html",
            {"form": form, "desk": desk, "location": location, "item": item, "duplicates": duplicates,
             "categories": Category.objects.filter(is_active=True), "can_desk": is_dispatcher(request.user)},
            status=status,
        )  # fmt: skip


urlpatterns = [path("new/", ReportView.as_view(), name="new")]
