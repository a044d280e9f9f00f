"""Panels the spare-parts app shows on other apps' pages: the parts of a work order (requisitions,
their lines, the cost charged, the technician's request form) and the parts an equipment item's
work orders used."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from logistics.common.registries import DetailPanel, detail_panels


def _render(wo, request) -> str:
    from .views.requisitions import render_panel

    return render_panel(wo, request)


def _visible(wo, request) -> bool:
    from .views.requisitions import panel_visible

    return panel_visible(wo, request)


def _equipment_parts(item, request) -> str:
    from django.template.loader import render_to_string

    from .selectors import parts_used_on

    rows, total = parts_used_on(item)
    return render_to_string("spareparts/partials/_parts_used_on_item.html", {"rows": rows, "total": total},
                            request=request)  # fmt: skip


def register() -> None:
    detail_panels.register(
        DetailPanel(
            key="spareparts.equipment_parts",
            target="equipment",
            title=_("Spare parts used"),
            order=15,
            render=_equipment_parts,
        )
    )
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
