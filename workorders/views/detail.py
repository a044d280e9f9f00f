"""One order's page: what, where, who, every milestone on the timeline, photos, panels other apps
register (spare parts), the rating; and the buttons of the steps the user may take now.

Every step posts to ``/workorders/<pk>/do/<action>/``: the form is checked, the service decides
(a step out of order, a replayed post or another person's order gives a clear message and changes
nothing), and the page comes back with the outcome."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from equipment.selectors import equipment_by_token
from equipment.selectors import token_from_code as equipment_token_from_code
from logistics.common.errors import DomainError
from logistics.common.http import safe_next
from logistics.common.registries import panels_for
from logistics.org import qr
from logistics.org.selectors import location_by_token

from .. import services
from ..attachments import attachments_add
from ..forms import (
    ArriveForm,
    AssistanceForm,
    AttachForm,
    CompleteForm,
    DispatchForm,
    HelpersForm,
    HoldForm,
    NoteForm,
    ReasonForm,
    VerifyForm,
)
from ..models import Attachment, Status, WorkOrder
from ..selectors import orders_visible_to
from .checklist import checklist_for
from .common import actions_for, own_staff, visible_order
from .lists import decorate


def detail_context(request: HttpRequest, wo: WorkOrder) -> dict:
    decorate([wo])
    actions = actions_for(request.user, wo)
    events = list(wo.events.select_related("actor__staff").order_by("at", "pk"))
    attachments = list(wo.attachments.all())
    return {
        "wo": wo,
        "actions": actions,
        "events": events,
        "photos": [a for a in attachments if a.is_image],
        "documents": [a for a in attachments if not a.is_image],
        "helpers": list(wo.helpers.all()),
        "children": list(wo.children.select_related("team", "assignee")),
        "panels": panels_for("workorder", wo, request),
        "forms": {
            "reject": ReasonForm(auto_id="reject_%s"),
            "hold": HoldForm(auto_id="hold_%s"),
            "complete": CompleteForm(auto_id="complete_%s"),
            "verify": VerifyForm(auto_id="verify_%s"),
            "cancel": ReasonForm(auto_id="cancel_%s"),
            "escalate": ReasonForm(auto_id="escalate_%s"),
            "assistance": AssistanceForm(auto_id="assistance_%s"),
            "note": NoteForm(auto_id="note_%s"),
            "helpers": HelpersForm(auto_id="helpers_%s", initial={"helpers": [h.pk for h in wo.helpers.all()]})
            if "helpers" in actions
            else None,
            "photos": AttachForm(auto_id="photos_%s"),
            "dispatch": DispatchForm(auto_id="dispatch_%s", team=wo.team) if "dispatch" in actions else None,
        },
        "is_vendor_order": wo.vendor_id is not None and wo.assignee_id is None,
        "checklist": checklist_for(request.user, wo, _int(request.GET.get("item")))
        if wo.origin == WorkOrder.Origin.PLAN
        else None,
    }


class DetailView(LoginRequiredMixin, View):
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        wo = visible_order(request.user, pk)
        return render(request, "workorders/detail.html", detail_context(request, wo))


def _first_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("Check the form.")


class ActionView(LoginRequiredMixin, View):
    """One step of the workflow, posted from the order's page."""

    http_method_names = ["post"]
    FORMS = {
        "reject": ReasonForm, "hold": HoldForm, "complete": CompleteForm, "verify": VerifyForm, "cancel": ReasonForm,
        "escalate": ReasonForm, "assistance": AssistanceForm, "note": NoteForm, "photos": AttachForm,
        "helpers": HelpersForm,
    }  # fmt: skip

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        wo = visible_order(request.user, pk)
        back = safe_next(request, reverse("workorders:detail", args=[wo.pk]))
        if action not in actions_for(request.user, wo):
            messages.error(request, self._not_now(wo, action))
            return HttpResponseRedirect(back)
        if action == "dispatch":
            form = DispatchForm(request.POST, team=None)
        elif action in self.FORMS:
            form = self.FORMS[action](request.POST, request.FILES)
        else:
            form = None
        if form is not None and not form.is_valid():
            messages.error(request, _first_error(form))
            return HttpResponseRedirect(back)
        data = form.cleaned_data if form is not None else {}
        try:
            with transaction.atomic():
                done = self._do(request, wo, action, data)
        except DomainError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(back)
        messages.success(request, done)
        return HttpResponseRedirect(back)

    @staticmethod
    def _not_now(wo: WorkOrder, action: str) -> str:
        return _("%(number)s is %(status)s: this step is not possible now (perhaps someone else was quicker).") % {
            "number": wo.number, "status": wo.get_status_display(),
        }  # fmt: skip

    def _do(self, request: HttpRequest, wo: WorkOrder, action: str, data: dict) -> str:
        user, staff = request.user, own_staff(request.user)
        vendor_order = wo.vendor_id is not None and wo.assignee_id is None
        technician = None if vendor_order else staff
        match action:
            case "accept":
                services.work_order_accept(work_order=wo, technician=technician, actor=user)
                return _("You accepted %(number)s.") % {"number": wo.number}
            case "reject":
                services.work_order_reject(work_order=wo, technician=staff, reason=data["reason"], actor=user)
                return _("%(number)s was handed back to dispatch.") % {"number": wo.number}
            case "arrive":
                # only a vendor's arrival is recorded without a scan (the dispatcher confirms it)
                if not vendor_order:
                    raise DomainError(_("Scan the place's QR code to record your arrival."))
                services.work_order_arrive(work_order=wo, technician=None, scanned_location=wo.location, actor=user)
                return _("The vendor's arrival was recorded.")
            case "start" | "resume":
                services.work_order_start(work_order=wo, technician=technician, actor=user)
                return _("Work on %(number)s is in progress.") % {"number": wo.number}
            case "hold":
                services.work_order_hold(work_order=wo, technician=technician, reason=data["reason"],
                                         comment=data["comment"], actor=user)  # fmt: skip
                return _("%(number)s is on hold.") % {"number": wo.number}
            case "complete":
                services.work_order_complete(
                    work_order=wo, technician=technician, findings=data["findings"], cause=data["cause"],
                    actions=data["actions"], labour_minutes=data["labour_minutes"], actor=user,
                )  # fmt: skip
                attachments_add(work_order=wo, files=data["photos"], stage=Attachment.Stage.COMPLETION, actor=user)
                if data["vendor_report"] and not vendor_order:
                    raise DomainError(_("A vendor's report belongs to an order given to a vendor."))
                attachments_add(work_order=wo, files=data["vendor_report"], stage=Attachment.Stage.VENDOR_REPORT,
                                actor=user)  # fmt: skip
                return _("%(number)s is done; the requester will verify it.") % {"number": wo.number}
            case "verify":
                services.work_order_verify(work_order=wo, actor=user, accept=data["accept"], rating=data["rating"],
                                           comment=data["comment"])  # fmt: skip
                if data["accept"]:
                    return _("Thank you: %(number)s is closed.") % {"number": wo.number}
                return _("%(number)s was reopened.") % {"number": wo.number}
            case "cancel":
                services.work_order_cancel(work_order=wo, reason=data["reason"], actor=user)
                return _("%(number)s was cancelled.") % {"number": wo.number}
            case "escalate":
                services.work_order_escalate(work_order=wo, technician=staff, reason=data["reason"], actor=user)
                return _("Your team lead was asked to step in.")
            case "assistance":
                child = services.work_order_request_assistance(
                    work_order=wo, technician=technician, category=data["category"],
                    description=data["description"], actor=user,
                )  # fmt: skip
                return _("Assistance requested: %(number)s.") % {"number": child.number}
            case "helpers":
                services.work_order_set_helpers(work_order=wo, helpers=data["helpers"], actor=user)
                return _("Helpers of %(number)s updated.") % {"number": wo.number}
            case "note":
                services.work_order_note(work_order=wo, text=data["text"], actor=user)
                return _("Note added.")
            case "photos":
                added = attachments_add(work_order=wo, files=data["photos"], stage=Attachment.Stage.WORK, actor=user)
                if not added:
                    raise DomainError(_("Choose at least one photo."))
                return _("Photos added.")
            case "dispatch":
                services.work_order_dispatch(work_order=wo, assignee=data["assignee"], vendor=data["vendor"],
                                             actor=user)  # fmt: skip
                who = data["assignee"].name if data["assignee"] else data["vendor"].name
                return _("%(number)s was given to %(name)s.") % {"number": wo.number, "name": who}
        raise Http404


