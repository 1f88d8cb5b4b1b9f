"""REST API for workspaces, memberships and plans. Writes go through services."""

from __future__ import annotations

from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import (
    VERSIONED_ERRORS,
    VersionedViewSetMixin,
    expected_version,
    versioned_schema,
    with_etag,
)
from core.auth import actor_of
from core.errors import NotAllowed
from planner import queries, services
from planner.access import (
    Action,
    RolePermission,
    ScopedQuerysetMixin,
    VisibleWorkspaceField,
    can,
    role_in,
)
from planner.models import Membership, Plan, PlanStatus, PlanTransition, Role, Workspace

# --- workspaces ------------------------------------------------------------------


class WorkspaceSerializer(serializers.ModelSerializer[Workspace]):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Workspace
        fields = ["id", "name", "slug", "role", "created_at"]

    def get_role(self, workspace: Workspace) -> str | None:
        return role_in(self.context["request"].user, workspace.pk)


class WorkspaceViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[Workspace]):
    """The workspaces you belong to, with your role in each."""

    queryset = Workspace.objects.all()
    serializer_class = WorkspaceSerializer
    permission_classes = [RolePermission]


# --- memberships -----------------------------------------------------------------


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "workspace", "user", "username", "role", "version", "updated_at"]
        read_only_fields = ["id", "workspace", "user", "username", "version", "updated_at"]


class MembershipCreateSerializer(serializers.Serializer[Any]):
    workspace = VisibleWorkspaceField()
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipUpdateSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipFilter(filters.FilterSet):
    class Meta:
        model = Membership
        fields = ["workspace", "role"]


@extend_schema_view(
    list=extend_schema(description="Members of the workspaces you administer."),
    create=extend_schema(request=MembershipCreateSerializer, responses={201: MembershipSerializer}),
    **versioned_schema(MembershipUpdateSerializer, MembershipSerializer),
)
class MembershipViewSet(
    ScopedQuerysetMixin, VersionedViewSetMixin, viewsets.ModelViewSet[Membership]
):
    """Workspace members and their roles (workspace admins only)."""

    queryset = Membership.objects.select_related("user").order_by("workspace_id", "user__username")
    serializer_class = MembershipSerializer
    permission_classes = [RolePermission]
    filterset_class = MembershipFilter
    list_action = Action.ADMIN
    read_action = Action.ADMIN
    write_action = Action.ADMIN

    write_serializer_class = MembershipUpdateSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = MembershipCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        membership = services.membership_add(
            workspace=data["workspace"],
            username=data["username"],
            role=data["role"],
            actor=actor_of(request),
        )
        return with_etag(Response(self.get_serializer(membership).data, status=201), membership)

    def perform_versioned_update(
        self, instance: Membership, version: int, data: dict[str, Any]
    ) -> Membership:
        return services.membership_update(
            membership=instance,
            role=data.get("role", instance.role),
            expected_version=version,
            actor=actor_of(self.request),
        )

    def perform_versioned_destroy(self, instance: Membership, version: int) -> None:
        services.membership_remove(
            membership=instance, expected_version=version, actor=actor_of(self.request)
        )


# --- plans -----------------------------------------------------------------------


PLAN_WRITABLE_FIELDS = ["workspace", "year", "name", "description", "currency"]
PLAN_READ_ONLY_FIELDS = [
    "id",
    "status",
    "version",
    "created_by",
    "approved_by",
    "approved_at",
    "scenario_of",
    "created_at",
    "updated_at",
]


class PlanSerializer(serializers.ModelSerializer[Plan]):
    workspace = VisibleWorkspaceField()

    class Meta:
        model = Plan
        fields = [*PLAN_WRITABLE_FIELDS, *PLAN_READ_ONLY_FIELDS]
        read_only_fields = PLAN_READ_ONLY_FIELDS
        # Uniqueness is the service's rule, reported on the field it concerns.
        validators: list[Any] = []


class PlanUpdateSerializer(serializers.ModelSerializer[Plan]):
    class Meta:
        model = Plan
        fields = ["year", "name", "description", "currency"]


class TransitionRequestSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=PlanTransition.Action.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PlanTransitionSerializer(serializers.ModelSerializer[PlanTransition]):
    actor = serializers.CharField(source="actor.username", read_only=True, default=None)

    class Meta:
        model = PlanTransition
        fields = ["id", "action", "from_status", "to_status", "actor", "comment", "created_at"]


HISTORY_KINDS = [("+", "created"), ("~", "changed"), ("-", "deleted")]


class FieldChangeSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    field_label = serializers.CharField(source="label")
    old = serializers.CharField(allow_null=True)
    new = serializers.CharField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer[Any]):
    when = serializers.DateTimeField()
    who = serializers.CharField(source="who.username", default=None, allow_null=True)
    kind = serializers.ChoiceField(choices=HISTORY_KINDS)
    object_label = serializers.CharField()
    reason = serializers.CharField()
    changes = FieldChangeSerializer(many=True)


class PlanFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=PlanStatus.choices)

    class Meta:
        model = Plan
        fields = ["workspace", "year", "status"]


@extend_schema_view(**versioned_schema(PlanUpdateSerializer, PlanSerializer))
class PlanViewSet(
    ScopedQuerysetMixin,
    VersionedViewSetMixin,
    viewsets.ModelViewSet[Plan],
):
    """Annual plans. Only a draft can be edited; lifecycle moves go through `transition`."""

    queryset = Plan.objects.select_related("workspace").order_by("-year", "name")
    serializer_class = PlanSerializer
    permission_classes = [RolePermission]
    filterset_class = PlanFilter
    action_roles = {"destroy": Action.ADMIN, "transition": Action.VIEW}

    write_serializer_class = PlanUpdateSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        workspace = data.pop("workspace")
        if not can(request.user, workspace.pk, Action.EDIT):
            raise NotAllowed()
        plan = services.plan_create(workspace=workspace, actor=actor_of(request), **data)
        return with_etag(Response(self.get_serializer(plan).data, status=201), plan)

    def perform_versioned_update(self, instance: Plan, version: int, data: dict[str, Any]) -> Plan:
        return services.plan_update(
            plan=instance, expected_version=version, changes=data, actor=actor_of(self.request)
        )

    def perform_versioned_destroy(self, instance: Plan, version: int) -> None:
        services.plan_delete(plan=instance, expected_version=version, actor=actor_of(self.request))

    @extend_schema(
        request=TransitionRequestSerializer,
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description="Optional: refuse the move if the plan changed since this ETag.",
            )
        ],
        responses={200: PlanSerializer} | VERSIONED_ERRORS,
        description=(
            "Move the plan through its lifecycle: `submit` (editors), `approve`, "
            "`send_back` (needs a comment), `reopen`, `archive` (managers)."
        ),
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        serializer = TransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = expected_version(request, plan) if request.headers.get("If-Match") else None
        plan = services.plan_transition(
            plan=plan,
            action=serializer.validated_data["action"],
            comment=serializer.validated_data["comment"],
            expected_version=version,
            actor=actor_of(request),
        )
        return with_etag(Response(self.get_serializer(plan).data), plan)

    @extend_schema(responses={200: PlanTransitionSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def transitions(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        rows = queries.recent_transitions(plan, limit=500)
        return Response(PlanTransitionSerializer(rows, many=True).data)

    @extend_schema(responses={200: HistoryEntrySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        return Response(HistoryEntrySerializer(queries.plan_history(plan), many=True).data)


# --- auth --------------------------------------------------------------------------


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (throttled by django-axes)."""

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Wrong username or password."),
            429: OpenApiResponse(description="Too many failed attempts; try again later."),
        },
        auth=[],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except serializers.ValidationError:
            # django-axes marks the request it was handed (DRF's wrapper) when the
            # username or IP is locked out: answer as the HTML login does.
            if getattr(request, "axes_locked_out", False):
                return Response(
                    {"detail": "Too many failed attempts; try again later.", "code": "locked_out"},
                    status=429,
                )
            raise
