"""Stock pages: the stock list (filters, htmx refresh, Excel export), a part's page (facts,
balances per warehouse, in transit, its ledger, its requisition lines; limits for keepers), the
warehouse tree with figures rolled up each node, a warehouse's page (everything below it), the
printable QR labels of parts and bins, and the short URLs those labels encode."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from logistics.common.errors import DomainError
from logistics.common.paging import SlicePage
from logistics.common.xlsx import XLSX_CONTENT_TYPE
from logistics.org.qr import qr_svg
from logistics.org.views import LABELS_PER_SHEET, MAX_LABELS

from ..exports import level_key, level_text, write_stock
from ..filters import BalanceFilter, ItemFilter, MovementFilter
from ..forms import LimitsForm
from ..models import Balance, Item, Movement, RequisitionLine, Transfer, TransferLine, Warehouse
from ..permissions import kept_warehouse_ids
from ..scan import item_by_token, item_label_url, warehouse_by_token, warehouse_label_url, warehouse_page_for
from ..selectors import balances, item_ledger, warehouse_subtree_ids
from ..services import limits_set

ZERO = Decimal("0")
QUANTITIES = ("on_hand", "reserved", "min_quantity", "max_quantity", "quantity", "on_hand_after",
              "approved_quantity", "issued_quantity", "returned_quantity", "book_quantity")  # fmt: skip
LEVEL_CSS = {"low": "danger", "high": "warning", "out": "secondary"}


def tidy(rows, *fields: str):
    """Quantities as people write them (5, 2.5, not 5.000): the stored decimals normalized for
    display. Returns ``rows``."""
    for row in rows:
        for name in fields or QUANTITIES:
            value = getattr(row, name, None)
            if isinstance(value, Decimal):
                setattr(row, name, value.normalize() if value else ZERO)
    return rows


def url_or_none(name: str, *args) -> str | None:
    """The URL of a page another part of the app may not offer yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def query_of(request: HttpRequest, *drop: str) -> str:
    """The filters of this page, for its pager and its export link."""
    query = request.GET.copy()
    for name in ("page", *drop):
        query.pop(name, None)
    return query.urlencode()


def decorate_balances(rows: list[Balance], kept: set[int] | None) -> list[Balance]:
    """Add what a row shows: its level (and its colour) and whether this user keeps its warehouse."""
    for b in rows:
        b.level_key = level_key(b)
        b.level, b.level_css = level_text(b), LEVEL_CSS.get(b.level_key, "")
        b.keepable = kept is None or b.warehouse_id in kept
    return tidy(rows)


class StockListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Stock per part and warehouse, filtered, one page at a time (no COUNT), with the value of
    everything the filters select."""

    permission_required = "spareparts.view_balance"
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = BalanceFilter(request.GET or None, queryset=balances(), request=request)
        page = SlicePage(filterset.qs, request.GET.get("page"))
        totals = filterset.qs.order_by().aggregate(value=Sum("value"))
        kept = kept_warehouse_ids(request.user) if request.user.has_perm("spareparts.add_movement") else set()
        context = {
            "filter": filterset,
            "page": page,
            "rows": decorate_balances(page.object_list, kept),
            "total_value": totals["value"] or ZERO,
            "query": query_of(request),
            "is_keeper": kept is None or bool(kept),
        }
        template = "spareparts/partials/_stock_rows.html" if request.htmx else "spareparts/stock_list.html"
        return render(request, template, context)


class StockExportView(StockListView):
    """The filtered stock list as an Excel workbook, in the list's order."""

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = BalanceFilter(request.GET or None, queryset=balances(), request=request)
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse once sent
        write_stock(filterset.qs, handle)
        handle.seek(0)
        name = f"stock-{timezone.localdate():%Y%m%d}.xlsx"
        return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


# --- a part's page ---------------------------------------------------------------------------------
class ItemView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """A part: what it is, where it is (available, reserved, in transit), its ledger and its
    requisition lines; keepers set its limits and adjust its stock from here."""

    permission_required = "spareparts.view_item"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = get_object_or_404(Item.objects.select_related("category", "vendor"), pk=pk)
        if request.htmx and request.htmx.target == "item-ledger":
            return render(request, "spareparts/partials/_stock_ledger.html", ledger_context(request, item))
        limits = request.GET.get("limits")
        initial = {}
        if limits and limits.isdigit():
            balance = Balance.objects.filter(item=item, warehouse_id=limits).first()
            initial = {"warehouse": limits}
            if balance is not None:
                tidy([balance])
                initial.update(minimum=balance.min_quantity or "", maximum=balance.max_quantity or "")
        return render(request, "spareparts/item_detail.html", item_context(request, item, initial=initial))


