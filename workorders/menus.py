"""Navigation entries, QR landing actions and the scan resolver of the work-orders app."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from logistics.common.registries import (
    DetailPanel,
    LandingAction,
    MenuEntry,
    ScanResolver,
    detail_panels,
    landing_actions,
    menu,
    scan_resolvers,
)
from logistics.org.roles import DISPATCHER, MANAGER, SYSADMIN, TEAM_LEAD, TECHNICIAN

SECTION = _("Work orders")
NUMBER = re.compile(r"^WO-\d{8}-\d{4,}$", re.IGNORECASE)


def register() -> None:
    entries = [
        MenuEntry(key="workorders.new", label=_("Report a fault"), url_name="workorders:new", section=SECTION,
                  icon="bi-tools", order=200, description=_("Ask for a repair: what, where, a photo")),
        MenuEntry(key="workorders.my_requests", label=_("My repair requests"), url_name="workorders:my_requests",
                  section=SECTION, icon="bi-card-list", order=205,
                  description=_("Follow what you reported; verify and rate finished work")),
        MenuEntry(key="workorders.my_tasks", label=_("My tasks"), url_name="workorders:my_tasks", section=SECTION,
                  icon="bi-wrench-adjustable", order=210, roles=(TECHNICIAN, TEAM_LEAD),
                  description=_("Orders given to you: accept, arrive, complete")),
        MenuEntry(key="workorders.board", label=_("Dispatch board"), url_name="workorders:board", section=SECTION,
                  icon="bi-kanban", order=215, permissions=("workorders.change_workorder",),
                  description=_("Waiting and overdue orders, who is on duty and how loaded")),
        MenuEntry(key="workorders.list", label=_("All work orders"), url_name="workorders:list", section=SECTION,
                  icon="bi-list-check", order=220, permissions=("workorders.view_workorder",),
                  description=_("Search, filter and export work orders")),
        MenuEntry(key="workorders.kpis", label=_("Work-order KPIs"), url_name="workorders:kpis", section=SECTION,
                  icon="bi-speedometer2", order=225, permissions=("workorders.view_workorder",),
                  roles=(MANAGER, DISPATCHER, TEAM_LEAD, SYSADMIN),
                  description=_("Response, resolution, first-time fix, satisfaction against the targets")),
    ]  # fmt: skip
    for entry in entries:
        menu.register(entry)
    landing_actions.register(
        LandingAction(
            key="workorders.report_here",
            target="location",
            label=_("Report a fault here"),
            icon="bi-tools",
            order=10,
            url_for=lambda loc, user: reverse("workorders:new") + "?" + urlencode({"location": loc.qr_token}),
        )
    )
    landing_actions.register(
        LandingAction(
            key="workorders.arrive_here",
            target="location",
            label=_("I have arrived for my work order"),
            icon="bi-geo-alt-fill",
            order=5,
            url_for=lambda loc, user: reverse("workorders:arrive_here", args=[loc.qr_token]),
            visible=_has_arrivable,
        )
    )
    landing_actions.register(
        LandingAction(
            key="workorders.report_item",
            target="equipment",
            label=_("Report a fault on this item"),
            icon="bi-tools",
            order=10,
            url_for=lambda item, user: reverse("workorders:new") + "?" + urlencode({"equipment": item.qr_token}),
            visible=lambda item, user: item.status != "retired",
        )
    )
    landing_actions.register(
        LandingAction(
            key="workorders.arrive_at_item",
            target="equipment",
            label=_("I have arrived for my work order"),
            icon="bi-geo-alt-fill",
            order=5,
            url_for=lambda item, user: reverse("workorders:arrive_at_item", args=[item.qr_token]),
            visible=_has_arrivable_at_item,
        )
    )
    detail_panels.register(
        DetailPanel(
            key="workorders.equipment_history",
            target="equipment",
            title=_("Work orders"),
            order=10,
            render=_equipment_orders,
        )
    )
    detail_panels.register(
        DetailPanel(
            key="workorders.equipment_maintenance",
            target="equipment",
            title=_("Maintenance and inspections"),
            order=20,
            render=_equipment_maintenance,
        )
    )
    scan_resolvers.register(ScanResolver(key="workorders.number", resolve=_resolve_number, order=30))


def _has_arrivable_at_item(item, user) -> bool:
    from .views.detail import arrivable_orders

    return bool(arrivable_orders(user, item.location, item))


def _equipment_orders(item, request) -> str:
    """The item's work orders (the newest 20): its repairs and the planned orders that covered it,
    with the totals behind its cost. A planned order over several items counts at this item's
    share (labour and parts divided by the items it covered)."""
    from django.db.models import Count, F, FloatField, OuterRef, Q, Subquery, Sum
    from django.db.models.functions import Cast
    from django.template.loader import render_to_string

    from .models import Occurrence
    from .selectors import orders_visible_to

    covered = Occurrence.objects.filter(equipment=item).values("work_order_id")
    orders = orders_visible_to(request.user).filter(Q(equipment=item) | Q(pk__in=covered))
    items = Subquery(
        Occurrence.objects.filter(work_order=OuterRef("pk"))
        .values("work_order")
        .annotate(n=Count("equipment", distinct=True))
        .values("n")
    )
    shared = orders.exclude(equipment=item).annotate(items=Cast(items, FloatField()))
    own = orders.filter(equipment=item).aggregate(
        count=Count("pk"), labour=Sum("labour_minutes"), parts=Sum("parts_cost")
    )
    part = shared.aggregate(
        count=Count("pk"),
        labour=Sum(Cast(F("labour_minutes"), FloatField()) / F("items")),
        parts=Sum(Cast(F("parts_cost"), FloatField()) / F("items")),
    )
    totals = {
        "count": own["count"] + part["count"],
        "labour": round((own["labour"] or 0) + (part["labour"] or 0)),
        "parts": f"{float(own['parts'] or 0) + (part['parts'] or 0):.2f}",
        "shared": part["count"],
    }
    recent = orders.select_related("category", "assignee").order_by("-submitted_at")[:20]
    return render_to_string("workorders/partials/_equipment_orders.html",
                            {"orders": recent, "totals": totals}, request=request)  # fmt: skip


def _has_arrivable(location, user) -> bool:
    from .views.detail import arrivable_orders

    return bool(arrivable_orders(user, location))


def _resolve_number(code: str, user) -> str | None:
    from .selectors import orders_visible_to

    code = code.strip().upper()
    if not NUMBER.match(code):
        return None
    wo = orders_visible_to(user).filter(number=code).only("pk").first()
    return reverse("workorders:detail", args=[wo.pk]) if wo else None


def _equipment_maintenance(item, request) -> str:
    """The plans covering the item, its recent occurrences (done on time, late, missed, due) and the
    checklist lines it failed, with their repair orders."""
    from django.template.loader import render_to_string

    from equipment.selectors import plans_covering

    from .maintenance_selectors import failed_entries_of_item, occurrences_of_item

    return render_to_string("workorders/partials/_equipment_maintenance.html", {
        "plans": plans_covering(item),
        "occurrences": list(occurrences_of_item(item)[:20]),
        "failed": failed_entries_of_item(item, limit=10),
    }, request=request)  # fmt: skip
