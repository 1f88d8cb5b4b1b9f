"""REST API of cross-department collaboration: departments, the RACI matrix (workstreams
with their cells nested), communication rules, the coordinator group, arbitration steps,
conflicts (escalate / resolve) and collaboration scores.

Writes go through budget/team_services.py; updates and deletes need If-Match.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from budget import team_services as services
from budget.collaboration import due_at, is_overdue
from budget.models.teams import (
    ArbitrationStep,
    CollaborationScore,
    CommunicationRule,
    Conflict,
    ConflictStatus,
    CoordinatorGroup,
    Department,
    RaciAssignment,
    RaciRole,
    Workstream,
)
from channels.models import Channel
from content.models import Campaign
from core.api import (
    IF_MATCH,
    VERSIONED_ERRORS,
    ServiceViewSetMixin,
    expected_version,
    versioned_schema,
    with_etag,
)
from core.auth import actor_of
from planner.access import (
    Action,
    MemberField,
    RolePermission,
    ScopedQuerysetMixin,
    VisibleField,
    VisibleWorkspaceField,
)
from planner.models import Plan

NO_DELETE = ["get", "post", "put", "patch", "head", "options"]

# --- departments ---------------------------------------------------------------------------------


class DepartmentSerializer(serializers.ModelSerializer[Department]):
    workspace = VisibleWorkspaceField()
    lead = MemberField(required=False, allow_null=True)

    class Meta:
        model = Department
        fields = ["id", "workspace", *services.DEPARTMENT_EDITABLE, "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]
        validators: list[Any] = []  # uniqueness is the service's, with readable messages


class DepartmentUpdateSerializer(DepartmentSerializer):
    class Meta(DepartmentSerializer.Meta):
        fields = list(services.DEPARTMENT_EDITABLE)
        read_only_fields: list[str] = []


@extend_schema_view(**versioned_schema(DepartmentUpdateSerializer, DepartmentSerializer))
class DepartmentViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Department]
):
    """The departments of a workspace (`?workspace=`). Editors change them; a department
    that holds a RACI role, has scores or owns communication rules cannot be deleted."""

    queryset = Department.objects.select_related("lead").order_by(
        "workspace_id", "sort_order", "name", "pk"
    )
    serializer_class = DepartmentSerializer
    write_serializer_class = DepartmentUpdateSerializer
    permission_classes = [RolePermission]
    filterset_fields = ["workspace"]
    service_create = services.department_create
    service_update = services.department_update
    service_delete = services.department_delete
    service_kwarg = "department"


# --- the RACI matrix: workstreams with their cells -----------------------------------------------


class RaciCellSerializer(serializers.Serializer[Any]):
    department = VisibleField(Department)
    role = serializers.ChoiceField(choices=RaciRole.choices)


class CellsField(serializers.ListField):
    """The row's cells; on write they replace all of the row's cells."""

    child = RaciCellSerializer()

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        return [{"department": cell.department_id, "role": cell.role} for cell in data.all()]


def _cells(raw: list[dict[str, Any]]) -> dict[Department, str]:
    seen: set[int] = set()
    cells: dict[Department, str] = {}
    for item in raw:
        department = item["department"]
        if department.pk in seen:
            raise serializers.ValidationError(
                {"cells": ["A department has one role per workstream; it is listed twice."]}
            )
        seen.add(department.pk)
        cells[department] = item["role"]
    return cells


class WorkstreamSerializer(serializers.ModelSerializer[Workstream]):
    plan = VisibleField(Plan)
    campaign = VisibleField(Campaign, required=False, allow_null=True)
    channel = VisibleField(Channel, required=False, allow_null=True)
    name = serializers.CharField(
        max_length=160,
        required=False,
        allow_blank=True,
        help_text="Empty: the campaign's or channel's name.",
    )
    cells = CellsField(help_text="R / A / C / I per department: exactly one A, at least one R.")

    class Meta:
        model = Workstream
        fields = ["id", "plan", *services.WORKSTREAM_EDITABLE, "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]
        validators: list[Any] = []


class WorkstreamUpdateSerializer(WorkstreamSerializer):
    cells = CellsField(required=False, help_text="When given, replaces all of the row's cells.")

    class Meta(WorkstreamSerializer.Meta):
        fields = list(services.WORKSTREAM_EDITABLE)
        read_only_fields: list[str] = []


class WorkstreamFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = Workstream
        fields = ["plan", "kind"]


@extend_schema_view(**versioned_schema(WorkstreamUpdateSerializer, WorkstreamSerializer))
class RaciViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Workstream]):
    """The RACI matrix (`?plan=&kind=`): one workstream (a campaign, a channel, a milestone
    or another stream) per row with its decision rights and its cells. The row and its
    cells are validated and saved together; `version` covers both."""

    queryset = Workstream.objects.prefetch_related(
        Prefetch("cells", queryset=RaciAssignment.objects.order_by("department_id"))
    ).order_by("plan_id", "sort_order", "kind", "name", "pk")
    serializer_class = WorkstreamSerializer
    write_serializer_class = WorkstreamUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = WorkstreamFilter
    service_update = services.workstream_update
    service_delete = services.workstream_delete
    service_kwarg = "workstream"

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        cells = _cells(data.pop("cells"))
        stream = services.workstream_create(actor=actor_of(request), cells=cells, **data)
        stream = self.get_queryset().get(pk=stream.pk)
        return with_etag(Response(self.get_serializer(stream).data, status=201), stream)

    def perform_versioned_update(self, instance: Any, version: int, data: dict[str, Any]) -> Any:
        if "cells" in data:
            data["cells"] = _cells(data["cells"])
        fresh = services.workstream_update(
            workstream=instance,
            expected_version=version,
            changes=data,
            actor=actor_of(self.request),
        )
        return self.get_queryset().get(pk=fresh.pk)


# --- communication rules ------------------------------------------------------------------------


class RuleSerializer(serializers.ModelSerializer[CommunicationRule]):
    plan = VisibleField(Plan)
    owner = VisibleField(Department)
    participants = VisibleField(Department, many=True, required=False)

    class Meta:
        model = CommunicationRule
        fields = ["id", "plan", *services.RULE_EDITABLE, "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]
        validators: list[Any] = []


class RuleUpdateSerializer(RuleSerializer):
    class Meta(RuleSerializer.Meta):
        fields = list(services.RULE_EDITABLE)
        read_only_fields: list[str] = []


class PlanFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")


class RuleFilter(PlanFilter):
    class Meta:
        model = CommunicationRule
        fields = ["plan", "kind"]


@extend_schema_view(**versioned_schema(RuleUpdateSerializer, RuleSerializer))
class CommunicationRuleViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[CommunicationRule]
):
    """How departments communicate (`?plan=&kind=`): meetings with a cadence, shared
    documents with a link, messaging groups on WeCom, DingTalk, Feishu, Slack or email."""

    queryset = CommunicationRule.objects.prefetch_related("participants").order_by(
        "plan_id", "kind", "name", "pk"
    )
    serializer_class = RuleSerializer
    write_serializer_class = RuleUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = RuleFilter
    service_create = services.rule_create
    service_update = services.rule_update
    service_delete = services.rule_delete
    service_kwarg = "rule"


# --- the coordinator group and the arbitration steps ---------------------------------------------


class GroupSerializer(serializers.ModelSerializer[CoordinatorGroup]):
    plan = VisibleField(Plan)
    chair = MemberField(required=False, allow_null=True)
    departments = VisibleField(Department, many=True, required=False)

    class Meta:
        model = CoordinatorGroup
        fields = ["id", "plan", *services.GROUP_EDITABLE, "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]
        validators: list[Any] = []


class GroupUpdateSerializer(GroupSerializer):
    class Meta(GroupSerializer.Meta):
        fields = list(services.GROUP_EDITABLE)
        read_only_fields: list[str] = []


class GroupFilter(PlanFilter):
    class Meta:
        model = CoordinatorGroup
        fields = ["plan"]


@extend_schema_view(
    **{
        k: v
        for k, v in versioned_schema(GroupUpdateSerializer, GroupSerializer).items()
        if k != "destroy"
    }
)
class CoordinatorGroupViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[CoordinatorGroup]
):
    """The coordinator group of a plan (`?plan=`; one per plan) that arbitrates conflicts."""

    queryset = CoordinatorGroup.objects.prefetch_related("departments").order_by("plan_id")
    serializer_class = GroupSerializer
    write_serializer_class = GroupUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = GroupFilter
    http_method_names = NO_DELETE

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        plan = data.pop("plan")
        if CoordinatorGroup.objects.filter(plan=plan).exists():
            raise serializers.ValidationError(
                {"plan": ["The plan already has its coordinator group; change that one."]}
            )
        group = services.group_save(
            plan=plan, expected_version=0, changes=data, actor=actor_of(request)
        )
        return with_etag(Response(self.get_serializer(group).data, status=201), group)

    def perform_versioned_update(self, instance: Any, version: int, data: dict[str, Any]) -> Any:
        return services.group_save(
            plan=instance.plan, expected_version=version, changes=data, actor=actor_of(self.request)
        )


class ArbitrationStepSerializer(serializers.ModelSerializer[ArbitrationStep]):
    plan = VisibleField(Plan)

    class Meta:
        model = ArbitrationStep
        fields = ["id", "plan", *services.STEP_EDITABLE, "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]
        validators: list[Any] = []


class ArbitrationStepUpdateSerializer(ArbitrationStepSerializer):
    class Meta(ArbitrationStepSerializer.Meta):
        fields = list(services.STEP_EDITABLE)
        read_only_fields: list[str] = []


class StepFilter(PlanFilter):
    class Meta:
        model = ArbitrationStep
        fields = ["plan"]


@extend_schema_view(**versioned_schema(ArbitrationStepUpdateSerializer, ArbitrationStepSerializer))
class ArbitrationStepViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[ArbitrationStep]
):
    """The arbitration path of a plan (`?plan=`), in order of level: who decides, within
    how many hours. A step that conflicts have reached cannot be deleted."""

    queryset = ArbitrationStep.objects.order_by("plan_id", "level")
    serializer_class = ArbitrationStepSerializer
    write_serializer_class = ArbitrationStepUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = StepFilter
    service_create = services.step_create
    service_update = services.step_update
    service_delete = services.step_delete
    service_kwarg = "step"


# --- conflicts ------------------------------------------------------------------------------------


class ConflictSerializer(serializers.ModelSerializer[Conflict]):
    plan = VisibleField(Plan)
    departments = VisibleField(Department, many=True, help_text="At least two.")
    raised_by = serializers.CharField(
        source="raised_by.username", default=None, allow_null=True, read_only=True
    )
    resolved_by = serializers.CharField(
        source="resolved_by.username", default=None, allow_null=True, read_only=True
    )
    raised_at = serializers.DateTimeField(
        required=False, help_text="On create only; default now. The first step's SLA runs from it."
    )
    due_at = serializers.SerializerMethodField(help_text="When the current step must decide.")
    overdue = serializers.SerializerMethodField(help_text="Open and past its step's SLA.")

    class Meta:
        model = Conflict
        fields = [
            "id",
            "plan",
            *services.CONFLICT_EDITABLE,
            "raised_at",
            "raised_by",
            "step",
            "step_since",
            "due_at",
            "overdue",
            "status",
            "outcome",
            "resolved_at",
            "resolved_by",
            "version",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "step",
            "step_since",
            "status",
            "outcome",
            "resolved_at",
            "version",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_due_at(self, conflict: Conflict) -> Any:
        if conflict.status != ConflictStatus.OPEN:
            return None
        return serializers.DateTimeField().to_representation(
            due_at(conflict.step_since, conflict.step.sla_hours)
        )

    def get_overdue(self, conflict: Conflict) -> bool:
        return conflict.status == ConflictStatus.OPEN and is_overdue(
            conflict.step_since, conflict.step.sla_hours, timezone.now()
        )


class ConflictUpdateSerializer(ConflictSerializer):
    departments = VisibleField(Department, many=True, required=False)

    class Meta(ConflictSerializer.Meta):
        fields = list(services.CONFLICT_EDITABLE)
        read_only_fields: list[str] = []


class ResolveSerializer(serializers.Serializer[Any]):
    outcome = serializers.CharField(help_text="What was decided.")


class ConflictFilter(PlanFilter):
    class Meta:
        model = Conflict
        fields = ["plan", "status", "step"]


@extend_schema_view(
    **{
        k: v
        for k, v in versioned_schema(ConflictUpdateSerializer, ConflictSerializer).items()
        if k != "destroy"
    }
)
class ConflictViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Conflict]):
    """The conflict log (`?plan=&status=&step=`). A new conflict starts at the first step
    of the arbitration path; `escalate` moves it to the next, `resolve` closes it."""

    queryset = (
        Conflict.objects.select_related("step", "raised_by", "resolved_by")
        .prefetch_related("departments")
        .order_by("plan_id", "-raised_at", "-pk")
    )
    serializer_class = ConflictSerializer
    write_serializer_class = ConflictUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = ConflictFilter
    http_method_names = NO_DELETE
    service_create = services.conflict_create
    service_update = services.conflict_update
    service_kwarg = "conflict"

    def _answer(self, conflict: Conflict) -> Response:
        fresh = self.get_queryset().get(pk=conflict.pk)
        return with_etag(Response(self.get_serializer(fresh).data), fresh)

    @extend_schema(
        request=None,
        parameters=[IF_MATCH],
        responses={200: ConflictSerializer, **VERSIONED_ERRORS},
        description="Move the open conflict to the next arbitration step (409 at the last).",
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: int | None = None) -> Response:
        conflict = self.get_object()
        version = expected_version(request, conflict)
        return self._answer(
            services.conflict_escalate(
                conflict=conflict, expected_version=version, actor=actor_of(request)
            )
        )

    @extend_schema(
        request=ResolveSerializer,
        parameters=[IF_MATCH],
        responses={200: ConflictSerializer, **VERSIONED_ERRORS},
        description="Close the open conflict with the decision taken.",
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: int | None = None) -> Response:
        conflict = self.get_object()
        version = expected_version(request, conflict)
        body = ResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            services.conflict_resolve(
                conflict=conflict,
                expected_version=version,
                outcome=body.validated_data["outcome"],
                actor=actor_of(request),
            )
        )


# --- collaboration scores -----------------------------------------------------------------------


class ScoreSerializer(serializers.ModelSerializer[CollaborationScore]):
    plan = VisibleField(Plan)
    department = VisibleField(Department)
    scored_by = serializers.CharField(
        source="scored_by.username", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = CollaborationScore
        fields = [
            "id",
            "plan",
            "department",
            "quarter",
            *services.SCORE_EDITABLE,
            "score",
            "scored_by",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "score", "version", "updated_at"]
        extra_kwargs = {name: {"min_value": 1, "max_value": 5} for name in services.SCORE_RATINGS}
        validators: list[Any] = []


class ScoreUpdateSerializer(ScoreSerializer):
    class Meta(ScoreSerializer.Meta):
        fields = list(services.SCORE_EDITABLE)
        read_only_fields: list[str] = []


class ScoreFilter(PlanFilter):
    class Meta:
        model = CollaborationScore
        fields = ["plan", "department", "quarter"]


@extend_schema_view(**versioned_schema(ScoreUpdateSerializer, ScoreSerializer))
class CollaborationScoreViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[CollaborationScore]
):
    """Quarterly collaboration scores (`?plan=&department=&quarter=`): four criteria rated
    1–5 (responsiveness 25 %, delivery on commitments 35 %, communication 20 %, conflict
    handling 20 %) weighted into `score` on 0–100. Managers give them."""

    queryset = CollaborationScore.objects.select_related("scored_by").order_by(
        "plan_id", "department_id", "quarter"
    )
    serializer_class = ScoreSerializer
    write_serializer_class = ScoreUpdateSerializer
    permission_classes = [RolePermission]
    write_action = Action.APPROVE
    filterset_class = ScoreFilter
    service_create = services.score_create
    service_update = services.score_update
    service_delete = services.score_delete
    service_kwarg = "score"