class ArriveView(LoginRequiredMixin, View):
    """Record the arrival on site by the place's QR code: typed by a handheld scanner, or carried
    from the location's landing page after the phone's camera opened it."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        wo = visible_order(request.user, pk)
        return render(request, "workorders/arrive.html", {"wo": wo, "form": ArriveForm()})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        wo = visible_order(request.user, pk)
        form = ArriveForm(request.POST)
        staff = own_staff(request.user)
        if not form.is_valid():
            return render(request, "workorders/arrive.html", {"wo": wo, "form": form}, status=400)
        code = form.cleaned_data["code"]
        token = qr.location_token_from_code(code)
        scanned = location_by_token(token) if token else None
        item = equipment_by_token(equipment_token_from_code(code)) if scanned is None else None
        if scanned is None and item is None:
            form.add_error("code", _("This is not the QR code of a place or an item of equipment."))
            return render(request, "workorders/arrive.html", {"wo": wo, "form": form}, status=400)
        if staff is None or "arrive" not in actions_for(request.user, wo):
            messages.error(request, ActionView._not_now(wo, "arrive"))
            return HttpResponseRedirect(reverse("workorders:detail", args=[wo.pk]))
        try:
            services.work_order_arrive(work_order=wo, technician=staff, scanned_location=scanned,
                                       scanned_equipment=item, actor=request.user)  # fmt: skip
        except DomainError as exc:
            form.add_error("code", exc.message)
            return render(request, "workorders/arrive.html", {"wo": wo, "form": form}, status=400)
        place = scanned.name if scanned is not None else item.name
        messages.success(request, _("Arrival at %(place)s recorded.") % {"place": place})
        return HttpResponseRedirect(reverse("workorders:detail", args=[wo.pk]))


class ArriveHereView(LoginRequiredMixin, View):
    """From a location's or an item's landing page: the user's accepted orders there, one button each."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, token: str, kind: str = "location") -> HttpResponse:
        if kind == "equipment":
            item = equipment_by_token(token)
            if item is None:
                raise Http404
            place, orders, code = item, arrivable_orders(request.user, item.location, item), f"E:{token}"
        else:
            place = location_by_token(token)
            if place is None:
                raise Http404
            orders, code = arrivable_orders(request.user, place), f"L:{token}"
        return render(request, "workorders/arrive_here.html", {"place": place, "orders": orders, "code": code})


