"""The test database served by a real gunicorn process (what production runs).

On PostgreSQL gunicorn connects to the test database itself; on SQLite (an
in-memory test database no other process can open) the database is first copied
to a file with SQLite's backup API. Either way the test must be a transactional one,
so what it wrote is committed and visible to the server. Tasks run in-process in
the server (no broker), mail goes to files under its own var directory.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent


@dataclass
class Served:
    url: str
    proc: subprocess.Popen
    log_path: Path

    def worker_pid(self) -> int:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        return int(children.split()[0])

    def peak_rss(self) -> int:
        """The worker's peak resident memory (VmHWM), in bytes."""
        for line in Path(f"/proc/{self.worker_pid()}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmHWM in /proc status")


def database_url(var_dir: Path) -> str:
    """A DATABASE_URL another process can open for the test database."""
    if connection.vendor == "sqlite":
        path = var_dir / "served.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        return f"sqlite:///{path}"
    return postgres_url()


def postgres_url() -> str:
    """DATABASE_URL of the PostgreSQL test database pytest-django created."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s["HOST"] or "127.0.0.1"
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{quote(s['NAME'], safe='')}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(var_dir: Path, *, workers: int = 1, timeout: float = 60) -> Served:
    var_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(var_dir),
        "ALMANAC_VAR_DIR": str(var_dir),
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "COOKIE_SECURE": "0",  # plain HTTP on loopback: the cookies must come back
        "STATIC_MANIFEST": "0",
        "PYTHONUNBUFFERED": "1",
    }
    for key in ("REDIS_URL", "SMTP_HOST", "DJANGO_SETTINGS_MODULE"):
        env.pop(key, None)
    log_path = var_dir / "gunicorn.log"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                str(gunicorn),
                "config.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # stop() ends the master and its workers together
        )
    served = Served(f"http://127.0.0.1:{port}", proc, log_path)
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(served.url + "/accounts/login/", timeout=5)
            return served
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if proc.poll() is not None or time.monotonic() > deadline:
                stop(served)
                raise RuntimeError(
                    f"gunicorn did not come up: {log_path.read_text(errors='replace')[-2000:]}"
                ) from None
            time.sleep(0.2)


def stop(served: Served) -> None:
    """Quick shutdown of the master and its workers (a worker still busy with a request
    would otherwise outlive a killed master and hold its database locks)."""
    if served.proc.poll() is None:
        os.killpg(served.proc.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            served.proc.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(served.proc.pid, signal.SIGKILL)  # whatever is left of the group
    served.proc.wait(timeout=10)
