"""Template context every page needs: navigation and version."""

from __future__ import annotations

from django.http import HttpRequest

import logistics

from .registries import menu_for, menu_sections


def platform(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    entries = menu_for(user) if user is not None else []
    return {"nav_sections": menu_sections(entries), "app_version": logistics.__version__}
