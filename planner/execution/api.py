"""API of the execution section: milestones (with their derived status, the progress
entered and the status override), the risk register and the crisis playbooks (with the
escalation path and the drill log). Writes go through planner/execution/services.py."""

from __future__ import annotations

from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import (
    IF_MATCH,
    VERSIONED_ERRORS,
    ServiceViewSetMixin,
    expected_version,
    versioned_schema,
    with_etag,
)
from core.auth import actor_of
from kpis.models import Kpi
from monitoring.models import AlertRule
from planner.access import MemberField, RolePermission, ScopedQuerysetMixin, VisibleField
from planner.execution import queries, services
from planner.execution.models import (
    Drill,
    EscalationStep,
    Milestone,
    MilestoneStatus,
    Playbook,
    Risk,
)
from planner.models import Plan

# --- milestones ------------------------------------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer[Milestone]):
    plan = VisibleField(Plan)
    kpis = VisibleField(Kpi, many=True, required=False, help_text="KPIs of the same plan.")
    owner = MemberField(required=False, allow_null=True)
    status = serializers.SerializerMethodField(
        help_text="The status shown: the override if set, else the derived one."
    )
    derived = serializers.SerializerMethodField(
        help_text="The status derived from the linked KPIs (or the progress entered)."
    )
    override_by = serializers.CharField(
        source="override_by.username", default=None, allow_null=True, read_only=True
    )
    entered_progress = serializers.DecimalField(
        max_digits=5, decimal_places=4, coerce_to_string=False, read_only=True
    )

    class Meta:
        model = Milestone
        fields = [
            "id",
            "plan",
            *services.MILESTONE_EDITABLE,
            "status",
            "derived",
            "entered_progress",
            "override_status",
            "override_reason",
            "override_by",
            "override_at",
            "version",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "override_status",
            "override_reason",
            "override_at",
            "version",
            "updated_at",
        ]

    def _row(self, obj: Milestone) -> queries.MilestoneRow:
        rows: dict[int, queries.MilestoneRow] = self.context.setdefault("rows", {})
        if obj.pk not in rows:
            rows.update(queries.rows_for([obj]))
        return rows[obj.pk]

    @extend_schema_field(serializers.ChoiceField(choices=MilestoneStatus.choices))
    def get_status(self, obj: Milestone) -> str:
        return self._row(obj).status

    @extend_schema_field(
        serializers.DictField(
            help_text="status, reason, progress (0–1) and weakest_pace (null: no KPI data)."
        )
    )
    def get_derived(self, obj: Milestone) -> dict[str, Any]:
        derived = self._row(obj).derived
        return {
            "status": str(derived.status),
            "reason": str(derived.reason),
            "progress": round(derived.progress, 4),
            "weakest_pace": None
            if derived.weakest_pace is None
            else round(derived.weakest_pace, 4),
        }


class MilestoneUpdateSerializer(MilestoneSerializer):
    class Meta(MilestoneSerializer.Meta):
        fields = list(services.MILESTONE_EDITABLE)
        read_only_fields: list[str] = []


class MilestoneFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")
    quarter = filters.NumberFilter(field_name="quarter")

    class Meta:
        model = Milestone
        fields = ["plan", "quarter"]


class OverrideSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        choices=MilestoneStatus.choices,
        allow_blank=True,
        help_text="Empty: back to the derived status.",
    )
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)


class ProgressSerializer(serializers.Serializer[Any]):
    entered_progress = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True, help_text="0–1; null clears it."
    )


