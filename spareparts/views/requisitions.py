"""Requisition pages: the parts panel of a work order (what was asked, approved, issued, returned and
what it cost; the technician's request form with a part search and availability per warehouse), the
keeper's queue of lines waiting in the warehouses they keep, and a requisition's page with the
keeper's decisions per line (approve fully or partly, reject, issue) and returns of unused parts.

Every action posts to ``requisitions/lines/<pk>/<action>/`` and calls one service; a refused step
(a second keeper was quicker, a double click, too little stock) comes back as a message and changes
nothing. Who may act: keepers of the line's warehouse (``permissions.can_keep``) decide and issue;
returns are recorded by them or by the people working the order."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from logistics.common.errors import DomainError
from logistics.common.http import safe_next
from logistics.common.paging import SlicePage
from workorders.selectors import orders_visible_to

from .. import requisitions as service
from ..forms_requisitions import (
    ApproveForm,
    QueueFilterForm,
    RejectForm,
    RequestForm,
    ReturnForm,
    draft_lines,
    first_error,
)
from ..models import (
    RESERVING,
    Balance,
    Item,
    LineState,
    Movement,
    MovementKind,
    Requisition,
    RequisitionLine,
    Warehouse,
)
from ..permissions import (
    keeps,
    kept_cached,
    may_request,
    may_return,
    may_take_back,
    requisitions_visible_to,
    staff_of,
    waiting_lines,
    works_on,
)
from ..selectors import availability, warehouse_subtree_ids, work_order_requisitions

LINE_CSS = {
    LineState.PENDING: "warning",
    LineState.APPROVED: "info",
    LineState.REJECTED: "danger",
    LineState.ISSUED: "success",
    LineState.RELEASED: "secondary",
}
SEARCH_LIMIT = 8
SEARCH_MAX = 200  # a label URL scanned into the search box
PANEL = "spareparts/partials/_parts_panel.html"


# --- small helpers -------------------------------------------------------------------------------
def _qty(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _place(warehouse: Warehouse) -> str:
    """A leaf warehouse with the store above it: 本部总库 › A1货架."""
    parent = warehouse.parent if warehouse.parent_id else None
    return f"{parent.name} › {warehouse.name}" if parent is not None else warehouse.name


def _person(user) -> str:
    if user is None:
        return ""
    staff = staff_of(user)
    return staff.name if staff is not None else user.get_username()


def _url(name: str, pk: int) -> str:
    """The URL of another page of the app, or "" where that page is not there (yet)."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _order_url(wo) -> str:
    return reverse("workorders:detail", args=[wo.pk]) + "#parts-panel"


def _decorate(user, lines, *, worker=None, staff=None) -> None:
    """What the templates show and offer for each line."""
    pairs = {(ln.item_id, ln.warehouse_id) for ln in lines if ln.state in RESERVING}
    stock: dict[tuple[int, int], Balance] = {}
    if pairs:
        wanted = Q()
        for item_id, warehouse_id in pairs:
            wanted |= Q(item_id=item_id, warehouse_id=warehouse_id)
        stock = {(b.item_id, b.warehouse_id): b for b in Balance.objects.filter(wanted)}
    for line in lines:
        line.css = LINE_CSS.get(line.state, "secondary")
        line.place = _place(line.warehouse)
        line.item_url = _url("spareparts:item", line.item_id)
        line.left = line.issued_quantity - line.returned_quantity
        line.stock = stock.get((line.item_id, line.warehouse_id))
        line.may_decide = line.state in RESERVING and keeps(user, line.warehouse_id)
        line.may_return = may_return(user, line, worker, staff)
        line.step = "0.001" if line.item.fractional else "1"


# --- the parts panel on the work-order page --------------------------------------------------------
def panel_context(request: HttpRequest, wo, *, draft=None, note: str = "", error: str = "", notice: str = ""):
    user = request.user
    worker, staff = works_on(user, wo), staff_of(user)
    requisitions = list(work_order_requisitions(wo).select_related("work_order"))
    for requisition in requisitions:
        requisition.lines_shown = list(requisition.lines.all())
        for line in requisition.lines_shown:
            line.requisition = requisition
        _decorate(user, requisition.lines_shown, worker=worker, staff=staff)
    return {
        "wo": wo,
        "requisitions": requisitions,
        "may_request": wo.status in service.REQUESTABLE and worker is not None,
        "draft": draft or [],
        "draft_error": "",
        "note": note,
        "error": error,
        "notice": notice,
        "back": _order_url(wo),
    }


def render_panel(wo, request: HttpRequest, **extra) -> str:
    return render_to_string(PANEL, panel_context(request, wo, **extra), request=request)


