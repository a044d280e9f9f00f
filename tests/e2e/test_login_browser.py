"""A person opens the site in a browser, logs in, and sees the home page (desktop and phone)."""

from __future__ import annotations

import pytest

from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def _log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", user.raw_password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _totp_now(secret_b32: str) -> str:
    """The code an authenticator app would show now for this key."""
    import base64

    from django_otp.oath import TOTP

    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    return f"{TOTP(key).token():06d}"


def test_login_enrol_two_factor_and_home_in_chinese(page, live_server, transactional_db, make_user, settings):
    settings.OTP_RELAX_FOR_DEMO_ACCOUNTS = False
    user = make_user("zhao", display_name="赵六", is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.title().startswith("登录")
    # Locally served Bootstrap is applied (the button is styled, not a bare browser button).
    assert (
        page.eval_on_selector("button[type=submit]", "b => getComputedStyle(b).backgroundColor") != "rgba(0, 0, 0, 0)"
    )
    page.screenshot(path=str(ARTIFACTS / "login.png"), full_page=True)

    # A superuser must enrol an authenticator app before anything else.
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", user.raw_password)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/2fa/setup/**")
    assert page.is_visible("#totp-qr")
    page.wait_for_timeout(1500)  # the navbar badge polls at load: it must not reload this page
    assert "/accounts/2fa/setup/" in page.url
    page.screenshot(path=str(ARTIFACTS / "twofactor-setup.png"), full_page=True)
    page.fill("input[name=token]", _totp_now(page.inner_text("#totp-secret").strip()))
    page.click("main form button[type=submit]")
    assert page.locator("#backup-codes li").count() == 10
    page.click("text=继续")
    page.wait_for_url(f"{live_server.url}/")
    assert page.inner_text("h1") == "欢迎，赵六"
    assert page.is_visible("[data-home-entry='platform.admin']")
    # htmx loaded from our static files and configured with the CSRF header.
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'].length") > 20
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)


def test_wrong_password_shows_an_error(page, live_server, transactional_db, make_user):
    user = make_user("qian")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert "请输入一个正确的" in page.inner_text(".alert")
    assert page.url.endswith("/accounts/login/")


def test_phone_width_navbar_and_language_switch(browser, live_server, transactional_db, make_user):
    user = make_user("sun", is_staff=True)
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        _log_in(page, live_server, user)
        # No horizontal scrolling at 360 px; the menu collapses behind the toggler.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.is_visible(".navbar-toggler")
        page.click(".navbar-toggler")
        page.wait_for_selector("#main-nav.show")
        page.screenshot(path=str(ARTIFACTS / "home-360.png"), full_page=True)
        with page.expect_navigation():
            page.select_option("#language-select", "en")
        assert page.evaluate("document.documentElement.lang") == "en"
        assert "Welcome" in page.inner_text("h1")
    finally:
        context.close()
