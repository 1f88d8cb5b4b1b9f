"""Chaos on the services stack: a worker killed with SIGKILL mid-recompute, Redis restarted
under a stream of imports, PostgreSQL restarted under running tasks and web requests.

The harness (fixtures below) starts a private PostgreSQL cluster (initdb into a temporary
folder, a free port, trust auth, fsync off) and a private redis-server (a free port, no
persistence), because these tests stop and start them; the machine's shared servers,
which other test runs use, are never touched.

Why the test process does not use Django on that cluster: pytest-django's test database
lives for the whole session on DATABASE_URL, and the other services tests share it. So
the private cluster gets a *copy* of that test database's schema (``pg_dump`` of the
database pytest-django migrated, in seconds instead of two minutes of migrations), and
everything on the private stack runs as real processes against it: Celery workers
(the suite's own starter), a gunicorn web process, and a small Django "driver" process
(``tests.services.chaos_driver``) that seeds data and makes the requests a user or an
import would make. The test itself observes through SQL (psycopg2), HTTP and an SMTP
sink (aiosmtpd), which is what a person watching the system would see.

A recompute is caught in the middle by real observation, with no hook in the app: the
test holds a row lock on one of the plan's channel grades, so a recompute that has
already rewritten the rollups and KPI actuals waits there; ``pg_locks`` shows the
worker's backend holding the plan's recompute lock (``monitoring.recompute
.RECOMPUTE_LOCK``) while waiting for a lock.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from aiosmtpd.controller import Controller

from monitoring.recompute import RECOMPUTE_LOCK
from tests.services.conftest import BASE_DIR, _start_worker, _stop_worker
from tests.services.support import WorkerProcess, wait_until
from tests.services.test_alert_email_delivery import CountingSMTP

pytestmark = [pytest.mark.services]

START_TIMEOUT = 30.0
DONE_TIMEOUT = 90.0
DRIVER_TIMEOUT = 120.0
RECOMPUTE = "monitoring.recompute_plan"
SEND = "planner.send_delivery"
# What a recompute stores; the checksum covers every column but ids and timestamps.
RESULT_TABLES = (
    "monitoring_metricrollup",
    "kpis_kpiactual",
    "monitoring_channelgrade",
    "monitoring_alert",
    "monitoring_attributionrun",
    "monitoring_attributionresult",
    "monitoring_responsecurve",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pg_bindir() -> Path:
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    pytest.fail("PostgreSQL's initdb was not found (install postgresql)", pytrace=False)


def _run(cmd: list[str], *, timeout: float = 60.0, **kwargs: Any) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)
    if done.returncode != 0:
        pytest.fail(f"{cmd[0]} failed ({done.returncode}): {done.stderr}{done.stdout}")
    return done.stdout


# --- the private PostgreSQL cluster and Redis ---------------------------------------------------


@dataclass
class PgCluster:
    """A throwaway cluster; run as the ``postgres`` user when the tests run as root."""

    root: Path
    bindir: Path = field(default_factory=_pg_bindir)
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _as_owner(self) -> dict[str, Any]:
        return {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        _run(
            [str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            **self._as_owner(),
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off -c max_connections=60"
        )
        _run(
            [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"),
             "-w", "-t", "30", "-o", options, "start"],
            **self._as_owner(),
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            _run(
                [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w", "-t", "30",
                 "-m", mode, "stop"],
                **self._as_owner(),
            )  # fmt: skip

    def url(self, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def connect(self, db: str = "postgres", *, autocommit: bool = True) -> Any:
        conn = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=db, connect_timeout=5
        )
        conn.autocommit = autocommit
        return conn

    def query(self, db: str, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        conn = self.connect(db)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return list(cur.fetchall()) if cur.description else []
        finally:
            conn.close()

    def execute(self, sql: str) -> None:
        self.query("postgres", sql)


@dataclass
class RedisServer:
    root: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 1) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / "redis.log").open("ab") as log:
            self.proc = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--dir", str(self.root)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        wait_until(self.ping, timeout=START_TIMEOUT, interval=0.05, what="redis-server to answer")

    def ping(self) -> bool:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock,
        ):
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
        return False

    def stop(self) -> None:
        """Stop it (its data is gone: no persistence)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self.proc = None