def panel_visible(wo, request: HttpRequest) -> bool:
    """Shown to the people working an order that is under way, and wherever parts were asked for."""
    return may_request(request.user, wo) or Requisition.objects.filter(work_order=wo).exists()


def _requestable_order(request: HttpRequest, order_pk: int):
    """The order (404 if the user may not see it) and the user's staff record; 403 unless they work it."""
    wo = get_object_or_404(orders_visible_to(request.user).select_related("location"), pk=order_pk)
    staff = works_on(request.user, wo)
    if staff is None:
        raise PermissionDenied
    return wo, staff


def items_matching(text: str) -> list[Item]:
    """Active parts for the search box: the one a scanned code names first (its QR label, a vendor's
    barcode, its code), then those whose code, name or specification holds ``text``."""
    from ..scan import item_from_code

    text = text.strip()[:SEARCH_MAX]
    if not text:
        return []
    scanned = item_from_code(text)
    found = [scanned] if scanned is not None and scanned.is_active else []
    if len(text) <= 60:
        loose = Q(code__icontains=text) | Q(name__icontains=text) | Q(specification__icontains=text)
        more = Item.objects.filter(loose, is_active=True).exclude(pk__in=[i.pk for i in found]).order_by("code")
        found += list(more[: SEARCH_LIMIT - len(found)])
    return found


class PartsSearchView(LoginRequiredMixin, View):
    """htmx: parts matching the search box, each with what every warehouse has available (the
    order's own campus first)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, order_pk: int) -> HttpResponse:
        wo, _staff_record = _requestable_order(request, order_pk)
        text = request.GET.get("q", "").strip()[:SEARCH_MAX]
        items = items_matching(text)
        campus = wo.location.campus_id if wo.location_id else None
        for item in items:
            item.where = sorted(availability(item), key=lambda b: (b.warehouse.campus_id != campus, -b.available))
            for balance in item.where:
                balance.place = _place(balance.warehouse)
                balance.near = campus is not None and balance.warehouse.campus_id == campus
        context = {"wo": wo, "q": text, "items": items}
        return render(request, "spareparts/partials/_parts_search.html", context)


class PartsDraftView(LoginRequiredMixin, View):
    """htmx: the lines of the request being put together, with one added or removed."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, order_pk: int) -> HttpResponse:
        wo, _staff_record = _requestable_order(request, order_pk)
        add = (request.POST.get("add_item", ""), request.POST.get("add_warehouse", ""))
        error = ""
        try:
            lines = draft_lines(request.POST, add=add if all(add) else None, remove=request.POST.get("remove"))
        except ValidationError as exc:
            lines, error = draft_lines(request.POST), exc.messages[0]
        context = {"wo": wo, "draft": lines, "note": request.POST.get("note", "")[:300], "draft_error": error}
        return render(request, "spareparts/partials/_parts_draft.html", context)


