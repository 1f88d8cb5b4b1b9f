"""Two ``celery beat`` processes for about a minute, one worker, a real SMTP server on
loopback: each scheduled digest is sent once.

Both beats run the digest scan every few seconds (``DIGEST_SCAN_SECONDS``), so the
same digests are found due again and again, by two processes at once; the claim
(the delivery row's unique key) lets exactly one of them through, and the worker
sends that row once.
"""

from __future__ import annotations

import contextlib
import email
import os
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter
from email.message import Message
from pathlib import Path

import pytest

from planner.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Membership,
    PlanStatus,
    Subscription,
)
from tests.factories import PlanFactory
from tests.services.conftest import (
    BASE_DIR,
    READY_LINE,
    WORKER_READY_TIMEOUT,
    _celery_executable,
    _stop_worker,
    _test_database_url,
)
from tests.services.support import WorkerProcess, redis_client, redis_url, run_threads, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SCAN_SECONDS = 3
BEATS_RUN_FOR = 60.0  # seconds
SENT_TIMEOUT = 120.0


class SmtpSink:
    """aiosmtpd handler: keeps every message it receives."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def recipients(self) -> Counter[str]:
        with self.lock:
            return Counter(r for rcpts, _m in self.messages for r in rcpts)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def smtp_server():
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield sink, controller.port
    finally:
        controller.stop()


def _env(var_dir: Path, smtp_port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": redis_url(),
        "ALMANAC_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "DIGEST_SCAN_SECONDS": str(SCAN_SECONDS),
    }
    env.pop("CELERY_BROKER_URL", None)
    for key in ("SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS", "SMTP_SSL"):
        env.pop(key, None)
    var_dir.mkdir(parents=True, exist_ok=True)
    return env


def _start(name: str, args: list[str], var_dir: Path, smtp_port: int) -> WorkerProcess:
    log_path = var_dir / f"{name}.log"
    env = _env(var_dir, smtp_port)
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [_celery_executable(), "-A", "config", *args],
            cwd=BASE_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return WorkerProcess(name=name, pool="prefork", proc=proc, log_path=log_path, var_dir=var_dir)


def _wait_for(process: WorkerProcess, pattern: str, what: str) -> None:
    import re

    deadline = time.monotonic() + WORKER_READY_TIMEOUT
    while not re.search(pattern, process.log()):
        if not process.alive() or time.monotonic() > deadline:
            pytest.fail(f"{what} did not start:\n{process.log()}", pytrace=False)
        time.sleep(0.1)


def _subscribe(world, persona: str, **fields) -> None:
    Subscription.objects.update_or_create(
        membership=Membership.objects.get(user=world.users[persona]), defaults=fields
    )


def test_two_beats_for_a_minute_send_each_digest_once(world, tmp_path, request):
    # hour 0: a daily digest is due at any time of day, in every time zone
    _subscribe(world, "manager", digest="daily", digest_hour=0, timezone="Asia/Shanghai")
    _subscribe(world, "viewer", digest="daily", digest_hour=0, timezone="America/New_York")
    _subscribe(world, "outsider", digest="daily", digest_hour=0, timezone="Europe/London")
    _subscribe(world, "editor", digest="none")
    PlanFactory(workspace=world.workspace, name="Last year", status=PlanStatus.ARCHIVED)
    subscribed = {world.users[p].email for p in ("manager", "viewer", "outsider")}
    redis_client().flushdb()

    processes: list[WorkerProcess] = []
    with smtp_server() as (sink, port):
        try:
            worker = _start(
                "worker",
                [
                    "worker",
                    "-l",
                    "INFO",
                    "--pool",
                    "prefork",
                    "-c",
                    "2",
                    "-Q",
                    "celery",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "-n",
                    f"digest-{uuid.uuid4().hex[:8]}@%h",
                ],
                tmp_path / "worker",
                port,
            )
            processes.append(worker)
            _wait_for(worker, READY_LINE.pattern, "the worker")
            beats = []
            for n in (1, 2):
                beat_dir = tmp_path / f"beat-{n}"
                beat = _start(
                    f"beat-{n}",
                    ["beat", "-l", "INFO", "--pidfile", str(beat_dir / "beat.pid")],
                    beat_dir,
                    port,
                )
                processes.append(beat)
                beats.append(beat)
                # the first beat writes the schedule table before the second starts
                _wait_for(beat, r"Sending due task notify-digests", f"beat {n}")
            time.sleep(BEATS_RUN_FOR)
            for beat in beats:
                assert beat.alive(), beat.log()
                scans = beat.count_in_log(r"Sending due task notify-digests")
                assert scans >= BEATS_RUN_FOR / SCAN_SECONDS / 3, (scans, beat.log()[-3000:])
            for beat in beats:
                _stop_worker(beat)

            rows = Delivery.objects.filter(kind=DeliveryKind.DIGEST_EMAIL)
            wait_until(
                lambda: (
                    rows.exists()
                    and not rows.exclude(status=DeliveryStatus.SENT).exists()
                    and sum(sink.recipients().values()) >= rows.count()
                ),
                timeout=SENT_TIMEOUT,
                what="every claimed digest to be sent",
            )
            time.sleep(2 * SCAN_SECONDS)  # nothing more arrives
            received = sink.recipients()
            per_recipient = Counter(rows.values_list("address", flat=True))
        finally:
            for process in reversed(processes):
                _stop_worker(process)
            failed = getattr(getattr(request.node, "rep_call", None), "failed", False)
            if failed:
                for process in processes:
                    print(f"\n===== {process.name} =====\n{process.log()[-6000:]}")

    # Every subscribed member got their digest; nobody else did.
    assert set(received) == subscribed
    # Exactly one email per claimed digest (one per recipient, plan and day: two days
    # only if a recipient's midnight fell within the minute).
    assert received == per_recipient
    for address in subscribed:
        assert 1 <= received[address] <= 2
    # one live plan per workspace: one digest row per recipient and period
    assert rows.values("dedup_key").distinct().count() == rows.count()
    assert set(rows.values_list("plan_id", flat=True)) == {world.plan.pk, world.other_plan.pk}
    # each was a real email with the PDF attached
    for _rcpts, message in sink.messages:
        kinds = [part.get_content_type() for part in message.walk()]
        assert "text/html" in kinds and "application/pdf" in kinds
    assert worker.count_in_log(r"delivery \d+: email sent to") == rows.count()


N_RACERS = 6


def test_beat_scans_and_send_digests_racing_claim_each_digest_once(world, mailoutbox):
    """Threads on their own connections: half run the beat's scan, half the cron
    command's, at the same instant; the unique key lets one claim through per digest."""
    from datetime import UTC, datetime

    from planner.notify import digests

    _subscribe(world, "manager", digest="weekly", digest_hour=8, timezone="Asia/Shanghai")
    _subscribe(world, "viewer", digest="daily", digest_hour=8, timezone="America/New_York")
    _subscribe(world, "outsider", digest="daily", digest_hour=8, timezone="Asia/Shanghai")
    now = datetime(2027, 3, 8, 1, 30, tzinfo=UTC)  # Monday 09:30 Shanghai, Sunday 20:30 NY
    redis_client().flushdb()

    def racer(i: int, barrier: threading.Barrier):
        barrier.wait()
        if i % 2:
            return ("beat", digests.schedule_digests(now))
        return ("cron", digests.send_due_now(now).claimed)

    results = run_threads(N_RACERS, racer)
    redis_client().flushdb()  # the beat's sends were published to a broker no worker reads

    assert all(isinstance(r, tuple) for r in results), results
    rows = Delivery.objects.filter(kind=DeliveryKind.DIGEST_EMAIL)
    assert rows.count() == 3
    assert sum(claimed for _who, claimed in results) == 3
    cron_claims = sum(claimed for who, claimed in results if who == "cron")
    # the command sent what it claimed, in-process; nothing was sent twice
    assert len(mailoutbox) == cron_claims
    assert len({m.to[0] for m in mailoutbox}) == cron_claims
    assert rows.filter(status=DeliveryStatus.SENT).count() == cron_claims
