"""REST API of the annual-goals section. Writes go through kpis/services.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import (
    VERSIONED_ERRORS,
    ServiceViewSetMixin,
    expected_version,
    versioned_schema,
    with_etag,
)
from core.auth import actor_of
from core.errors import InvalidInput
from kpis import formulas, queries, services
from kpis.messages import translate
from kpis.models import Kpi, Objective, StrategicGoal
from planner.access import (
    Action,
    MemberField,
    PlanScopedAPIView,
    RolePermission,
    ScopedQuerysetMixin,
    VisibleField,
)
from planner.models import Plan


def amount(**kwargs: Any) -> serializers.DecimalField:
    """A target, actual or value: a number in JSON (rates as fractions)."""
    return serializers.DecimalField(
        max_digits=20, decimal_places=6, coerce_to_string=False, **kwargs
    )


# --- objectives ---------------------------------------------------------------------


class ObjectiveSerializer(serializers.ModelSerializer[Objective]):
    plan = VisibleField(Plan)
    owner = MemberField(required=False, allow_null=True)

    class Meta:
        model = Objective
        fields = [
            "id",
            "plan",
            "area",
            "title",
            "description",
            "owner",
            "sort_order",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "updated_at"]


class ObjectiveUpdateSerializer(ObjectiveSerializer):
    class Meta(ObjectiveSerializer.Meta):
        fields = ["area", "title", "description", "owner", "sort_order"]
        read_only_fields: list[str] = []


class PlanFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")


@extend_schema_view(**versioned_schema(ObjectiveUpdateSerializer, ObjectiveSerializer))
class ObjectiveViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Objective]):
    """Annual objectives; each groups KPIs. Filter with `?plan=`."""

    queryset = Objective.objects.select_related("owner").order_by("plan_id", "sort_order", "id")
    serializer_class = ObjectiveSerializer
    permission_classes = [RolePermission]
    service_create = services.objective_create
    service_update = services.objective_update
    service_delete = services.objective_delete
    service_kwarg = "objective"
    filterset_class = PlanFilter

    write_serializer_class = ObjectiveUpdateSerializer


# --- KPIs ---------------------------------------------------------------------------


class KpiSerializer(serializers.ModelSerializer[Kpi]):
    plan = VisibleField(Plan)
    objective = VisibleField(Objective, required=False, allow_null=True)
    owner = MemberField(required=False, allow_null=True)
    annual_target = amount(required=False, allow_null=True)
    target = serializers.SerializerMethodField(
        help_text="The annual value: the input's own target, or what the formula computes."
    )
    monthly_targets = serializers.SerializerMethodField()
    gap = serializers.SerializerMethodField(
        help_text="For a formula KPI with a goal (its annual_target): computed value minus goal."
    )

    class Meta:
        model = Kpi
        fields = [
            "id",
            "plan",
            *services.KPI_EDITABLE,
            "target",
            "gap",
            "monthly_targets",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "updated_at"]
        validators: list[Any] = []  # code uniqueness is the service's rule, reported on `code`
        # A KPI of a catalogue kind gets its code, name, unit and direction from it.
        extra_kwargs = {"code": {"required": False}, "name": {"required": False}}

    def _node(self, kpi: Kpi) -> queries.TreeNode | None:
        trees: dict[int, queries.KpiTree] = self.context.setdefault("trees", {})
        if kpi.plan_id not in trees:
            trees[kpi.plan_id] = queries.kpi_tree(kpi.plan)
        return trees[kpi.plan_id].nodes.get(kpi.code)

    @extend_schema_field(amount(allow_null=True))
    def get_target(self, kpi: Kpi) -> Decimal | None:
        node = self._node(kpi)
        return node.annual if node else None

    @extend_schema_field(amount(allow_null=True))
    def get_gap(self, kpi: Kpi) -> Decimal | None:
        node = self._node(kpi)
        return node.gap if node else None

    @extend_schema_field(serializers.ListField(child=amount(allow_null=True)))
    def get_monthly_targets(self, kpi: Kpi) -> list[Decimal | None]:
        node = self._node(kpi)
        return node.months if node else []


class KpiUpdateSerializer(KpiSerializer):
    class Meta(KpiSerializer.Meta):
        fields = list(services.KPI_EDITABLE)
        read_only_fields: list[str] = []


class BreakdownSerializer(serializers.Serializer[Any]):
    months = serializers.ListField(child=amount(), min_length=12, max_length=12, required=False)
    weights = serializers.ListField(
        child=serializers.DecimalField(max_digits=10, decimal_places=4, coerce_to_string=False),
        min_length=12,
        max_length=12,
        required=False,
    )
    channels = serializers.DictField(child=amount(), required=False)
    regions = serializers.DictField(child=amount(), required=False)


class PartsSerializer(serializers.Serializer[Any]):
    dimension = serializers.CharField(help_text="months, channels or regions")
    parts = serializers.ListField(child=serializers.ListField())
    aggregate = amount()
    difference = amount()
    ok = serializers.BooleanField()


class BreakdownStatusSerializer(serializers.Serializer[Any]):
    rule = serializers.CharField()
    rule_text = serializers.CharField()
    quarters = serializers.ListField(child=amount())
    parts = PartsSerializer(many=True)


class ActualsSerializer(serializers.Serializer[Any]):
    actuals = serializers.DictField(
        child=amount(allow_null=True),
        help_text='Month (1–12) → value; null clears the month. E.g. {"1": 1200, "2": null}.',
    )


class KpiFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = Kpi
        fields = ["plan", "source", "unit"]


def breakdown_body(kpi: Kpi) -> dict[str, Any]:
    status = queries.breakdown_status(kpi)
    return {
        "rule": status["rule"],
        "rule_text": str(status["rule_text"]),
        "quarters": queries.quarters(kpi),
        "months": kpi.month_values(),
        "weights": kpi.month_weights(),
        "channels": {code: Decimal(v) for code, v in kpi.channel_split.items()},
        "regions": {name: Decimal(v) for name, v in kpi.region_split.items()},
        "parts": [
            {
                "dimension": p.label,
                "parts": [[k, v] for k, v in p.parts],
                "aggregate": p.aggregate,
                "difference": p.difference,
                "ok": p.ok,
            }
            for p in status["parts"]
        ],
    }


@extend_schema_view(
    list=extend_schema(description="KPIs of the plans you can see; filter with `?plan=`."),
    **versioned_schema(KpiUpdateSerializer, KpiSerializer),
)
class KpiViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Kpi]):
    """KPIs with targets, formulas and breakdowns. The ETag covers the breakdown too."""

    queryset = Kpi.objects.select_related("plan", "objective", "owner").order_by(
        "plan_id", "sort_order", "id"
    )
    serializer_class = KpiSerializer
    permission_classes = [RolePermission]
    service_create = services.kpi_create
    service_update = services.kpi_update
    service_delete = services.kpi_delete
    service_kwarg = "kpi"
    filterset_class = KpiFilter

    write_serializer_class = KpiUpdateSerializer

    @extend_schema(
        methods=["GET"],
        responses={200: BreakdownStatusSerializer},
        description="The monthly, channel and region breakdown and whether each reconciles.",
    )
    @extend_schema(
        methods=["PUT"],
        request=BreakdownSerializer,
        parameters=[
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="The KPI's ETag.",
            )
        ],
        responses={200: BreakdownStatusSerializer} | VERSIONED_ERRORS,
        description=(
            "Replace the parts given (12 months with optional weights, a split by channel "
            "code, a split by region). Parts that do not reconcile are stored and reported "
            "with `ok: false`."
        ),
    )
    @action(detail=True, methods=["get", "put"])
    def breakdown(self, request: Request, pk: str | None = None) -> Response:
        kpi = self.get_object()
        if request.method == "PUT":
            version = expected_version(request, kpi)
            serializer = BreakdownSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            kpi = services.breakdown_update(
                kpi=kpi,
                expected_version=version,
                actor=actor_of(request),
                **serializer.validated_data,
            )
        return with_etag(Response(breakdown_body(kpi)), kpi)

    @extend_schema(methods=["GET"], responses={200: ActualsSerializer})
    @extend_schema(
        methods=["PUT"],
        request=ActualsSerializer,
        responses={200: ActualsSerializer} | VERSIONED_ERRORS,
    )
    @action(detail=True, methods=["get", "put"])
    def actuals(self, request: Request, pk: str | None = None) -> Response:
        kpi = self.get_object()
        if request.method == "PUT":
            serializer = ActualsSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            try:
                values = {
                    int(month): value
                    for month, value in serializer.validated_data["actuals"].items()
                }
            except ValueError:
                raise InvalidInput(
                    fields={"actuals": ["Months are numbers from 1 to 12."]}
                ) from None
            services.actuals_set(kpi=kpi, values=values, actor=actor_of(request))
        rows = kpi.actuals.order_by("month")
        return Response({"actuals": {str(a.month): a.value for a in rows}})

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "trees": {}}


# --- strategic goals -------------------------------------------------------------------


class StrategicGoalSerializer(serializers.ModelSerializer[StrategicGoal]):
    plan = VisibleField(Plan)
    kpi = VisibleField(Kpi, required=False, allow_null=True)
    baseline = amount(required=False, allow_null=True)
    target = amount()
    reference = amount(required=False, allow_null=True)

    class Meta:
        model = StrategicGoal
        fields = ["id", "plan", *services.GOAL_EDITABLE, "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]


class StrategicGoalUpdateSerializer(StrategicGoalSerializer):
    class Meta(StrategicGoalSerializer.Meta):
        fields = list(services.GOAL_EDITABLE)
        read_only_fields: list[str] = []


class GoalFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = StrategicGoal
        fields = ["plan", "family", "kind"]


@extend_schema_view(**versioned_schema(StrategicGoalUpdateSerializer, StrategicGoalSerializer))
class StrategicGoalViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[StrategicGoal]
):
    """Market-share goals (competitor benchmarks, niche segments, regional penetration,
    channel diversification) and brand-voice goals (content, social, PR, reputation)."""

    queryset = StrategicGoal.objects.select_related("kpi").order_by(
        "plan_id", "family", "kind", "id"
    )
    serializer_class = StrategicGoalSerializer
    permission_classes = [RolePermission]
    service_create = services.goal_create
    service_update = services.goal_update
    service_delete = services.goal_delete
    service_kwarg = "goal"
    filterset_class = GoalFilter

    write_serializer_class = StrategicGoalUpdateSerializer


# --- plan-level views: the tree, goal seek, attainment, policy ---------------------------


class TreeNodeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(source="kpi.code")
    name = serializers.CharField(source="kpi.name")
    unit = serializers.CharField(source="kpi.unit")
    direction = serializers.CharField(source="kpi.direction")
    kpi_source = serializers.CharField(source="kpi.source")
    formula = serializers.CharField(source="kpi.formula")
    annual = amount(allow_null=True)
    months = serializers.ListField(child=amount(allow_null=True))
    goal = amount(allow_null=True, help_text="A formula KPI's committed goal.")
    gap = amount(allow_null=True, help_text="Computed annual value minus the goal.")
    inputs = serializers.ListField(child=serializers.CharField())
    used_by = serializers.ListField(child=serializers.CharField())


class TreeSerializer(serializers.Serializer[Any]):
    plan = serializers.IntegerField()
    error = serializers.CharField()
    nodes = TreeNodeSerializer(many=True)


class KpiTreeView(PlanScopedAPIView):
    @extend_schema(
        responses={200: TreeSerializer},
        description="The evaluated KPI tree: annual and monthly values.",
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        tree = queries.kpi_tree(plan)
        nodes = list(tree.nodes.values())  # `inputs` and `used_by` give the structure
        return Response(TreeSerializer({"plan": plan.pk, "error": tree.error, "nodes": nodes}).data)


class GoalSeekRequestSerializer(serializers.Serializer[Any]):
    kpi = serializers.CharField(help_text="The KPI code to bring to the target.")
    target = serializers.FloatField()
    solve_for = serializers.CharField(help_text="The input KPI code to solve for.")


class GoalSeekResponseSerializer(serializers.Serializer[Any]):
    value = serializers.FloatField()
    method = serializers.CharField()
    kpis = serializers.DictField(child=serializers.FloatField(allow_null=True))


class GoalSeekView(PlanScopedAPIView):
    @extend_schema(
        request=GoalSeekRequestSerializer,
        responses={
            200: GoalSeekResponseSerializer,
            400: OpenApiResponse(description="No solution, or an unknown code; `detail` says why."),
        },
        description=(
            "Solve the plan's KPI tree for one input so that a KPI reaches a target, e.g. "
            '`{"kpi": "new_users", "target": 2000000, "solve_for": "budget"}`. Nothing is saved.'
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        serializer = GoalSeekRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            result = queries.goal_seek(
                plan, target=data["kpi"], goal=data["target"], solve_for=data["solve_for"]
            )
        except formulas.FormulaError as error:
            raise InvalidInput(translate(error)) from None
        return Response({"value": result.value, "method": result.method, "kpis": result.values})


class AttainmentSerializer(serializers.Serializer[Any]):
    target = amount(allow_null=True)
    actual = amount(allow_null=True)
    ratio = amount(allow_null=True)
    status = serializers.CharField()


class KpiAttainmentSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(source="kpi.code")
    name = serializers.CharField(source="kpi.name")
    months = AttainmentSerializer(many=True)
    quarters = AttainmentSerializer(many=True)
    year_to_date = AttainmentSerializer()


class AttainmentView(PlanScopedAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "through", int, description="Last month with actuals (1–12); default 12."
            )
        ],
        responses={200: KpiAttainmentSerializer(many=True)},
        description=(
            "Actual vs target per month, quarter and year to date, with "
            "on_track / at_risk / off_track."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        try:
            through = min(max(int(request.query_params.get("through", 12)), 1), 12)
        except ValueError:
            raise InvalidInput(fields={"through": ["A month from 1 to 12."]}) from None
        rows = queries.attainment(plan, through_month=through)
        return Response(KpiAttainmentSerializer(rows, many=True).data)


class PolicySerializer(serializers.Serializer[Any]):
    at_risk_below = serializers.DecimalField(max_digits=5, decimal_places=4, coerce_to_string=False)
    off_track_below = serializers.DecimalField(
        max_digits=5, decimal_places=4, coerce_to_string=False
    )
    version = serializers.IntegerField(read_only=True)


class AttainmentPolicyView(PlanScopedAPIView):
    @extend_schema(responses={200: PolicySerializer})
    def get(self, request: Request, pk: int) -> Response:
        policy = services.policy_for(self.plan(request, pk))
        return with_etag(Response(PolicySerializer(policy).data), policy)

    @extend_schema(
        request=PolicySerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
        responses={200: PolicySerializer} | VERSIONED_ERRORS,
    )
    def put(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        policy = services.policy_for(plan)
        version = expected_version(request, policy)
        serializer = PolicySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        policy = services.policy_update(
            plan=plan,
            expected_version=version,
            actor=actor_of(request),
            **serializer.validated_data,
        )
        return with_etag(Response(PolicySerializer(policy).data), policy)
