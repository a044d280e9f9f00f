"""The home page shows a keeper the parts below their minimum in the stores they keep (a manager
every store's), furthest below first; technicians, who order nothing, are not shown the list."""

from __future__ import annotations

import pytest

from spareparts.services import limits_set, receipt_post

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_home_page_lists_what_is_below_minimum_for_those_who_order_it(stores, client_as):
    receipt_post(warehouse=stores["bin_a"], lines=[(stores["cable"], "12", "2")], actor=stores["keeper"].user)
    limits_set(item=stores["cable"], warehouse=stores["bin_a"], minimum="100")  # 88 m short
    limits_set(item=stores["breaker"], warehouse=stores["bin_b"], minimum="4")  # 4 short
    limits_set(item=stores["contactor"], warehouse=stores["ward"], minimum="2")  # the other keeper's store
    home = client_as(stores["keeper"].user).get("/", **EN).content.decode()
    panel = home.split('data-panel="spareparts.below_minimum"')[1]
    assert panel.index("铜芯电线") < panel.index("空气开关")  # the furthest below first
    assert "交流接触器" not in panel  # not a store this keeper keeps
    assert "交流接触器" in client_as(stores["manager"]).get("/", **EN).content.decode()
    assert 'data-panel="spareparts.below_minimum"' not in client_as(stores["tech"].user).get("/").content.decode()
