"""REST API of the budget's money: budget lines, the plan's budget (totals and settings),
the allocation proposal (and accepting it), purchase orders and invoices.

Writes go through budget/money_services.py; versioned rows answer with an ETag and
need If-Match to change (428 without, 412 when stale)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from budget import actuals, ledger
from budget import money_queries as queries
from budget import money_services as services
from budget.models import (
    AllocationRule,
    Budget,
    BudgetLine,
    Invoice,
    ObjectiveWeight,
    PoStatus,
    PurchaseOrder,
)
from budget.models.money import ZERO
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
from kpis.models import Objective
from planner.access import (
    Action,
    PlanScopedAPIView,
    RolePermission,
    ScopedQuerysetMixin,
    VisibleField,
)
from planner.models import Plan


def _money_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=16, decimal_places=2, coerce_to_string=False, **kwargs
    )


def _spent(context: dict[str, Any], line: BudgetLine) -> actuals.Spent:
    """Committed and actual of a line, computed once per plan per response."""
    cache: dict[int, dict[int, actuals.Spent]] = context.setdefault("_spent", {})
    if line.plan_id not in cache:
        cache[line.plan_id] = actuals.spent_by_line(line.plan)
    return cache[line.plan_id].get(line.pk, actuals.Spent())


# --- budget lines ------------------------------------------------------------------------------


class BudgetLineSerializer(serializers.ModelSerializer[BudgetLine]):
    plan = VisibleField(Plan)
    channel = VisibleField(Channel)
    campaign = VisibleField(Campaign, required=False, allow_null=True, default=None)
    planned = _money_field(
        required=False,
        min_value=Decimal(0),
        help_text="On create: funded from the unallocated money (default 0).",
    )
    committed = serializers.SerializerMethodField(help_text="Open purchase orders not invoiced.")
    actual = serializers.SerializerMethodField(help_text="Metric spend plus invoices.")
    available = serializers.SerializerMethodField(
        help_text="planned − committed − actual; negative when overspent."
    )

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "plan",
            "channel",
            "campaign",
            "quarter",
            "planned",
            "note",
            "committed",
            "actual",
            "available",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "updated_at"]
        validators: list[Any] = []  # uniqueness is the service's, with a clear message

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_committed(self, line: BudgetLine) -> Decimal:
        return _spent(self.context, line).committed

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_actual(self, line: BudgetLine) -> Decimal:
        return _spent(self.context, line).actual

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_available(self, line: BudgetLine) -> Decimal:
        return line.planned - _spent(self.context, line).used


class BudgetLineUpdateSerializer(serializers.Serializer[Any]):
    planned = _money_field(required=False, min_value=Decimal(0))
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class BudgetLineFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = BudgetLine
        fields = ["plan", "channel", "campaign", "quarter"]


def _line_create(*, actor: Any, plan: Plan, **data: Any) -> BudgetLine:
    return services.line_create(plan=plan, actor=actor, **data)


@extend_schema_view(**versioned_schema(BudgetLineUpdateSerializer, BudgetLineSerializer))
class BudgetLineViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[BudgetLine]
):
    """Budget lines (`?plan=&channel=&campaign=&quarter=`) with planned, committed, actual
    and available. PATCH `planned` moves money to or from the unallocated pool (never below
    what is committed or spent); DELETE removes a line that never held money."""

    queryset = BudgetLine.objects.select_related("plan", "channel", "campaign").order_by(
        "plan_id",
        "channel__family",
        "channel__sort_order",
        "channel__code",
        "campaign_id",
        "quarter",
    )
    serializer_class = BudgetLineSerializer
    write_serializer_class = BudgetLineUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = BudgetLineFilter
    service_create = _line_create
    service_update = services.line_update
    service_delete = services.line_delete
    service_kwarg = "line"


# --- the plan's budget -------------------------------------------------------------------------


def _pct_field() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, required=False
    )


class BudgetTotalsSerializer(serializers.ModelSerializer[Budget]):
    total = _money_field(min_value=Decimal(0))
    reserve_pct = _pct_field()
    max_move_pct = _pct_field()
    max_review_pct = _pct_field()
    q1_share = _pct_field()
    q2_share = _pct_field()
    q3_share = _pct_field()
    q4_share = _pct_field()
    allocated = _money_field(read_only=True)
    reserve_balance = _money_field(read_only=True)
    unallocated = _money_field(read_only=True)
    allocatable = _money_field(read_only=True, help_text="total − reserve balance.")
    committed = _money_field(read_only=True, source="figures.committed")
    actual = _money_field(read_only=True, source="figures.actual")
    available = _money_field(read_only=True, source="figures.available")

    class Meta:
        model = Budget
        fields = [
            "plan",
            *services.SETTINGS_EDITABLE,
            "allocated",
            "reserve_balance",
            "unallocated",
            "allocatable",
            "committed",
            "actual",
            "available",
            "version",
            "updated_at",
        ]
        read_only_fields = [
            "plan",
            "allocated",
            "reserve_balance",
            "unallocated",
            "version",
            "updated_at",
        ]


def _with_figures(budget: Budget) -> Budget:
    budget.figures = queries.tree(budget.plan).total  # type: ignore[attr-defined]
    return budget


class BudgetView(PlanScopedAPIView):
    """The plan's budget: total = allocated + reserve balance + unallocated; the reserve %,
    the quarterly review's limits and the quarter split of the allocation."""

    @extend_schema(responses={200: BudgetTotalsSerializer})
    def get(self, request: Request, pk: int) -> Response:
        budget = ledger.budget_of(self.plan(request, pk))
        return with_etag(Response(BudgetTotalsSerializer(_with_figures(budget)).data), budget)

    @extend_schema(
        request=BudgetTotalsSerializer,
        parameters=[IF_MATCH],
        responses={200: BudgetTotalsSerializer, **VERSIONED_ERRORS},
    )
    def put(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        current = ledger.budget_of(plan)
        version = expected_version(request, current)
        body = BudgetTotalsSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        fresh = services.settings_update(
            plan=plan,
            expected_version=version,
            changes=dict(body.validated_data),
            actor=actor_of(request),
        )
        return with_etag(Response(BudgetTotalsSerializer(_with_figures(fresh)).data), fresh)


# --- allocation --------------------------------------------------------------------------------


class ProposalRowSerializer(serializers.Serializer[Any]):
    channel = serializers.IntegerField(source="channel.pk")
    code = serializers.CharField(source="channel.code")
    priority = _money_field(source="weight.priority")
    objective = serializers.IntegerField(source="rule.objective_id", allow_null=True, default=None)
    objective_weight = _money_field(source="weight.objective_weight")
    share = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False)
    proposed = serializers.ListField(child=_money_field())
    proposed_total = _money_field()
    current = serializers.ListField(child=_money_field())
    current_total = _money_field()


