"""Pages of the ledger as a whole: the list with filters and search, its Excel export, printable
QR label sheets of the filtered items, and the Excel import (check, then apply). The list, the
export and the labels read the same ``EquipmentFilter`` over ``equipment_visible_to``."""

from __future__ import annotations

import tempfile
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import F
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from logistics.common.errors import DomainError
from logistics.common.paging import SlicePage
from logistics.common.xlsx import XLSX_CONTENT_TYPE, xlsx_response
from logistics.common.xlsx_import import MAX_FILE_BYTES, ImportReport, PendingUploads, UploadForm, report_rows
from logistics.org.qr import qr_svg
from logistics.org.views import LABELS_PER_SHEET, MAX_LABELS

from ..exports import COLUMNS, import_template, write_export
from ..filters import EquipmentFilter
from ..imports import equipment_import
from ..models import Equipment, Status
from ..selectors import equipment_url, equipment_visible_to, with_list_related

STATUS_CSS = {
    Status.IN_SERVICE: "success",
    Status.FAULTY: "danger",
    Status.UNDER_REPAIR: "warning",
    Status.OUT_OF_SERVICE: "secondary",
    Status.RETIRED: "dark",
}
REPORT_ROWS_SHOWN = 1000  # larger files list only their rows with errors (up to this many)
PENDING = PendingUploads("equipment_import", "equipment-import")


def _filtered(request: HttpRequest) -> EquipmentFilter:
    return EquipmentFilter(request.GET or None, queryset=equipment_visible_to(request.user))


def _query(request: HttpRequest) -> str:
    """The filters of this page, for its pager and for the export and label links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class ListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Every item of the ledger, filtered and searched, one page at a time (no COUNT)."""

    permission_required = "equipment.view_equipment"
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = _filtered(request)
        page = SlicePage(with_list_related(filterset.qs.order_by("code")), request.GET.get("page"))
        today = timezone.localdate()
        for item in page.object_list:
            item.status_css = STATUS_CSS.get(item.status, "secondary")
            item.warranty_expired = item.warranty_end is not None and item.warranty_end < today
        context = {"filter": filterset, "page": page, "items": page.object_list, "query": _query(request)}
        template = "equipment/partials/_list_rows.html" if request.htmx else "equipment/list.html"
        return render(request, template, context)


class ExportView(ListView):
    """The filtered list as an Excel workbook with the import template's columns (edit it and
    import it again), up to ``exports.EXPORT_MAX_ROWS`` items."""

    def get(self, request: HttpRequest) -> HttpResponse:
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse once sent
        write_export(_filtered(request).qs, handle)
        handle.seek(0)
        name = f"equipment-{timezone.localdate():%Y%m%d}.xlsx"
        return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


GROUPS = {
    # group → (ordering, key of a group, title of a group)
    "location": (
        (F("location__code").asc(nulls_last=True), "code"),
        lambda item: item.location_id,
        lambda item: item.location.name if item.location else _("No location"),
    ),
    "category": (
        ("category__code", "code"),
        lambda item: item.category_id,
        lambda item: item.category.name,
    ),
}


class LabelsView(ListView):
    """Printable A4 sheets of QR labels (3 × 8 per page) for the filtered items, one run of sheets
    per location (or per category): each group starts on a new page."""

    def get(self, request: HttpRequest) -> HttpResponse:
        group = request.GET.get("group") if request.GET.get("group") in GROUPS else "location"
        ordering, key_of, title_of = GROUPS[group]
        items = list(with_list_related(_filtered(request).qs).order_by(*ordering)[: MAX_LABELS + 1])
        truncated = len(items) > MAX_LABELS
        groups = []
        for _key, members in groupby(items[:MAX_LABELS], key=key_of):
            labels = [self.label(item) for item in members]
            sheets = [labels[i : i + LABELS_PER_SHEET] for i in range(0, len(labels), LABELS_PER_SHEET)]
            groups.append({"title": title_of(labels[0]["item"]), "sheets": sheets})
        context = {
            "groups": groups,
            "count": min(len(items), MAX_LABELS),
            "truncated": truncated,
            "max_labels": MAX_LABELS,
            "group": group,
        }
        return render(request, "equipment/labels.html", context)

    @staticmethod
    def label(item: Equipment) -> dict:
        url = equipment_url(item.qr_token)
        location = item.location
        return {
            "item": item,
            "url": url,
            "svg": qr_svg(url, size_mm=28),
            "place": location.name if location else "",
            "detail": location.place if location else "",
        }


class ImportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """GET: the upload form. POST a file: check every row and show the report (nothing is saved).
    POST ``apply`` with the token of the checked file: import it, all rows or none. The checked
    file waits in the cache for this session only, and one confirmation spends it."""

    permission_required = "equipment.add_equipment"
    http_method_names = ["get", "post"]
    template_name = "equipment/import.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, form=UploadForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if "apply" in request.POST:
            return self.apply(request)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(request, form=form)
        upload = form.cleaned_data["file"]
        content = upload.read(MAX_FILE_BYTES + 1)
        try:
            report = equipment_import(file=content, actor=request.user, dry_run=True, file_name=upload.name)
        except DomainError as exc:
            form.add_error("file", exc.message)
            return self.page(request, form=form)
        PENDING.discard(request)  # a new check replaces the file waiting before it
        token = PENDING.keep(request, content, name=upload.name) if report.can_apply else ""
        return self.page(request, form=UploadForm(), report=report, token=token)

    def apply(self, request: HttpRequest) -> HttpResponse:
        taken = PENDING.take(request, request.POST.get("token", ""))
        if taken is None:
            messages.error(request, _("The checked file is no longer available. Please upload it again."))
            return HttpResponseRedirect(request.path)
        content, pending = taken
        try:
            report = equipment_import(file=content, actor=request.user, file_name=pending["name"])
        except DomainError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.path)
        if not report.applied:  # the ledger changed since the check and a row no longer passes
            messages.error(request, _("Nothing was imported: some rows have errors now."))
            return self.page(request, form=UploadForm(), report=report)
        counts = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
        message = _("Import finished: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
        messages.success(request, message % counts)
        return HttpResponseRedirect(reverse("equipment:list"))

    def page(self, request: HttpRequest, *, form: UploadForm, report: ImportReport | None = None, token: str = ""):
        rows, hidden = report_rows(report, COLUMNS, REPORT_ROWS_SHOWN) if report else ([], 0)
        context = {"form": form, "report": report, "report_rows": rows, "hidden_rows": hidden, "token": token}
        return render(request, self.template_name, context)


class ImportTemplateView(ImportView):
    """The empty import template, with a help sheet describing each column."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return xlsx_response(import_template(), "equipment-template.xlsx")


urlpatterns = [
    path("", ListView.as_view(), name="list"),
    path("export.xlsx", ExportView.as_view(), name="export"),
    path("labels/", LabelsView.as_view(), name="labels"),
    path("import/", ImportView.as_view(), name="import"),
    path("import/template.xlsx", ImportTemplateView.as_view(), name="import_template"),
]
