"""The keepers' operations on stock: receive (several lines), adjust with a reason, transfer in
two steps (ship, then receive at the destination), with the pages of receipts and transfers.

Each operation needs its model permission and a warehouse the user keeps (``can_keep``); others
get 403. Bad input shows the service's translated message, keeps what was typed and changes
nothing. A form carries a submission key: a second click or a re-posted form records nothing
more (a lease row committed with the document, see ``submit_once``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Count, DecimalField, F, IntegerField, Q, Sum, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from logistics.common.errors import DomainError
from logistics.common.leases import lease_acquire
from logistics.common.paging import SlicePage

from ..filters import TransferFilter
from ..forms import AdjustForm, ReceiptForm, ReceiptLineForm, TransferForm, TransferLineForm, line_formset
from ..ledger import money
from ..models import Balance, Item, Receipt, Requisition, Stocktake, Transfer
from ..permissions import can_keep, kept_warehouse_ids
from ..scan import item_from_code
from ..selectors import warehouse_subtree_ids
from ..services import receipt_post, stock_adjust, transfer_receive, transfer_ship
from .stock import query_of, tidy, url_or_none

SUBMISSION_TTL = timedelta(days=2)


class AlreadySubmitted(Exception):
    """The form with this submission key was recorded before; ``url`` shows what it made."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def submit_once(form, action: Callable[[], str], *, fallback: str) -> str:
    """Run ``action`` (it returns the URL of what it recorded) once per submission key of ``form``.

    The key is claimed as a lease row in the same transaction as the document: a second post of
    the form waits for the first to commit and is then refused; if the first fails (bad input,
    not enough stock) nothing is committed, the key included, so the corrected form goes through."""
    name = f"spareparts.form.{form.cleaned_data['submission_key']}"
    with transaction.atomic():
        if not lease_acquire(name=name, holder=uuid.uuid4().hex, ttl=SUBMISSION_TTL):
            raise AlreadySubmitted(cache.get(name) or fallback)
        url = action()
    cache.set(name, url, int(SUBMISSION_TTL.total_seconds()))
    return url


def _already(request: HttpRequest, exc: AlreadySubmitted) -> HttpResponse:
    messages.info(request, _("This form had already been sent: it was recorded once, not twice."))
    return HttpResponseRedirect(exc.url)


class KeeperMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """An operation for keepers: the model permission and at least one warehouse kept."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.has_permission():
            self.kept = kept_warehouse_ids(request.user)
            if self.kept is not None and not self.kept:
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def kept_or_403(self, pk: str | None) -> int | None:
        """A warehouse id from the query string, if the user keeps it (else 403)."""
        if not pk or not pk.isdigit():
            return None
        if self.kept is not None and int(pk) not in self.kept:
            raise PermissionDenied
        return int(pk)


def _item_initial(request: HttpRequest) -> list[dict]:
    pk = request.GET.get("item")
    item = Item.objects.filter(pk=pk).first() if pk and pk.isdigit() else None
    return [{"item": item.code}] if item else []


# --- receipts ------------------------------------------------------------------------------------
class ReceiptCreateView(KeeperMixin, View):
    """Receive parts into a warehouse the user keeps: several lines (part by code or barcode,
    quantity, unit cost), the vendor and the delivery note."""

    permission_required = "spareparts.add_receipt"
    http_method_names = ["get", "post"]
    template_name = "spareparts/op_receipt_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ReceiptForm(kept=self.kept, initial={"warehouse": self.kept_or_403(request.GET.get("warehouse"))})
        return render(request, self.template_name, {"form": form, "lines": line_formset(
            ReceiptLineForm, initial=_item_initial(request))})  # fmt: skip

    def post(self, request: HttpRequest) -> HttpResponse:
        form, lines = ReceiptForm(request.POST, kept=self.kept), line_formset(ReceiptLineForm, request.POST)
        if form.is_valid() and lines.is_valid():
            data = form.cleaned_data

            def post() -> str:
                receipt = receipt_post(warehouse=data["warehouse"], lines=lines.lines(), actor=request.user,
                                       vendor=data["vendor"], reference=data["reference"],
                                       note=data["note"])  # fmt: skip
                messages.success(request, _("Receipt %(number)s posted.") % {"number": receipt.number})
                return reverse("spareparts:receipt", args=[receipt.pk])

            try:
                return HttpResponseRedirect(submit_once(form, post, fallback=reverse("spareparts:receipts")))
            except AlreadySubmitted as exc:
                return _already(request, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
        return render(request, self.template_name, {"form": form, "lines": lines})


class ReceiptView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "spareparts.view_receipt"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        receipt = get_object_or_404(Receipt.objects.select_related("warehouse__campus", "vendor", "received_by"), pk=pk)
        lines = list(receipt.lines.select_related("item").order_by("pk"))
        for line in lines:
            line.amount = money(line.quantity * line.unit_cost)
        total = sum((line.amount for line in lines), Decimal(0))
        tidy(lines, "quantity", "unit_cost")
        return render(request, "spareparts/op_receipt_detail.html", {"receipt": receipt, "lines": lines,
                                                                      "total": total})  # fmt: skip


class ReceiptListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Receipts, newest first, by warehouse (with what is below it) and number, vendor or note."""

    permission_required = "spareparts.view_receipt"
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        receipts = Receipt.objects.select_related("warehouse", "vendor", "received_by").annotate(
            line_count=Count("lines"),
            value=Sum(F("lines__quantity") * F("lines__unit_cost"), output_field=DecimalField()),
        )
        search = (request.GET.get("q") or "").strip()[:60]
        if search:
            receipts = receipts.filter(Q(number__icontains=search) | Q(reference__icontains=search)
                                       | Q(vendor__name__icontains=search) | Q(note__icontains=search))  # fmt: skip
        warehouse = request.GET.get("warehouse")
        if warehouse and warehouse.isdigit():
            receipts = receipts.filter(warehouse_id__in=warehouse_subtree_ids(int(warehouse)))
        page = SlicePage(receipts.order_by("-received_at", "-pk"), request.GET.get("page"))
        context = {"page": page, "receipts": page.object_list, "query": query_of(request), "search": search,
                   "may_receive": request.user.has_perm("spareparts.add_receipt")}  # fmt: skip
        return render(request, "spareparts/op_receipt_list.html", context)