@extend_schema_view(**versioned_schema(MilestoneUpdateSerializer, MilestoneSerializer))
class MilestoneViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Milestone]):
    """Quarterly milestones (`?plan=&quarter=`) with their status derived from the KPIs."""

    queryset = (
        Milestone.objects.select_related("plan", "owner", "override_by")
        .prefetch_related("kpis")
        .order_by("plan_id", "quarter", "sort_order", "due", "pk")
    )
    serializer_class = MilestoneSerializer
    write_serializer_class = MilestoneUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = MilestoneFilter
    service_create = services.milestone_create
    service_update = services.milestone_update
    service_delete = services.milestone_delete
    service_kwarg = "milestone"

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        items = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), "rows": queries.rows_for(items)}
        data = MilestoneSerializer(items, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(
        request=OverrideSerializer,
        parameters=[IF_MATCH],
        responses={**VERSIONED_ERRORS, 200: MilestoneSerializer},
    )
    @action(detail=True, methods=["post"])
    def override(self, request: Request, pk: str | None = None) -> Response:
        """Override the derived status with a reason (or clear the override)."""
        milestone = self.get_object()
        version = expected_version(request, milestone)
        body = OverrideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fresh = services.milestone_override(
            milestone=milestone,
            expected_version=version,
            status=body.validated_data["status"],
            reason=body.validated_data["reason"],
            actor=actor_of(request),
        )
        return with_etag(Response(self.get_serializer(fresh).data), fresh)

    @extend_schema(
        request=ProgressSerializer,
        parameters=[IF_MATCH],
        responses={**VERSIONED_ERRORS, 200: MilestoneSerializer},
    )
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        """Record progress by hand (used only while no linked KPI has data)."""
        milestone = self.get_object()
        version = expected_version(request, milestone)
        body = ProgressSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fresh = services.milestone_set_progress(
            milestone=milestone,
            expected_version=version,
            entered_progress=body.validated_data["entered_progress"],
            actor=actor_of(request),
        )
        return with_etag(Response(self.get_serializer(fresh).data), fresh)


# --- risks -----------------------------------------------------------------------------------


class RiskSerializer(serializers.ModelSerializer[Risk]):
    plan = VisibleField(Plan)
    owner = MemberField(required=False, allow_null=True)
    playbook = VisibleField(Playbook, required=False, allow_null=True)
    trigger_metrics = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=20
    )
    score = serializers.IntegerField(read_only=True, help_text="impact × likelihood")

    class Meta:
        model = Risk
        fields = ["id", "plan", *services.RISK_EDITABLE, "score", "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]


class RiskUpdateSerializer(RiskSerializer):
    class Meta(RiskSerializer.Meta):
        fields = list(services.RISK_EDITABLE)
        read_only_fields: list[str] = []


class RiskFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = Risk
        fields = ["plan", "status", "category", "impact", "likelihood"]


@extend_schema_view(**versioned_schema(RiskUpdateSerializer, RiskSerializer))
class RiskViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Risk]):
    """The risk register (`?plan=&status=&category=&impact=&likelihood=`)."""

    queryset = Risk.objects.select_related("plan", "owner", "playbook").order_by(
        "plan_id", "-impact", "-likelihood", "title", "pk"
    )
    serializer_class = RiskSerializer
    write_serializer_class = RiskUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = RiskFilter
    service_create = services.risk_create
    service_update = services.risk_update
    service_delete = services.risk_delete
    service_kwarg = "risk"


# --- playbooks -------------------------------------------------------------------------------


class StepSerializer(serializers.ModelSerializer[EscalationStep]):
    class Meta:
        model = EscalationStep
        fields = ["order", "role", "person", "response_minutes"]
        read_only_fields = ["order"]


class DrillSerializer(serializers.ModelSerializer[Drill]):
    recorded_by = serializers.CharField(
        source="recorded_by.username", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = Drill
        fields = ["id", "held_on", "participants", "findings", "recorded_by", "created_at"]
        read_only_fields = ["id", "recorded_by", "created_at"]


class PlaybookSerializer(serializers.ModelSerializer[Playbook]):
    plan = VisibleField(Plan)
    steps = StepSerializer(
        many=True, required=False, help_text="The escalation path in order; a write replaces it."
    )
    drills = DrillSerializer(many=True, read_only=True)
    alert_rules = VisibleField(
        AlertRule, many=True, required=False, help_text="Alert rules of the plan that trigger it."
    )

    class Meta:
        model = Playbook
        fields = ["id", "plan", *services.PLAYBOOK_EDITABLE, "drills", "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]


class PlaybookUpdateSerializer(PlaybookSerializer):
    class Meta(PlaybookSerializer.Meta):
        fields = list(services.PLAYBOOK_EDITABLE)
        read_only_fields: list[str] = []


class PlaybookFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = Playbook
        fields = ["plan"]


@extend_schema_view(**versioned_schema(PlaybookUpdateSerializer, PlaybookSerializer))
class PlaybookViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Playbook]):
    """Crisis playbooks (`?plan=`): scenario, statements, escalation path, drill log."""

    queryset = (
        Playbook.objects.select_related("plan")
        .prefetch_related("steps", "drills__recorded_by", "alert_rules")
        .order_by("plan_id", "title", "pk")
    )
    serializer_class = PlaybookSerializer
    write_serializer_class = PlaybookUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = PlaybookFilter
    service_create = services.playbook_create
    service_update = services.playbook_update
    service_delete = services.playbook_delete
    service_kwarg = "playbook"

    @extend_schema(
        request=DrillSerializer,
        responses={201: DrillSerializer, 400: VERSIONED_ERRORS[400], 403: VERSIONED_ERRORS[403]},
    )
    @action(detail=True, methods=["post"])
    def drills(self, request: Request, pk: str | None = None) -> Response:
        """Log a drill of the playbook."""
        playbook = self.get_object()
        body = DrillSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        drill = services.drill_add(
            playbook=playbook, actor=actor_of(request), **body.validated_data
        )
        return Response(DrillSerializer(drill).data, status=201)
