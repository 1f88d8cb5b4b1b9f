"""Sending one ``Delivery``: the only place a notification leaves the building.

1. Whoever decides a message is due creates its ``Delivery`` row (``claim``):
   the unique ``dedup_key`` makes that a claim: the loser of a race gets ``None``.
   In the same transaction it enqueues ``planner.send_delivery`` through the
   transactional outbox, so the send is neither lost nor run before commit.
2. ``send`` locks the row (``SELECT … FOR UPDATE``) for the whole send. A second
   copy of the task waits, then finds the row sent and returns. A worker killed
   mid-send drops its connection, PostgreSQL releases the lock, the broker (late
   ack) or the outbox sweep runs the task again and the row is still pending.
3. What the message says comes from a renderer registered per kind
   (``register``); it may return ``None`` (nothing left to say: the row becomes
   ``skipped``). Email goes through Django's mail backend; chat messages through
   the channel's transport (``register_transport``).
4. A failed send raises: the transaction rolls back, the failure is written to the
   row afterwards (attempts, last error; shown in the delivery log), and the task
   retries with backoff (``OutboxTask``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core import outbox
from planner.notify.models import Delivery, DeliveryStatus

logger = logging.getLogger(__name__)

SEND_TASK = "planner.send_delivery"


@dataclass
class ChatText:
    """A chat message before it is put in a platform's JSON format."""

    title: str
    lines: list[str]
    link: str = ""


@dataclass
class Rendered:
    """What a renderer returns: an email, or a chat message (exactly one)."""

    subject: str
    email: EmailMultiAlternatives | None = None
    chat: ChatText | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Defer(Exception):
    """Raised by a renderer: not now (e.g. the hourly cap); the row becomes ``deferred``."""


Renderer = Callable[[Delivery], Rendered | None]
ChatTransport = Callable[[Delivery, ChatText], None]

_RENDERERS: dict[str, Renderer] = {}
_CHAT_TRANSPORT: list[ChatTransport] = []
_AFTER_SEND: dict[str, Callable[[Delivery], None]] = {}


def register(
    kind: str, renderer: Renderer, *, after_send: Callable[[Delivery], None] | None = None
) -> None:
    """Say how a kind of delivery is written (and what to record once it is sent)."""
    _RENDERERS[kind] = renderer
    if after_send is not None:
        _AFTER_SEND[kind] = after_send


def register_transport(transport: ChatTransport) -> None:
    _CHAT_TRANSPORT[:] = [transport]


def claim(
    *,
    dedup_key: str,
    due_at: datetime | None = None,
    enqueue: bool = True,
    **fields: Any,
) -> Delivery | None:
    """Create the delivery row for ``dedup_key``; ``None`` when it already exists.

    Runs in the caller's transaction (a savepoint keeps the caller's transaction
    usable after a lost race) and publishes the send after commit.
    """
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(dedup_key=dedup_key, due_at=due_at, **fields)
    except IntegrityError:
        return None
    if enqueue:
        schedule(delivery)
    return delivery


def schedule(delivery: Delivery) -> None:
    """Ask for the send after commit (not before ``due_at`` when it is in the future)."""
    outbox.enqueue(
        SEND_TASK,
        kwargs={"delivery_id": delivery.pk},
        dedup_key=f"delivery:{delivery.pk}",
        not_before=delivery.due_at,
    )


def send(delivery_id: int, *, now: datetime | None = None) -> str:
    """Send a pending delivery once; return its status afterwards."""
    try:
        with transaction.atomic():
            delivery = (
                # of=self: PostgreSQL cannot lock the nullable side of the outer joins
                Delivery.objects.select_for_update(of=("self",))
                .select_related("recipient", "chat_channel", "plan", "workspace")
                .filter(pk=delivery_id)
                .first()
            )
            if delivery is None:
                return "missing"
            if delivery.status != DeliveryStatus.PENDING:
                return str(delivery.status)
            now = now or timezone.now()
            renderer = _RENDERERS.get(delivery.kind)
            if renderer is None:
                raise LookupError(f"no renderer for delivery kind {delivery.kind!r}")
            try:
                rendered = renderer(delivery)
            except Defer:
                _finish(delivery, DeliveryStatus.DEFERRED, subject=delivery.subject)
                return DeliveryStatus.DEFERRED
            if rendered is None:
                _finish(delivery, DeliveryStatus.SKIPPED, subject=delivery.subject)
                return DeliveryStatus.SKIPPED
            _transmit(delivery, rendered)
            _finish(delivery, DeliveryStatus.SENT, subject=rendered.subject, sent_at=now)
            after = _AFTER_SEND.get(delivery.kind)
            if after is not None:
                after(delivery)
            return DeliveryStatus.SENT
    except Exception as exc:
        record_failure(delivery_id, exc)
        raise


def _transmit(delivery: Delivery, rendered: Rendered) -> None:
    if rendered.email is not None:
        with get_connection() as connection:
            sent = connection.send_messages([rendered.email])
        if not sent:
            raise RuntimeError("the mail backend accepted no message")
        logger.info("delivery %s: email sent to %s", delivery.pk, delivery.address)
        return
    if rendered.chat is not None:
        if not _CHAT_TRANSPORT:
            raise LookupError("no chat transport registered")
        _CHAT_TRANSPORT[0](delivery, rendered.chat)
        logger.info("delivery %s: chat message posted", delivery.pk)
        return
    raise ValueError("a renderer returned neither an email nor a chat message")


def _finish(delivery: Delivery, status: str, *, subject: str, sent_at: Any = None) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status,
        subject=(subject or "")[:300],
        sent_at=sent_at,
        attempts=F("attempts") + 1,
        last_error="",
        updated_at=timezone.now(),
    )
    delivery.status = status
    delivery.sent_at = sent_at


def record_failure(delivery_id: int, error: BaseException) -> None:
    """Written outside the failed transaction so the delivery log shows it."""
    Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        attempts=F("attempts") + 1,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        updated_at=timezone.now(),
    )
    logger.warning("delivery %s failed: %s", delivery_id, error)
