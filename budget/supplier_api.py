"""REST API of the supplier area: suppliers (with their tier), reviews, flags (decided and
resolved by managers), risk-sharing clauses, innovation projects, and per plan the supplier
policy and the innovation fund. Writes go through budget/supplier_services.py."""

from __future__ import annotations

from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from budget import supplier_queries as queries
from budget import supplier_services as services
from budget.models import (
    FlagAction,
    InnovationProject,
    RiskClause,
    Supplier,
    SupplierFlag,
    SupplierPolicy,
    SupplierReview,
    SupplierTier,
)
from core.api import (
    IF_MATCH,
    VERSIONED_ERRORS,
    ServiceViewSetMixin,
    VersionedViewSetMixin,
    expected_version,
    versioned_schema,
    with_etag,
)
from core.auth import actor_of
from planner.access import (
    Action,
    MemberField,
    PlanScopedAPIView,
    RolePermission,
    ScopedQuerysetMixin,
    VisibleField,
    VisibleWorkspaceField,
    plans_for_user,
)
from planner.models import Plan

# --- suppliers -----------------------------------------------------------------------------------

PLAN_PARAM = OpenApiParameter(
    "plan",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=False,
    description="Judge tiers and performance by this plan's supplier policy "
    "(default: the policy's default cut-offs).",
)


class SupplierSerializer(serializers.ModelSerializer[Supplier]):
    workspace = VisibleWorkspaceField()
    tier = serializers.SerializerMethodField(
        help_text="The tier in force: set by hand, or derived from the scores."
    )
    derived_tier = serializers.SerializerMethodField(
        help_text="The tier the scores give under the policy's cut-offs."
    )
    past_performance = serializers.SerializerMethodField(
        help_text="Mean weighted score of the latest reviews (null: never reviewed)."
    )

    class Meta:
        model = Supplier
        fields = [
            "id",
            "workspace",
            *services.SUPPLIER_EDITABLE,
            "tier",
            "derived_tier",
            "past_performance",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "updated_at"]

    def _standing(self, supplier: Supplier) -> queries.Standing:
        standings: dict[int, queries.Standing] = self.context.setdefault("standings", {})
        if supplier.pk not in standings:
            policy = self.context.get("policy") or SupplierPolicy()
            standings.update(queries.assess([supplier], policy))
        return standings[supplier.pk]

    @extend_schema_field(serializers.ChoiceField(choices=SupplierTier.choices))
    def get_tier(self, supplier: Supplier) -> str:
        return self._standing(supplier).tier

    @extend_schema_field(serializers.ChoiceField(choices=SupplierTier.choices))
    def get_derived_tier(self, supplier: Supplier) -> str:
        return self._standing(supplier).derived_tier

    def get_past_performance(self, supplier: Supplier) -> float | None:
        value = self._standing(supplier).performance
        return float(value) if value is not None else None


class SupplierUpdateSerializer(serializers.ModelSerializer[Supplier]):
    class Meta:
        model = Supplier
        fields = list(services.SUPPLIER_EDITABLE)


class SupplierFilter(filters.FilterSet):
    class Meta:
        model = Supplier
        fields = ["workspace", "category", "is_active"]


@extend_schema_view(
    list=extend_schema(parameters=[PLAN_PARAM]),
    retrieve=extend_schema(parameters=[PLAN_PARAM]),
    **versioned_schema(SupplierUpdateSerializer, SupplierSerializer),
)
class SupplierViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Supplier]):
    """The workspace's suppliers (`?workspace=&category=&is_active=`; `?plan=` judges tiers by
    that plan's policy). A supplier with reviews cannot be deleted: deactivate it."""

    queryset = Supplier.objects.order_by("workspace_id", "name", "pk")
    serializer_class = SupplierSerializer
    write_serializer_class = SupplierUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = SupplierFilter
    service_create = services.supplier_create
    service_update = services.supplier_update
    service_delete = services.supplier_delete
    service_kwarg = "supplier"

    def _policy(self) -> SupplierPolicy | None:
        raw = self.request.query_params.get("plan", "")
        if not raw.isdigit():
            return None
        plan = plans_for_user(self.request.user).filter(pk=int(raw)).first()
        return services.policy_for(plan) if plan is not None else None

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not hasattr(self, "_policy_cache"):
            self._policy_cache = self._policy()
        context["policy"] = self._policy_cache
        return context

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        """A list page judges its suppliers together (three queries, not three per row)."""
        serializer = super().get_serializer(*args, **kwargs)
        if kwargs.get("many") and args:
            policy = serializer.context.get("policy") or SupplierPolicy()
            serializer.context["standings"] = queries.assess(list(args[0]), policy)
        return serializer


