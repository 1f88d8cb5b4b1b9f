"""REST API of the approvals area: budget requests (with their lifecycle actions), the
quarterly reallocation review of a plan, and the reserve fund with its draws.

Writes go through budget/approval_services.py. Every lifecycle step of a request, a
draw or a move needs If-Match with the ETag last read (428 without it, 412 when stale).
Amounts of money are decimal strings in the plan's currency.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from budget import approval_queries as queries
from budget import approval_services as services
from budget.models import (
    BudgetLine,
    BudgetRequest,
    ReallocationMove,
    ReallocationReview,
    RequestDecision,
    ReserveDraw,
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
    PlanScopedAPIView,
    RolePermission,
    ScopedQuerysetMixin,
    VisibleField,
    object_for_user,
)
from planner.models import Plan

# --- budget requests ----------------------------------------------------------------------------


class DecisionSerializer(serializers.ModelSerializer[RequestDecision]):
    actor = serializers.CharField(
        source="actor.username", default=None, allow_null=True, read_only=True
    )
    step = serializers.ChoiceField(
        source="action", choices=RequestDecision.Action.choices, read_only=True
    )

    class Meta:
        model = RequestDecision
        fields = ["step", "from_status", "to_status", "actor", "comment", "created_at"]
        read_only_fields = fields


class BudgetRequestSerializer(serializers.ModelSerializer[BudgetRequest]):
    plan = VisibleField(Plan)
    channel = VisibleField(Channel)
    campaign = VisibleField(Campaign, required=False, allow_null=True)
    created_by = serializers.CharField(
        source="created_by.username", default=None, allow_null=True, read_only=True
    )
    decided_by = serializers.CharField(
        source="decided_by.username", default=None, allow_null=True, read_only=True
    )
    submit = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Create: submit for approval at once (else a draft).",
    )
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = BudgetRequest
        fields = [
            "id",
            "plan",
            *services.REQUEST_EDITABLE,
            "expected_roi",
            "status",
            "submit",
            "created_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "line",
            "from_reserve",
            "decisions",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "expected_roi",
            "status",
            "submitted_at",
            "decided_at",
            "line",
            "from_reserve",
            "version",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "expected_roi": {
                "help_text": "(value − cost) ÷ cost by the plan's ROI definition; a fraction."
            }
        }


class BudgetRequestUpdateSerializer(BudgetRequestSerializer):
    class Meta(BudgetRequestSerializer.Meta):
        fields = list(services.REQUEST_EDITABLE)
        read_only_fields: list[str] = []


class DecisionNoteSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class ApproveSerializer(DecisionNoteSerializer):
    use_reserve = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Fund what the unallocated money does not cover from the reserve fund.",
    )


class BudgetRequestFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = BudgetRequest
        fields = ["plan", "status"]


def _step_schema(
    what: str, body: type[serializers.Serializer[Any]] = DecisionNoteSerializer
) -> Any:
    return extend_schema(
        request=body,
        parameters=[IF_MATCH],
        responses={200: BudgetRequestSerializer, **VERSIONED_ERRORS},
        description=what,
    )


@extend_schema_view(**versioned_schema(BudgetRequestUpdateSerializer, BudgetRequestSerializer))
class BudgetRequestViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[BudgetRequest]
):
    """Budget requests with their cost-benefit sheet (`?plan=&status=`): editors create and
    submit; managers approve or reject (never their own); the author withdraws. A draft is
    changed with PATCH/PUT and If-Match. Approval moves the cost into the budget line."""

    queryset = (
        BudgetRequest.objects.select_related("created_by", "decided_by")
        .prefetch_related("decisions__actor")
        .order_by("-created_at", "-id")
    )
    serializer_class = BudgetRequestSerializer
    write_serializer_class = BudgetRequestUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = BudgetRequestFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    action_roles = {"approve": Action.APPROVE, "reject": Action.APPROVE}
    service_create = services.request_create
    service_update = services.request_update
    service_kwarg = "budget_request"

    def _step(
        self, request: Request, step: Any, body: type[serializers.Serializer[Any]]
    ) -> Response:
        found = self.get_object()
        version = expected_version(request, found)
        data = body(data=request.data)
        data.is_valid(raise_exception=True)
        step(
            budget_request=found,
            expected_version=version,
            actor=actor_of(request),
            **data.validated_data,
        )
        fresh = self.get_queryset().get(pk=found.pk)
        return with_etag(Response(self.get_serializer(fresh).data), fresh)

    @_step_schema("Submit a draft for a manager's approval (editors).")
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: int | None = None) -> Response:
        return self._step(request, services.request_submit, DecisionNoteSerializer)

    @_step_schema("Withdraw a draft or submitted request (its author only).")
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: int | None = None) -> Response:
        return self._step(request, services.request_withdraw, DecisionNoteSerializer)

    @_step_schema(
        "Approve a submitted request (managers, not its author): the cost moves from the "
        "unallocated money into the line; with `use_reserve` the reserve fund pays what the "
        "unallocated money does not cover, else a shortfall is refused (400).",
        ApproveSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int | None = None) -> Response:
        return self._step(request, services.request_approve, ApproveSerializer)

    @_step_schema("Reject a submitted request (managers, not its author); `comment` required.")
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int | None = None) -> Response:
        return self._step(request, services.request_reject, DecisionNoteSerializer)


# --- reserve draws ------------------------------------------------------------------------------


class DrawSerializer(serializers.ModelSerializer[ReserveDraw]):
    requested_by = serializers.CharField(
        source="requested_by.username", default=None, allow_null=True, read_only=True
    )
    decided_by = serializers.CharField(
        source="decided_by.username", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = ReserveDraw
        fields = [
            "id",
            "plan",
            "line",
            "amount",
            "reason",
            "status",
            "request",
            "requested_by",
            "decided_by",
            "decided_at",
            "comment",
            "transfer",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class DrawRequestSerializer(serializers.Serializer[Any]):
    line = VisibleField(BudgetLine, help_text="A budget line of this plan.")
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    reason = serializers.CharField(allow_blank=True, max_length=4000)
    approve = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Managers: draw at once (asked and approved in one step).",
    )


class ReserveSerializer(serializers.Serializer[Any]):
    currency = serializers.CharField()
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    reserve_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    target = serializers.DecimalField(max_digits=16, decimal_places=2)
    drawn = serializers.DecimalField(max_digits=16, decimal_places=2)
    balance = serializers.DecimalField(max_digits=16, decimal_places=2)
    pending_count = serializers.IntegerField()
    pending_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    pending = DrawSerializer(many=True)
    decided = DrawSerializer(many=True)


def _reserve_body(plan: Plan) -> dict[str, Any]:
    summary = queries.reserve_summary(plan)
    pending, decided = queries.draws(plan)
    return ReserveSerializer({**summary.__dict__, "pending": pending, "decided": decided}).data


class ReserveView(PlanScopedAPIView):
    @extend_schema(
        responses={200: ReserveSerializer},
        description="The reserve fund: target (% of the total), drawn, balance and the draws.",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_reserve_body(self.plan(request, pk)))

    @extend_schema(
        request=DrawRequestSerializer,
        responses={
            201: DrawSerializer,
            400: OpenApiResponse(description="Invalid input; `fields` names each problem."),
            403: OpenApiResponse(description="Your role does not allow this."),
            409: OpenApiResponse(description="The plan is archived."),
        },
        description=(
            "Ask for a draw into a line of this plan (editors); a manager with `approve` "
            "draws at once. The reason is required; the balance never goes below zero."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        body = DrawRequestSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        draw = services.draw_request(plan=plan, actor=actor_of(request), **body.validated_data)
        return with_etag(Response(DrawSerializer(draw).data, status=201), draw)


class DrawFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = ReserveDraw
        fields = ["plan", "status"]


def _draw_schema(what: str) -> Any:
    return extend_schema(
        request=DecisionNoteSerializer,
        parameters=[IF_MATCH],
        responses={200: DrawSerializer, **VERSIONED_ERRORS},
        description=what,
    )


class ReserveDrawViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[ReserveDraw],
):
    """Draws on the reserve fund (`?plan=&status=`); managers approve or reject them."""

    queryset = ReserveDraw.objects.select_related("requested_by", "decided_by").order_by(
        "-created_at", "-id"
    )
    serializer_class = DrawSerializer
    permission_classes = [RolePermission]
    filterset_class = DrawFilter
    action_roles = {"approve": Action.APPROVE, "reject": Action.APPROVE}

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        draw = self.get_object()
        return with_etag(Response(self.get_serializer(draw).data), draw)

    def _step(self, request: Request, step: Any) -> Response:
        draw = self.get_object()
        version = expected_version(request, draw)
        body = DecisionNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fresh = step(
            draw=draw,
            expected_version=version,
            actor=actor_of(request),
            comment=body.validated_data["comment"],
        )
        return with_etag(Response(self.get_serializer(fresh).data), fresh)

    @_draw_schema("Approve the draw (managers): the reserve fund pays the line.")
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int | None = None) -> Response:
        return self._step(request, services.draw_approve)

    @_draw_schema("Reject the draw (managers); `comment` required.")
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int | None = None) -> Response:
        return self._step(request, services.draw_reject)


# --- the quarterly reallocation review ----------------------------------------------------------


class MoveSerializer(serializers.ModelSerializer[ReallocationMove]):
    decided_by = serializers.CharField(
        source="decided_by.username", default=None, allow_null=True, read_only=True
    )
    from_channel = serializers.CharField(source="from_line.channel.code", read_only=True)
    to_channel = serializers.CharField(source="to_line.channel.code", read_only=True)
    from_quarter = serializers.IntegerField(source="from_line.quarter", read_only=True)
    to_quarter = serializers.IntegerField(source="to_line.quarter", read_only=True)
    reasons = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="grade_c: the source channel is graded C; below_floor: its ROI is below "
        "the plan's floor.",
    )

    class Meta:
        model = ReallocationMove
        fields = [
            "id",
            "from_line",
            "from_channel",
            "from_quarter",
            "to_line",
            "to_channel",
            "to_quarter",
            "proposed_amount",
            "approved_amount",
            "from_grade",
            "from_roi",
            "to_grade",
            "to_roi",
            "reasons",
            "status",
            "decided_by",
            "decided_at",
            "comment",
            "transfer",
            "version",
        ]
        read_only_fields = fields


class ReallocationReviewSerializer(serializers.ModelSerializer[ReallocationReview]):
    moves = serializers.SerializerMethodField()
    created_by = serializers.CharField(
        source="created_by.username", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = ReallocationReview
        fields = [
            "id",
            "plan",
            "quarter",
            "roi_floor",
            "max_move_pct",
            "max_review_pct",
            "limit",
            "created_by",
            "created_at",
            "moves",
        ]
        read_only_fields = fields

    @extend_schema_field(MoveSerializer(many=True))
    def get_moves(self, review: ReallocationReview) -> Any:
        return MoveSerializer(queries.moves(review), many=True).data


class ProposeSerializer(serializers.Serializer[Any]):
    quarter = serializers.IntegerField(
        min_value=1, max_value=3, help_text="The quarter that ends (1–3)."
    )


class MoveDecisionSerializer(serializers.Serializer[Any]):
    amount = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Approve: the amount to move (≤ proposed, ≤ what the source can give); "
        "default the proposed amount.",
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


QUARTER = OpenApiParameter(
    "quarter", int, description="The review of this quarter (default: the latest)."
)


class ReallocationView(PlanScopedAPIView):
    @extend_schema(
        parameters=[QUARTER],
        responses={
            200: ReallocationReviewSerializer,
            404: OpenApiResponse(description="No review yet."),
        },
        description="The quarterly reallocation proposal with its moves and their reasons.",
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        raw = request.query_params.get("quarter", "")
        review = queries.review(plan, int(raw) if raw in ("1", "2", "3") else None)
        if review is None:
            return Response({"detail": _("No review yet."), "code": "not_found"}, status=404)
        return Response(ReallocationReviewSerializer(review).data)

    @extend_schema(
        request=ProposeSerializer,
        responses={
            201: ReallocationReviewSerializer,
            200: ReallocationReviewSerializer,
            400: OpenApiResponse(description="Invalid quarter."),
            403: OpenApiResponse(description="Your role does not allow this."),
        },
        description=(
            "Propose the review of a quarter now (editors); idempotent: 200 with the existing "
            "review when the quarter already has one."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        body = ProposeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        quarter = body.validated_data["quarter"]
        existed = ReallocationReview.objects.filter(plan=plan, quarter=quarter).exists()
        review = services.review_propose(plan=plan, quarter=quarter, actor=actor_of(request))
        return Response(ReallocationReviewSerializer(review).data, status=200 if existed else 201)


class MoveStepView(PlanScopedAPIView):
    step = "approve"

    def _move(self, request: Request, pk: int, move_id: int) -> ReallocationMove:
        return object_for_user(
            ReallocationMove.objects.select_related("review"),
            request.user,
            Action.APPROVE,
            pk=move_id,
            review__plan_id=pk,
        )

    @extend_schema(
        request=MoveDecisionSerializer,
        parameters=[IF_MATCH],
        responses={200: MoveSerializer, **VERSIONED_ERRORS},
        description=(
            "Approve (amount ≤ proposed and ≤ what the source line can still give; both lines "
            "change at once) or reject one move (managers). If-Match: the move's version."
        ),
    )
    def post(self, request: Request, pk: int, move_id: int) -> Response:
        move = self._move(request, pk, move_id)
        version = expected_version(request, move)
        body = MoveDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if self.step == "approve":
            fresh = services.move_approve(
                move=move,
                expected_version=version,
                actor=actor_of(request),
                amount=body.validated_data.get("amount"),
                comment=body.validated_data["comment"],
            )
        else:
            fresh = services.move_reject(
                move=move,
                expected_version=version,
                actor=actor_of(request),
                comment=body.validated_data["comment"],
            )
        fresh = ReallocationMove.objects.select_related(
            "from_line__channel", "to_line__channel"
        ).get(pk=fresh.pk)
        return with_etag(Response(MoveSerializer(fresh).data), fresh)
