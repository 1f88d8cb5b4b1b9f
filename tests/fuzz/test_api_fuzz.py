"""API fuzzing: schemathesis generates requests for every operation of /api/schema/.

Each generated request is sent, in-process, as the ``world``'s editor, manager and
viewer (token auth), each in a savepoint that is rolled back, so every request sees the
same data. Path parameters, references in bodies and query strings (``plan``, ``kpi``…) and
``If-Match`` are swapped for real ids and the current ETag some of the time, so the
requests reach the handlers instead of stopping at 404, 400 or 428. Every response
must be no server error, match the schema, carry a documented status code and a
documented content type. A second test sends every operation without credentials:
401 or 403, never a 2xx, except the documented public ones.

The data is the ``world`` fixture's (tests/conftest.py), committed once for the module,
plus one object through each create operation that the fuzzer manages to call with a
valid body (so ``{id}`` routes reach their handlers). The demo would reach further but
its pages are heavy: a request costs ten times as much.

Deterministic: Hypothesis is derandomized (the examples depend only on the test) and
its example database is off. ``FUZZ_EXAMPLES`` (default 3) is the number of
generated requests per operation and persona; a longer run sets it higher, e.g.
``FUZZ_EXAMPLES=100 .venv/bin/pytest tests/fuzz -p no:logging``.
"""

from __future__ import annotations

import json
import os
import re
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
PERSONAS = ("editor", "manager", "viewer")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Operations anyone may call without credentials (documented so in the schema or here).
PUBLIC = {("POST", "/api/v1/auth/token/")}


def _schema_dict() -> dict[str, Any]:
    """The schema /api/schema/ serves, generated in-process (no database needed)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw))


def _load_schema() -> schemathesis.BaseSchema:
    from config.wsgi import application

    schema = schemathesis.openapi.from_dict(_schema_dict())
    schema.app = application
    return schema


SCHEMA = _load_schema()
OPERATIONS = {
    f"{op.method.upper()} {op.path}": op
    for op in (result.ok() for result in SCHEMA.get_all_operations())
}


# --- the world, its personas and its ids -----------------------------------------


class FuzzWorld:
    def __init__(self, plan: Any) -> None:
        self.plan = plan
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, list[Any]] = {}  # resource (first path segment) → ids


def _results(payload: Any) -> list[Any]:
    if isinstance(payload, dict) and isinstance(payload.get("results"), list):
        return payload["results"]
    return payload if isinstance(payload, list) else []


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker) -> Iterator[FuzzWorld]:
    """The ``world`` fixture's data, committed once for this module (flushed after it),
    with tokens for its personas, an object of each kind the API can create, and the
    ids of everything, per resource."""
    from django.core.management import call_command

    from tests.world import build_world

    try:
        with django_db_blocker.unblock():
            world = build_world()
            fuzz = FuzzWorld(world.plan)
            for persona, user in world.users.items():
                fuzz.tokens[persona] = Token.objects.get_or_create(user=user)[0].key
            _discover_ids(fuzz)
            _seed(fuzz)
            print("SEEDED", {k: len(v) for k, v in fuzz.ids.items()})
            _discover_ids(fuzz)
        yield fuzz
    finally:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


def _discover_ids(fuzz: FuzzWorld) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {fuzz.tokens['admin']}")
    resources = {path.split("/")[3] for path in SCHEMA.raw_schema["paths"]}
    for resource in sorted(resources):
        ids: set[Any] = set()
        for query in ("?limit=500", f"?limit=500&plan={fuzz.plan.pk}"):
            response = client.get(f"/api/v1/{resource}/{query}")
            if response.status_code == 200:
                ids |= {row["id"] for row in _results(response.json()) if "id" in row}
        fuzz.ids[resource] = sorted(ids)
    fuzz.ids["plans"] = sorted(set(fuzz.ids.get("plans", [])) | {fuzz.plan.pk})
    fuzz.ids["workspaces"] = [fuzz.plan.workspace_id]
    versions = client.get(f"/api/v1/plans/{fuzz.plan.pk}/versions/")
    fuzz.ids["number"] = sorted(
        row["number"] for row in _results(versions.json()) if "number" in row
    )
    moves = client.get(f"/api/v1/plans/{fuzz.plan.pk}/reallocation/").json()
    fuzz.ids["move_id"] = sorted(move["id"] for move in _find_dicts(moves, "moves") if "id" in move)


def _seed(fuzz: FuzzWorld) -> None:
    """One object through each create operation the manager can call: generated bodies
    whose references point at real objects, until one is created (two passes, for
    objects that need another kind first)."""
    creates = [
        op
        for op in OPERATIONS.values()
        if op.method.upper() == "POST" and op.path.count("/") == 4 and "{" not in op.path
    ]
    created: set[str] = set()
    for _ in range(2):
        for operation in creates:
            if operation.path not in created:
                _seed_one(fuzz, operation, created)
        _discover_ids(fuzz)


def _seed_one(fuzz: FuzzWorld, operation: Any, created: set[str]) -> None:
    strategy = operation.as_strategy()

    @_settings(8, phases=[Phase.generate])
    @given(data=st.data())
    def create(data: st.DataObject) -> None:
        case = data.draw(strategy)
        _aim(case, data, fuzz, always=True)
        if operation.path in created:
            return
        response = case.call(headers={"Authorization": f"Token {fuzz.tokens['manager']}"})
        if response.status_code == 201:
            created.add(operation.path)

    create()


def _find_dicts(payload: Any, key: str) -> Iterator[dict[str, Any]]:
    """Every dict in a list under ``key`` anywhere in ``payload``."""
    if isinstance(payload, dict):
        for name, value in payload.items():
            if name == key and isinstance(value, list):
                yield from (item for item in value if isinstance(item, dict))
            else:
                yield from _find_dicts(value, key)
    elif isinstance(payload, list):
        for item in payload:
            yield from _find_dicts(item, key)


def _pool(fuzz: FuzzWorld, path: str, name: str) -> list[Any]:
    """Real values for path parameter ``name`` of ``path``."""
    if name in ("move_id", "number"):
        return fuzz.ids.get(name, [])
    if name == "id":
        return fuzz.ids.get(path.split("/")[3], [])
    return []


def _reference_pool(fuzz: FuzzWorld, key: str) -> list[Any]:
    """Real ids for a body or query field that refers to another object (``plan``,
    ``kpi``, ``channel_plan``…): the resource whose name is the field's plural."""
    base = key.removesuffix("_id")
    for resource in (base + "s", base.replace("_", "-") + "s", base + "es"):
        if fuzz.ids.get(resource):
            return fuzz.ids[resource]
    if base == "scenario":
        return fuzz.ids.get("plans", [])
    return []


