"""Stock reports for keepers (their warehouses), managers and system administrators (all): stock
value by warehouse and category, the stock ledger, consumption, slow-moving stock and level alerts
with a reorder suggestion. Each page has filters and an Excel export of the same figures (write-only
workbooks); the figures come from ``spareparts.reports``."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from openpyxl import Workbook

from logistics.common.paging import SlicePage
from logistics.common.xlsx import Column, to_bytes, write_table, xlsx_response

from ..filters_reports import (
    GROUP_LABELS,
    AlertFilter,
    ConsumptionFilter,
    LedgerFilter,
    SlowFilter,
    StockFilter,
    default_period,
)
from ..models import Balance, Movement, Stocktake
from ..reports import (
    REPORT_PERMISSION,
    alert_report,
    below_minimum,
    can_view_reports,
    consumption_report,
    report_scope,
    scoped,
    slow_moving,
    stock_report,
)

LEDGER_PAGE = 50
LEDGER_EXPORT_MAX = 100_000
SLOW_PAGE = 100


def url_or_blank(name: str, *args) -> str:
    """The URL of a page another part of the app provides, or "" where it is not installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def local_time(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class ReportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """A report page; ``export=True`` (its ``…_export`` URL) returns the same figures as Excel."""

    permission_required = REPORT_PERMISSION
    http_method_names = ["get"]
    template_name = ""
    partial_name = ""
    export = False

    def build(self, request: HttpRequest) -> dict:
        raise NotImplementedError

    def workbook(self, context: dict) -> tuple[Workbook, str]:
        raise NotImplementedError

    def get(self, request: HttpRequest) -> HttpResponse:
        context = self.build(request)
        if self.export:
            wb, name = self.workbook(context)
            return xlsx_response(to_bytes(wb), name)
        context["query"] = _query(request)
        template = self.partial_name if request.htmx and self.partial_name else self.template_name
        return render(request, template, context)


class ReportsIndexView(ReportView):
    template_name = "spareparts/report_index.html"

    def build(self, request):
        scope = report_scope(request.user)
        return {
            "below": below_minimum(request.user, limit=10),
            "open_counts": scoped(Stocktake.objects.filter(state__in=("counting", "submitted")), scope).count(),
        }


# --- stock by warehouse and category ------------------------------------------------------------
FIGURE_COLUMNS = [
    Column("lines", gettext_lazy("Items held"), 10),
    Column("quantity", gettext_lazy("Quantity"), 12),
    Column("value", gettext_lazy("Stock value"), 14),
]


def _figures(figures) -> dict:
    return {"lines": figures.lines, "quantity": figures.quantity, "value": figures.value}


class StockReportView(ReportView):
    template_name = "spareparts/report_stock.html"

    def build(self, request):
        scope = report_scope(request.user)
        filterset = StockFilter(request.GET or None, queryset=scoped(Balance.objects.all(), scope), scope=scope)
        report = stock_report(filterset.qs)
        for row in report.by_warehouse:
            row.url = url_or_blank("spareparts:warehouse", row.node.pk)
        return {"filter": filterset, "report": report}

    def workbook(self, context):
        report = context["report"]
        wb = Workbook(write_only=True)
        total = {"code": "", "name": _("Total"), "kind": "", "campus": "", **_figures(report.total)}
        write_table(
            wb,
            _("By warehouse"),
            [
                Column("code", _("Code"), 14),
                Column("name", _("Warehouse"), 30),
                Column("kind", _("Kind"), 10),
                Column("campus", _("Campus"), 14),
                *FIGURE_COLUMNS,
            ],
            [
                *(
                    {
                        "code": r.node.code,
                        "name": "  " * r.depth + r.node.name,
                        "kind": r.node.get_kind_display(),
                        "campus": str(r.node.campus),
                        **_figures(r.figures),
                    }
                    for r in report.by_warehouse
                ),
                total,
            ],
        )
        write_table(
            wb,
            _("By part category"),
            [
                Column("code", _("Code"), 14),
                Column("name", _("Part category"), 30),
                *FIGURE_COLUMNS,
            ],
            [
                *(
                    {"code": r.node.code, "name": "  " * r.depth + r.node.name, **_figures(r.figures)}
                    for r in report.by_category
                ),
                {"code": "", "name": _("Total"), **_figures(report.total)},
            ],
        )
        write_table(
            wb,
            _("By warehouse and category"),
            [
                Column("wh_code", _("Warehouse code"), 14),
                Column("warehouse", _("Warehouse"), 24),
                Column("cat_code", _("Category code"), 14),
                Column("category", _("Part category"), 24),
                *FIGURE_COLUMNS,
            ],
            (
                {
                    "wh_code": c["warehouse"].code,
                    "warehouse": c["warehouse"].name,
                    "cat_code": c["category"].code,
                    "category": c["category"].name,
                    **_figures(c["figures"]),
                }
                for c in report.cells
            ),
        )
        return wb, f"stock-value-{timezone.localdate():%Y%m%d}.xlsx"


# --- the stock ledger -----------------------------------------------------------------------------
LEDGER_COLUMNS = [
    Column("at", gettext_lazy("Time"), 17),
    Column("kind", gettext_lazy("Kind"), 10),
    Column("code", gettext_lazy("Code"), 14),
    Column("item", gettext_lazy("Part"), 26),
    Column("unit", gettext_lazy("Unit"), 6),
    Column("warehouse", gettext_lazy("Warehouse"), 20),
    Column("quantity", gettext_lazy("Quantity"), 10),
    Column("unit_cost", gettext_lazy("Unit cost"), 10),
    Column("amount", gettext_lazy("Amount"), 12),
    Column("on_hand_after", gettext_lazy("On hand after"), 12),
    Column("value_after", gettext_lazy("Value after"), 12),
    Column("document", gettext_lazy("Document"), 18),
    Column("work_order", gettext_lazy("Work order"), 18),
    Column("actor", gettext_lazy("By"), 12),
    Column("reason", gettext_lazy("Reason"), 30),
]


def _ledger_row(m: Movement) -> dict:
    return {
        "at": local_time(m.at),
        "kind": m.get_kind_display(),
        "code": m.item.code,
        "item": m.item.name,
        "unit": m.item.unit,
        "warehouse": f"{m.warehouse.code} {m.warehouse.name}",
        "quantity": m.quantity,
        "unit_cost": m.unit_cost,
        "amount": m.amount,
        "on_hand_after": m.on_hand_after,
        "value_after": m.value_after,
        "document": m.document,
        "work_order": m.work_order.number if m.work_order else "",
        "actor": str(m.actor) if m.actor else "",
        "reason": m.reason,
    }


class LedgerView(ReportView):
    """Movements, newest first, one page at a time (no COUNT); totals once a part, a document or a
    work order is chosen."""

    template_name = "spareparts/report_ledger.html"
    partial_name = "spareparts/partials/_report_ledger_rows.html"

    def build(self, request):
        scope = report_scope(request.user)
        filterset = LedgerFilter(request.GET or None, queryset=scoped(Movement.objects.all(), scope), scope=scope)
        movements = filterset.qs.select_related("item", "warehouse", "actor", "work_order").order_by("-at", "-pk")
        context = {"filter": filterset, "movements": movements}
        if self.export:
            return context
        page = SlicePage(movements, request.GET.get("page"), size=LEDGER_PAGE)
        for m in page.object_list:
            m.item_url = url_or_blank("spareparts:item", m.item_id)
        data = filterset.form.cleaned_data if filterset.is_bound and filterset.form.is_valid() else {}
        totals = None
        if any(data.get(key) for key in ("item", "document", "work_order")):
            totals = filterset.qs.order_by().aggregate(quantity=Sum("quantity"), amount=Sum("amount"))
            totals["parts"] = filterset.qs.order_by().values("item_id").distinct().count()
        return {**context, "page": page, "rows": page.object_list, "totals": totals}

    def workbook(self, context):
        wb = Workbook(write_only=True)
        movements = context["movements"][:LEDGER_EXPORT_MAX]
        rows = (_ledger_row(m) for m in movements.iterator(chunk_size=2000))
        write_table(wb, _("Stock ledger"), LEDGER_COLUMNS, rows)
        return wb, f"stock-ledger-{timezone.localdate():%Y%m%d}.xlsx"


# --- consumption ------------------------------------------------------------------------------------
class ConsumptionView(ReportView):
    """Parts used (issued minus returned) in a period by month, department, equipment category,
    work order, technician, part or part category; the last twelve months unless a period is given."""

    template_name = "spareparts/report_consumption.html"

    def build(self, request):
        scope = report_scope(request.user)
        data = request.GET.copy()
        if not data.get("start") and not data.get("end"):
            start, end = default_period()
            data["start"], data["end"] = start.isoformat(), end.isoformat()
        filterset = ConsumptionFilter(data, queryset=scoped(Movement.objects.all(), scope), scope=scope)
        group = filterset.group
        rows, total = consumption_report(filterset.qs, group)
        for row in rows:
            if row.key is not None and group == "work_order":
                row.url = url_or_blank("workorders:detail", row.key)
            elif row.key is not None and group == "item":
                row.url = url_or_blank("spareparts:item", row.key)
            else:
                row.url = ""
            if row.key is None:
                row.label = {
                    "department": _("No department"),
                    "equipment_category": _("No equipment"),
                    "technician": _("Not through a requisition"),
                }.get(group, "—")
        cleaned = filterset.form.cleaned_data if filterset.form.is_valid() else {}
        return {
            "filter": filterset,
            "group": group,
            "group_label": GROUP_LABELS[group],
            "rows": rows,
            "total": total,
            "start": cleaned.get("start"),
            "end": cleaned.get("end"),
        }

    def workbook(self, context):
        wb = Workbook(write_only=True)
        columns = [
            Column("label", str(context["group_label"]), 30),
            Column("detail", _("Work order title"), 30),
            Column("issued_quantity", _("Quantity issued"), 10),
            Column("returned_quantity", _("Quantity returned"), 10),
            Column("quantity", _("Quantity used"), 10),
            Column("issued_value", _("Value issued"), 12),
            Column("returned_value", _("Value returned"), 12),
            Column("value", _("Value used"), 12),
        ]

        def values(row, label=None):
            return {
                "label": label or row.label,
                "detail": row.detail,
                "issued_quantity": row.issued_quantity,
                "returned_quantity": row.returned_quantity,
                "quantity": row.quantity,
                "issued_value": row.issued_value,
                "returned_value": row.returned_value,
                "value": row.value,
            }

        start, end = context["start"], context["end"]
        period = f"{start or ''}~{end or ''}"
        write_table(
            wb,
            f"{_('Consumption')} {period}",
            columns,
            [*(values(r) for r in context["rows"]), values(context["total"], _("Total"))],
        )
        stamp = f"{start:%Y%m%d}-{end:%Y%m%d}" if start and end else f"{timezone.localdate():%Y%m%d}"
        return wb, f"consumption-{context['group']}-{stamp}.xlsx"


# --- slow-moving stock --------------------------------------------------------------------------------
class SlowMovingView(ReportView):
    """Stock held that has not been issued for N days (180 unless chosen), most value first."""

    template_name = "spareparts/report_slow.html"

    def build(self, request):
        scope = report_scope(request.user)
        filterset = SlowFilter(request.GET or None, queryset=scoped(Balance.objects.all(), scope), scope=scope)
        days = filterset.days_value
        rows, total = slow_moving(filterset.qs, days=days)
        context = {"filter": filterset, "days": days, "rows": rows, "total": total}
        if self.export:
            return context
        page = SlicePage(rows, request.GET.get("page"), size=SLOW_PAGE)
        self.annotate(page.object_list)
        return {**context, "page": page, "rows": page.object_list}

    @staticmethod
    def annotate(balances) -> None:
        now = timezone.now()
        for b in balances:
            b.idle_days = (now - b.idle_since).days if b.idle_since else None
            b.item_url = url_or_blank("spareparts:item", b.item_id)

    def workbook(self, context):
        wb = Workbook(write_only=True)
        columns = [
            Column("wh_code", _("Warehouse code"), 14),
            Column("warehouse", _("Warehouse"), 22),
            Column("code", _("Code"), 14),
            Column("item", _("Part"), 26),
            Column("category", _("Part category"), 16),
            Column("unit", _("Unit"), 6),
            Column("on_hand", _("On hand"), 10),
            Column("value", _("Value held"), 12),
            Column("last_issue", _("Last issued"), 12),
            Column("idle_since", _("Idle since"), 12),
            Column("idle_days", _("Days idle"), 10),
        ]
        balances = list(context["rows"])
        self.annotate(balances)
        rows = [
            {
                "wh_code": b.warehouse.code,
                "warehouse": b.warehouse.name,
                "code": b.item.code,
                "item": b.item.name,
                "category": b.item.category.name,
                "unit": b.item.unit,
                "on_hand": b.on_hand,
                "value": b.value,
                "last_issue": timezone.localdate(b.last_issue) if b.last_issue else None,
                "idle_since": timezone.localdate(b.idle_since),
                "idle_days": b.idle_days,
            }
            for b in balances
        ]
        write_table(wb, _("Not issued for %(days)d days") % {"days": context["days"]}, columns, rows)
        return wb, f"slow-moving-{context['days']}d-{timezone.localdate():%Y%m%d}.xlsx"


# --- alerts and reorder -------------------------------------------------------------------------------
class AlertsView(ReportView):
    """Parts below their minimum or above their maximum in the user's warehouses, and what to order
    from each vendor."""

    template_name = "spareparts/alerts.html"

    def build(self, request):
        scope = report_scope(request.user)
        filterset = AlertFilter(request.GET or None, queryset=scoped(Balance.objects.all(), scope), scope=scope)
        report = alert_report(filterset.qs)
        for row in [*report.low, *report.high]:
            row.item_url = url_or_blank("spareparts:item", row.balance.item_id)
        return {"filter": filterset, "report": report}

    def workbook(self, context):
        report = context["report"]
        wb = Workbook(write_only=True)
        common = [
            Column("warehouse", _("Warehouse"), 22),
            Column("code", _("Code"), 14),
            Column("item", _("Part"), 26),
            Column("unit", _("Unit"), 6),
            Column("on_hand", _("On hand"), 10),
        ]

        def base(b: Balance) -> dict:
            return {
                "warehouse": f"{b.warehouse.code} {b.warehouse.name}",
                "code": b.item.code,
                "item": b.item.name,
                "unit": b.item.unit,
                "on_hand": b.on_hand,
            }

        write_table(
            wb,
            _("Below minimum"),
            [
                *common,
                Column("reserved", _("Reserved"), 10),
                Column("available", _("Available"), 10),
                Column("minimum", _("Minimum"), 10),
                Column("in_transit", _("In transit"), 10),
                Column("shortfall", _("Short by"), 10),
            ],
            (
                {
                    **base(r.balance),
                    "reserved": r.balance.reserved,
                    "available": r.available,
                    "minimum": r.balance.min_quantity,
                    "in_transit": r.in_transit,
                    "shortfall": r.shortfall,
                }
                for r in report.low
            ),
        )
        write_table(
            wb,
            _("Above maximum"),
            [
                *common,
                Column("maximum", _("Maximum"), 10),
                Column("excess", _("Over by"), 10),
            ],
            ({**base(r.balance), "maximum": r.balance.max_quantity, "excess": r.excess} for r in report.high),
        )
        write_table(
            wb,
            _("Reorder suggestion"),
            [
                Column("vendor", _("Vendor"), 20),
                Column("code", _("Code"), 14),
                Column("item", _("Part"), 26),
                Column("specification", _("Specification"), 20),
                Column("unit", _("Unit"), 6),
                Column("deliver_to", _("Deliver to"), 20),
                Column("available", _("Available"), 10),
                Column("in_transit", _("In transit"), 10),
                Column("target", _("Order up to"), 10),
                Column("quantity", _("Order quantity"), 10),
                Column("unit_cost", _("Standard unit cost"), 12),
                Column("value", _("Order value"), 12),
            ],
            _reorder_rows(report),
        )
        return wb, f"stock-alerts-{timezone.localdate():%Y%m%d}.xlsx"


def _reorder_rows(report):
    blank = dict.fromkeys(
        (
            "code",
            "item",
            "specification",
            "unit",
            "deliver_to",
            "available",
            "in_transit",
            "target",
            "quantity",
            "unit_cost",
        )
    )
    for group in report.reorder:
        vendor = group.vendor.name if group.vendor else _("No vendor")
        for line in group.lines:
            yield {
                "vendor": vendor,
                "code": line.item.code,
                "item": line.item.name,
                "specification": line.item.specification,
                "unit": line.item.unit,
                "deliver_to": f"{line.warehouse.code} {line.warehouse.name}",
                "available": line.available,
                "in_transit": line.in_transit,
                "target": line.target,
                "quantity": line.quantity,
                "unit_cost": line.unit_cost,
                "value": line.value,
            }
        yield {**blank, "vendor": _("%(vendor)s subtotal") % {"vendor": vendor}, "value": group.value}
    yield {**blank, "vendor": _("Total"), "value": report.reorder_value}


def below_minimum_panel(request: HttpRequest) -> str:
    """The "below minimum" list as HTML, for a dashboard that composes the apps' lists ("" for
    users who see no stock reports)."""
    if not can_view_reports(request.user):
        return ""
    rows = below_minimum(request.user, limit=10)
    return render_to_string("spareparts/partials/_report_below_minimum.html", {"below": rows}, request=request)


urlpatterns = [
    path("reports/", ReportsIndexView.as_view(), name="reports"),
    path("reports/stock/", StockReportView.as_view(), name="report_stock"),
    path("reports/stock/export.xlsx", StockReportView.as_view(export=True), name="report_stock_export"),
    path("reports/ledger/", LedgerView.as_view(), name="ledger"),
    path("reports/ledger/export.xlsx", LedgerView.as_view(export=True), name="ledger_export"),
    path("reports/consumption/", ConsumptionView.as_view(), name="report_consumption"),
    path("reports/consumption/export.xlsx", ConsumptionView.as_view(export=True), name="report_consumption_export"),
    path("reports/slow-moving/", SlowMovingView.as_view(), name="report_slow"),
    path("reports/slow-moving/export.xlsx", SlowMovingView.as_view(export=True), name="report_slow_export"),
    path("alerts/", AlertsView.as_view(), name="alerts"),
    path("alerts/export.xlsx", AlertsView.as_view(export=True), name="alerts_export"),
]