def ledger_context(request: HttpRequest, item: Item) -> dict:
    if not request.user.has_perm("spareparts.view_movement"):
        return {"item": item, "ledger": None}
    filterset = MovementFilter(request.GET or None, queryset=item_ledger(item))
    page = SlicePage(filterset.qs.select_related("warehouse", "actor", "work_order"), request.GET.get("page"))
    return {"item": item, "ledger": filterset, "page": page, "movements": tidy(page.object_list),
            "query": query_of(request, "limits")}  # fmt: skip


def item_context(request: HttpRequest, item: Item, *, initial=None, limits_form=None) -> dict:
    user = request.user
    kept = kept_warehouse_ids(user)
    keeps_some = kept is None or bool(kept)
    rows = list(
        Balance.objects.filter(item=item).select_related("warehouse__campus", "warehouse__parent")
        .order_by("warehouse__campus__code", "warehouse__code")
    )  # fmt: skip
    totals = {name: sum((getattr(b, name) for b in rows), ZERO) for name in ("on_hand", "reserved", "value")}
    totals["available"] = totals["on_hand"] - totals["reserved"]
    incoming = list(
        TransferLine.objects.filter(item=item, transfer__state=Transfer.State.IN_TRANSIT)
        .select_related("transfer__source", "transfer__destination").order_by("transfer__shipped_at")
    )  # fmt: skip
    arriving: dict[int, Decimal] = defaultdict(Decimal)
    for line in incoming:
        arriving[line.transfer.destination_id] += line.quantity
    decorate_balances(rows, kept)
    for b in rows:
        b.arriving = arriving.get(b.warehouse_id, ZERO).normalize()
    may_limit = user.has_perm("spareparts.change_balance") and keeps_some
    if may_limit and limits_form is None:
        limits_form = LimitsForm(kept=kept, initial=initial or {})
    lines = []
    if user.has_perm("spareparts.view_requisition"):
        lines = tidy(list(
            RequisitionLine.objects.filter(item=item)
            .select_related("requisition__work_order", "requisition__requested_by", "warehouse")
            .order_by("-pk")[:20]
        ))  # fmt: skip
        for line in lines:
            line.url = url_or_none("spareparts:requisition", line.requisition_id)
    context = {
        "item": item,
        "balances": rows,
        "totals": {k: v.normalize() if k != "value" else v for k, v in totals.items()},
        "in_transit": tidy(incoming, "quantity"),
        "in_transit_total": sum((line.quantity for line in incoming), ZERO).normalize(),
        "equipment_categories": list(item.equipment_categories.all()),
        "requisition_lines": lines,
        "may_receive": user.has_perm("spareparts.add_receipt") and keeps_some,
        "may_adjust": user.has_perm("spareparts.add_movement") and keeps_some,
        "may_transfer": user.has_perm("spareparts.add_transfer") and keeps_some,
        "may_limit": may_limit,
        "limits_form": limits_form,
        "label_url": item_label_url(item),
    }
    context.update(ledger_context(request, item))
    return context


