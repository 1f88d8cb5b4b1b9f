"""The access matrix's vocabulary: personas, expected statuses, cases and URL helpers.

Section test packages add their own cases (``tests/<section>/access_cases.py``);
``tests/planner/test_access_matrix.py`` runs them all for every persona.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from planner.models import Membership
from tests.factories import UserFactory
from tests.kpis.trees import small_tree

PERSONAS = ("admin", "manager", "editor", "viewer", "outsider", "anonymous")


def expect(
    admin: int,
    manager: int,
    editor: int,
    viewer: int,
    outsider: int,
    anonymous: int,
) -> dict[str, int]:
    return {
        "admin": admin,
        "manager": manager,
        "editor": editor,
        "viewer": viewer,
        "outsider": outsider,
        "anonymous": anonymous,
    }


@dataclass
class Case:
    route: str  # the URL name the case covers
    method: str
    path: Callable[[Any], str]
    expected: dict[str, int]
    data: Callable[[Any], dict[str, Any]] = field(default=lambda w: {})
    headers: Callable[[Any], dict[str, str]] = field(default=lambda w: {})
    api: bool = False

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}"


def plan_url(suffix: str = "") -> Callable[[Any], str]:
    return lambda w: f"/plans/{w.plan.pk}/{suffix}"


def api_plan(suffix: str = "") -> Callable[[Any], str]:
    return lambda w: f"/api/v1/plans/{w.plan.pk}/{suffix}"


def if_match_plan(w: Any) -> dict[str, str]:
    w.plan.refresh_from_db()
    return {"HTTP_IF_MATCH": f'"{w.plan.version}"'}


def viewer_membership(w: Any) -> Membership:
    return Membership.objects.get(workspace=w.workspace, user=w.users["viewer"])


def if_match_membership(w: Any) -> dict[str, str]:
    return {"HTTP_IF_MATCH": f'"{viewer_membership(w).version}"'}


def new_user_name(w: Any) -> str:
    return UserFactory(username="newbie").username


MEMBERS_READ = expect(200, 200, 200, 200, 404, 302)
EDITORS_WRITE_REDIRECT = expect(302, 302, 302, 403, 404, 302)
ADMIN_WRITE_REDIRECT = expect(302, 403, 403, 403, 404, 302)
API_MEMBERS_READ = expect(200, 200, 200, 200, 404, 401)
API_EDITORS_WRITE = expect(200, 200, 200, 403, 404, 401)
API_ADMIN_ONLY = expect(200, 403, 403, 403, 404, 401)


def kpi_url(suffix: str = "", code: str = "new_users") -> Callable[[Any], str]:
    return lambda w: f"/plans/{w.plan.pk}/goals/kpis/{small_tree(w)[code].pk}/{suffix}"


def api_kpi(suffix: str = "", code: str = "new_users") -> Callable[[Any], str]:
    return lambda w: f"/api/v1/kpis/{small_tree(w)[code].pk}/{suffix}"


def if_match_kpi(code: str) -> Callable[[Any], dict[str, str]]:
    return lambda w: {"HTTP_IF_MATCH": f'"{small_tree(w)[code].version}"'}


def if_match_of(fetch: Callable[[Any], Any]) -> Callable[[Any], dict[str, str]]:
    return lambda w: {"HTTP_IF_MATCH": f'"{fetch(w).version}"'}


def kpi_form(w: Any) -> dict[str, Any]:
    budget = small_tree(w)["budget"]
    return {
        "kind": "budget",
        "code": "budget",
        "name": "Budget",
        "unit": "money",
        "direction": "lower",
        "source": "manual",
        "annual_target": "1300000",
        "profile": "even",
        "version": budget.version,
    }


EDITORS_MAY = expect(200, 200, 200, 403, 404, 302)
API_CREATE = expect(201, 201, 201, 403, 400, 401)
API_DELETE = expect(204, 204, 204, 403, 404, 401)