# --- processes on the private stack ------------------------------------------------------------


class Driver:
    """``python -m tests.services.chaos_driver``: one JSON command a line, one answer a line."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.services.chaos_driver"],
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            start_new_session=True,
        )

    def call(self, command: str, **kwargs: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"command": command, **kwargs}) + "\n")
        self.proc.stdin.flush()
        answer: dict[str, Any] = {}
        timer = threading.Timer(DRIVER_TIMEOUT, self.proc.kill)  # never hang the suite
        timer.start()
        try:
            for line in self.proc.stdout:
                if line.startswith("RESULT "):
                    answer = json.loads(line[len("RESULT ") :])
                    break
        finally:
            timer.cancel()
        if not answer.get("ok"):
            pytest.fail(f"driver {command!r} failed: {answer or 'no answer'}\n{self.log()}")
        return answer

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
        self._log.close()


@dataclass
class Web:
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            conn.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
            response = conn.getresponse()
            return response.status, response.headers, response.read().decode(errors="replace")
        finally:
            conn.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def app_env(database_url: str, redis_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a process of the app on the private stack (production-like)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SMTP_", "CELERY_", "DJANGO_"))
        and key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "ALMANAC_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": "chaos-tests-only-" + "k" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "COOKIE_SECURE": "0",
            "STATIC_MANIFEST": "0",
            "NOTIFY_ALERT_GROUP_SECONDS": "0",  # one email per alert at once
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    var_dir.mkdir(parents=True, exist_ok=True)
    return env


@dataclass
class Stack:
    """The private cluster and Redis of this module, and the seeded template database."""

    pg: PgCluster
    redis: RedisServer
    root: Path
    seed: dict[str, Any] = field(default_factory=dict)
    template: str = "chaos_seed"


def _copy_schema(pg: PgCluster, db: str) -> None:
    """The schema (and migration bookkeeping) of pytest-django's migrated test database."""
    from django.db import connection

    s = connection.settings_dict
    source = [
        "-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432), "-U", s["USER"] or "postgres",
        "--no-owner", "--no-privileges", s["NAME"],
    ]  # fmt: skip
    env = {**os.environ, "PGPASSWORD": s["PASSWORD"] or ""}
    schema = _run([str(pg.bindir / "pg_dump"), "--schema-only", *source], env=env)
    data = _run(
        [str(pg.bindir / "pg_dump"), "--data-only", "-t", "django_migrations",
         "-t", "django_content_type", "-t", "auth_permission", *source],
        env=env,
    )  # fmt: skip
    _run(
        [str(pg.bindir / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
         "-p", str(pg.port), "-U", "postgres", "-d", db],
        input=schema + data,
    )  # fmt: skip


@pytest.fixture(scope="module")
def stack(django_db_setup, tmp_path_factory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("chaos")
    # not under pytest's temporary folder, which only root may enter: initdb runs as
    # ``postgres`` when the tests run as root
    pg_root = Path(tempfile.mkdtemp(prefix="almanac-chaos-pg-"))
    pg = PgCluster(pg_root)
    redis = RedisServer(root / "redis")
    built = Stack(pg=pg, redis=redis, root=root)
    try:
        pg.init()
        pg.start()
        redis.start()
        pg.execute(f"CREATE DATABASE {built.template}")
        _copy_schema(pg, built.template)
        # tasks run in-process while seeding (no REDIS_URL): the plans are recomputed
        env = app_env(pg.url(built.template), "", root / "seed")
        driver = Driver(env, root / "seed-driver.log")
        try:
            built.seed = driver.call("seed")
        finally:
            driver.close()
        yield built
    finally:
        redis.stop()
        try:
            pg.stop("immediate")
        finally:
            shutil.rmtree(pg_root, ignore_errors=True)


class Chaos:
    """One test's database (a copy of the seeded one) and the processes started on it."""

    def __init__(self, stack: Stack, tmp_path: Path, name: str) -> None:
        self.stack = stack
        self.pg = stack.pg
        self.redis = stack.redis
        self.tmp = tmp_path
        self.db = name
        self.workers: list[WorkerProcess] = []
        self.drivers: list[Driver] = []
        self.webs: list[Web] = []
        self.pg.execute(f"DROP DATABASE IF EXISTS {name}")
        self.pg.execute(f"CREATE DATABASE {name} TEMPLATE {stack.template}")

    @property
    def seed(self) -> dict[str, Any]:
        return self.stack.seed

    def env(self, **extra: str) -> dict[str, str]:
        return app_env(self.pg.url(self.db), self.redis.url(), self.tmp / "var", **extra)

    def worker(self, pool: str = "prefork", **extra: str) -> WorkerProcess:
        env = self.env(**extra)
        worker = _start_worker(self.tmp / f"worker-{len(self.workers)}", pool=pool, extra_env=env)
        self.workers.append(worker)
        return worker

    def driver(self, *, database: str | None = None, redis_url: str | None = None) -> Driver:
        env = app_env(
            self.pg.url(database or self.db),
            self.redis.url() if redis_url is None else redis_url,
            self.tmp / f"driver-{len(self.drivers)}",
        )
        driver = Driver(env, self.tmp / f"driver-{len(self.drivers)}.log")
        self.drivers.append(driver)
        return driver

    def web(self) -> Web:
        port = free_port()
        log_path = self.tmp / f"web-{len(self.webs)}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application",
                 "-b", f"127.0.0.1:{port}", "-w", "1", "--threads", "4", "--timeout", "30"],
                cwd=BASE_DIR, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        web = Web(proc, port, log_path)
        self.webs.append(web)

        def up() -> bool:
            if proc.poll() is not None:
                pytest.fail(f"gunicorn exited ({proc.returncode}):\n{web.log()}", pytrace=False)
            with contextlib.suppress(OSError):
                return web.get("/healthz")[0] == 200
            return False

        wait_until(up, timeout=START_TIMEOUT, interval=0.2, what="gunicorn to answer /healthz")
        return web

    # --- observing through SQL ---

    def rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        return self.pg.query(self.db, sql, params)

    def value(self, sql: str, params: Any = ()) -> Any:
        return self.rows(sql, params)[0][0]

    def checksum(self, db: str | None = None) -> dict[str, str]:
        """md5 of every result table's rows, all columns but the id and timestamps."""
        sums = {}
        for table in RESULT_TABLES:
            columns = [
                r[0]
                for r in self.pg.query(
                    db or self.db,
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                    "AND column_name <> 'id' AND data_type NOT LIKE 'timestamp%%' "
                    "ORDER BY column_name",
                    (table,),
                )
            ]
            assert columns, table
            row = ", ".join(f'"{c}"' for c in columns)
            agg = "count(*) || ':' || coalesce(md5(string_agg(r, E'\\n' ORDER BY r)), '')"
            # the table and column names are ours (RESULT_TABLES, the catalogue)
            sql = f"SELECT {agg} FROM (SELECT ROW({row})::text AS r FROM {table}) t"  # noqa: S608
            sums[table] = self.pg.query(db or self.db, sql)[0][0]
        return sums

    def recompute_backend(self, plan: int) -> int | None:
        """The backend inside a recompute of ``plan`` that waits for a lock, if any."""
        found = self.rows(
            "SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.classid = %s AND l.objid = %s AND l.granted "
            "AND a.wait_event_type = 'Lock'",
            (RECOMPUTE_LOCK, plan),
        )
        return found[0][0] if found else None

    def hold_grades(self, plan: int) -> Any:
        """Lock the plan's channel grades (a recompute will wait there); returns the conn."""
        conn = self.pg.connect(self.db, autocommit=False)
        with conn.cursor() as cur:
            cur.execute(
                "SELECT id FROM monitoring_channelgrade WHERE plan_id = %s FOR UPDATE", (plan,)
            )
            assert cur.fetchall(), "the seeded plan has channel grades"
        return conn

    def outbox_pending(self, task: str) -> int:
        return int(
            self.value(
                "SELECT count(*) FROM core_outboxmessage WHERE task_name = %s AND done_at IS NULL",
                (task,),
            )
        )

    def close(self, failed: bool) -> None:
        for web in self.webs:
            if web.proc.poll() is None:
                web.proc.terminate()
                try:
                    web.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(web.proc.pid, signal.SIGKILL)
                    web.proc.wait(timeout=15)
        for worker in self.workers:
            _stop_worker(worker)
        for driver in self.drivers:
            driver.close()
        if failed:
            for worker in self.workers:
                print(f"\n===== worker {worker.name} =====\n{worker.log()}", file=sys.stderr)
            for i, driver in enumerate(self.drivers):
                print(f"\n===== driver {i} =====\n{driver.log()}", file=sys.stderr)
            for web in self.webs:
                print(f"\n===== gunicorn =====\n{web.log()}", file=sys.stderr)


@pytest.fixture
def chaos(stack: Stack, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Chaos]:
    if stack.redis.proc is None:  # a failed test may have left it stopped
        stack.redis.start()
    if not (stack.pg.data / "postmaster.pid").exists():
        stack.pg.start()
    name = f"chaos_{request.node.name[5:40].lower()}".replace("-", "_")
    chaos = Chaos(stack, tmp_path, name)
    try:
        yield chaos
    finally:
        failed = any(
            getattr(getattr(request.node, f"rep_{when}", None), "failed", False)
            for when in ("setup", "call")
        )
        chaos.close(failed)
        with contextlib.suppress(Exception):
            stack.pg.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def smtp() -> Iterator[tuple[CountingSMTP, dict[str, str]]]:
    handler = CountingSMTP()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port)}
    finally:
        controller.stop()


