"""The home-page panel of the spare-parts app: the parts furthest below their minimum in the
warehouses the user looks after (every warehouse for managers), with the way to the reorder list."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from logistics.common.registries import DetailPanel, detail_panels


def _visible(user, request) -> bool:
    from .reports import can_view_reports

    return can_view_reports(user)


def _render(user, request) -> str:
    from .views.reports import below_minimum_panel

    return below_minimum_panel(request)


def register() -> None:
    detail_panels.register(
        DetailPanel(
            key="spareparts.below_minimum",
            target="home",
            title=_("Below minimum"),
            order=40,
            render=_render,
            visible=_visible,
        )
    )
