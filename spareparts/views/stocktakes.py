"""Stocktake pages: the list with "start a count" for the warehouses one keeps, the count sheet
(usable on a phone: scan or type a part and its count, or count line by line; htmx swaps the line),
submit, the review of differences with what moved during the count, approval by someone other than
the one who started it, cancel, the printable sheet and its Excel file.

Every write is one service of ``spareparts.services``; a refusal (``DomainError``) is shown as it is
worded and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from openpyxl import Workbook

from logistics.common.errors import DomainError
from logistics.common.paging import SlicePage
from logistics.common.xlsx import Column, to_bytes, write_table, xlsx_response

from ..forms_stocktake import CountForm, StartForm
from ..models import Stocktake, StocktakeLine
from ..permissions import can_keep, kept_warehouse_ids
from ..reports import stocktake_sheet, stocktakes_visible_to
from ..selectors import leaf_warehouses
from ..services import stocktake_approve, stocktake_cancel, stocktake_count, stocktake_start, stocktake_submit

OPEN = (Stocktake.State.COUNTING, Stocktake.State.SUBMITTED)
STATE_CSS = {
    Stocktake.State.COUNTING: "primary",
    Stocktake.State.SUBMITTED: "warning",
    Stocktake.State.APPROVED: "success",
    Stocktake.State.CANCELLED: "secondary",
}


def startable_warehouses(user):
    """Leaf warehouses ``user`` keeps and may count (none without the permission)."""
    if not user.has_perm("spareparts.add_stocktake"):
        return leaf_warehouses().none()
    kept = kept_warehouse_ids(user)
    warehouses = leaf_warehouses().select_related("parent").order_by("code")
    return warehouses if kept is None else warehouses.filter(pk__in=kept)


def _keeper(user, take: Stocktake) -> bool:
    return user.has_perm("spareparts.change_stocktake") and can_keep(user, take.warehouse)


def rights(user, take: Stocktake) -> dict[str, bool]:
    """What ``user`` may do with ``take`` now (the page shows these buttons; the views check them)."""
    keeper = _keeper(user, take)
    approver = user.has_perm("spareparts.approve_stocktake")
    own = take.started_by_id == user.pk and not user.is_superuser
    counting, submitted = take.state == Stocktake.State.COUNTING, take.state == Stocktake.State.SUBMITTED
    return {
        "count": counting and keeper,
        "submit": counting and keeper,
        "approve": submitted and approver and not own,
        "own_review": submitted and approver and own,
        "cancel": take.state in OPEN and (keeper or approver),
    }


def _visible(user, pk: int) -> Stocktake:
    return get_object_or_404(stocktakes_visible_to(user), pk=pk)


def _sheet_url(take: Stocktake, anchor: str = "") -> str:
    return reverse("spareparts:stocktake", args=[take.pk]) + (f"#{anchor}" if anchor else "")


class StocktakeListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Counts of the warehouses the user's reports cover, open ones first."""

    permission_required = "spareparts.view_stocktake"
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        takes = stocktakes_visible_to(request.user)
        state = request.GET.get("state", "")
        if state == "open":
            takes = takes.filter(state__in=OPEN)
        elif state in Stocktake.State.values:
            takes = takes.filter(state=state)
        else:
            state = ""
        opened = Case(When(state__in=OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
        page = SlicePage(
            takes.annotate(opened=opened).order_by("opened", "-started_at", "-pk"), request.GET.get("page")
        )
        for take in page.object_list:
            take.state_css = STATE_CSS.get(take.state, "secondary")
        warehouses = startable_warehouses(request.user)
        context = {
            "page": page,
            "takes": page.object_list,
            "state": state,
            "states": [("open", _("Under way")), *Stocktake.State.choices],
            "query": f"state={state}" if state else "",
            "start_form": StartForm(warehouses=warehouses) if warehouses.exists() else None,
        }
        return render(request, "spareparts/stocktakes.html", context)


class StocktakeStartView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Open a count sheet for a warehouse the user keeps; refused (with the service's reason) while
    transfers to or from it are in transit, approved lines wait to be issued, or a count is open."""

    permission_required = "spareparts.add_stocktake"
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = StartForm(request.POST, warehouses=startable_warehouses(request.user))
        back = HttpResponseRedirect(reverse("spareparts:stocktakes"))
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, errors[0])
            return back
        try:
            take = stocktake_start(
                warehouse=form.cleaned_data["warehouse"], actor=request.user, note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return back
        lines = take.lines.count()
        messages.success(
            request, _("Count sheet %(number)s opened with %(count)d lines.") % {"number": take.number, "count": lines}
        )
        return HttpResponseRedirect(_sheet_url(take))


class StocktakeView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The count sheet while counting, the review of differences once submitted, the record after."""

    permission_required = "spareparts.view_stocktake"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        take = _visible(request.user, pk)
        todo = request.GET.get("todo") == "1"
        context = sheet_context(request, take, todo=todo)
        template = "spareparts/partials/_stocktake_lines.html" if request.htmx else "spareparts/stocktake.html"
        return render(request, template, context)


def sheet_context(request: HttpRequest, take: Stocktake, *, todo: bool = False, **extra) -> dict:
    take.state_css = STATE_CSS.get(take.state, "secondary")
    return {
        "take": take,
        "sheet": stocktake_sheet(take, only_uncounted=todo),
        "todo": todo,
        "can": rights(request.user, take),
        "path": list(reversed(take.warehouse.ancestors_and_self())),
        **extra,
    }


class StocktakeCountView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Enter the count of a line (htmx: the line comes back) or of a part scanned or typed by code
    (added when it is not on the sheet; htmx: the whole sheet comes back, ready for the next scan)."""

    permission_required = "spareparts.change_stocktake"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        take = _visible(request.user, pk)
        if not _keeper(request.user, take):
            raise PermissionDenied
        form = CountForm(request.POST)
        error, line = "", None
        if not form.is_valid():
            error = form.first_error()
        else:
            try:
                line = stocktake_count(
                    stocktake=take,
                    item=form.cleaned_data["part"],
                    counted=form.cleaned_data["counted"],
                    actor=request.user,
                )
            except DomainError as exc:
                error = exc.message
        take.refresh_from_db()
        by_line = str(form.data.get("item", "")).isdigit()
        if request.htmx:
            if by_line:
                return self.row(request, take, form, error)
            typed = {"code": form.data.get("code", ""), "counted": form.data.get("counted", "")} if error else {}
            context = sheet_context(request, take, todo=request.POST.get("todo") == "1", add_error=error, typed=typed)
            return render(request, "spareparts/partials/_stocktake_lines.html", context)
        if error:
            messages.error(request, error)
        else:
            messages.success(
                request,
                _("%(item)s counted: %(counted)s %(unit)s.")
                % {
                    "item": line.item.name,
                    "counted": format(line.counted_quantity.normalize(), "f"),
                    "unit": line.item.unit,
                },
            )
        return HttpResponseRedirect(_sheet_url(take, f"line-{line.pk}" if line else ""))

    @staticmethod
    def row(request: HttpRequest, take: Stocktake, form: CountForm, error: str) -> HttpResponse:
        line = get_object_or_404(StocktakeLine, stocktake=take, item_id=form.data.get("item"))
        sheet = stocktake_sheet(take)
        entry = next(s for s in sheet.lines if s.line.pk == line.pk)
        context = {
            "take": take,
            "entry": entry,
            "sheet": sheet,
            "can": rights(request.user, take),
            "error": error,
            "typed": form.data.get("counted", "") if error else None,
            "oob": True,
        }
        return render(request, "spareparts/partials/_stocktake_row.html", context)


class _Step(LoginRequiredMixin, PermissionRequiredMixin, View):
    """A button of the sheet: check who may press it (else 403), call the service (which checks the
    state and says why it refuses), say what happened, back to the sheet."""

    http_method_names = ["post"]
    permission_required = "spareparts.view_stocktake"
    done = ""  # the message on success, with %(number)s

    def may(self, user, take: Stocktake) -> bool:
        raise NotImplementedError

    def act(self, take: Stocktake, user) -> Stocktake:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        take = _visible(request.user, pk)
        if not self.may(request.user, take):
            raise PermissionDenied
        try:
            self.act(take, request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, str(self.done) % {"number": take.number})
        if request.htmx:  # a confirmed button: the whole page reloads with the message
            return HttpResponse(status=204, headers={"HX-Redirect": _sheet_url(take)})
        return HttpResponseRedirect(_sheet_url(take))


class StocktakeSubmitView(_Step):
    done = gettext_lazy("%(number)s submitted for review.")

    def may(self, user, take):
        return _keeper(user, take)

    def act(self, take, user):
        return stocktake_submit(stocktake=take, actor=user)


class StocktakeApproveView(_Step):
    """Post the differences; by someone holding the approval permission who did not start the count."""

    permission_required = "spareparts.approve_stocktake"
    done = gettext_lazy("%(number)s approved: the differences are posted to the stock ledger.")

    def may(self, user, take):
        return True

    def act(self, take, user):
        return stocktake_approve(stocktake=take, actor=user)


class StocktakeCancelView(_Step):
    done = gettext_lazy("%(number)s cancelled; the stock is unchanged.")

    def may(self, user, take):
        return _keeper(user, take) or user.has_perm("spareparts.approve_stocktake")

    def act(self, take, user):
        return stocktake_cancel(stocktake=take, actor=user)


class StocktakePrintView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The count sheet on paper: every line with an empty box to write the count in (``blind=1``
    leaves the book quantities out, so the counter is not led by them), signatures at the end."""

    permission_required = "spareparts.view_stocktake"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        take = _visible(request.user, pk)
        context = {
            "take": take,
            "sheet": stocktake_sheet(take),
            "blind": request.GET.get("blind") == "1",
            "path": list(reversed(take.warehouse.ancestors_and_self())),
            "printed_at": timezone.now(),
        }
        return render(request, "spareparts/stocktake_print.html", context)


SHEET_COLUMNS = [
    Column("code", gettext_lazy("Code"), 14),
    Column("name", gettext_lazy("Part"), 28),
    Column("specification", gettext_lazy("Specification"), 22),
    Column("unit", gettext_lazy("Unit"), 6),
    Column("book", gettext_lazy("Book at start"), 12),
    Column("moved", gettext_lazy("Moved during the count"), 14),
    Column("book_at_count", gettext_lazy("Book when counted"), 14),
    Column("counted", gettext_lazy("Counted"), 10),
    Column("difference", gettext_lazy("Difference"), 10),
    Column("value", gettext_lazy("Value of the difference"), 14),
    Column("counted_by", gettext_lazy("Counted by"), 14),
    Column("counted_at", gettext_lazy("Counted at"), 17),
]


class StocktakeExportView(StocktakePrintView):
    """The sheet with its figures as an Excel workbook."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        take = _visible(request.user, pk)
        rows = []
        for entry in stocktake_sheet(take).lines:
            line = entry.line
            rows.append(
                {
                    "code": line.item.code,
                    "name": line.item.name,
                    "specification": line.item.specification,
                    "unit": line.item.unit,
                    "book": line.book_quantity,
                    "moved": entry.moved,
                    "book_at_count": line.book_at_count,
                    "counted": line.counted_quantity,
                    "difference": entry.difference,
                    "value": entry.value,
                    "counted_by": str(line.counted_by) if line.counted_by else "",
                    "counted_at": timezone.localtime(line.counted_at).strftime("%Y-%m-%d %H:%M")
                    if line.counted_at
                    else "",
                }
            )
        wb = Workbook(write_only=True)
        write_table(wb, take.number, SHEET_COLUMNS, rows)
        return xlsx_response(to_bytes(wb), f"{take.number}.xlsx")


urlpatterns = [
    path("stocktakes/", StocktakeListView.as_view(), name="stocktakes"),
    path("stocktakes/start/", StocktakeStartView.as_view(), name="stocktake_start"),
    path("stocktakes/<int:pk>/", StocktakeView.as_view(), name="stocktake"),
    path("stocktakes/<int:pk>/count/", StocktakeCountView.as_view(), name="stocktake_count"),
    path("stocktakes/<int:pk>/submit/", StocktakeSubmitView.as_view(), name="stocktake_submit"),
    path("stocktakes/<int:pk>/approve/", StocktakeApproveView.as_view(), name="stocktake_approve"),
    path("stocktakes/<int:pk>/cancel/", StocktakeCancelView.as_view(), name="stocktake_cancel"),
    path("stocktakes/<int:pk>/print/", StocktakePrintView.as_view(), name="stocktake_print"),
    path("stocktakes/<int:pk>/export.xlsx", StocktakeExportView.as_view(), name="stocktake_export"),
]