def wait_for(predicate: Callable[[], object], what: str, timeout: float = DONE_TIMEOUT) -> Any:
    return wait_until(predicate, timeout=timeout, interval=0.2, what=what)


# --- 1. kill -9 of a worker in the middle of a recompute ---------------------------------------


def test_a_worker_killed_mid_recompute_leaves_the_same_results_and_one_email_each(
    chaos: Chaos, smtp: tuple[CountingSMTP, dict[str, str]]
):
    handler, smtp_env = smtp
    plan = chaos.seed["plan"]
    # the reference: the same change recomputed once, cleanly, in a copy of the database
    reference_db = f"{chaos.db}_ref"
    chaos.pg.execute(f"CREATE DATABASE {reference_db} TEMPLATE {chaos.stack.template}")
    try:
        reference_driver = chaos.driver(database=reference_db, redis_url="")  # in-process
        reference_driver.call("spike", plan=plan)
        reference_driver.close()
        reference = chaos.checksum(reference_db)
        assert chaos.pg.query(reference_db, "SELECT count(*) FROM monitoring_alert")[0][0] == 1
    finally:
        chaos.pg.execute(f"DROP DATABASE IF EXISTS {reference_db} WITH (FORCE)")
    before = chaos.checksum()
    assert before != reference  # the spike changes the stored results
    runs = "SELECT runs FROM monitoring_computestate WHERE plan_id = %s"
    runs_before = chaos.value(runs, (plan,))

    worker = chaos.worker("solo", **smtp_env)
    driver = chaos.driver()
    held = chaos.hold_grades(plan)
    try:
        # when a new day of metrics is imported, the worker starts the recompute …
        assert driver.call("spike", plan=plan)["status"] == "succeeded"
        victim = wait_for(lambda: chaos.recompute_backend(plan), "the recompute to start")
        # … and dies in the middle of it (rollups and KPI actuals already rewritten)
        worker.kill()
    finally:
        held.rollback()
        held.close()
    wait_for(
        lambda: not chaos.rows("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (victim,)),
        "the dead worker's database session to end",
        timeout=30,
    )
    # nothing of the interrupted run was kept, nothing was sent
    assert chaos.checksum() == before
    assert chaos.value("SELECT count(*) FROM monitoring_alert") == 0
    assert chaos.outbox_pending(RECOMPUTE) == 1
    assert handler.per_recipient() == Counter()

    # after a restart (and the sweep, which republishes what a dead worker never finished)
    chaos.worker("solo", **smtp_env)
    assert driver.call("sweep")["published"] >= 1
    wait_for(lambda: chaos.outbox_pending(RECOMPUTE) == 0, "the recompute to complete")
    assert chaos.checksum() == reference
    # one alert, and one email to each subscribed member
    alerts = chaos.rows("SELECT dedup_key, status FROM monitoring_alert")
    assert len(alerts) == 1 and alerts[0][1] == "open"
    subscribed = chaos.seed["subscribed"]
    wait_for(
        lambda: handler.per_recipient() == Counter(dict.fromkeys(subscribed, 1)),
        "one alert email to each subscribed member",
    )
    wait_for(lambda: chaos.outbox_pending(SEND) == 0, "every send task to be done")
    # a second sweep finds nothing to redo, and nothing more went out
    assert driver.call("sweep")["published"] == 0
    assert handler.per_recipient() == Counter(dict.fromkeys(subscribed, 1))
    assert chaos.value("SELECT count(*) FROM monitoring_alert") == 1
    assert chaos.value(runs, (plan,)) == runs_before + 1  # the interrupted run left no trace


# --- 2. Redis restarted under a stream of imports ----------------------------------------------


def test_a_redis_restart_under_a_stream_of_imports_loses_no_recompute(chaos: Chaos):
    plans = [chaos.seed["plan"], chaos.seed["other_plan"]]
    count = 20
    imported = (
        "SELECT count(*) FROM monitoring_metricimport "
        "WHERE filename LIKE 'april-%%' AND status = 'succeeded'"
    )
    worker = chaos.worker("prefork")
    driver = chaos.driver()
    driver.call("request", plans=[])  # Django is up before the stream starts
    answers: list[dict[str, Any]] = []
    stream = threading.Thread(
        target=lambda: answers.append(driver.call("imports", plans=plans, count=count, pause=0.3))
    )
    stream.start()
    try:
        wait_for(lambda: chaos.value(imported) >= 5, "the first imports", timeout=60)
        chaos.redis.stop()
        stopped_at = chaos.value(imported)
        wait_for(lambda: chaos.value(imported) >= stopped_at + 5, "imports while Redis is down")
        chaos.redis.start()
    finally:
        stream.join(DRIVER_TIMEOUT)
    assert not stream.is_alive()
    # every import went in, with Redis down or not
    (answer,) = answers
    assert [i["status"] for i in answer["imports"]] == ["succeeded"] * count
    # some requests could not be published while Redis was down; the sweep (beat runs
    # it every minute) publishes them again, and whatever the restart lost
    assert chaos.rows(
        "SELECT 1 FROM core_outboxmessage WHERE task_name = %s AND last_error <> ''", (RECOMPUTE,)
    ), "no publish failed: Redis was not down during the stream"
    # A worker that loses Redis while a task is in flight may exit: kombu 5.x fails to
    # restore the unacknowledged message on the lost connection ("Unrecoverable error:
    # AttributeError ... 'hostname'", an upstream bug). The process supervisor starts
    # it again (compose: ``restart: unless-stopped``), as the test does here.
    if not worker.alive():
        worker.killed = True  # not a failure of the app
        chaos.worker("prefork")
    driver.call("sweep")
    wait_for(lambda: chaos.outbox_pending(RECOMPUTE) == 0, "every requested recompute to run")
    # every plan was recomputed after its last import, with every imported row
    for plan in plans:
        started, requested, error = chaos.rows(
            "SELECT started_at, requested_at, last_error FROM monitoring_computestate "
            "WHERE plan_id = %s",
            (plan,),
        )[0]
        assert started >= requested and error == ""
        daily, rolled_up = chaos.rows(
            "SELECT (SELECT sum(impressions) FROM monitoring_dailymetric WHERE plan_id = %(p)s), "
            "(SELECT sum(impressions) FROM monitoring_metricrollup WHERE plan_id = %(p)s "
            "AND period = 'year' AND channel_id IS NULL AND campaign_id IS NULL)",
            {"p": plan},
        )[0]
        ours = sum(100 + i for i in range(count) if plans[i % len(plans)] == plan)
        assert daily == 28 * 2 * 1000 + ours
        assert rolled_up == daily


# --- 3. PostgreSQL restarted under running tasks and web requests ------------------------------


def test_a_postgres_restart_retries_the_tasks_and_pages_answer_503_meanwhile(chaos: Chaos):
    plan, other = chaos.seed["plan"], chaos.seed["other_plan"]
    session = {"Cookie": f"sessionid={chaos.seed['session']}"}
    token = {"Authorization": f"Token {chaos.seed['token']}", "Accept": "application/json"}
    worker = chaos.worker("prefork")
    web = chaos.web()
    driver = chaos.driver()
    assert web.get("/", session)[0] == 200
    assert web.get("/api/v1/plans/", token)[0] == 200

    held = chaos.hold_grades(plan)
    driver.call("request", plans=[plan, other])
    wait_for(lambda: chaos.recompute_backend(plan), "the recompute to be running")
    # when PostgreSQL stops under the running task (fast: every session is ended) …
    chaos.pg.stop("fast")
    with contextlib.suppress(psycopg2.Error):
        held.close()
    # … the pages and the API answer 503 with the error page, not a traceback
    status, headers, body = web.get("/", session)
    assert status == 503, body
    assert headers["Retry-After"] == "30"
    assert "Temporarily unavailable" in body and "Traceback" not in body
    status, headers, body = web.get("/api/v1/plans/", token)
    assert status == 503 and headers["Retry-After"] == "30"
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body)["code"] == "service_unavailable"
    assert web.get("/healthz")[0] == 503
    # … and the task failed on the lost connection and is retried
    wait_for(
        lambda: worker.count_in_log(r"Task monitoring\.recompute_plan\[[0-9a-f-]+\] retry"),
        "the worker to retry the recompute",
        timeout=30,
    )

    chaos.pg.start()
    # the web process recovers by itself
    wait_for(lambda: web.get("/", session)[0] == 200, "the page to answer again", timeout=30)
    assert web.get("/api/v1/plans/", token)[0] == 200
    # the retried tasks complete (and the sweep republishes any that ran out of retries)
    driver.call("sweep")
    wait_for(lambda: chaos.outbox_pending(RECOMPUTE) == 0, "the recomputes to complete")
    for p in (plan, other):
        started, requested, error = chaos.rows(
            "SELECT started_at, requested_at, last_error FROM monitoring_computestate "
            "WHERE plan_id = %s",
            (p,),
        )[0]
        assert started >= requested and error == ""
    assert (
        chaos.value(
            "SELECT count(*) FROM core_outboxmessage WHERE task_name = %s AND done_at IS NOT NULL",
            (RECOMPUTE,),
        )
        >= 2
    )
