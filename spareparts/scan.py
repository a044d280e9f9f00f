"""Printed and scanned codes of spare parts: the QR labels of parts and of bins, the barcodes
printed by vendors, and the part codes people type.

A part's label encodes ``<PUBLIC_BASE_URL>/spareparts/i/<token>``, a bin's (or any warehouse's)
``/spareparts/w/<token>``: a phone's camera opens the page at once, and ``/scan/`` (a keyboard-wedge
scanner, or a code typed by hand) resolves the same URL, ``I:<token>`` / ``W:<token>``, a vendor's
barcode, a part code or a warehouse code through the resolvers registered here."""

from __future__ import annotations

import re

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from logistics.common.registries import ScanResolver, scan_resolvers
from logistics.org.qr import label_token_from_code

from .models import Item, Warehouse

TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
ITEM_PATH = re.compile(r"^/spareparts/i/(?P<token>[A-Za-z0-9_-]{1,32})/?$")
WAREHOUSE_PATH = re.compile(r"^/spareparts/w/(?P<token>[A-Za-z0-9_-]{1,32})/?$")
MAX_CODE = 64  # the longest barcode or code an item or a warehouse holds


def item_label_url(item: Item) -> str:
    """The absolute URL a part's QR label encodes."""
    return settings.PUBLIC_BASE_URL + reverse("spareparts:item_label", args=[item.qr_token])


def warehouse_label_url(warehouse: Warehouse) -> str:
    """The absolute URL a bin's (or store's) QR label encodes."""
    return settings.PUBLIC_BASE_URL + reverse("spareparts:warehouse_label", args=[warehouse.qr_token])


def item_by_token(token: str | None) -> Item | None:
    if not token or not TOKEN.match(token):
        return None
    return Item.objects.filter(qr_token=token).first()


def warehouse_by_token(token: str | None) -> Warehouse | None:
    if not token or not TOKEN.match(token):
        return None
    return Warehouse.objects.filter(qr_token=token).first()


def item_from_code(code: str) -> Item | None:
    """The part a scanned or typed code names: its label (URL or ``I:<token>``), its barcode, or its
    code (any case). None when no part has it."""
    code = (code or "").strip()
    if not code or len(code) > 500:
        return None
    token = label_token_from_code(code, prefix="I", path=ITEM_PATH)
    if token:
        return item_by_token(token)
    if len(code) > MAX_CODE:
        return None
    return _item_by_barcode_or_code(code)


def _item_by_barcode_or_code(code: str) -> Item | None:
    """A barcode is what a scanner reads, so it wins over a part whose code happens to be the same."""
    found = list(Item.objects.filter(Q(barcode=code) | Q(code__iexact=code)).select_related("category")[:3])
    return next((i for i in found if i.barcode == code), None) or (found[0] if found else None)


def warehouse_from_code(code: str) -> Warehouse | None:
    """The warehouse a scanned label (URL or ``W:<token>``) or a typed warehouse code names."""
    code = (code or "").strip()
    if not code or len(code) > 500:
        return None
    token = label_token_from_code(code, prefix="W", path=WAREHOUSE_PATH)
    if token:
        return warehouse_by_token(token)
    if len(code) > MAX_CODE:
        return None
    return Warehouse.objects.filter(code__iexact=code).first()


def warehouse_page_for(warehouse: Warehouse, user) -> str:
    """Where a scanned bin takes this user: its page, or (for those who may see stock but not the
    warehouse pages, such as technicians) the stock list of that bin."""
    if not user.has_perm("spareparts.view_warehouse") and user.has_perm("spareparts.view_balance"):
        return reverse("spareparts:stock") + f"?warehouse={warehouse.pk}"
    return warehouse.get_absolute_url()


def _resolve_label(code: str, user) -> str | None:
    """Printed QR labels of parts and warehouses (any host: an old base URL still resolves)."""
    token = label_token_from_code(code, prefix="I", path=ITEM_PATH)
    if token:
        item = item_by_token(token)
        return item.get_absolute_url() if item else None
    token = label_token_from_code(code, prefix="W", path=WAREHOUSE_PATH)
    if token:
        warehouse = warehouse_by_token(token)
        return warehouse_page_for(warehouse, user) if warehouse else None
    return None


def _resolve_code(code: str, user) -> str | None:
    """A vendor's barcode or a part code (then a warehouse code) typed or scanned. Registered
    after the other apps' resolvers, so their prefixed codes are never taken for parts."""
    code = (code or "").strip()
    if not code or len(code) > MAX_CODE or "://" in code:
        return None
    item = _item_by_barcode_or_code(code)
    if item is not None:
        return item.get_absolute_url()
    warehouse = Warehouse.objects.filter(code__iexact=code).first()
    return warehouse_page_for(warehouse, user) if warehouse else None


def register() -> None:
    scan_resolvers.register(ScanResolver(key="spareparts.label", resolve=_resolve_label, order=40))
    scan_resolvers.register(ScanResolver(key="spareparts.code", resolve=_resolve_code, order=90))
