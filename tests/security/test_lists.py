"""Lists show no foreign rows: every API collection, as a member of another workspace.

The demo workspace (a year of metrics, alerts, imports, deliveries, budgets, suppliers…)
and the personas' workspace are both foreign to the *outsider*, the admin of a third
workspace with a plan of its own. For every collection route of the schema (GET without
a path parameter), the outsider lists everything and then filters by the id of a
foreign object for every filter that takes one: no row of another workspace comes back
(an id filter may also be refused with a 4xx, never a 5xx). The demo admin's view of
the same route is the control: it must show demo rows, so the outsider's empty answer
means something.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from django.apps import apps
from django.db.models import ForeignKey, Model, OneToOneField
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from channels.models import Channel
from planner.models import Plan, Workspace
from tests.conftest import World

pytestmark = pytest.mark.django_db

# Query parameters that name an object by id, and the model they name.
ID_FILTERS = {
    "plan": "Plan",
    "workspace": "Workspace",
    "channel": "Channel",
    "campaign": "Campaign",
    "objective": "Objective",
    "competitor": "Competitor",
    "feature": "Feature",
    "creator": "Creator",
    "department": "Department",
    "supplier": "Supplier",
    "line": "BudgetLine",
    "purchase_order": "PurchaseOrder",
}
# Collections the demo has no rows in, and why (their leak test is the filter one only).
DEMO_HAS_NONE = {
    "/api/v1/chat-channels/": "the demo sets up no chat webhook",
}


@dataclass(frozen=True)
class Collection:
    path: str
    filters: tuple[str, ...]
    model: type[Model]


@cache
def collections() -> tuple[Collection, ...]:
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    schema = generator.get_schema(request=None, public=True)
    views = {
        path: view
        for path, _regex, method, view in generator._get_paths_and_endpoints()
        if method == "GET"
    }
    found = []
    for path, item in sorted(schema["paths"].items()):
        if "{" in path or "get" not in item:
            continue
        params = [p["name"] for p in item["get"].get("parameters", []) if p["in"] == "query"]
        view = views[path]
        model = view.queryset.model if getattr(view, "queryset", None) is not None else None
        if model is None:
            model = view.get_serializer_class().Meta.model
        found.append(Collection(path, tuple(p for p in params if p in ID_FILTERS), model))
    return tuple(found)


def workspace_path(model: type[Model]) -> str:
    """The ORM lookup from ``model`` to its workspace (``plan__workspace``, …)."""
    if model is Workspace:
        return "pk"
    queue: deque[tuple[type[Model], str]] = deque([(model, "")])
    seen = {model}
    while queue:
        current, prefix = queue.popleft()
        for field in current._meta.get_fields():
            if not isinstance(field, ForeignKey | OneToOneField) or field.related_model in seen:
                continue
            lookup = f"{prefix}{field.name}"
            if field.related_model is Workspace:
                return lookup
            seen.add(field.related_model)
            queue.append((field.related_model, f"{lookup}__"))
    raise AssertionError(f"{model.__name__} does not lead to a workspace")


def listed_ids(client: Any, path: str, query: dict[str, Any]) -> tuple[int, list[Any]]:
    response = client.get(path, {**query, "limit": 1000})
    if response.status_code != 200:
        return response.status_code, []
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    assert isinstance(rows, list), f"{path}: not a list: {body!r}"[:400]
    ids = [row.get("id") for row in rows]
    assert None not in ids, f"{path}: rows without an id: {rows[:2]}"
    return 200, ids


def foreign_object(model_name: str, demo_plan: Plan) -> Model:
    model = next(m for m in apps.get_models() if m.__name__ == model_name)
    if model is Workspace:
        return demo_plan.workspace
    found = model._base_manager.filter(**{workspace_path(model): demo_plan.workspace.pk}).first()
    assert found is not None, f"the demo has no {model_name}"
    return found


def test_every_collection_and_id_filter_is_known():
    models = {c.model.__name__ for c in collections()}
    assert len(collections()) >= 50, sorted(c.path for c in collections())
    assert "Plan" in models and "Alert" in models
    for collection in collections():
        workspace_path(collection.model)  # every listed model belongs to a workspace


@pytest.mark.parametrize("collection", collections(), ids=lambda c: c.path)
def test_an_outsider_lists_no_foreign_row(
    collection: Collection, demo_module, world: World, api_for
):
    outsider, insider = api_for("outsider"), api_for("admin")
    demo_admin = APIClient()
    demo_admin.force_authenticate(user=_demo_admin())
    lookup = workspace_path(collection.model)
    own = world.other_workspace  # the outsider's only workspace

    status, ids = listed_ids(outsider, collection.path, {})
    assert status == 200, f"{collection.path}: {status}"
    leaked = collection.model._base_manager.filter(pk__in=ids).exclude(**{lookup: own.pk})
    assert not leaked.exists(), f"{collection.path} shows the outsider {list(leaked)[:5]}"

    status, demo_ids = listed_ids(demo_admin, collection.path, {})
    assert status == 200, f"{collection.path}: the demo admin gets {status}"
    if collection.path in DEMO_HAS_NONE:
        assert not demo_ids, f"{collection.path} has demo rows now: drop it from DEMO_HAS_NONE"
    else:
        assert demo_ids, f"{collection.path}: the demo admin sees no rows"
        assert not set(demo_ids) & set(ids)

    for name in collection.filters:
        for foreign in (foreign_object(ID_FILTERS[name], demo_module), _in_world(name, world)):
            if foreign is None:
                continue
            status, ids = listed_ids(outsider, collection.path, {name: foreign.pk})
            assert status < 500, f"{collection.path}?{name}={foreign.pk}: {status}"
            assert ids == [], f"{collection.path}?{name}={foreign.pk} shows the outsider {ids}"
    # The personas' admin filters by their own plan: the filter works (a valid request).
    if "plan" in collection.filters:
        status, _ = listed_ids(insider, collection.path, {"plan": world.plan.pk})
        assert status == 200, f"{collection.path}?plan=<own plan>: {status}"


def _demo_admin() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="demo-admin")


def _in_world(name: str, world: World) -> Model | None:
    """The personas' own object for a filter, where the world has one."""
    if name == "plan":
        return world.plan
    if name == "workspace":
        return world.workspace
    if name == "channel":
        return Channel.objects.filter(plan=world.plan).first()
    return None