class AllocationSerializer(serializers.Serializer[Any]):
    allocatable = _money_field(source="budget.allocatable")
    quarter_split = serializers.ListField(
        child=serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False),
        source="budget.quarter_split",
    )
    proposed_total = _money_field(source="proposal.total")
    placeable = serializers.BooleanField(
        help_text="False: no active channel has a weight, so nothing can be proposed."
    )
    channels = ProposalRowSerializer(many=True, source="rows")


class AllocationView(PlanScopedAPIView):
    """The allocation the rules propose (priority × objective weight per channel, split by
    quarter) beside the current lines; POST accepts it: every channel-wide line is set to
    the proposal less its campaign lines, in one transaction."""

    @extend_schema(responses={200: AllocationSerializer})
    def get(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        return Response(AllocationSerializer(queries.allocation_view(plan)).data)

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "AllocationAccepted",
                {
                    "lines_changed": serializers.IntegerField(),
                    "allocated": _money_field(),
                },
            ),
            **{k: v for k, v in VERSIONED_ERRORS.items() if k in (400, 403, 404, 409)},
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        done = services.accept_allocation(plan=plan, actor=actor_of(request))
        return Response({"lines_changed": done.lines_changed, "allocated": done.allocated})


# --- purchase orders and invoices --------------------------------------------------------------


class PurchaseOrderSerializer(serializers.ModelSerializer[PurchaseOrder]):
    plan = VisibleField(Plan)
    line = VisibleField(BudgetLine)
    amount = _money_field(min_value=Decimal("0.01"))
    invoiced = serializers.SerializerMethodField()
    committed = serializers.SerializerMethodField(help_text="What the order still commits.")
    created_by = serializers.CharField(
        source="created_by.username", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "plan",
            "line",
            "number",
            "supplier_name",
            "description",
            "amount",
            "issued_on",
            "status",
            "invoiced",
            "committed",
            "created_by",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "version", "updated_at"]
        validators: list[Any] = []  # the PO number's uniqueness is checked by the service

    def _invoiced(self, order: PurchaseOrder) -> Decimal:
        return sum((i.amount for i in order.invoices.all()), ZERO)

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_invoiced(self, order: PurchaseOrder) -> Decimal:
        return self._invoiced(order)

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_committed(self, order: PurchaseOrder) -> Decimal:
        if order.status != PoStatus.OPEN:
            return ZERO
        return max(order.amount - self._invoiced(order), ZERO)


class PurchaseOrderUpdateSerializer(serializers.Serializer[Any]):
    supplier_name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=[PoStatus.CANCELLED.value, PoStatus.OPEN.value],
        required=False,
        help_text="`cancelled` cancels an open order.",
    )


class PoFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = PurchaseOrder
        fields = ["plan", "line", "status"]


def _po_create(*, actor: Any, plan: Plan, **data: Any) -> PurchaseOrder:
    return services.po_create(plan=plan, actor=actor, **data)


