"""A write that names another workspace's (or another plan's) object by id gets 400,
names the field, and writes nothing.

For every API write operation (POST, PUT, PATCH, custom actions included) and every
field of its request body that refers to another object (read from the OpenAPI
generator, see api_fields.py), the access matrix's valid body is sent with that one id
replaced by a foreign object's. Three foreign sides:

- ``rival``: another workspace the caller is not a member of (the id is invisible);
- ``bridged``: another workspace the caller *is* a member of, with the same role (the
  id is visible, so only the write's own checks can refuse it);
- ``sibling``: another plan of the same workspace (plan-scoped objects only).

Every table's rows are compared before and after. The same body with the caller's own
ids is then sent again and must succeed, which proves the 400 was the foreign id's.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.security.api_fields import Operation, RefField, write_operations
from tests.security.cases import operations_without_case, send, write_cases, writer
from tests.security.sides import (
    FOREIGN,
    WORKSPACE_LEVEL,
    bridge,
    changed_tables,
    make_sides,
    snapshot,
)

SIDES = ("rival", "bridged", "sibling")
# The fields that say where a new object goes (its plan, or the object it hangs off).
ANCHORS = {"plan", "workspace"}
ROUTE_ANCHORS = {
    "asset-list": "campaign",
    "cooperation-list": "creator",
    "channel-plan-list": "channel",
    "matrix-cell-list": "feature",
    "supplier-clause-list": "supplier",
}
# What a body needs besides the case's for the field to be used at all (a workstream
# links a campaign only when it is a campaign's; a clause names a backup only as a
# backup clause; an asset lists licences in its elements).
NEEDS: dict[tuple[str, str], dict[str, Any]] = {
    ("raci", "campaign"): {"kind": "campaign"},
    ("raci", "channel"): {"kind": "channel"},
    ("supplier-clause", "backup"): {"kind": "backup"},
    ("asset", "elements"): {"elements": [{"kind": "font", "name": "Source Han Sans"}]},
}
EMPTY = (None, "", [], {})
CASES = write_cases()


def _params() -> list[Any]:
    params = []
    for op in write_operations():
        for ref in op.refs:
            for side in SIDES:
                if side == "sibling" and ref.model in WORKSPACE_LEVEL:
                    continue
                params.append(
                    pytest.param(op, ref, side, id=f"{op.method} {op.route} {ref.path} {side}")
                )
    return params


def test_every_reference_has_a_valid_case_and_a_foreign_builder():
    missing_cases = operations_without_case(lambda op: bool(op.refs))
    assert not missing_cases, f"write operations with ids but no access case: {missing_cases}"
    models = {ref.model for op in write_operations() for ref in op.refs}
    assert not models - set(FOREIGN), f"no foreign builder for {sorted(models - set(FOREIGN))}"


def replace(payload: dict[str, Any], ref: RefField, value: Any) -> dict[str, Any]:
    """The payload with the field at ``ref.path`` set to ``value`` (a list for many)."""
    body = copy.copy(payload)
    value = [value] if ref.many else value
    if "." not in ref.path:
        body[ref.path] = value
        return body
    container, _, leaf = ref.path.partition(".")
    container = container.removesuffix("[]")
    items = copy.deepcopy(body.get(container))
    assert items, f"the case's body has no {container} to put a foreign {leaf} in"
    for item in items if isinstance(items, list) else [items]:
        item[leaf] = value
    body[container] = items
    return body


@pytest.mark.parametrize(("op", "ref", "side"), _params())
def test_a_foreign_id_is_refused_and_nothing_is_written(
    op: Operation, ref: RefField, side, world, api_for
):
    case = CASES[(op.route, op.method)]
    persona = writer(case)
    sides = make_sides(world)
    if side == "bridged":
        bridge(sides, persona)
    elsewhere = sides.sibling if side == "sibling" else sides.rival
    foreign = FOREIGN[ref.model](elsewhere)
    url, headers = case.path(world), case.headers(world)
    needs = NEEDS.get((op.route.rsplit("-", 1)[0], ref.top), {})
    forged = replace({**case.data(world), **needs}, ref, foreign.pk)
    valid = case.data(world)
    named = {ref.top}
    if (ref.top in ANCHORS or ROUTE_ANCHORS.get(op.route) == ref.top) and side != "rival":
        # Writing into another plan the caller may also edit is no foreign reference in
        # itself; the body's other ids (of this plan) then are — except, in a plan of
        # the same workspace, ids of the workspace's own departments, suppliers, members.
        named |= {
            r.top
            for r in op.refs
            if r.top != ref.top
            and valid.get(r.top) not in EMPTY
            and not (side == "sibling" and r.model in WORKSPACE_LEVEL)
        }
        if named == {ref.top}:
            pytest.skip("the body names no other object: a legitimate write elsewhere")
    client = api_for(persona)
    before = snapshot()

    response = send(client, case, url, forged, headers)

    assert response.status_code == 400, (
        f"{op.method} {url} with {ref.path} = a {ref.model} of the {side} side: "
        f"{response.status_code} {response.content[:400]!r}"
    )
    fields = response.json().get("fields") or {}
    assert named & set(fields), f"the 400 names none of {sorted(named)}: {response.json()}"
    assert changed_tables(before, snapshot()) == []
    control = send(client, case, url, valid, headers)
    assert 200 <= control.status_code < 300, (
        f"the case's own body is not valid: {control.status_code} {control.content[:400]!r}"
    )
