"""Who may see and do what: the one place access is decided.

Every page, API endpoint, export and task fetches protected rows through the
functions here. The rules:

1. A user sees a workspace's data only through a ``Membership``; everybody
   else (an *outsider*) gets 404 for it, exactly as if it did not exist.
2. Roles are ordered viewer < editor < manager < admin. An action needs a
   minimum role (``MIN_ROLE``); a member below it gets 403 (``NotAllowed``).
3. Every model that belongs to a workspace names the path to it in
   ``workspace_path`` (``"workspace"``, ``"plan__workspace"``, …) so that one
   ``restrict`` call scopes any queryset.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeGuard, TypeVar, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.relations import PrimaryKeyRelatedField
from rest_framework.request import Request
from rest_framework.views import APIView

from core.errors import NotAllowed
from planner.models import Membership, Plan, Role, Workspace

M = TypeVar("M", bound=Model)
AnyUser = AbstractBaseUser | AnonymousUser


class Action(StrEnum):
    VIEW = "view"  # read anything in the workspace
    EDIT = "edit"  # write plan data, submit a plan
    APPROVE = "approve"  # approve, send back, reopen, archive; approve budgets
    ADMIN = "admin"  # manage members


ROLE_RANK: dict[str, int] = {Role.VIEWER: 1, Role.EDITOR: 2, Role.MANAGER: 3, Role.ADMIN: 4}
MIN_ROLE: dict[Action, Role] = {
    Action.VIEW: Role.VIEWER,
    Action.EDIT: Role.EDITOR,
    Action.APPROVE: Role.MANAGER,
    Action.ADMIN: Role.ADMIN,
}


def roles_allowed(action: Action) -> list[str]:
    floor = ROLE_RANK[MIN_ROLE[action]]
    return [role for role, rank in ROLE_RANK.items() if rank >= floor]


def role_allows(role: str | None, action: Action) -> bool:
    return role is not None and ROLE_RANK.get(role, 0) >= ROLE_RANK[MIN_ROLE[action]]


def _is_user(user: AnyUser | None) -> TypeGuard[AbstractBaseUser]:
    return user is not None and user.is_authenticated and user.is_active


def role_in(user: AnyUser | None, workspace_id: int) -> str | None:
    """The user's role in the workspace, or None for an outsider.

    Cached on the user object for the duration of a request.
    """
    if not _is_user(user):
        return None
    cache: dict[int, str | None] = user.__dict__.setdefault("_almanac_roles", {})
    if workspace_id not in cache:
        cache[workspace_id] = (
            Membership.objects.filter(user_id=user.pk, workspace_id=workspace_id)
            .values_list("role", flat=True)
            .first()
        )
    return cache[workspace_id]


def can(user: AnyUser | None, workspace_id: int, action: Action) -> bool:
    return role_allows(role_in(user, workspace_id), action)


def require(user: AnyUser | None, workspace_id: int, action: Action) -> None:
    """Raise ``NotAllowed`` unless the user may do ``action`` in the workspace."""
    if not can(user, workspace_id, action):
        raise NotAllowed()


def workspace_id_of(obj: Model) -> int:
    """Follow ``workspace_path`` from any workspace-owned object to its workspace id."""
    path: str = getattr(type(obj), "workspace_path")  # noqa: B009 - a declared class contract
    if path == "pk":
        return int(obj.pk)
    target: Any = obj
    for part in path.split("__"):
        target = getattr(target, part)
    return int(target.pk)


def restrict(
    queryset: QuerySet[M], user: AnyUser | None, action: Action = Action.VIEW
) -> QuerySet[M]:
    """Only the rows of workspaces where the user may do ``action``."""
    if not _is_user(user):
        return queryset.none()
    path: str = getattr(queryset.model, "workspace_path")  # noqa: B009
    lookup = "pk__in" if path == "pk" else f"{path}_id__in"
    workspace_ids = Membership.objects.filter(
        user_id=user.pk, role__in=roles_allowed(action)
    ).values("workspace_id")
    return queryset.filter(**{lookup: workspace_ids})


def object_for_user(
    queryset: QuerySet[M], user: AnyUser | None, action: Action = Action.VIEW, **lookup: Any
) -> M:
    """Fetch one object: 404 when missing or not visible, 403 when visible but not allowed."""
    obj = restrict(queryset, user, Action.VIEW).filter(**lookup).first()
    if obj is None:
        raise Http404(_("Not found."))
    if action is not Action.VIEW:
        require(user, workspace_id_of(obj), action)
    return obj


def workspaces_for_user(user: AnyUser | None, action: Action = Action.VIEW) -> QuerySet[Workspace]:
    return restrict(Workspace.objects.all(), user, action)


def workspace_for_user(user: AnyUser | None, slug: str, action: Action = Action.VIEW) -> Workspace:
    return object_for_user(Workspace.objects.all(), user, action, slug=slug)


def plans_for_user(user: AnyUser | None, action: Action = Action.VIEW) -> QuerySet[Plan]:
    return restrict(Plan.objects.select_related("workspace"), user, action)


def plan_for_user(user: AnyUser | None, plan_id: int, action: Action = Action.VIEW) -> Plan:
    return object_for_user(Plan.objects.select_related("workspace"), user, action, pk=plan_id)


def memberships_for_user(
    user: AnyUser | None, action: Action = Action.VIEW
) -> QuerySet[Membership]:
    return restrict(Membership.objects.select_related("user", "workspace"), user, action)


# --- DRF -------------------------------------------------------------------------


class ScopedQuerysetMixin:
    """For API viewsets: the queryset is always restricted to the user's workspaces.

    ``list_action`` narrows lists further (e.g. memberships: admins only).
    """

    list_action: Action = Action.VIEW

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()  # type: ignore[misc]
        request = cast(Request, getattr(self, "request"))  # noqa: B009 - set by DRF's view
        action = self.list_action if getattr(self, "action", None) == "list" else Action.VIEW
        return restrict(queryset, request.user, action)


@extend_schema_field(OpenApiTypes.INT)
class VisibleField(PrimaryKeyRelatedField):
    """An id in a request body, looked up only among the rows the caller may see:
    another workspace's id "does not exist" (400), like a missing one.

    ``VisibleField(Model)`` for any model with a ``workspace_path``.
    """

    def __init__(self, model: type[Model] | None = None, **kwargs: Any) -> None:
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context.get("request")
        model = self.model or Workspace
        return restrict(model._default_manager.all(), request.user if request else None)


class VisibleWorkspaceField(VisibleField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Workspace, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class MemberField(PrimaryKeyRelatedField):
    """A user id in a request body: only people who share a workspace with the caller."""

    def get_queryset(self) -> QuerySet[Any]:
        from django.contrib.auth import get_user_model

        request = self.context.get("request")
        workspaces = workspaces_for_user(request.user if request else None)
        return get_user_model().objects.filter(memberships__workspace__in=workspaces).distinct()


class RolePermission(BasePermission):
    """Object permission by role: safe methods need VIEW, others the view's
    ``write_action`` (EDIT unless the view says otherwise, per DRF action in
    ``action_roles``)."""

    def required_action(self, request: Request, view: APIView) -> Action:
        roles: dict[str, Action] = getattr(view, "action_roles", {})
        drf_action = getattr(view, "action", None)
        if drf_action in roles:
            return roles[drf_action]
        if request.method in SAFE_METHODS:
            return getattr(view, "read_action", Action.VIEW)
        return getattr(view, "write_action", Action.EDIT)

    def has_permission(self, request: Request, view: APIView) -> bool:
        return _is_user(request.user)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        action = self.required_action(request, view)
        if not can(request.user, workspace_id_of(obj), action):
            raise NotAllowed()
        return True


class PlanScopedAPIView(APIView):
    """An API view about one plan the caller can see (404 for anyone else's)."""

    permission_classes = [RolePermission]

    def plan(self, request: Request, pk: int, action: Action = Action.VIEW) -> Plan:
        return plan_for_user(request.user, pk, action)
