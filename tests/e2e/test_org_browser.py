"""In a real browser: the QR label sheet renders as A4 pages, and a phone opens a label's page."""

from __future__ import annotations

import random

import pytest

from logistics.org import demo
from logistics.org.models import Location
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_label_sheet_and_phone_landing(browser, live_server, transactional_db, settings):
    settings.OTP_RELAX_FOR_DEMO_ACCOUNTS = True  # the demo accounts, as in the one-command run
    demo.seed("small", random.Random(1))
    location = Location.objects.select_related("campus").filter(department__isnull=False).first()

    context = browser.new_context(viewport={"width": 1100, "height": 1400}, locale="zh-CN")
    page = context.new_page()
    try:
        _log_in(page, live_server, "dispatcher")
        page.goto(f"{live_server.url}/org/locations/labels/?campus={location.campus_id}")
        sheets = page.locator("section.sheet")
        assert sheets.count() >= 1
        # One A4 page is 210 mm wide: 793-794 CSS pixels at 96 dpi.
        width = page.evaluate("document.querySelector('section.sheet').getBoundingClientRect().width")
        assert 790 <= width <= 797
        assert page.locator(".label svg").count() == page.locator(".label").count() > 0
        page.screenshot(path=str(ARTIFACTS / "labels.png"))
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF")
    finally:
        context.close()

    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN")
    page = phone.new_page()
    try:
        _log_in(page, live_server, "requester")
        page.goto(f"{live_server.url}/l/{location.qr_token}")
        assert page.inner_text("#location-name").strip() == location.name
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(ARTIFACTS / "landing-360.png"), full_page=True)
        page.goto(f"{live_server.url}/scan/")
        page.fill("#scan-code", f"https://printed.example/l/{location.qr_token}")
        page.keyboard.press("Enter")  # what a keyboard-wedge scanner sends after the code
        page.wait_for_url(f"{live_server.url}/l/{location.qr_token}")
        page.goto(f"{live_server.url}/scan/?code=L:bogus")
        assert "未知的二维码" in page.inner_text("#unknown-code")
    finally:
        phone.close()


def test_inbox_badge_and_mark_read(
    browser, live_server, transactional_db, settings, django_capture_on_commit_callbacks
):
    from logistics.notifications.services import notify

    settings.OTP_RELAX_FOR_DEMO_ACCOUNTS = True
    demo.seed("small", random.Random(1))
    from django.contrib.auth import get_user_model

    technician = get_user_model().objects.get(username="technician")
    with django_capture_on_commit_callbacks(execute=False):  # delivery channels are not under test here
        notify(recipients=[technician], verb="test.dispatched", title="新工单：3 楼空调不制冷", body="请尽快到场")
        notify(recipients=[technician], verb="test.dispatched", title="新工单：电梯异响", level="warning")

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    try:
        _log_in(page, live_server, "technician")
        badge = page.locator("#notifications-unread-count [data-unread-count]")
        badge.wait_for()
        assert badge.get_attribute("data-unread-count") == "2"
        page.click("#notifications-badge")
        page.wait_for_url("**/notifications/")
        assert page.locator("[data-notification][data-read='0']").count() == 2
        page.screenshot(path=str(ARTIFACTS / "inbox.png"), full_page=True)
        page.locator("[data-notification][data-read='0'] [data-action='read']").first.click()
        page.wait_for_function("document.querySelectorAll(\"[data-notification][data-read='0']\").length === 1")
        # The badge refreshes on the notifications-changed event, without reloading the page.
        page.wait_for_function(
            "document.querySelector('#notifications-unread-count [data-unread-count]')?.dataset.unreadCount === '1'"
        )
        page.screenshot(path=str(ARTIFACTS / "inbox-after-read.png"), full_page=True)
    finally:
        context.close()