def arrivable_orders(user, location, equipment=None) -> list[WorkOrder]:
    """The user's accepted orders for this item, or whose place the scanned location is (or lies in)."""
    staff = own_staff(user)
    if staff is None:
        return []
    orders = (
        WorkOrder.objects.filter(assignee=staff, status=Status.ACCEPTED)
        .select_related("location", "category")
        .order_by("submitted_at")
    )

    def at_place(wo: WorkOrder) -> bool:
        return wo.location_id is None or services.location_matches(wo.location, location)

    if equipment is not None:
        return [wo for wo in orders if wo.equipment_id == equipment.pk or (wo.equipment_id is None and at_place(wo))]
    return [wo for wo in orders if at_place(wo)]


class AttachmentView(LoginRequiredMixin, View):
    """A photo or report, to whoever may see the order (never from a public URL)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
        wo = get_object_or_404(orders_visible_to(request.user), pk=pk)
        attachment = get_object_or_404(Attachment, pk=attachment_pk, work_order=wo)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(
            handle, content_type=attachment.content_type, as_attachment=not attachment.is_image,
            filename=attachment.original_name or None,
        )  # fmt: skip
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


urlpatterns = [
    path("<int:pk>/", DetailView.as_view(), name="detail"),
    path("<int:pk>/do/<slug:action>/", ActionView.as_view(), name="action"),
    path("<int:pk>/arrive/", ArriveView.as_view(), name="arrive"),
    path("arrive/<str:token>/", ArriveHereView.as_view(), name="arrive_here"),
    path("arrive/equipment/<str:token>/", ArriveHereView.as_view(), {"kind": "equipment"}, name="arrive_at_item"),
    path("<int:pk>/attachments/<int:attachment_pk>/", AttachmentView.as_view(), name="attachment"),
]


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None
