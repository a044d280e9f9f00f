"""Excel import and export in the admin, for the organization models that ``exports.COLUMNS``
describes. Put ``ExcelImportExportMixin`` first among a ModelAdmin's bases and set
``import_kind`` ("departments", "locations" or "staff").

Import is two steps: the upload is checked without writing (a per-row report), then applied on
confirmation. Between the two the file is kept in the cache (shared by every web process,
expiring by itself) under a random token that only this session knows; applying reads it back,
validates again and writes. Import needs the model's add and change permissions, export its
view permission.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from logistics.common.errors import DomainError
from logistics.common.xlsx import xlsx_response
from logistics.common.xlsx_import import PendingUploads, UploadForm, report_rows

from .exports import columns_for, template_for, workbook_for
from .imports import MAX_FILE_BYTES, ImportReport, org_import

REPORT_ROWS_SHOWN = 1000  # larger files list only their rows with errors (up to this many)


class ImportForm(UploadForm):
    skip_invalid = forms.BooleanField(
        label=_("Skip rows with errors"),
        required=False,
        help_text=_("Import the valid rows and leave out the rows with errors. Otherwise nothing is imported."),
    )


class ExcelImportExportMixin:
    """Adds "Export selected to Excel" to the actions and "Import from Excel" to the changelist
    of a ModelAdmin (the import page, its template download and the two-step import)."""

    import_kind: str = ""
    change_list_template = "admin/org/change_list_io.html"
    import_template = "admin/org/import.html"

    # --- permissions and URLs --------------------------------------------------------------------
    def has_import_permission(self, request: HttpRequest) -> bool:
        """Import creates and changes rows: both permissions are needed."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    def _url_name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def _changelist_url(self) -> str:
        return reverse(f"{self.admin_site.name}:{self._url_name('changelist')}")

    def get_urls(self):
        columns_for(self.import_kind)  # fail at startup on a wrong or missing import_kind
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name=self._url_name("import")),
            path("import/template/", wrap(self.import_template_view), name=self._url_name("import_template")),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        if extra_context["can_import"]:
            extra_context["import_url"] = reverse(f"{self.admin_site.name}:{self._url_name('import')}")
        return super().changelist_view(request, extra_context)

    # --- export ------------------------------------------------------------------------------------
    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        if self.actions is not None and IS_POPUP_VAR not in request.GET and self.has_view_permission(request):
            func, name, description = self.get_action("export_to_excel")
            actions[name] = (func, name, description)
        return actions

    @admin.action(description=_("Export selected to Excel"))
    def export_to_excel(self, request: HttpRequest, queryset) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return xlsx_response(workbook_for(self.import_kind, queryset), f"{self.import_kind}-{stamp}.xlsx")

    # --- import ------------------------------------------------------------------------------------
    def import_template_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        return xlsx_response(template_for(self.import_kind), f"{self.import_kind}-template.xlsx")

    def _pending(self) -> PendingUploads:
        return PendingUploads(f"org_import:{self.opts.label_lower}", "org-import")

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """GET: the upload form. POST with a file: check it and show the report (nothing is
        written). POST ``apply`` with the token of the checked file: import it."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "apply" in request.POST:
            return self._apply_import(request)
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        token = ""
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            skip_invalid = form.cleaned_data["skip_invalid"]
            try:
                content = upload.read(MAX_FILE_BYTES + 1)
                report = org_import(
                    kind=self.import_kind,
                    file=content,
                    actor=request.user,
                    skip_invalid=skip_invalid,
                    dry_run=True,
                    file_name=upload.name,
                )
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                self._pending().discard(request)  # a new check replaces the file waiting before it
                if report.can_apply:
                    token = self._pending().keep(request, content, name=upload.name, skip_invalid=skip_invalid)
        return self._render_import(request, form=form, report=report, token=token)

    def _apply_import(self, request: HttpRequest) -> HttpResponse:
        taken = self._pending().take(request, request.POST.get("token", ""))
        if taken is None:
            messages.error(request, gettext("The checked file is no longer available. Please upload it again."))
            return HttpResponseRedirect(request.path)
        content, pending = taken
        try:
            report = org_import(
                kind=self.import_kind,
                file=content,
                actor=request.user,
                skip_invalid=pending["skip_invalid"],
                file_name=pending["name"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.path)
        if not report.applied:  # the data changed since the check and a row no longer passes
            messages.error(request, gettext("Nothing was imported: some rows have errors now."))
            return self._render_import(request, form=ImportForm(), report=report, token="")
        messages.success(
            request,
            gettext(
                "Import finished: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                "%(skipped)d rows with errors skipped."
            )
            % {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "skipped": report.invalid,
            },
        )
        return HttpResponseRedirect(self._changelist_url())

    def _render_import(self, request: HttpRequest, *, form: ImportForm, report: ImportReport | None, token: str):
        rows, hidden = report_rows(report, columns_for(self.import_kind), REPORT_ROWS_SHOWN) if report else ([], 0)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import %(name)s from Excel") % {"name": self.opts.verbose_name_plural},
            "form": form,
            "report": report,
            "report_rows": rows,
            "hidden_rows": hidden,
            "token": token,
            "template_url": reverse(f"{self.admin_site.name}:{self._url_name('import_template')}"),
            "changelist_url": self._changelist_url(),
            "has_view_permission": self.has_view_permission(request),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.import_template, context)
