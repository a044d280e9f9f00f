"""Navigation entries, QR landing actions and scan resolvers of the organization app."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from logistics.common.registries import MenuEntry, ScanResolver, menu, scan_resolvers

from . import qr, selectors

SECTION_ORG = _("Organization")

menu.register(
    MenuEntry(
        key="org.locations",
        label=_("Locations & QR labels"),
        description=_("Rooms and points of every campus; print their QR labels"),
        url_name="org:location_list",
        section=SECTION_ORG,
        icon="bi-qr-code",
        order=500,
        permissions=("org.view_location",),
    )
)
menu.register(
    MenuEntry(
        key="org.staff",
        label=_("Staff directory"),
        description=_("People of the teams you may see"),
        url_name="org:staff_list",
        section=SECTION_ORG,
        icon="bi-people",
        order=510,
        permissions=("org.view_staff",),
    )
)
menu.register(
    MenuEntry(
        key="org.scan",
        label=_("Scan a code"),
        description=_("Open the page of any printed QR code or barcode"),
        url_name="scan",
        section=_("Me"),
        icon="bi-upc-scan",
        order=20,
    )
)


def _resolve_location(code: str, user) -> str | None:
    token = qr.location_token_from_code(code)
    if token and selectors.location_by_token(token):
        return reverse("location_landing", args=[token])
    return None


scan_resolvers.register(ScanResolver(key="org.location", resolve=_resolve_location, order=10))
