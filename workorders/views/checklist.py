"""The checklist of a planned order on its page: one card per item, one row per line. The order's
technician fills a line while the work is on site or in progress (htmx swaps the row); a failed line
offers "open a repair order" (once per line)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from logistics.common.errors import DomainError

from ..attachments import attachments_add
from ..checklists import FILLABLE, checklist_entry_fill, checklist_entry_repair
from ..models import Attachment, ChecklistEntry, Occurrence, WorkOrder
from .common import actions_for, own_staff, visible_order


class EntryForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=gettext_lazy("Result"), required=False, coerce=lambda v: v == "yes", empty_value=None,
        choices=[("yes", gettext_lazy("OK")), ("no", gettext_lazy("Not OK"))], widget=forms.RadioSelect,
    )  # fmt: skip
    number = forms.CharField(label=gettext_lazy("Value"), required=False, max_length=30)
    text = forms.CharField(label=gettext_lazy("Remarks"), required=False, max_length=500)
    photo = forms.FileField(label=gettext_lazy("Photo"), required=False)


def worker_of(user, wo: WorkOrder):
    """(may fill, technician to pass): the order's technician, or the dispatcher for a vendor."""
    actions = actions_for(user, wo)
    staff = own_staff(user)
    if wo.status not in FILLABLE:
        return False, None
    if wo.vendor_id is not None and wo.assignee_id is None:
        return "dispatch" in actions or "complete" in actions, None
    ok = staff is not None and (wo.assignee_id == staff.pk or wo.helpers.filter(pk=staff.pk).exists())
    return ok, staff


FOLD_AFTER = 3  # items shown unfolded on one order


def checklist_for(user, wo: WorkOrder, opened: int | None = None) -> dict | None:
    """The checklist cards of an order (None when it has no plan occurrences)."""
    occurrences = list(
        Occurrence.objects.filter(work_order=wo)
        .select_related("equipment__location", "plan")
        .prefetch_related("entries__repair_order", "entries__filled_by__staff")
        .order_by("equipment__code")
    )
    if not occurrences:
        return None
    may_fill, _technician = worker_of(user, wo)
    entries = [e for occ in occurrences for e in occ.entries.all()]
    # An order over many items (a building's fan coils) folds each item to one line with its
    # progress; the first item not finished, or the one just filled (``opened``), stays open.
    folded = len(occurrences) > FOLD_AFTER
    for occ in occurrences:
        lines = list(occ.entries.all())
        occ.filled_count = sum(1 for e in lines if e.filled)
        occ.failed_count = sum(1 for e in lines if e.failed)
        occ.total_count = len(lines)
        occ.is_open = not folded or occ.pk == opened
    if folded and not any(occ.is_open for occ in occurrences):
        first = next((occ for occ in occurrences if occ.filled_count < occ.total_count), None)
        if first is not None:
            first.is_open = True
    return {
        "occurrences": occurrences,
        "folded": folded,
        "may_fill": may_fill,
        "filled": sum(1 for e in entries if e.filled),
        "total": len(entries),
        "failed": sum(1 for e in entries if e.failed),
    }


def _row(request: HttpRequest, wo: WorkOrder, entry: ChecklistEntry, may_fill: bool, error: str | None):
    context = {"wo": wo, "entry": entry, "may_fill": may_fill, "error": error}
    return render(request, "workorders/partials/_checklist_row.html", context)  # htmx swaps 2xx only


class EntryView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
        wo = visible_order(request.user, pk)
        entry = get_object_or_404(ChecklistEntry.objects.select_related("occurrence"), pk=entry_pk,
                                  occurrence__work_order=wo)  # fmt: skip
        may_fill, technician = worker_of(request.user, wo)
        form = EntryForm(request.POST, request.FILES)
        error = None
        if not may_fill:
            error = _("The checklist is filled by the order's technician while the work is on site or in progress.")
        elif not form.is_valid():
            error = next(iter(form.errors.values()))[0]
        else:
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    photo = None
                    if entry.kind == ChecklistEntry.Kind.PHOTO and data["photo"]:
                        [photo] = attachments_add(work_order=wo, files=[data["photo"]],
                                                  stage=Attachment.Stage.CHECKLIST, actor=request.user)  # fmt: skip
                    entry = checklist_entry_fill(entry=entry, actor=request.user, technician=technician,
                                                 passed=data["passed"], number=data["number"], text=data["text"],
                                                 photo=photo)  # fmt: skip
            except DomainError as exc:
                error = exc.message
        entry.refresh_from_db()
        if request.htmx:  # the row comes back (unchanged, with the message, when refused)
            return _row(request, wo, entry, may_fill, error)
        if error:
            messages.error(request, error)
        elif entry.repair_order_id:
            messages.warning(request, _("Repair order %(number)s opened.") % {"number": entry.repair_order.number})
        url = reverse("workorders:detail", args=[wo.pk])
        return HttpResponseRedirect(f"{url}?item={entry.occurrence_id}#entry-{entry.pk}")


class RepairView(LoginRequiredMixin, View):
    """Open a repair order for a failed line's item (the technician or the dispatcher)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
        wo = visible_order(request.user, pk)
        entry = get_object_or_404(ChecklistEntry, pk=entry_pk, occurrence__work_order=wo)
        may_fill, _technician = worker_of(request.user, wo)
        if not (may_fill or "dispatch" in actions_for(request.user, wo) or "cancel" in actions_for(request.user, wo)):
            messages.error(request, _("Only the order's technician or the dispatcher can open a repair order."))
        else:
            try:
                repair = checklist_entry_repair(entry=entry, actor=request.user)
                messages.success(request, _("Repair order %(number)s opened.") % {"number": repair.number})
            except DomainError as exc:
                messages.error(request, exc.message)
        url = reverse("workorders:detail", args=[wo.pk])
        return HttpResponseRedirect(f"{url}?item={entry.occurrence_id}#entry-{entry.pk}")


urlpatterns = [
    path("<int:pk>/checklist/<int:entry_pk>/", EntryView.as_view(), name="checklist_entry"),
    path("<int:pk>/checklist/<int:entry_pk>/repair/", RepairView.as_view(), name="checklist_repair"),
]