class LimitsView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Set the minimum and maximum of a part in a warehouse the user keeps (blank: none)."""

    permission_required = "spareparts.change_balance"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = get_object_or_404(Item.objects.select_related("category", "vendor"), pk=pk)
        kept = kept_warehouse_ids(request.user)
        if kept is not None and not kept:
            raise PermissionDenied
        form = LimitsForm(request.POST, kept=kept)
        if form.is_valid():
            warehouse = form.cleaned_data["warehouse"]
            data = form.cleaned_data
            try:
                limits_set(item=item, warehouse=warehouse, minimum=data["minimum"].strip() or None,
                           maximum=data["maximum"].strip() or None)  # fmt: skip
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Limits of %(item)s in %(wh)s saved.") % {"item": item.name,
                                                                                     "wh": warehouse.name})  # fmt: skip
                return HttpResponseRedirect(item.get_absolute_url() + "#balances")
        context = item_context(request, item, limits_form=form)
        return render(request, "spareparts/item_detail.html", context)


# --- warehouses -------------------------------------------------------------------------------------
def tree_rows(nodes: list[Warehouse]) -> list[dict]:
    """The warehouses in tree order (depth-first by code), each with what is held in it and below
    it: stock value, distinct parts with stock, balances in alert."""
    children: dict[int | None, list[Warehouse]] = defaultdict(list)
    by_pk = {n.pk: n for n in nodes}
    for node in nodes:
        children[node.parent_id if node.parent_id in by_pk else None].append(node)
    stats = {
        row["warehouse_id"]: row
        for row in Balance.objects.values("warehouse_id").annotate(value=Sum("value"),
                                                                   alerts=Count("pk", filter=~Q(alert="")))
    }  # fmt: skip
    held: dict[int, set[int]] = defaultdict(set)
    for warehouse_id, item_id in Balance.objects.filter(on_hand__gt=0).values_list("warehouse_id", "item_id"):
        held[warehouse_id].add(item_id)
    rows: list[dict] = []
    seen: set[int] = set()

    def walk(node: Warehouse, depth: int) -> tuple[Decimal, set[int], int]:
        seen.add(node.pk)
        row = {"node": node, "depth": depth, "leaf": True}
        rows.append(row)
        own = stats.get(node.pk, {})
        value, items, alerts = own.get("value") or ZERO, set(held.get(node.pk, ())), own.get("alerts") or 0
        for child in sorted(children.get(node.pk, ()), key=lambda n: n.code):
            if child.pk in seen:
                continue
            row["leaf"] = False
            v, i, a = walk(child, depth + 1)
            value, alerts = value + v, alerts + a
            items |= i
        row.update(value=value, items=len(items), alerts=alerts, indent=depth * 1.25)
        return value, items, alerts

    for root in sorted(children[None], key=lambda n: (n.campus.code, n.code)):
        walk(root, 0)
    return rows


class WarehouseTreeView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Every warehouse, per campus, as a tree: keepers, parts held and stock value rolled up."""

    permission_required = "spareparts.view_warehouse"
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        nodes = list(
            Warehouse.objects.select_related("campus", "building", "floor").prefetch_related("keepers")
        )  # fmt: skip
        kept = kept_warehouse_ids(request.user)
        campuses: dict[int, dict] = {}
        for row in tree_rows(nodes):
            node = row["node"]
            row["mine"] = kept is not None and node.pk in kept
            group = campuses.setdefault(node.campus_id, {"campus": node.campus, "rows": [], "value": ZERO})
            group["rows"].append(row)
            if row["depth"] == 0:
                group["value"] += row["value"]
        return render(request, "spareparts/warehouse_tree.html", {"campuses": list(campuses.values())})


class WarehouseView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """A warehouse and everything below it: where it is, its keepers and sub-locations, the stock
    held (filtered, paged), the stock on its way in or out, and its latest movements."""

    permission_required = "spareparts.view_warehouse"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        warehouse = get_object_or_404(Warehouse.objects.select_related("campus", "building", "floor", "parent"), pk=pk)
        ids = warehouse_subtree_ids(warehouse)
        filterset = BalanceFilter(request.GET or None, request=request,
                                  queryset=balances(Balance.objects.filter(warehouse_id__in=ids)))  # fmt: skip
        page = SlicePage(filterset.qs, request.GET.get("page"))
        kept = kept_warehouse_ids(request.user)
        context = {"warehouse": warehouse, "filter": filterset, "page": page, "query": query_of(request),
                   "rows": decorate_balances(page.object_list, kept)}  # fmt: skip
        if request.htmx and request.htmx.target == "warehouse-balances":
            return render(request, "spareparts/partials/_stock_warehouse_rows.html", context)
        totals = Balance.objects.filter(warehouse_id__in=ids).aggregate(
            value=Sum("value"), lines=Count("pk", filter=Q(on_hand__gt=0)), alerts=Count("pk", filter=~Q(alert=""))
        )  # fmt: skip
        moving = (
            Transfer.objects.filter(state=Transfer.State.IN_TRANSIT)
            .filter(Q(source_id__in=ids) | Q(destination_id__in=ids))
            .select_related("source", "destination").order_by("shipped_at")
        )  # fmt: skip
        movements = []
        if request.user.has_perm("spareparts.view_movement"):
            movements = tidy(list(
                Movement.objects.filter(warehouse_id__in=ids)
                .select_related("item", "warehouse", "actor", "work_order").order_by("-at", "-pk")[:20]
            ))  # fmt: skip
        leaf = len(ids) == 1
        keeps = kept is None or warehouse.pk in kept
        context.update(
            chain=list(reversed(warehouse.ancestors_and_self()))[:-1],
            children=list(warehouse.children.order_by("code")),
            keepers=list(warehouse.keepers.order_by("employee_no")),
            totals=totals,
            transfers=list(moving[:50]),
            movements=movements,
            leaf=leaf,
            may_receive=leaf and keeps and request.user.has_perm("spareparts.add_receipt"),
            may_transfer=leaf and keeps and request.user.has_perm("spareparts.add_transfer"),
            stocktakes_url=url_or_none("spareparts:stocktakes"),
            ledger_url=url_or_none("spareparts:ledger"),
            label_url=warehouse_label_url(warehouse),
        )
        return render(request, "spareparts/warehouse_detail.html", context)