# --- reviews -------------------------------------------------------------------------------------


class ReviewSerializer(serializers.ModelSerializer[SupplierReview]):
    supplier = VisibleField(Supplier)
    plan = VisibleField(Plan)
    reviewer = MemberField(required=False, allow_null=True, help_text="Default: the caller.")
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    score = serializers.DecimalField(
        max_digits=4, decimal_places=1, coerce_to_string=False, read_only=True
    )

    class Meta:
        model = SupplierReview
        fields = [
            "id",
            "supplier",
            "plan",
            *services.REVIEW_EDITABLE,
            "score",
            "passed",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "score", "passed", "version", "updated_at"]


class ReviewUpdateSerializer(serializers.ModelSerializer[SupplierReview]):
    reviewer = MemberField(required=False, allow_null=True)
    quarter = serializers.IntegerField(min_value=1, max_value=4, required=False)

    class Meta:
        model = SupplierReview
        fields = list(services.REVIEW_EDITABLE)


class ReviewFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")
    supplier = filters.NumberFilter(field_name="supplier_id")

    class Meta:
        model = SupplierReview
        fields = ["plan", "supplier", "quarter", "passed"]


@extend_schema_view(**versioned_schema(ReviewUpdateSerializer, ReviewSerializer))
class SupplierReviewViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[SupplierReview]
):
    """Quarterly supplier reviews (`?plan=&supplier=&quarter=&passed=`): quality, timeliness
    and compliance (0–100) → weighted score → pass/fail by the plan's policy; one review per
    supplier, plan and quarter. Every write recomputes the supplier's flag in the plan."""

    queryset = SupplierReview.objects.select_related("plan").order_by(
        "plan_id", "supplier_id", "quarter"
    )
    serializer_class = ReviewSerializer
    write_serializer_class = ReviewUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = ReviewFilter
    service_create = services.review_create
    service_update = services.review_update
    service_delete = services.review_delete
    service_kwarg = "review"


# --- flags ---------------------------------------------------------------------------------------