@extend_schema_view(
    update=extend_schema(
        request=PurchaseOrderUpdateSerializer,
        parameters=[IF_MATCH],
        responses={**VERSIONED_ERRORS, 200: PurchaseOrderSerializer},
    ),
    partial_update=extend_schema(
        request=PurchaseOrderUpdateSerializer,
        parameters=[IF_MATCH],
        responses={**VERSIONED_ERRORS, 200: PurchaseOrderSerializer},
    ),
)
class PurchaseOrderViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[PurchaseOrder]
):
    """Purchase orders (`?plan=&line=&status=`): committed money until invoiced. PATCH
    `status: cancelled` cancels an open order; orders are never deleted."""

    queryset = PurchaseOrder.objects.select_related("created_by").prefetch_related("invoices")
    serializer_class = PurchaseOrderSerializer
    write_serializer_class = PurchaseOrderUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = PoFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    service_create = _po_create
    service_update = services.po_update
    service_kwarg = "purchase_order"


class InvoiceSerializer(serializers.ModelSerializer[Invoice]):
    plan = VisibleField(Plan)
    line = VisibleField(
        BudgetLine, required=False, allow_null=True, help_text="Default: the order's line."
    )
    purchase_order = VisibleField(PurchaseOrder, required=False, allow_null=True)
    amount = _money_field(min_value=Decimal("0.01"))
    created_by = serializers.CharField(
        source="created_by.username", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = Invoice
        fields = [
            "id",
            "plan",
            "line",
            "purchase_order",
            "number",
            "supplier_name",
            "amount",
            "invoiced_on",
            "created_by",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "updated_at"]
        validators: list[Any] = []


class InvoiceFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = Invoice
        fields = ["plan", "line", "purchase_order"]


def _invoice_create(*, actor: Any, plan: Plan, **data: Any) -> Invoice:
    return services.invoice_create(plan=plan, actor=actor, **data)


@extend_schema_view(
    destroy=extend_schema(parameters=[IF_MATCH], responses={**VERSIONED_ERRORS, 204: None})
)
class InvoiceViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Invoice]):
    """Invoices (`?plan=&line=&purchase_order=`): actual spend on top of metric spend. An
    invoice that covers its order marks it invoiced; DELETE (If-Match) removes a mistake."""

    queryset = Invoice.objects.select_related("created_by")
    serializer_class = InvoiceSerializer
    permission_classes = [RolePermission]
    filterset_class = InvoiceFilter
    http_method_names = ["get", "post", "delete", "head", "options"]
    service_create = _invoice_create
    service_delete = services.invoice_delete
    service_kwarg = "invoice"


# --- allocation rules and objective weights ----------------------------------------------------


class AllocationRuleSerializer(serializers.ModelSerializer[AllocationRule]):
    plan = VisibleField(Plan)
    channel = VisibleField(Channel)
    objective = VisibleField(Objective, required=False, allow_null=True, default=None)
    priority = serializers.DecimalField(
        max_digits=6, decimal_places=2, coerce_to_string=False, required=False
    )

    class Meta:
        model = AllocationRule
        fields = ["id", "plan", "channel", "priority", "objective", "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]
        validators: list[Any] = []


class AllocationRuleUpdateSerializer(serializers.Serializer[Any]):
    priority = serializers.DecimalField(
        max_digits=6, decimal_places=2, coerce_to_string=False, required=False
    )
    objective = VisibleField(Objective, required=False, allow_null=True)


class RuleFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = AllocationRule
        fields = ["plan", "channel", "objective"]


@extend_schema_view(**versioned_schema(AllocationRuleUpdateSerializer, AllocationRuleSerializer))
class AllocationRuleViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[AllocationRule]
):
    """A channel's strategic priority and the objective it serves (`?plan=&channel=`); an
    active channel without a rule counts with priority 1. Draft plans only."""

    queryset = AllocationRule.objects.order_by("plan_id", "channel_id")
    serializer_class = AllocationRuleSerializer
    write_serializer_class = AllocationRuleUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = RuleFilter
    service_create = services.rule_create
    service_update = services.rule_update
    service_delete = services.rule_delete
    service_kwarg = "rule"


class ObjectiveWeightSerializer(serializers.ModelSerializer[ObjectiveWeight]):
    plan = VisibleField(Plan)
    objective = VisibleField(Objective)
    weight = serializers.DecimalField(
        max_digits=6, decimal_places=2, coerce_to_string=False, required=False
    )

    class Meta:
        model = ObjectiveWeight
        fields = ["id", "plan", "objective", "weight", "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]
        validators: list[Any] = []


class ObjectiveWeightUpdateSerializer(serializers.Serializer[Any]):
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)


class WeightFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = ObjectiveWeight
        fields = ["plan", "objective"]


@extend_schema_view(**versioned_schema(ObjectiveWeightUpdateSerializer, ObjectiveWeightSerializer))
class ObjectiveWeightViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[ObjectiveWeight]
):
    """How much an annual objective counts in the allocation (`?plan=`); an objective
    without a weight counts 1. Draft plans only."""

    queryset = ObjectiveWeight.objects.order_by("plan_id", "objective_id")
    serializer_class = ObjectiveWeightSerializer
    write_serializer_class = ObjectiveWeightUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = WeightFilter
    service_create = services.weight_create
    service_update = services.weight_update
    service_delete = services.weight_delete
    service_kwarg = "weight"
