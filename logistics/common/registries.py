"""Small registries that apps fill in ``AppConfig.ready()``.

They let a lower app show a higher app's things without importing it: menu entries (navbar and
home page), actions on the location/equipment QR landing pages, resolvers for codes scanned at
``/scan/``, and panels shown on another app's detail page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from django.urls import NoReverseMatch, reverse


class _Keyed(Protocol):
    key: str
    order: int


T = TypeVar("T", bound=_Keyed)


class Registry(Generic[T]):
    """An ordered set of items with unique keys. Registering a key twice is a programming error."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: dict[str, T] = {}

    def register(self, item: T) -> T:
        if item.key in self._items:
            raise ValueError(f"{self.name}: {item.key!r} is registered twice")
        self._items[item.key] = item
        return item

    def unregister(self, key: str) -> None:
        self._items.pop(key, None)

    def __iter__(self):
        return iter(sorted(self._items.values(), key=lambda i: (i.order, i.key)))

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> T | None:
        return self._items.get(key)


def user_roles(user: Any) -> frozenset[str]:
    """Names of the role groups of ``user``, read once per user object (one query per request)."""
    roles = getattr(user, "_logistics_roles", None)
    if roles is None:
        roles = frozenset(user.groups.values_list("name", flat=True)) if user.is_authenticated else frozenset()
        user._logistics_roles = roles
    return roles


def _user_allowed(user: Any, permissions: tuple[str, ...], roles: tuple[str, ...], staff_only: bool) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if staff_only and not user.is_staff:
        return False
    if permissions and not any(user.has_perm(p) for p in permissions):
        return False
    return not roles or bool(user_roles(user) & set(roles))


@dataclass(frozen=True)
class MenuEntry:
    """A page in the navigation. Shown to users who hold any of ``permissions`` (and any of
    ``roles`` when given); superusers see everything. ``section`` groups entries in the navbar."""

    key: str
    label: str
    url_name: str
    section: str
    icon: str = "bi-circle"
    description: str = ""
    order: int = 100
    permissions: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    staff_only: bool = False

    def visible_to(self, user: Any) -> bool:
        return _user_allowed(user, self.permissions, self.roles, self.staff_only)

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return self.url_name if self.url_name.startswith("/") else "#"


@dataclass(frozen=True)
class LandingAction:
    """A button on a QR landing page (location or equipment), e.g. "report a fault here".
    ``target`` names the landing page kind ("location", "equipment", ...); ``url_for(obj, user)``
    builds the link, ``visible(obj, user)`` decides whether to show it."""

    key: str
    target: str
    label: str
    url_for: Callable[[Any, Any], str]
    icon: str = "bi-circle"
    order: int = 100
    visible: Callable[[Any, Any], bool] = field(default=lambda obj, user: True)


@dataclass(frozen=True)
class ScanResolver:
    """Turns a scanned code into the URL of the page for it, or None if it is not this resolver's.
    Codes carry a prefix (``L:`` location, ``E:`` equipment, ``I:`` item, ...)."""

    key: str
    resolve: Callable[[str, Any], str | None]
    order: int = 100


@dataclass(frozen=True)
class DetailPanel:
    """A panel one app contributes to another app's detail page (``target`` = "app_label.model"),
    e.g. spare parts on the work-order page. ``render(obj, request)`` returns HTML."""

    key: str
    target: str
    title: str
    render: Callable[[Any, Any], str]
    order: int = 100
    visible: Callable[[Any, Any], bool] = field(default=lambda obj, request: True)


menu = Registry[MenuEntry]("menu")
landing_actions = Registry[LandingAction]("landing actions")
scan_resolvers = Registry[ScanResolver]("scan resolvers")
detail_panels = Registry[DetailPanel]("detail panels")


def menu_for(user: Any) -> list[MenuEntry]:
    """Menu entries ``user`` may open, in order."""
    return [entry for entry in menu if entry.visible_to(user)]


def menu_sections(entries: Iterable[MenuEntry]) -> list[tuple[str, list[MenuEntry]]]:
    """Group entries by section, keeping the order of first appearance."""
    sections: dict[str, list[MenuEntry]] = {}
    for entry in entries:
        sections.setdefault(str(entry.section), []).append(entry)
    return list(sections.items())


def landing_actions_for(target: str, obj: Any, user: Any) -> list[LandingAction]:
    return [a for a in landing_actions if a.target == target and a.visible(obj, user)]


def landing_links(target: str, obj: Any, user: Any) -> list[dict[str, Any]]:
    """The buttons of a landing page (``partials/_landing_actions.html``): each action and its URL."""
    return [{"action": a, "url": a.url_for(obj, user)} for a in landing_actions_for(target, obj, user)]


def resolve_scan(code: str, user: Any) -> str | None:
    """The URL for a scanned code: the first resolver that recognises it wins."""
    for resolver in scan_resolvers:
        url = resolver.resolve(code, user)
        if url:
            return url
    return None


def panels_for(target: str, obj: Any, request: Any) -> list[tuple[DetailPanel, str]]:
    return [(p, p.render(obj, request)) for p in detail_panels if p.target == target and p.visible(obj, request)]
