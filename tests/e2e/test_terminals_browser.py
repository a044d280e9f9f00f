"""In a real browser: the terminal list shows live states and refreshes itself; a terminal's page
shows its runs after a sync against the simulator."""

from __future__ import annotations

import pytest

from devices.services import terminal_pull, terminal_register
from logistics.org.services import roles_sync
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def test_terminal_pages(page, live_server, transactional_db, make_user, terminal_simulator, settings):
    roles_sync()
    admin = make_user("att-admin", roles=("attendance_admin",))
    settings.OTP_RELAX_FOR_DEMO_ACCOUNTS = False
    from django_otp.plugins.otp_totp.models import TOTPDevice

    sim = terminal_simulator(users=10, history_days=2, seed=3, bad_date_records=1)
    online = terminal_register(name="门诊楼一层", host="127.0.0.1", port=sim.port)
    terminal_pull(terminal=online)
    offline = terminal_register(name="动力中心", host="127.0.0.1", port=1)
    terminal_pull(terminal=offline)

    # attendance_admin needs two-factor: enrol by the seed of a known device, then verify in the browser.
    device = TOTPDevice.objects.create(user=admin, name="app", confirmed=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", admin.username)
    page.fill("input[name=password]", admin.raw_password)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/2fa/verify/**")
    from django_otp.oath import TOTP

    page.fill("input[name=token]", f"{TOTP(device.bin_key).token():06d}")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/terminals/")
    assert page.locator(f"tr[data-terminal='{online.pk}'] [data-state='online']").count() == 1
    assert page.locator(f"tr[data-terminal='{offline.pk}'] [data-state='offline']").count() == 1
    page.screenshot(path=str(ARTIFACTS / "terminals.png"), full_page=True)

    page.click(f"text={online.name}")
    page.wait_for_url(f"**/terminals/{online.pk}/")
    assert "已完成" in page.inner_text("#runs")
    assert "日期不存在" in page.inner_text("#quarantined")
    page.screenshot(path=str(ARTIFACTS / "terminal-detail.png"), full_page=True)
