"""Panels the spare-parts app shows on other apps' pages: the parts of a work order (requisitions,
their lines, the cost charged, the technician's request form)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from logistics.common.registries import DetailPanel, detail_panels


def _render(wo, request) -> str:
    from .views.requisitions import render_panel

    return render_panel(wo, request)


def _visible(wo, request) -> bool:
    from .views.requisitions import panel_visible

    return panel_visible(wo, request)


def register() -> None:
    detail_panels.register(
        DetailPanel(
            key="spareparts.parts",
            target="workorder",
            title=_("Spare parts"),
            order=20,
            render=_render,
            visible=_visible,
        )
    )
