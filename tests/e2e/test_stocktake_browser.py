"""A keeper counts a bin on a phone, in a real browser: start, count a line while a receipt arrives,
scan a part that is not on the sheet, submit; each count swaps its line in place (htmx) and the
page stays within the phone's width."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from spareparts.models import Stocktake
from spareparts.services import receipt_post
from tests.conftest import ARTIFACTS
from tests.e2e import conftest as e2e
from tests.spareparts.conftest import bin_a_stock, stores  # noqa: F401 - the spare-parts world, fixtures

D = Decimal


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_a_keeper_counts_a_bin_on_a_phone(browser, live_server, transactional_db, bin_a_stock):  # noqa: F811
    """Start, count a line while a receipt arrives, scan a part that is not listed, submit: each
    count swaps its line in place (htmx) and the page stays within the phone's width."""
    s = bin_a_stock
    s["keeper"].user.set_password(e2e.PASSWORD)
    s["keeper"].user.save()
    page = e2e.phone_logged_in(browser, live_server, "keeper")

    def shot(name):
        assert page.evaluate("document.documentElement.scrollWidth") <= e2e.PHONE["width"], page.url
        page.screenshot(path=str(ARTIFACTS / f"stocktake-{name}.png"), full_page=True)

    page.goto(f"{live_server.url}{reverse('spareparts:stocktakes')}")
    page.select_option("#stocktake-start select[name=warehouse]", str(s["bin_a"].pk))
    page.click("#stocktake-start-submit")
    page.locator("#stocktake-sheet").wait_for()
    take = Stocktake.objects.get()
    shot("1-sheet")

    receipt_post(warehouse=s["bin_a"], lines=[(s["contactor"], "5", "40")], actor=s["keeper"].user)
    line = page.locator('li[data-item="P-0001"]')
    line.locator("input[name=counted]").fill("14")
    line.locator('button[data-action="count"]').click()
    page.locator('li[data-item="P-0001"][data-counted="14"] [data-difference="-1"]').wait_for()
    # the progress above the sheet follows (an out-of-band swap with the line)
    assert page.get_attribute("#stocktake-progress [role=progressbar]", "aria-valuenow") == "1"

    page.fill("#scan-code", "P-0003")
    page.fill("#stocktake-scan input[name=counted]", "2.5")
    page.press("#stocktake-scan input[name=counted]", "Enter")
    page.locator('li[data-item="P-0003"][data-counted="2.500"]').wait_for()
    assert page.evaluate("document.activeElement.id") == "scan-code"  # ready for the next scan
    breaker = page.locator('li[data-item="P-0002"]')
    breaker.locator("input[name=counted]").fill("5")
    breaker.locator('button[data-action="count"]').click()
    page.locator('li[data-item="P-0002"][data-counted="5"]').wait_for()
    shot("2-counted")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#stocktake-submit")
    page.locator('#stocktake-state[data-state="submitted"]').wait_for()
    page.locator("#stocktake-review").wait_for()
    shot("3-review")
    take.refresh_from_db()
    assert take.state == Stocktake.State.SUBMITTED
    assert {line.item.code: line.difference for line in take.lines.select_related("item")} == {
        "P-0001": D("-1"),
        "P-0002": D("0"),
        "P-0003": D("2.5"),
    }