class FlagSerializer(serializers.ModelSerializer[SupplierFlag]):
    failed_quarters = serializers.ListField(
        source="quarters", child=serializers.IntegerField(), read_only=True
    )
    failed_scores = serializers.ListField(
        source="scores", child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = SupplierFlag
        fields = [
            "id",
            "supplier",
            "plan",
            "status",
            "opened_at",
            "failed_quarters",
            "failed_scores",
            "trigger_quarter",
            "pass_mark",
            "failures_to_flag",
            "action",
            "action_note",
            "resolved_by",
            "resolved_at",
            "resolution",
            "version",
            "updated_at",
        ]
        read_only_fields = [f for f in fields if f not in services.FLAG_EDITABLE]


class FlagUpdateSerializer(serializers.ModelSerializer[SupplierFlag]):
    class Meta:
        model = SupplierFlag
        fields = list(services.FLAG_EDITABLE)


class FlagResolveSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(
        choices=FlagAction.choices, required=False, help_text="Default: the action chosen."
    )
    action_note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    resolution = serializers.CharField(max_length=4000, help_text="How the flag was resolved.")


class FlagFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")
    supplier = filters.NumberFilter(field_name="supplier_id")

    class Meta:
        model = SupplierFlag
        fields = ["plan", "supplier", "status"]


@extend_schema_view(
    update=extend_schema(
        request=FlagUpdateSerializer,
        parameters=[IF_MATCH],
        responses={**VERSIONED_ERRORS, 200: FlagSerializer},
    ),
    partial_update=extend_schema(
        request=FlagUpdateSerializer,
        parameters=[IF_MATCH],
        responses={**VERSIONED_ERRORS, 200: FlagSerializer},
    ),
)
class SupplierFlagViewSet(
    ScopedQuerysetMixin,
    VersionedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[SupplierFlag],
):
    """Suppliers flagged after failing N reviews in a row (`?plan=&supplier=&status=`).
    Raised and withdrawn by review writes; managers choose the action (PATCH) and resolve."""

    queryset = SupplierFlag.objects.select_related("supplier").order_by("plan_id", "-opened_at")
    serializer_class = FlagSerializer
    write_serializer_class = FlagUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = FlagFilter
    action_roles = {
        "update": Action.APPROVE,
        "partial_update": Action.APPROVE,
        "resolve": Action.APPROVE,
    }
    http_method_names = ["get", "patch", "post", "head", "options"]

    def perform_versioned_update(
        self, instance: SupplierFlag, version: int, data: dict[str, Any]
    ) -> SupplierFlag:
        return services.flag_decide(
            flag=instance, expected_version=version, changes=data, actor=actor_of(self.request)
        )

    @extend_schema(
        request=FlagResolveSerializer,
        parameters=[IF_MATCH],
        responses={**VERSIONED_ERRORS, 200: FlagSerializer},
        description="Resolve an open flag (managers): the action taken and how it ended.",
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: int | None = None) -> Response:
        flag = self.get_object()
        version = expected_version(request, flag)
        body = FlagResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fresh = services.flag_resolve(
            flag=flag, expected_version=version, actor=actor_of(request), **body.validated_data
        )
        return with_etag(Response(FlagSerializer(fresh).data), fresh)


# --- clauses -------------------------------------------------------------------------------------


class ClauseSerializer(serializers.ModelSerializer[RiskClause]):
    supplier = VisibleField(Supplier)
    backup = VisibleField(
        Supplier,
        required=False,
        allow_null=True,
        help_text="Backup supplier (kind backup): another supplier of the same workspace.",
    )
    threshold_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, required=False, allow_null=True
    )
    supplier_share_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, required=False, allow_null=True
    )

    class Meta:
        model = RiskClause
        fields = ["id", "supplier", *services.CLAUSE_EDITABLE, "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]


class ClauseUpdateSerializer(ClauseSerializer):
    class Meta(ClauseSerializer.Meta):
        fields = list(services.CLAUSE_EDITABLE)
        read_only_fields: list[str] = []


class ClauseFilter(filters.FilterSet):
    supplier = filters.NumberFilter(field_name="supplier_id")

    class Meta:
        model = RiskClause
        fields = ["supplier", "kind"]


@extend_schema_view(**versioned_schema(ClauseUpdateSerializer, ClauseSerializer))
class RiskClauseViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[RiskClause]
):
    """Risk-sharing clauses of supplier contracts (`?supplier=&kind=`): price-index adjustment
    (index, threshold %, supplier's share %), force majeure (events, notice days), backup
    supplier, other. Fields of another kind are cleared."""

    queryset = RiskClause.objects.order_by("supplier_id", "kind", "pk")
    serializer_class = ClauseSerializer
    write_serializer_class = ClauseUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = ClauseFilter
    service_create = services.clause_create
    service_update = services.clause_update
    service_delete = services.clause_delete
    service_kwarg = "clause"


# --- innovation projects and fund ------------------------------------------------------------


