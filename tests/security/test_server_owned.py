"""Fields the server owns are ignored or refused, never applied.

For every API write operation and every field of the resource it writes that the
request serializer does not accept (``id``, ``plan``, ``workspace``, ``version``,
``status``, ``*_by``, ``*_at``, computed numbers…; read from the OpenAPI generator, see
api_fields.py), the access matrix's valid body is sent with that field forged:

- ids and references point at an object the caller may see and edit (another plan of
  the workspace, or another workspace the caller is also a member of);
- people fields name a colleague who did not act; times a day in 2001; numbers,
  texts and every choice of a choice field values the server would never pick.

Each request runs in a savepoint that is rolled back, and every table is read after
it. The valid body is sent twice first: what differs between those two runs (a
generated token, a timestamp) is volatile and not compared. The forged request must
then either leave the database exactly as the valid body does (the field was
ignored), or be refused with a 400 and write nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction

from tests.factories import PASSWORD
from tests.security.api_fields import Operation, write_operations
from tests.security.cases import operations_without_case, send, write_cases, writer
from tests.security.sides import FOREIGN, Sides, bridge, make_sides, snapshot

pytestmark = pytest.mark.django_db

CASES = write_cases()
FORGED_YEAR = 2001
FORGED_AT = f"{FORGED_YEAR}-02-03T04:05:06Z"
FORGED_NUMBER = 987654
FORGED_TEXT = "forged by the client"

State = dict[str, list[tuple[Any, ...]]]


def _operations() -> list[Operation]:
    return [op for op in write_operations() if op.server_owned and (op.route, op.method) in CASES]


def test_every_operation_with_server_owned_fields_has_a_case():
    missing = operations_without_case(lambda op: bool(op.server_owned))
    assert not missing, f"no valid access case to forge fields on: {missing}"
    assert len(_operations()) > 100


def forgeries(kind: str, sides: Sides) -> list[Any]:
    """The values a client could try for a field of that kind."""
    if kind == "id":
        return [FORGED_NUMBER]
    if kind == "user":
        return [sides.world.users["viewer"].pk]  # a colleague who did not make the request
    if kind == "fk:Workspace":
        return [sides.rival.workspace.pk]  # the caller is a member there too (bridged)
    if kind.startswith("fk:"):
        return [FOREIGN[kind.removeprefix("fk:")](sides.sibling).pk]
    if kind == "datetime":
        return [FORGED_AT]
    if kind == "number":
        return [FORGED_NUMBER]
    if kind.startswith("choice:"):
        return kind.removeprefix("choice:").split("|")
    assert kind == "text", kind
    return [FORGED_TEXT]


class _Undo(Exception):
    pass


def attempt(client: Any, op: Operation, url: str, body: dict[str, Any], headers: dict) -> Any:
    """Send ``body`` in a savepoint rolled back after it: (status, every table after)."""
    for value in body.values():
        if hasattr(value, "seek"):
            value.seek(0)
    outcome: list[Any] = []
    try:
        with transaction.atomic():
            response = send(client, CASES[(op.route, op.method)], url, body, headers)
            outcome = [response, normalised(snapshot())]
            raise _Undo
    except _Undo:
        pass
    return outcome


def normalised(state: State) -> State:
    """Times the server sets itself (now) are alike; a forged time stays visible."""

    def cell(value: Any) -> Any:
        if isinstance(value, datetime.datetime) and value.year != FORGED_YEAR:
            return "<a time set by the server>"
        return value

    return {table: [tuple(cell(v) for v in row) for row in rows] for table, rows in state.items()}


def cell_changes(first: State, second: State) -> list[tuple[str, int | None, int | None, str]]:
    """(table, row, column, description) of every cell that differs; row and column
    are None when the table has a different number of rows."""
    found: list[tuple[str, int | None, int | None, str]] = []
    for table, rows in first.items():
        other = second[table]
        if len(rows) != len(other):
            found.append((table, None, None, f"{table}: {len(other)} rows, not {len(rows)}"))
            continue
        columns = [f.attname for f in apps.get_model(table)._meta.concrete_fields]
        for index, (a, b) in enumerate(zip(rows, other, strict=True)):
            found += [
                (table, index, col, f"{table}[{index}].{columns[col]} = {y!r}, not {x!r}")
                for col, (x, y) in enumerate(zip(a, b, strict=True))
                if x != y
            ]
    return found


def volatile(first: State, second: State) -> set[tuple[str, int | None, int | None]]:
    """Cells (or whole tables) that differ between two runs of the same valid request."""
    return {(table, row, col) for table, row, col, _ in cell_changes(first, second)}


def differences(expected: State, actual: State, skip: set) -> list[str]:
    return [
        text
        for table, row, col, text in cell_changes(expected, actual)
        if (table, None, None) not in skip and (table, row, col) not in skip
    ]


@pytest.fixture
def one_instant(monkeypatch):
    """Every request of a test happens at the same instant: a value stamped to the minute
    (an alert's note) must not differ between the runs because a minute turned."""
    from django.utils import timezone

    instant = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: instant)


@pytest.mark.parametrize("op", _operations(), ids=lambda op: f"{op.method} {op.route}")
def test_server_owned_fields_are_ignored_or_refused(op: Operation, world, api_for, one_instant):
    case = CASES[(op.route, op.method)]
    persona = writer(case)
    assert persona is not None
    sides = make_sides(world)
    bridge(sides, persona)
    client = api_for(persona)
    url, headers, valid = case.path(world), case.headers(world), case.data(world)
    if op.route == "api-token":  # the matrix's case sends each persona's own credentials
        valid = {"username": world.users[persona].username, "password": PASSWORD}
    forged_values = {name: forgeries(kind, sides) for name, kind in op.server_owned}
    before = normalised(snapshot())

    first, expected = attempt(client, op, url, valid, headers)
    assert 200 <= first.status_code < 300, (
        f"the case's own body is not valid: {first.status_code} {first.content[:400]!r}"
    )
    _, again = attempt(client, op, url, valid, headers)
    skip = volatile(expected, again)

    failures = []
    for name, values in forged_values.items():
        for value in values:
            response, after = attempt(client, op, url, {**valid, name: value}, headers)
            if response.status_code == 400:
                changed = differences(before, after, set())
                if changed:
                    failures.append(f"{name}={value!r}: refused but wrote {changed[:3]}")
            elif 200 <= response.status_code < 300:
                changed = differences(expected, after, skip)
                if changed:
                    failures.append(f"{name}={value!r} was applied: {changed[:3]}")
            else:
                failures.append(
                    f"{name}={value!r}: {response.status_code} {response.content[:200]!r}"
                )
    assert not failures, f"{op.method} {url}:\n" + "\n".join(failures)
