"""Reads of the equipment ledger."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

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


def plan_equipment(plan) -> QuerySet[Equipment]:
    """The items a plan covers now: the ones listed, and every item of its category (and the
    categories below) at its place. Retired and out-of-service items are not maintained."""

    scope = Q(pk__in=plan.equipment.values("pk"))
    if plan.category_id:
        place = Q(category_id__in=category_with_descendants(plan.category))
        if plan.location_id:
            place &= Q(location_id=plan.location_id)
        elif plan.building_id:
            place &= Q(location__building_id=plan.building_id)
        elif plan.campus_id:
            place &= Q(location__campus_id=plan.campus_id)
        scope |= place
    return (
        Equipment.objects.filter(scope)
        .exclude(status__in=[Equipment.Status.RETIRED, Equipment.Status.OUT_OF_SERVICE])
        .select_related("location", "department", "category")
        .order_by("code")
    )


def plans_active_on(day) -> QuerySet:
    """Plans that may have due dates on or after ``day``."""

    from .models import MaintenancePlan

    return MaintenancePlan.objects.filter(is_active=True).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))


# --- the ledger list, its export and its labels ----------------------------------------------------
LIST_RELATED = ("category", "location__campus", "location__building", "location__floor", "department",
                "maintainer_team", "maintainer_vendor")  # fmt: skip


def equipment_visible_to(user) -> QuerySet[Equipment]:
    """Items the user may list, export or print labels for: the whole ledger with the view
    permission (it is not scoped by team: every technician may look an item up), else nothing."""
    if not user.has_perm("equipment.view_equipment"):
        return Equipment.objects.none()
    return Equipment.objects.all()


def with_list_related(queryset: QuerySet[Equipment]) -> QuerySet[Equipment]:
    """``queryset`` with what a ledger row or a label shows, loaded in the same query."""
    return queryset.select_related(*LIST_RELATED)


def equipment_url(token: str) -> str:
    """The absolute URL an item's QR label encodes: a phone's camera opens it, and a keyboard-wedge
    scanner types it into /scan/, whose resolver takes ``/e/<token>`` under any host."""
    from django.conf import settings
    from django.urls import reverse

    return settings.PUBLIC_BASE_URL + reverse("equipment_landing", args=[token])


def plans_covering(item: Equipment) -> list:
    """The active plans that cover an item: the ones listing it, and the category plans whose
    category is the item's or above it and whose place contains the item's location."""
    from .models import MaintenancePlan

    chain = [c.pk for c in item.category.ancestors_and_self()]
    loc = item.location
    found = []
    candidates = (
        MaintenancePlan.objects.filter(is_active=True)
        .filter(Q(equipment=item) | Q(category_id__in=chain))
        .select_related("team")
    )
    for plan in candidates.distinct().order_by("code"):
        listed = plan.category_id is None or plan.category_id not in chain
        in_place = (
            (plan.location_id is None or (loc is not None and loc.pk == plan.location_id))
            and (plan.building_id is None or (loc is not None and loc.building_id == plan.building_id))
            and (plan.campus_id is None or (loc is not None and loc.campus_id == plan.campus_id))
        )
        if listed or in_place or plan.equipment.filter(pk=item.pk).exists():
            found.append(plan)
    return found


def status_before(item: Equipment, reference: str) -> str | None:
    """The status ``item`` had before the first change made under ``reference`` (a work order's
    number), or None when no change carries it."""
    from .models import StatusChange

    first = StatusChange.objects.filter(equipment=item, reference=reference).order_by("at", "pk").first()
    return first.from_status or None if first else None
