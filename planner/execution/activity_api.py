"""API of the key activities (each row with its clashes) and of the rapid-response pools
(with their activation: a draw on the reserve fund). Writes go through
planner/execution/activity_services.py."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import VERSIONED_ERRORS, ServiceViewSetMixin, versioned_schema
from core.auth import actor_of
from planner.access import Action, MemberField, RolePermission, ScopedQuerysetMixin, VisibleField
from planner.execution import activity_queries as queries
from planner.execution import activity_services as services
from planner.execution.activity_models import Activity, PoolActivation, ResponsePool
from planner.execution.models import Risk
from planner.models import Plan

CLASH_KINDS = [("double_booking", "double_booking"), ("broken_dependency", "broken_dependency")]


class ClashSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=CLASH_KINDS)
    department = serializers.IntegerField(allow_null=True, help_text="The department booked twice.")
    other = serializers.IntegerField(source="with", help_text="The other activity.")
    start = serializers.DateField()
    end = serializers.DateField()


def _department_model() -> Any:
    from budget.models import Department

    return Department


def _supplier_model() -> Any:
    from budget.models import Supplier

    return Supplier


def _campaign_model() -> Any:
    from content.models import Campaign

    return Campaign


class ActivitySerializer(serializers.ModelSerializer[Activity]):
    plan = VisibleField(Plan)
    campaign = VisibleField(_campaign_model(), required=False, allow_null=True)
    departments = VisibleField(_department_model(), many=True, required=False)
    suppliers = VisibleField(_supplier_model(), many=True, required=False)
    depends_on = VisibleField(
        Activity, many=True, required=False, help_text="Activities that must finish first."
    )
    owner = MemberField(required=False, allow_null=True)
    clashes = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = ["id", "plan", *services.ACTIVITY_EDITABLE, "clashes", "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]

    @extend_schema_field(ClashSerializer(many=True))
    def get_clashes(self, obj: Activity) -> list[dict[str, Any]]:
        found: dict[int, queries.Schedule] = self.context.setdefault("schedules", {})
        if obj.plan_id not in found:
            found[obj.plan_id] = queries.schedule_of(obj.plan)
        return list(ClashSerializer(found[obj.plan_id].of(obj), many=True).data)


class ActivityUpdateSerializer(ActivitySerializer):
    class Meta(ActivitySerializer.Meta):
        fields = list(services.ACTIVITY_EDITABLE)
        read_only_fields: list[str] = []


class ActivityFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = Activity
        fields = ["plan", "kind", "status"]


@extend_schema_view(**versioned_schema(ActivityUpdateSerializer, ActivitySerializer))
class ActivityViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Activity]):
    """Key activities (`?plan=&kind=&status=`), each with the clashes that name it."""

    queryset = (
        Activity.objects.select_related("plan")
        .prefetch_related("departments", "suppliers", "depends_on")
        .order_by("plan_id", "start", "end", "title", "pk")
    )
    serializer_class = ActivitySerializer
    write_serializer_class = ActivityUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = ActivityFilter
    service_create = services.activity_create
    service_update = services.activity_update
    service_delete = services.activity_delete
    service_kwarg = "activity"


# --- pools -----------------------------------------------------------------------------------


class ActivationSerializer(serializers.ModelSerializer[PoolActivation]):
    risk = VisibleField(Risk)
    line = serializers.IntegerField(
        write_only=True,
        required=False,
        allow_null=True,
        help_text="The budget line the money goes to (needed when amount > 0).",
    )
    authorised_by = serializers.CharField(
        source="authorised_by.username", default=None, allow_null=True, read_only=True
    )
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)

    class Meta:
        model = PoolActivation
        fields = [
            "id",
            "pool",
            "risk",
            "line",
            "amount",
            "people_used",
            "reason",
            "authorised_by",
            "draw",
            "created_at",
        ]
        read_only_fields = ["id", "pool", "authorised_by", "draw", "created_at"]


class PoolSerializer(serializers.ModelSerializer[ResponsePool]):
    plan = VisibleField(Plan)
    authorisers = MemberField(many=True, required=False)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    activations = ActivationSerializer(many=True, read_only=True)

    class Meta:
        model = ResponsePool
        fields = ["id", "plan", *services.POOL_EDITABLE, "activations", "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]


class PoolUpdateSerializer(PoolSerializer):
    class Meta(PoolSerializer.Meta):
        fields = list(services.POOL_EDITABLE)
        read_only_fields: list[str] = []


class PoolFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = ResponsePool
        fields = ["plan", "level"]


@extend_schema_view(**versioned_schema(PoolUpdateSerializer, PoolSerializer))
class PoolViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[ResponsePool]):
    """Rapid-response pools per risk level (`?plan=&level=`) with their activation log."""

    queryset = (
        ResponsePool.objects.select_related("plan")
        .prefetch_related("authorisers", "activations__authorised_by")
        .order_by("plan_id", "-level", "pk")
    )
    serializer_class = PoolSerializer
    write_serializer_class = PoolUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = PoolFilter
    action_roles = {"activate": Action.APPROVE}
    service_create = services.pool_create
    service_update = services.pool_update
    service_delete = services.pool_delete
    service_kwarg = "pool"

    @extend_schema(
        request=ActivationSerializer,
        responses={
            201: ActivationSerializer,
            400: VERSIONED_ERRORS[400],
            403: VERSIONED_ERRORS[403],
            404: VERSIONED_ERRORS[404],
        },
    )
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        """Use the pool for a risk: a manager's direct draw on the reserve fund."""
        from budget.models import BudgetLine

        pool = self.get_object()
        body = ActivationSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        line_id = data.get("line")
        line = BudgetLine.objects.filter(pk=line_id, plan_id=pool.plan_id).first()
        if line_id is not None and line is None:
            raise serializers.ValidationError({"line": [_("Choose a budget line of this plan.")]})
        made = services.activate(
            pool=pool,
            risk=data["risk"],
            line=line,
            amount=data["amount"],
            people_used=data.get("people_used", 0),
            reason=data["reason"],
            actor=actor_of(request),
        )
        return Response(ActivationSerializer(made).data, status=201)