class ProjectSerializer(serializers.ModelSerializer[InnovationProject]):
    plan = VisibleField(Plan)
    suppliers = VisibleField(Supplier, many=True, required=False)
    owner = MemberField(required=False, allow_null=True)
    budget = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False)

    class Meta:
        model = InnovationProject
        fields = ["id", "plan", *services.PROJECT_EDITABLE, "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]


class ProjectUpdateSerializer(ProjectSerializer):
    budget = serializers.DecimalField(
        max_digits=16, decimal_places=2, coerce_to_string=False, required=False
    )

    class Meta(ProjectSerializer.Meta):
        fields = list(services.PROJECT_EDITABLE)
        read_only_fields: list[str] = []


class ProjectFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = InnovationProject
        fields = ["plan", "status"]


@extend_schema_view(**versioned_schema(ProjectUpdateSerializer, ProjectSerializer))
class InnovationProjectViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[InnovationProject]
):
    """Projects of a plan's joint-innovation fund (`?plan=&status=`); the budgets of a plan's
    projects never add up to more than its fund (checked under the fund's row lock)."""

    queryset = InnovationProject.objects.prefetch_related("suppliers").order_by(
        "plan_id", "name", "pk"
    )
    serializer_class = ProjectSerializer
    write_serializer_class = ProjectUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = ProjectFilter
    service_create = services.project_create
    service_update = services.project_update
    service_delete = services.project_delete
    service_kwarg = "project"


class SupplierPolicySerializer(serializers.ModelSerializer[SupplierPolicy]):
    class Meta:
        model = SupplierPolicy
        fields = [*services.POLICY_EDITABLE, "version"]
        read_only_fields = ["version"]


class SupplierPolicyView(PlanScopedAPIView):
    """The plan's supplier policy: weights (%), pass mark, failures before a flag, tier
    cut-offs and how many reviews make past performance."""

    @extend_schema(responses={200: SupplierPolicySerializer})
    def get(self, request: Request, pk: int) -> Response:
        policy = services.policy_for(self.plan(request, pk))
        return with_etag(Response(SupplierPolicySerializer(policy).data), policy)

    @extend_schema(
        request=SupplierPolicySerializer,
        parameters=[IF_MATCH],
        responses={**VERSIONED_ERRORS, 200: SupplierPolicySerializer},
        description="Change the policy (draft plans): every review of the plan is scored "
        "again and every flag recomputed.",
    )
    def put(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        policy = services.policy_for(plan)
        version = expected_version(request, policy)
        serializer = SupplierPolicySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        policy = services.policy_update(
            plan=plan,
            expected_version=version,
            actor=actor_of(request),
            **serializer.validated_data,
        )
        return with_etag(Response(SupplierPolicySerializer(policy).data), policy)


class InnovationFundSerializer(serializers.Serializer[Any]):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False)
    purpose = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    currency = serializers.CharField(read_only=True)
    committed = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        coerce_to_string=False,
        read_only=True,
        help_text="Σ budgets of the plan's projects.",
    )
    left = serializers.DecimalField(
        max_digits=16, decimal_places=2, coerce_to_string=False, read_only=True
    )
    version = serializers.IntegerField(read_only=True)


def _fund_body(plan: Plan) -> tuple[dict[str, Any], Any]:
    fund = services.fund_for(plan)
    committed = services.committed_to_projects(plan)
    body = {
        "amount": fund.amount,
        "purpose": fund.purpose,
        "currency": plan.currency,
        "committed": committed,
        "left": fund.amount - committed,
        "version": fund.version,
    }
    return InnovationFundSerializer(body).data, fund


class InnovationFundView(PlanScopedAPIView):
    """The plan's joint-innovation fund: its amount, what the projects hold, what is left."""

    @extend_schema(responses={200: InnovationFundSerializer})
    def get(self, request: Request, pk: int) -> Response:
        data, fund = _fund_body(self.plan(request, pk))
        return with_etag(Response(data), fund)

    @extend_schema(
        request=InnovationFundSerializer,
        parameters=[IF_MATCH],
        responses={**VERSIONED_ERRORS, 200: InnovationFundSerializer},
        description="Set the fund (draft plans); never below what the projects hold.",
    )
    def put(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        fund = services.fund_for(plan)
        version = expected_version(request, fund)
        serializer = InnovationFundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.fund_update(
            plan=plan,
            expected_version=version,
            actor=actor_of(request),
            **serializer.validated_data,
        )
        data, fund = _fund_body(plan)
        return with_etag(Response(data), fund)