# --- adjustments -----------------------------------------------------------------------------------
class AdjustView(KeeperMixin, View):
    """Correct the stock of a part in a warehouse the user keeps by a signed change, with a reason
    (damaged, expired, found). ``?item=<id>&warehouse=<id>`` preselects both."""

    permission_required = "spareparts.add_movement"
    http_method_names = ["get", "post"]
    template_name = "spareparts/op_adjust.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        warehouse = self.kept_or_403(request.GET.get("warehouse"))
        initial = _item_initial(request)
        form = AdjustForm(kept=self.kept, initial={"warehouse": warehouse, **(initial[0] if initial else {})})
        return self.page(request, form, request.GET.get("item") or "", warehouse)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AdjustForm(request.POST, kept=self.kept)
        if form.is_valid():
            item, warehouse, data = form.cleaned_data["item"], form.cleaned_data["warehouse"], form.cleaned_data

            def adjust() -> str:
                movement = stock_adjust(item=item, warehouse=warehouse, change=data["change"], reason=data["reason"],
                                        actor=request.user)  # fmt: skip
                values = {"item": item.name, "wh": warehouse.name, "change": f"{movement.quantity.normalize():+f}",
                          "unit": item.unit, "on_hand": format(movement.on_hand_after.normalize(), "f")}  # fmt: skip
                messages.success(request, _("%(item)s in %(wh)s changed by %(change)s %(unit)s: %(on_hand)s on "
                                            "hand now.") % values)  # fmt: skip
                return item.get_absolute_url() + "#balances"

            try:
                return HttpResponseRedirect(submit_once(form, adjust, fallback=item.get_absolute_url()))
            except AlreadySubmitted as exc:
                return _already(request, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
        item, warehouse = form.cleaned_data.get("item"), form.cleaned_data.get("warehouse")
        return self.page(request, form, item, warehouse and warehouse.pk)

    def page(self, request: HttpRequest, form: AdjustForm, item, warehouse_id) -> HttpResponse:
        """The form, with the stock it would change when the part and the warehouse are known."""
        if isinstance(item, str):
            item = Item.objects.filter(pk=item).first() if item.isdigit() else None
        balance = None
        if item is not None and warehouse_id:
            balance = Balance.objects.filter(item=item, warehouse_id=warehouse_id).select_related("warehouse").first()
            tidy([balance] if balance else [])
        return render(request, self.template_name, {"form": form, "balance": balance, "item": item})


# --- transfers -------------------------------------------------------------------------------------
class TransferCreateView(KeeperMixin, View):
    """Ship parts from a warehouse the user keeps to another: the stock is in transit until the
    destination's keeper receives it."""

    permission_required = "spareparts.add_transfer"
    http_method_names = ["get", "post"]
    template_name = "spareparts/op_transfer_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = TransferForm(kept=self.kept, initial={"source": self.kept_or_403(request.GET.get("source"))})
        return render(request, self.template_name, {"form": form, "lines": line_formset(
            TransferLineForm, initial=_item_initial(request))})  # fmt: skip

    def post(self, request: HttpRequest) -> HttpResponse:
        form, lines = TransferForm(request.POST, kept=self.kept), line_formset(TransferLineForm, request.POST)
        if form.is_valid() and lines.is_valid():
            data = form.cleaned_data

            def ship() -> str:
                transfer = transfer_ship(source=data["source"], destination=data["destination"], lines=lines.lines(),
                                         actor=request.user, note=data["note"])  # fmt: skip
                messages.success(request, _("Transfer %(number)s shipped: the parts are in transit to %(wh)s.")
                                 % {"number": transfer.number, "wh": transfer.destination.name})  # fmt: skip
                return reverse("spareparts:transfer", args=[transfer.pk])

            try:
                return HttpResponseRedirect(submit_once(form, ship, fallback=reverse("spareparts:transfers")))
            except AlreadySubmitted as exc:
                return _already(request, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
        return render(request, self.template_name, {"form": form, "lines": lines})


class TransferListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Transfers: those in transit first (oldest first: they are waiting), then the received ones."""

    permission_required = "spareparts.view_transfer"
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        transfers = Transfer.objects.select_related("source", "destination", "shipped_by", "received_by").annotate(
            line_count=Count("lines"), value=Sum("lines__amount"),
            waiting=Case(When(state=Transfer.State.IN_TRANSIT, then=Value(0)), default=Value(1),
                         output_field=IntegerField()),
        )  # fmt: skip
        filterset = TransferFilter(request.GET or None, queryset=transfers)
        ordered = filterset.qs.order_by("waiting", Case(When(waiting=0, then=F("shipped_at"))),
                                        F("received_at").desc(nulls_last=True), "-pk")  # fmt: skip
        page = SlicePage(ordered, request.GET.get("page"))
        kept = kept_warehouse_ids(request.user)
        for transfer in page.object_list:
            transfer.mine = transfer.state == Transfer.State.IN_TRANSIT and (kept is None or transfer.destination_id
                                                                             in kept)  # fmt: skip
        context = {"filter": filterset, "page": page, "transfers": page.object_list, "query": query_of(request),
                   "may_ship": request.user.has_perm("spareparts.add_transfer")}  # fmt: skip
        return render(request, "spareparts/op_transfer_list.html", context)


class TransferView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "spareparts.view_transfer"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        transfer = get_object_or_404(
            Transfer.objects.select_related("source__campus", "destination__campus", "shipped_by", "received_by"),
            pk=pk,
        )
        lines = tidy(list(transfer.lines.select_related("item").order_by("pk")), "quantity")
        may_receive = (transfer.state == Transfer.State.IN_TRANSIT and request.user.has_perm(
            "spareparts.change_transfer") and can_keep(request.user, transfer.destination))  # fmt: skip
        context = {"transfer": transfer, "lines": lines, "may_receive": may_receive,
                   "total": sum((line.amount for line in lines), Decimal(0))}  # fmt: skip
        return render(request, "spareparts/op_transfer_detail.html", context)


class TransferReceiveView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The destination's keeper receives a transfer in transit, once (a second click is told so)."""

    permission_required = "spareparts.change_transfer"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        transfer = get_object_or_404(Transfer.objects.select_related("destination"), pk=pk)
        if not can_keep(request.user, transfer.destination):
            raise PermissionDenied
        try:
            transfer_receive(transfer=transfer, actor=request.user)
        except DomainError as exc:
            messages.warning(request, exc.message)
        else:
            messages.success(request, _("Transfer %(number)s received into %(wh)s.")
                             % {"number": transfer.number, "wh": transfer.destination.name})  # fmt: skip
        return redirect("spareparts:transfer", pk=transfer.pk)


# --- small helpers of the forms and the ledger -------------------------------------------------------
class ItemLookupView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """What a typed or scanned code names (htmx, beside a line): the part, its unit and, with
    ``warehouse``, what is available there; or that no part has this code."""

    permission_required = "spareparts.view_item"
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        code = request.GET.get("code") or next((v for k, v in request.GET.items() if k.endswith("-item")), "")
        item = item_from_code(code) if code.strip() else None
        balance = None
        place = request.GET.get("warehouse") or request.GET.get("source")
        if item is not None and place and place.isdigit():
            balance = Balance.objects.filter(item=item, warehouse_id=place).first()
            tidy([balance] if balance else [])
        context = {"item": item, "code": code.strip()[:64], "balance": balance}
        return render(request, "spareparts/partials/_stock_lookup.html", context)


class DocumentView(LoginRequiredMixin, View):
    """The page of a document by its number, as the ledger shows it (RC receipt, TR transfer,
    ST stocktake, RQ requisition)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        prefix, url = number[:3].upper(), None
        if prefix == "RC-":
            receipt = Receipt.objects.filter(number=number).only("pk").first()
            url = receipt and reverse("spareparts:receipt", args=[receipt.pk])
        elif prefix == "TR-":
            transfer = Transfer.objects.filter(number=number).only("pk").first()
            url = transfer and reverse("spareparts:transfer", args=[transfer.pk])
        elif prefix == "ST-":
            take = Stocktake.objects.filter(number=number).only("pk").first()
            url = take and url_or_none("spareparts:stocktake", take.pk)
        elif prefix == "RQ-":
            requisition = Requisition.objects.filter(number=number).only("pk", "work_order_id").first()
            url = requisition and (url_or_none("spareparts:requisition", requisition.pk)
                                   or url_or_none("workorders:detail", requisition.work_order_id))  # fmt: skip
        if not url:
            raise Http404
        return HttpResponseRedirect(url)


urlpatterns = [
    path("receipts/", ReceiptListView.as_view(), name="receipts"),
    path("receipts/new/", ReceiptCreateView.as_view(), name="receipt_new"),
    path("receipts/<int:pk>/", ReceiptView.as_view(), name="receipt"),
    path("adjust/", AdjustView.as_view(), name="adjust"),
    path("transfers/", TransferListView.as_view(), name="transfers"),
    path("transfers/new/", TransferCreateView.as_view(), name="transfer_new"),
    path("transfers/<int:pk>/", TransferView.as_view(), name="transfer"),
    path("transfers/<int:pk>/receive/", TransferReceiveView.as_view(), name="transfer_receive"),
    path("lookup/", ItemLookupView.as_view(), name="item_lookup"),
    path("documents/<str:number>/", DocumentView.as_view(), name="document"),
]
