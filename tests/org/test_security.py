"""Secure access: login names, lockout, password policy, idle timeout, two-factor, API tokens."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from logistics.org.api_auth import api_token_issue, api_token_revoke
from logistics.org.models import ApiToken, Campus, Department, Staff
from logistics.org.services import roles_sync

PASSWORD = "Test-pass-2026"


@pytest.fixture
def staff_user(make_user):
    user = make_user("zhangsan", display_name="张三")
    campus = Campus.objects.create(code="MAIN", name="本部")
    dept = Department.objects.create(code="D1", name="心内科", campus=campus, kind="ward")
    Staff.objects.create(employee_no="100234", name="张三", department=dept, user=user)
    return user


def _login(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


# --- login names and lockout -------------------------------------------------------------------
def test_login_by_username_or_employee_number(client, staff_user):
    assert _login(client, "zhangsan").status_code == 302
    client.post("/accounts/logout/")
    assert _login(client, "100234").status_code == 302
    assert client.session["_auth_user_id"] == str(staff_user.pk)


def test_wrong_password_and_unknown_user_get_the_same_answer(client, staff_user):
    wrong = _login(client, "zhangsan", "nope").content.decode()
    unknown = _login(client, "nobody", "nope").content.decode()
    marker = "请输入一个正确的"
    assert marker in wrong and marker in unknown
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_account_even_with_the_right_password(client, staff_user):
    for _ in range(4):
        assert _login(client, "zhangsan", "wrong").status_code == 200
    assert _login(client, "zhangsan", "wrong").status_code == 429  # the fifth failure locks
    response = _login(client, "zhangsan")  # correct password, but locked
    assert response.status_code == 429
    html = response.content.decode()
    assert "账号已锁定" in html and "15 分钟" in html
    assert "_auth_user_id" not in client.session
    assert AccessFailureLog.objects.filter(username="zhangsan").count() >= 5


def test_username_and_employee_number_share_one_counter(client, staff_user):
    for name in ("zhangsan", "100234", "ZhangSan", "100234", "zhangsan"):
        _login(client, name, "wrong")
    assert _login(client, "100234").status_code == 429
    assert AccessAttempt.objects.get().username == "zhangsan"


def test_lockout_ends_after_the_cooloff(client, staff_user):
    for _ in range(5):
        _login(client, "zhangsan", "wrong")
    assert _login(client, "zhangsan").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _login(client, "zhangsan").status_code == 302


def test_unknown_names_are_locked_too_so_nothing_is_enumerated(client, db):
    for _ in range(5):
        _login(client, "ghost", "wrong")
    assert _login(client, "ghost", "wrong").status_code == 429


# --- password policy -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("abcdefghijk", "至少混合"),  # one character class
        ("Short1!", "密码太短"),
        (PASSWORD, "最近使用过"),  # the current password
    ],
)
def test_password_policy_refuses_weak_or_reused_passwords(client_as, make_user, new, message):
    user = make_user("li")
    response = client_as(user).post(
        "/accounts/password_change/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_recent_passwords_cannot_come_back(make_user):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = make_user("wang")
    for pw in (PASSWORD, "First-pass-2026", "Second-pass-2026"):
        user.set_password(pw)
        user.save()
    with pytest.raises(ValidationError, match="最近使用过"):
        validate_password(PASSWORD, user)
    validate_password("Totally-new-2026", user)


def test_privileged_password_expires_after_90_days(client_as, make_user, settings):
    settings.OTP_RELAX_FOR_DEMO_ACCOUNTS = False
    roles_sync()
    manager = make_user("boss", roles=("manager",))
    device = TOTPDevice.objects.create(user=manager, name="t", confirmed=True)
    manager.__class__.objects.filter(pk=manager.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client = client_as(manager, verified=False)
    _verify(client, device)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/password_change/")
    client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "Fresh-pass-2027", "new_password2": "Fresh-pass-2027"},
    )
    assert client.get("/").status_code == 200


def test_ordinary_password_does_not_expire(client_as, make_user):
    user = make_user("nurse", roles=("requester",))
    user.__class__.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=900))
    assert client_as(user).get("/").status_code == 200


# --- idle timeout --------------------------------------------------------------------------------
def _age_session(client, seconds):
    session = client.session
    session["last_activity"] = time.time() - seconds
    session.save()


def test_idle_session_is_logged_out(client_as, make_user):
    client = client_as(make_user("idle"))
    assert client.get("/").status_code == 200
    _age_session(client, 31 * 60)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "30 分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_background_polling_does_not_keep_a_session_alive(client_as, make_user):
    client = client_as(make_user("poller"))
    client.get("/")
    _age_session(client, 29 * 60)
    client.get("/healthz")  # not a page view
    client.get("/", headers={"X-Background-Poll": "1"})
    assert time.time() - client.session["last_activity"] > 28 * 60
    _age_session(client, 31 * 60)
    response = client.get("/", headers={"X-Background-Poll": "1", "HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"] == "/accounts/login/"


# --- two-factor ----------------------------------------------------------------------------------
def _code(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return totp.token()


def _verify(client, device):
    response = client.post("/accounts/2fa/verify/", {"token": f"{_code(device):06d}"})
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.fixture
def sysadmin(make_user, settings):
    settings.OTP_RELAX_FOR_DEMO_ACCOUNTS = False
    roles_sync()
    return make_user("root", roles=("sysadmin",), is_staff=True)


def test_privileged_role_must_enrol_before_anything_else(client_as, sysadmin):
    client = client_as(sysadmin, verified=False)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/setup/")
    page = client.get("/accounts/2fa/setup/").content.decode()
    assert 'id="totp-qr"' in page and "data:image/svg+xml;base64," in page

    device = TOTPDevice.objects.get(user=sysadmin, confirmed=False)
    bad = client.post("/accounts/2fa/setup/", {"token": "123456" if _code(device) != 123456 else "654321"})
    assert "不匹配" in bad.content.decode()
    assert not TOTPDevice.objects.filter(user=sysadmin, confirmed=True).exists()

    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # wrong codes slow down guessing
    device.throttle_reset()  # as if the user waited
    done = client.post("/accounts/2fa/setup/", {"token": f"{_code(device):06d}"})
    codes = re.findall(r'<li class="list-group-item">(\d+)</li>', done.content.decode())
    assert len(codes) == 10 and all(len(c) == 8 for c in codes)
    assert client.get("/admin/").status_code == 200


def test_second_login_asks_for_a_code_and_refuses_wrong_and_replayed_codes(client, sysadmin):
    device = TOTPDevice.objects.create(user=sysadmin, name="t", confirmed=True)
    assert _login(client, "root").status_code == 302
    assert client.get("/").headers["Location"].startswith("/accounts/2fa/verify/")

    wrong = client.post("/accounts/2fa/verify/", {"token": "000000" if _code(device) else "111111"})
    assert "验证码错误" in wrong.content.decode()
    malformed = client.post("/accounts/2fa/verify/", {"token": "12ab"})
    assert "6 位" in malformed.content.decode()

    code = f"{_code(device):06d}"
    device.refresh_from_db()
    device.throttle_reset()  # as if the user waited after the wrong code
    assert client.post("/accounts/2fa/verify/", {"token": code}).status_code == 302
    assert client.get("/").status_code == 200

    client.post("/accounts/logout/")
    _login(client, "root")
    replay = client.post("/accounts/2fa/verify/", {"token": code})
    assert replay.status_code == 200 and "验证码错误" in replay.content.decode()


def test_backup_code_works_once(client, sysadmin):
    from logistics.org.twofactor import backup_codes_regenerate

    TOTPDevice.objects.create(user=sysadmin, name="t", confirmed=True)
    codes = backup_codes_regenerate(user=sysadmin)
    _login(client, "root")
    assert client.post("/accounts/2fa/verify/", {"token": codes[0]}).status_code == 302
    client.post("/accounts/logout/")
    _login(client, "root")
    assert client.post("/accounts/2fa/verify/", {"token": codes[0]}).status_code == 200


def test_optional_users_may_skip_two_factor(client_as, make_user):
    user = make_user("tech", roles=("technician",))
    assert client_as(user).get("/").status_code == 200


def test_demo_run_relaxes_two_factor_only_for_demo_accounts_with_a_banner(client_as, make_user, settings):
    settings.OTP_RELAX_FOR_DEMO_ACCOUNTS = True
    roles_sync()
    demo = make_user("admin", roles=("sysadmin",), is_staff=True, is_superuser=True)
    html = client_as(demo, verified=False).get("/").content.decode()
    assert 'id="demo-2fa-banner"' in html
    other = make_user("real-admin", roles=("sysadmin",), is_staff=True)
    assert client_as(other, verified=False).get("/").status_code == 302


def test_production_never_relaxes_two_factor():
    from pathlib import Path

    text = Path("logistics/settings/production.py").read_text()
    assert "OTP_RELAX_FOR_DEMO_ACCOUNTS = False" in text


# --- API tokens ----------------------------------------------------------------------------------
def test_api_token_scoped_and_revocable(client, make_user, sysadmin):
    integration = make_user("his-integration")
    token, key = api_token_issue(name="HIS", user=integration, scopes=["read"], actor=sysadmin)
    assert client.get("/api/v1/", headers={"Authorization": f"Token {key}"}).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    assert client.get("/api/v1/", headers={"Authorization": f"Token {key}x"}).status_code == 401
    api_token_revoke(token=token, actor=sysadmin)
    response = client.get("/api/v1/", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 401 and "撤销" in response.json()["detail"]


def test_api_token_without_the_scope_is_refused(client, make_user, sysadmin):
    integration = make_user("lis-integration")
    _token, key = api_token_issue(name="LIS", user=integration, scopes=[], actor=sysadmin)
    assert client.get("/api/v1/", headers={"Authorization": f"Token {key}"}).status_code == 403


def test_privileged_accounts_cannot_use_bare_tokens(client, sysadmin):
    with pytest.raises(ValueError):
        api_token_issue(name="x", user=sysadmin, scopes=["read"], actor=sysadmin)
    # A token that exists anyway (issued before the role was granted) stops working.
    plain = sysadmin.__class__.objects.create_user("later-admin", password=PASSWORD)
    _token, key = api_token_issue(name="y", user=plain, scopes=["read"], actor=sysadmin)
    plain.groups.add(Group.objects.get(name="manager"))
    assert client.get("/api/v1/", headers={"Authorization": f"Token {key}"}).status_code == 401


# --- profile -------------------------------------------------------------------------------------
def test_profile_shows_details_roles_and_security(client_as, make_user):
    roles_sync()
    user = make_user("kong", roles=("technician",), display_name="孔师傅")
    campus = Campus.objects.create(code="C9", name="本部")
    dept = Department.objects.create(code="D9", name="后勤保障部", campus=campus, kind="logistics")
    Staff.objects.create(employee_no="204411", name="孔师傅", department=dept, user=user, position="空调工")
    html = client_as(user).get("/accounts/profile/").content.decode()
    assert "204411" in html and "后勤保障部" in html and "空调工" in html
    assert "维修技师" in html  # the role, translated
    assert 'href="/accounts/2fa/setup/"' in html  # optional for technicians: offered, not forced
    assert 'href="/accounts/password_change/"' in html


def test_profile_requires_login(client, db):
    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/login/")


def test_optional_two_factor_can_be_turned_off_but_not_for_privileged_roles(client_as, make_user, sysadmin):
    tech = make_user("tech2", roles=("technician",))
    TOTPDevice.objects.create(user=tech, name="t", confirmed=True)
    client = client_as(tech)  # a technician with 2FA on: verified session needed to turn it off
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=tech).persistent_id
    session.save()
    client.post("/accounts/2fa/disable/")
    assert not TOTPDevice.objects.filter(user=tech).exists()

    admin_client = client_as(sysadmin)
    admin_client.post("/accounts/2fa/disable/")
    assert TOTPDevice.objects.filter(user=sysadmin, confirmed=True).exists()