# --- labels -----------------------------------------------------------------------------------------
class LabelsView(LoginRequiredMixin, View):
    """Printable A4 sheets of QR labels (3 × 8 per page): ``?what=bins&warehouse=<id>`` the
    locations below a warehouse (the warehouse itself when it has none), ``?what=items&...`` the
    parts the item filters select (e.g. those held in a bin), ``?what=items&item=<id>`` one part."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        what = "items" if request.GET.get("what") == "items" else "bins"
        if not request.user.has_perm("spareparts.view_item" if what == "items" else "spareparts.view_warehouse"):
            raise PermissionDenied
        labels = self.item_labels(request) if what == "items" else self.bin_labels(request)
        truncated = len(labels) > MAX_LABELS
        labels = labels[:MAX_LABELS]
        for label in labels:
            label["svg"] = qr_svg(label["url"], size_mm=28)
        sheets = [labels[i : i + LABELS_PER_SHEET] for i in range(0, len(labels), LABELS_PER_SHEET)]
        context = {"sheets": sheets, "count": len(labels), "truncated": truncated, "max_labels": MAX_LABELS,
                   "what": what}  # fmt: skip
        return render(request, "spareparts/warehouse_labels.html", context)

    @staticmethod
    def bin_labels(request: HttpRequest) -> list[dict]:
        root = request.GET.get("warehouse")
        places = Warehouse.objects.filter(is_active=True).select_related("campus", "parent").order_by("code")
        if root and root.isdigit():
            ids = warehouse_subtree_ids(int(root))
            places = places.filter(pk__in=ids if len(ids) == 1 else [i for i in ids if i != int(root)])
        return [{"token": w.qr_token, "url": warehouse_label_url(w), "name": w.name, "code": w.code,
                 "place": w.parent.name if w.parent else w.campus.name, "detail": w.get_kind_display()}
                for w in places[: MAX_LABELS + 1]]  # fmt: skip

    @staticmethod
    def item_labels(request: HttpRequest) -> list[dict]:
        one = request.GET.get("item")
        filterset = ItemFilter(request.GET or None, queryset=Item.objects.filter(pk=one) if one and one.isdigit()
                               else Item.objects.all())  # fmt: skip
        place = filterset.form.cleaned_data.get("warehouse") if filterset.is_valid() else None
        items = filterset.qs.order_by("code")[: MAX_LABELS + 1]
        return [{"token": i.qr_token, "url": item_label_url(i), "name": i.name, "code": i.code,
                 "place": i.specification, "detail": place.name if place else (i.barcode or "")}
                for i in items]  # fmt: skip


class ItemLabelView(LoginRequiredMixin, View):
    """What a part's QR label opens: the part's page."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        item = item_by_token(token)
        if item is None:
            return render(request, "org/scan_unknown.html", {"code": token[:100]}, status=404)
        return redirect(item.get_absolute_url())


class WarehouseLabelView(LoginRequiredMixin, View):
    """What a bin's QR label opens: its page (or its stock, for those who see stock only)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        warehouse = warehouse_by_token(token)
        if warehouse is None:
            return render(request, "org/scan_unknown.html", {"code": token[:100]}, status=404)
        return redirect(warehouse_page_for(warehouse, request.user))


urlpatterns = [
    path("", StockListView.as_view(), name="stock"),
    path("export.xlsx", StockExportView.as_view(), name="stock_export"),
    path("items/<int:pk>/", ItemView.as_view(), name="item"),
    path("items/<int:pk>/limits/", LimitsView.as_view(), name="limits"),
    path("warehouses/", WarehouseTreeView.as_view(), name="warehouses"),
    path("warehouses/<int:pk>/", WarehouseView.as_view(), name="warehouse"),
    path("labels/", LabelsView.as_view(), name="labels"),
    path("i/<str:token>", ItemLabelView.as_view(), name="item_label"),
    path("w/<str:token>", WarehouseLabelView.as_view(), name="warehouse_label"),
]
