"""Helpers shared by the services tests and their conftest."""

from __future__ import annotations

import email
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from django.db import connections


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "").strip()


def redis_client():
    import redis

    return redis.Redis.from_url(redis_url())


# --- waiting ---------------------------------------------------------------------


def wait_until(
    predicate: Callable[[], object], *, timeout: float = 30.0, interval: float = 0.1, what: str
) -> object:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}", pytrace=False)
        time.sleep(interval)


# --- the worker ------------------------------------------------------------------


@dataclass
class WorkerProcess:
    """A running ``celery worker`` subprocess and where it writes."""

    name: str
    pool: str
    proc: subprocess.Popen
    log_path: Path
    var_dir: Path
    killed: bool = False  # by the test itself (``kill``): not a crash

    def kill(self) -> None:
        """``kill -9`` the worker and its pool (its own process group), as a crash would."""
        self.killed = True
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=15)

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def mail(self) -> list[Message]:
        """Every message the worker's file backend wrote (all files, all messages).

        The backend appends ``message + "\\n" + "-" * 79 + "\\n"`` per message to one
        file per connection.
        """
        messages = []
        separator = b"\n" + b"-" * 79 + b"\n"
        for path in sorted(self.mail_dir.glob("*.log")) if self.mail_dir.exists() else []:
            for chunk in path.read_bytes().split(separator):
                if chunk.strip():
                    messages.append(email.message_from_bytes(chunk))
        return messages

    def recipients(self) -> list[str]:
        """One entry per message sent, from its To: header (sorted)."""
        return sorted(str(message["To"]) for message in self.mail())

    def to_header_count(self) -> int:
        """A second count that survives interleaved writes: top-level To: lines."""
        count = 0
        for path in self.mail_dir.glob("*.log") if self.mail_dir.exists() else []:
            count += len(re.findall(rb"^To: ", path.read_bytes(), flags=re.MULTILINE))
        return count

    def count_in_log(self, pattern: str) -> int:
        return len(re.findall(pattern, self.log()))


# --- threads ---------------------------------------------------------------------

JOIN_TIMEOUT = 60.0


def run_threads(n: int, target: Callable[[int, threading.Barrier], Any]) -> list[Any]:
    """Run ``target(i, barrier)`` in ``n`` threads; return each result or exception.

    Every thread closes its own database connections when it ends, so none is
    left open for pytest-django's flush (or for dropping the test database).
    """
    barrier = threading.Barrier(n, timeout=JOIN_TIMEOUT)
    results: list[Any] = [None] * n

    def body(i: int) -> None:
        try:
            results[i] = target(i, barrier)
        except BaseException as exc:  # reported to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body, args=(i,), name=f"writer-{i}") for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a writer thread hung (deadlock?)"
    return results