class RequisitionCreateView(LoginRequiredMixin, View):
    """Send the request: each line reserves its quantity; a bad line refuses the whole request and
    the draft comes back with the reason."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, order_pk: int) -> HttpResponse:
        wo, staff = _requestable_order(request, order_pk)
        form = RequestForm(request.POST)
        error, notice = "", ""
        if not form.is_valid():
            error = first_error(form)
        else:
            lines = [(line.item, line.warehouse, line.quantity) for line in form.cleaned_data["lines"]]
            try:
                requisition = service.requisition_create(
                    work_order=wo, technician=staff, lines=lines, actor=request.user, note=form.cleaned_data["note"]
                )
            except DomainError as exc:
                error = exc.message
            else:
                text = _("Requisition %(number)s sent: the parts are reserved for you until the keeper issues them.")
                notice = text % {"number": requisition.number}
        if not request.htmx:
            (messages.error if error else messages.success)(request, error or notice)
            return HttpResponseRedirect(_order_url(wo))
        wo.refresh_from_db()
        draft, note = [], ""
        if error:  # the draft comes back as it was, to be corrected
            try:
                draft = draft_lines(request.POST)
            except ValidationError:
                draft = []
            note = request.POST.get("note", "")[:300]
        return HttpResponse(render_panel(wo, request, draft=draft, note=note, error=error, notice=notice))


# --- the keeper's queue ------------------------------------------------------------------------------
def _labelled(ids) -> list[tuple[int, str]]:
    """(id, "store › area › bin") of the warehouses ``ids`` and the stores above them, by code."""
    rows: dict[int, Warehouse] = {}
    wanted = set(ids)
    while wanted:
        level = Warehouse.objects.filter(pk__in=wanted).only("pk", "code", "name", "parent_id")
        rows.update({w.pk: w for w in level})
        wanted = {w.parent_id for w in level if w.parent_id and w.parent_id not in rows}

    def label(w: Warehouse) -> str:
        names, node, seen = [], w, set()
        while node is not None and node.pk not in seen:
            names.append(node.name)
            seen.add(node.pk)
            node = rows.get(node.parent_id)
        return " › ".join(reversed(names))

    return [(w.pk, label(w)) for w in sorted(rows.values(), key=lambda w: w.code)]


class QueueView(LoginRequiredMixin, View):
    """Lines waiting to be approved, then issued, grouped by requisition, oldest first; filtered by
    warehouse (with everything below it), state and a search; refreshed every 30 s."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        kept = kept_cached(user)
        if kept is not None and not kept and not user.has_perm("spareparts.view_requisition"):
            raise PermissionDenied
        scope = waiting_lines(user)
        places = _labelled(kept if kept else scope.order_by().values_list("warehouse_id", flat=True).distinct())
        form = QueueFilterForm(request.GET or None, warehouses=places)
        filters = form.cleaned_data if form.is_valid() else {}
        lines = scope
        if filters.get("warehouse"):
            lines = lines.filter(warehouse_id__in=warehouse_subtree_ids(filters["warehouse"]))
        if filters.get("q"):
            q = filters["q"]
            lines = lines.filter(
                Q(requisition__number__icontains=q)
                | Q(requisition__work_order__number__icontains=q)
                | Q(requisition__work_order__title__icontains=q)
                | Q(item__code__icontains=q)
                | Q(item__name__icontains=q)
                | Q(item__barcode=q)
                | Q(requisition__requested_by__name__icontains=q)
            )
        counts = lines.aggregate(
            pending=Count("pk", filter=Q(state=LineState.PENDING)),
            approved=Count("pk", filter=Q(state=LineState.APPROVED)),
        )
        if filters.get("state"):
            lines = lines.filter(state=filters["state"])
        shown = lines.select_related("item", "warehouse__parent").order_by("pk")
        requisitions = (
            Requisition.objects.filter(pk__in=lines.values("requisition_id"))
            .select_related("work_order__location", "requested_by")
            .prefetch_related(Prefetch("lines", queryset=shown, to_attr="waiting"))
            .order_by("created_at", "pk")
        )
        page = SlicePage(requisitions, request.GET.get("page"))
        order_ids = {r.work_order_id for r in page.object_list}
        visible = set(orders_visible_to(user).filter(pk__in=order_ids).values_list("pk", flat=True))
        every = [line for r in page.object_list for line in r.waiting]
        _decorate(user, every)
        for requisition in page.object_list:
            requisition.order_visible = requisition.work_order_id in visible
        query = request.GET.copy()
        query.pop("page", None)
        tabs = []
        for value, label, count in (
            ("", _("All waiting"), counts["pending"] + counts["approved"]),
            (LineState.PENDING, _("To approve"), counts["pending"]),
            (LineState.APPROVED, _("To issue"), counts["approved"]),
        ):
            tab = query.copy()
            tab["state"] = value
            tabs.append({"value": value, "label": label, "count": count, "url": "?" + tab.urlencode()})
        context = {
            "form": form,
            "page": page,
            "requisitions": page.object_list,
            "counts": counts,
            "tabs": tabs,
            "state": filters.get("state") or "",
            "query": query.urlencode(),
            "self_url": request.get_full_path(),
            "now": timezone.now(),
        }
        template = "spareparts/partials/_requisition_queue.html" if request.htmx else "spareparts/requisitions.html"
        return render(request, template, context)


# --- one requisition -------------------------------------------------------------------------------
class RequisitionView(LoginRequiredMixin, View):
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request.user
        related = ("work_order__location", "work_order__assignee", "requested_by", "created_by")
        requisition = get_object_or_404(requisitions_visible_to(user).select_related(*related), pk=pk)
        wo = requisition.work_order
        lines = list(
            requisition.lines.select_related(
                "item", "warehouse__parent", "decided_by__staff", "issued_by__staff"
            ).order_by("pk")
        )
        for line in lines:
            line.requisition = requisition
            line.decided_name, line.issued_name = _person(line.decided_by), _person(line.issued_by)
        _decorate(user, lines, worker=works_on(user, wo), staff=staff_of(user))
        movements = (
            Movement.objects.filter(requisition_line__requisition=requisition)
            .select_related("item", "warehouse", "actor__staff")
            .order_by("at", "pk")
        )
        context = {
            "requisition": requisition,
            "wo": wo,
            "lines": lines,
            "movements": list(movements),
            "charged": sum((line.charged for line in lines), Decimal("0")),
            "order_visible": orders_visible_to(user).filter(pk=wo.pk).exists(),
            "next": request.get_full_path(),
        }
        return render(request, "spareparts/requisition.html", context)


