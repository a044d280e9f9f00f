"""Sending: group robots (WeCom, DingTalk) against a loopback server, e-mail through the locmem
outbox, failures recorded and retried, a sent delivery never sent twice."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import unquote_plus

import pytest
from django.conf import settings

from logistics.notifications import services
from logistics.notifications.models import Delivery, DeliveryAttempt
from logistics.notifications.services import Outcome, channel_create, delivery_attempt, notify
from logistics.notifications.tasks import deliver


@pytest.fixture
def tech(make_user):
    return make_user("tech")


def _one_delivery(user, **fields) -> Delivery:
    defaults = {"verb": "workorders.dispatched", "title": "WO-20261121-0007 AC broken", "url": "/workorders/7/"}
    notify(recipients=[user], **(defaults | fields))
    return Delivery.objects.get()


def test_wecom_robot_gets_markdown_with_title_text_and_absolute_link(tech, webhook_server):
    channel_create(name="HVAC group", kind="wecom", address=webhook_server.url(), user=tech)
    delivery = _one_delivery(tech, body="Ward 5B, room 12", level="danger")

    assert delivery_attempt(delivery_id=delivery.pk) is Outcome.SENT

    (request,) = webhook_server.received
    assert request["query"] == {"key": "test-key"}
    assert request["content_type"].startswith("application/json")
    message = request["json"]
    assert message["msgtype"] == "markdown"
    assert set(message["markdown"]) == {"content"}
    content = message["markdown"]["content"]
    assert "WO-20261121-0007 AC broken" in content
    assert "Ward 5B, room 12" in content
    assert f"({settings.PUBLIC_BASE_URL}/workorders/7/)" in content

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.sent_at is not None
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.delivery, attempt.ok, attempt.http_status, attempt.error) == (delivery, True, 200, "")


def test_a_sent_delivery_is_not_sent_again(tech, webhook_server):
    channel_create(name="robot", kind="wecom", address=webhook_server.url(), user=tech)
    delivery = _one_delivery(tech)
    assert delivery_attempt(delivery_id=delivery.pk) is Outcome.SENT
    assert delivery_attempt(delivery_id=delivery.pk) is Outcome.ALREADY_DONE
    assert deliver.apply(args=[delivery.pk]).get() == "already_done"
    assert len(webhook_server.received) == 1
    assert DeliveryAttempt.objects.count() == 1


def test_dingtalk_signed_webhook(tech, webhook_server):
    secret = "SEC0123456789abcdef"
    channel_create(
        name="DingTalk group",
        kind="dingtalk",
        address=webhook_server.url(path="/robot/send", query="access_token=tok"),
        user=tech,
        secret=secret,
    )
    delivery = _one_delivery(tech, body="Ward 5B")

    assert delivery_attempt(delivery_id=delivery.pk) is Outcome.SENT

    (request,) = webhook_server.received
    query = request["query"]
    assert query["access_token"] == "tok"
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{query['timestamp']}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == expected  # parse_qs already undid the URL encoding
    assert request["json"]["msgtype"] == "markdown"
    assert request["json"]["markdown"]["title"] == "WO-20261121-0007 AC broken"
    assert "Ward 5B" in request["json"]["markdown"]["text"]


def test_dingtalk_signature_is_url_encoded_in_the_webhook_url():
    # The signature must survive URL encoding: "+", "/" and "=" of base64 are escaped.
    url = services.dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=x", "SECabc", timestamp_ms=1)
    raw = url.split("&sign=")[1]
    assert not set(raw) & set("+/=")  # base64 padding and symbols are escaped
    sign = unquote_plus(raw)
    assert sign == base64.b64encode(hmac.new(b"SECabc", b"1\nSECabc", hashlib.sha256).digest()).decode()
    assert "&timestamp=1&sign=" in url


def test_dingtalk_without_secret_is_not_signed(tech, webhook_server):
    channel_create(name="dt", kind="dingtalk", address=webhook_server.url(query="access_token=tok"), user=tech)
    delivery_attempt(delivery_id=_one_delivery(tech).pk)
    assert set(webhook_server.received[0]["query"]) == {"access_token"}


def test_robot_error_code_is_a_failed_attempt_and_the_delivery_waits_for_a_retry(tech, webhook_server):
    channel_create(name="robot", kind="wecom", address=webhook_server.url(), user=tech)
    delivery = _one_delivery(tech)
    webhook_server.answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})

    assert delivery_attempt(delivery_id=delivery.pk) is Outcome.RETRY

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "93000" in delivery.last_error
    attempt = DeliveryAttempt.objects.get()
    assert attempt.ok is False and attempt.http_status == 200 and "93000" in attempt.error

    # The robot is fixed: the retry goes through.
    assert delivery_attempt(delivery_id=delivery.pk) is Outcome.SENT
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert list(DeliveryAttempt.objects.values_list("ok", flat=True)) == [False, True]


@pytest.fixture
def retry_countdowns(monkeypatch) -> list[int]:
    """The countdowns the task asks for when it retries (eager runs ignore them)."""
    countdowns: list[int] = []
    original = deliver.retry

    def spy(*args, **kwargs):
        countdowns.append(kwargs.get("countdown"))
        return original(*args, **kwargs)

    monkeypatch.setattr(deliver, "retry", spy)
    return countdowns


def test_task_retries_with_exponential_backoff_until_the_robot_answers(tech, webhook_server, retry_countdowns):
    channel_create(name="robot", kind="wecom", address=webhook_server.url(), user=tech)
    delivery = _one_delivery(tech)
    for _ in range(3):
        webhook_server.answer(500, {"error": "boom"})

    # An eager run performs the retries at once, one after the other.
    result = deliver.apply(args=[delivery.pk])

    assert result.get() == "sent"
    assert retry_countdowns == [30, 60, 120]  # 30 s * 2**retries
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 4)
    assert list(DeliveryAttempt.objects.values_list("ok", "http_status")) == [(False, 500)] * 3 + [(True, 200)]
    assert len(webhook_server.received) == 4


def test_after_the_last_retry_the_delivery_is_failed(tech, webhook_server, retry_countdowns):
    channel_create(name="robot", kind="wecom", address=webhook_server.url(), user=tech)
    delivery = _one_delivery(tech)
    for _ in range(10):
        webhook_server.answer(500, {"error": "boom"})

    result = deliver.apply(args=[delivery.pk])

    assert result.get() == "failed"
    assert retry_countdowns == [30, 60, 120, 240, 480]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.sent_at) == ("failed", 6, None)
    assert "HTTP 500" in delivery.last_error
    assert DeliveryAttempt.objects.filter(ok=False).count() == 6
    assert len(webhook_server.received) == 6  # 1 try + max_retries (5)


def test_a_robot_that_does_not_answer_times_out(tech, webhook_server, monkeypatch):
    monkeypatch.setattr(services, "WEBHOOK_TIMEOUT_SECONDS", 0.5)
    channel_create(name="robot", kind="wecom", address=webhook_server.url(), user=tech)
    delivery = _one_delivery(tech)
    webhook_server.answer(200, {"errcode": 0}, delay=2)

    assert delivery_attempt(delivery_id=delivery.pk) is Outcome.RETRY

    attempt = DeliveryAttempt.objects.get()
    assert attempt.ok is False and attempt.http_status is None
    assert "timed out" in attempt.error or "within" in attempt.error
    assert attempt.duration_ms < 1900


def test_an_unreachable_robot_is_a_failed_attempt(tech, webhook_server):
    url = webhook_server.url()
    webhook_server.httpd.shutdown()
    webhook_server.httpd.server_close()  # the port refuses connections now
    channel_create(name="robot", kind="wecom", address=url, user=tech)
    delivery = _one_delivery(tech)

    assert delivery_attempt(delivery_id=delivery.pk, final=True) is Outcome.FAILED

    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "connection failed" in delivery.last_error


def test_disabled_channel_is_not_used_for_pending_deliveries(tech, webhook_server):
    channel = channel_create(name="robot", kind="wecom", address=webhook_server.url(), user=tech)
    delivery = _one_delivery(tech)
    channel.enabled = False
    channel.save()

    assert delivery_attempt(delivery_id=delivery.pk) is Outcome.FAILED
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert webhook_server.received == []


def test_email_channel_sends_title_text_and_link(tech, mailoutbox):
    channel_create(name="my mail", kind="email", address="tech@hospital.example", user=tech)
    delivery = _one_delivery(tech, body="Ward 5B, room 12")

    assert delivery_attempt(delivery_id=delivery.pk) is Outcome.SENT

    (mail,) = mailoutbox
    assert mail.to == ["tech@hospital.example"]
    assert mail.subject == "WO-20261121-0007 AC broken"
    assert "Ward 5B, room 12" in mail.body
    assert f"{settings.PUBLIC_BASE_URL}/workorders/7/" in mail.body
    delivery.refresh_from_db()
    assert delivery.status == "sent"


def test_missing_delivery_is_ignored(db):
    assert deliver.apply(args=[987654]).get() == "missing"