# --- running a case ------------------------------------------------------------------


@pytest.fixture
def in_process(fuzz_world, db) -> Iterator[list[str]]:
    """Requests go through Django's WSGI handler in this thread: keep the test's
    database connection open across requests (as Django's test client does) and
    collect the tracebacks of server errors for the failure message."""
    errors: list[str] = []

    def record(sender: Any, request: Any = None, **kwargs: Any) -> None:
        errors.append(traceback.format_exc())

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(record)
    try:
        yield errors
    finally:
        got_request_exception.disconnect(record)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _aim(case: Any, data: st.DataObject, fuzz: FuzzWorld, always: bool = False) -> None:
    """Point some of the generated values (all with ``always``) at real objects."""
    for name in list(case.path_parameters or {}):
        pool = _pool(fuzz, case.operation.path, name)
        if pool and data.draw(st.booleans()):
            case.path_parameters[name] = data.draw(st.sampled_from(pool))
    for container in (case.query, case.body):
        if not isinstance(container, dict):
            continue
        for key in list(container):
            pool = _reference_pool(fuzz, key)
            if pool and data.draw(st.booleans()):
                value = data.draw(st.sampled_from(pool))
                container[key] = [value] if isinstance(container[key], list) else value


def _with_current_etag(case: Any, headers: dict[str, str]) -> dict[str, str]:
    """``If-Match`` with the object's current ETag (read first, as the persona)."""
    from werkzeug.test import Client

    from config.wsgi import application

    path = case.formatted_path
    response = Client(application).get(path, headers=headers)
    current = response.headers.get("ETag")
    return {**headers, "If-Match": current} if current else headers


def _send(case: Any, token: str | None, errors: list[str], current_etag: bool) -> None:
    headers = {"Authorization": f"Token {token}"} if token else {}
    savepoint = transaction.savepoint()
    try:
        if current_etag:
            headers = _with_current_etag(case, headers)
        errors.clear()
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except Exception as exc:
            if errors:
                exc.add_note("Server traceback:\n" + errors[-1])
            raise
    finally:
        transaction.savepoint_rollback(savepoint)


def _settings(examples: int, phases: list[Phase] | None = None) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=phases or [Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_as_each_persona(label, fuzz_world, in_process):
    """No server error; status, content type and body as the schema documents them."""
    operation = OPERATIONS[label]
    strategy = operation.as_strategy()
    has_if_match = any(
        p.get("in") == "header" and p.get("name") == "If-Match"
        for p in operation.definition.raw.get("parameters", [])
    )

    @_settings(FUZZ_EXAMPLES)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(strategy, label="case")
        _aim(case, data, fuzz_world)
        current_etag = has_if_match and data.draw(st.booleans(), label="current ETag")
        for persona in PERSONAS:
            try:
                _send(case, fuzz_world.tokens[persona], in_process, current_etag)
            except Exception as exc:
                exc.add_note(f"as {persona}-user")
                raise

    run()


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_needs_credentials(label, fuzz_world, in_process):
    """Without credentials: 401 or 403 (documented), never reaching the handler."""
    operation = OPERATIONS[label]
    public = (operation.method.upper(), operation.path) in PUBLIC or any(
        not requirement for requirement in operation.definition.raw.get("security", [{}])
    )
    strategy = operation.as_strategy()

    @_settings(max(1, FUZZ_EXAMPLES // 3))
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(strategy, label="case")
        _aim(case, data, fuzz_world)
        savepoint = transaction.savepoint()
        try:
            response = case.call()
            if public:
                assert response.status_code < 500
                return
            assert response.status_code in (401, 403), (
                f"{label} answered {response.status_code} without credentials"
            )
            case.validate_response(response, checks=CHECKS)
        finally:
            transaction.savepoint_rollback(savepoint)

    run()


def test_every_public_operation_is_known():
    """The exceptions in PUBLIC are real operations (a renamed route fails here)."""
    labels = {(op.method.upper(), op.path) for op in OPERATIONS.values()}
    assert labels >= PUBLIC
    assert all(re.match(r"^/api/v1/", path) for _, path in PUBLIC)
