"""The registries apps fill in AppConfig.ready()."""

from __future__ import annotations

import pytest

from logistics.common.registries import (
    MenuEntry,
    Registry,
    ScanResolver,
    menu,
    menu_for,
    resolve_scan,
    scan_resolvers,
)


def test_registering_a_key_twice_is_an_error():
    registry = Registry[MenuEntry]("test")
    entry = MenuEntry(key="a", label="A", url_name="home", section="S")
    registry.register(entry)
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(entry)


def test_entries_come_out_in_order():
    registry = Registry[MenuEntry]("test")
    registry.register(MenuEntry(key="late", label="L", url_name="home", section="S", order=20))
    registry.register(MenuEntry(key="early", label="E", url_name="home", section="S", order=10))
    assert [e.key for e in registry] == ["early", "late"]


def test_menu_respects_roles_and_permissions(make_user):
    entry = MenuEntry(key="test.couriers", label="C", url_name="home", section="S", roles=("courier",))
    menu.register(entry)
    try:
        courier = make_user("c1", roles=("courier",))
        nurse = make_user("n1", roles=("requester",))
        assert entry in menu_for(courier)
        assert entry not in menu_for(nurse)
    finally:
        menu.unregister(entry.key)


def test_scan_resolves_through_the_first_matching_resolver(db):
    scan_resolvers.register(
        ScanResolver(key="test.x", resolve=lambda code, user: "/x/1/" if code.startswith("X:") else None)
    )
    try:
        assert resolve_scan("X:abc", None) == "/x/1/"
        assert resolve_scan("unknown", None) is None
    finally:
        scan_resolvers.unregister("test.x")
