"""Reads of the equipment ledger."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from logistics.org.qr import label_token_from_code

from .models import Category, Equipment

TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
LABEL_PATH = re.compile(r"^/e/(?P<token>[A-Za-z0-9_-]{1,32})/?$")


def token_from_code(code: str) -> str | None:
    """The equipment token in a scanned code: ``/e/<token>`` or ``E:<token>``."""
    return label_token_from_code(code, prefix="E", path=LABEL_PATH)


def equipment_by_token(token: str | None) -> Equipment | None:
    """The item whose label this is (retired items too: an old label still opens its history)."""
    if not token or not TOKEN.match(token):
        return None
    return (
        Equipment.objects.select_related("category", "location__campus", "location__building", "department")
        .filter(qr_token=token)
        .first()
    )


def category_with_descendants(category: Category) -> list[int]:
    """The ids of a category and every category below it (for "all HVAC equipment")."""
    ids, frontier = {category.pk}, [category.pk]
    while frontier:
        frontier = list(
            Category.objects.filter(parent_id__in=frontier).exclude(pk__in=ids).values_list("pk", flat=True)
        )
        ids.update(frontier)
    return sorted(ids)


def equipment_at(location) -> QuerySet[Equipment]:
    return Equipment.objects.filter(location=location).exclude(status=Equipment.Status.RETIRED).order_by("code")
