"""Login, home, language switch, password change, logout: what every user touches first."""

from __future__ import annotations

import pytest
from django.urls import reverse


def test_login_page_is_chinese_by_default(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "医院后勤管理平台" in html
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html  # served locally, no CDN
    assert "cdn" not in html.lower()
    assert ">English</option>" in html  # each language named in itself


def test_english_is_available(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html and "登录" not in html


def test_home_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_then_home(client, make_user):
    user = make_user("zhang", display_name="张三")
    response = client.post("/accounts/login/", {"username": "zhang", "password": user.raw_password}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "欢迎，张三" in response.content.decode()


def test_wrong_password_is_refused_with_a_translated_error(client, make_user):
    make_user("zhang")
    response = client.post("/accounts/login/", {"username": "zhang", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_home_shows_each_user_only_their_entries(client_as, sysadmin_user, plain_user):
    admin_html = client_as(sysadmin_user).get("/").content.decode()
    assert 'data-home-entry="platform.admin"' in admin_html
    plain_html = client_as(plain_user).get("/").content.decode()
    assert 'data-home-entry="platform.admin"' not in plain_html


def test_password_change(client_as, make_user):
    user = make_user("li")
    client = client_as(user)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": user.raw_password, "new_password1": "Nq7-rosemary-42", "new_password2": "Nq7-rosemary-42"},
        follow=True,
    )
    assert "您的密码已修改" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("Nq7-rosemary-42")


def test_password_change_rejects_weak_password_and_keeps_the_old_one(client_as, make_user):
    user = make_user("li")
    client = client_as(user)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": user.raw_password, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "密码太短：至少需要 10 个字符。" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(user.raw_password)


def test_logout_is_a_post(client_as, make_user):
    client = client_as(make_user("wang"))
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("url", ["/api/docs/", "/api/schema/", "/api/v1/"])
def test_api_docs_are_served_offline(client_as, sysadmin_user, url):
    response = client_as(sysadmin_user).get(url)
    assert response.status_code == 200
    if url == "/api/docs/":
        html = response.content.decode()
        assert "drf_spectacular_sidecar/swagger-ui-dist" in html
        assert "cdn.jsdelivr" not in html


def test_api_requires_login(client, db):
    assert client.get("/api/v1/").status_code in (401, 403)


def test_htmx_gets_csrf_header_and_assets(client_as, sysadmin_user):
    html = client_as(sysadmin_user).get("/").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "版本 0.1.0" in html


def test_vendor_assets_resolve(client, db):
    """The npm-installed assets the base layout names are found by the static finders."""
    from django.contrib.staticfiles import finders

    for path in (
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "vendor/bootstrap-icons/bootstrap-icons.min.css",
        "vendor/htmx/htmx.min.js",
        "vendor/chart.js/chart.umd.min.js",
    ):
        assert finders.find(path), f"{path} is missing: run npm ci"


def test_unknown_page_is_a_translated_404(client_as, sysadmin_user):
    response = client_as(sysadmin_user).get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_openapi_schema_is_valid_and_complete(tmp_path):
    """The open API document generates without warnings and validates (what integrators read)."""
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "/api/v1/punches/" in text and "tokenAuth" in text
