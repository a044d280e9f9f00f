"""Background work of the notifications app: sending one delivery (``notifications.deliver``)."""

from __future__ import annotations

from celery import shared_task

from . import services

# Retries wait 30 s, 1, 2, 4, 8 min: a robot or mail server that is down for a quarter of an
# hour still gets the message; after the fifth retry the delivery is marked failed.
RETRY_BASE_SECONDS = 30


@shared_task(
    name="notifications.deliver",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=5,
    soft_time_limit=30,
    time_limit=45,
)
def deliver(self, delivery_id: int) -> str:
    """Send delivery ``delivery_id`` once; retry with exponential backoff while it fails.

    Enqueued by ``services.notify`` through the outbox. The service is idempotent (a sent delivery
    is not sent again), so a message delivered twice by the broker is harmless.
    """
    retries = self.request.retries or 0
    outcome = services.delivery_attempt(delivery_id=delivery_id, final=retries >= self.max_retries)
    if outcome is services.Outcome.RETRY:
        raise self.retry(countdown=RETRY_BASE_SECONDS * 2**retries)
    return str(outcome)