# --- the actions on a line -----------------------------------------------------------------------------
class _LineActionView(LoginRequiredMixin, View):
    """One step on a line: 404 when the user may not see its requisition, 403 when they may not take
    the step; a refused step (already done by someone else, a double click) is a message."""

    http_method_names = ["post"]
    form_class = None

    def allowed(self, request: HttpRequest, line: RequisitionLine) -> bool:
        return keeps(request.user, line.warehouse_id)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        related = ("requisition__work_order", "requisition__requested_by", "item", "warehouse")
        line = get_object_or_404(
            RequisitionLine.objects.select_related(*related),
            pk=pk,
            requisition__in=requisitions_visible_to(request.user),
        )
        if not self.allowed(request, line):
            raise PermissionDenied
        back = safe_next(request, reverse("spareparts:requisition", args=[line.requisition_id]))
        data = {}
        if self.form_class is not None:
            form = self.form_class(request.POST)
            if not form.is_valid():
                messages.error(request, first_error(form))
                return HttpResponseRedirect(back)
            data = form.cleaned_data
        try:
            done = self.act(request.user, line, data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
        return HttpResponseRedirect(back)

    def act(self, user, line: RequisitionLine, data: dict) -> str:
        raise NotImplementedError


def _names(line: RequisitionLine, quantity: Decimal, **extra) -> dict:
    return {
        "item": line.item.name,
        "unit": line.item.unit,
        "quantity": _qty(quantity),
        "number": line.requisition.number,
        "order": line.requisition.work_order.number,
        **extra,
    }


class LineApproveView(_LineActionView):
    form_class = ApproveForm

    def act(self, user, line, data):
        line = service.line_approve(line=line, actor=user, quantity=data["quantity"] or None, reason=data["reason"])
        if line.approved_quantity < line.quantity:
            return _("Approved %(quantity)s of the %(asked)s %(unit)s of %(item)s asked; the rest is released.") % (
                _names(line, line.approved_quantity, asked=_qty(line.quantity))
            )
        return _("Approved %(quantity)s %(unit)s of %(item)s: ready to issue.") % _names(line, line.approved_quantity)


class LineRejectView(_LineActionView):
    form_class = RejectForm

    def act(self, user, line, data):
        line = service.line_reject(line=line, actor=user, reason=data["reason"])
        return _("Rejected %(item)s of %(number)s; its reservation is released.") % _names(line, line.quantity)


class LineIssueView(_LineActionView):
    def act(self, user, line, data):
        line = service.line_issue(line=line, actor=user)
        taken = Movement.objects.filter(requisition_line=line, kind=MovementKind.ISSUE).aggregate(a=Sum("amount"))
        amount = f"{-(taken['a'] or 0):.2f}"
        return _("Issued %(quantity)s %(unit)s of %(item)s for %(order)s, charged ¥%(amount)s.") % (
            _names(line, line.issued_quantity, amount=amount)
        )


class LineReturnView(_LineActionView):
    form_class = ReturnForm

    def allowed(self, request, line):  # whether the line can still be returned is the service's to say
        worker = works_on(request.user, line.requisition.work_order)
        return may_take_back(request.user, line, worker, staff_of(request.user))

    def act(self, user, line, data):
        movement = service.line_return(line=line, quantity=data["quantity"], actor=user, reason=data["reason"])
        return _("%(quantity)s %(unit)s of %(item)s came back to %(wh)s; %(order)s is credited ¥%(amount)s.") % (
            _names(line, movement.quantity, wh=line.warehouse.name, amount=f"{movement.amount:.2f}")
        )


urlpatterns = [
    path("requisitions/", QueueView.as_view(), name="requisitions"),
    path("requisitions/<int:pk>/", RequisitionView.as_view(), name="requisition"),
    path("requisitions/lines/<int:pk>/approve/", LineApproveView.as_view(), name="line_approve"),
    path("requisitions/lines/<int:pk>/reject/", LineRejectView.as_view(), name="line_reject"),
    path("requisitions/lines/<int:pk>/issue/", LineIssueView.as_view(), name="line_issue"),
    path("requisitions/lines/<int:pk>/return/", LineReturnView.as_view(), name="line_return"),
    path("requisitions/orders/<int:order_pk>/search/", PartsSearchView.as_view(), name="parts_search"),
    path("requisitions/orders/<int:order_pk>/draft/", PartsDraftView.as_view(), name="parts_draft"),
    path("requisitions/orders/<int:order_pk>/new/", RequisitionCreateView.as_view(), name="requisition_create"),
]
