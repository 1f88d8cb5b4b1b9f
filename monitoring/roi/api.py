"""REST API of the ROI model: the definition (If-Match) and its sign-offs, the layered ROI,
the scenarios, and the cohorts. Writes go through monitoring/roi/services.py."""

from __future__ import annotations

from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from channels.models import Channel
from core.api import (
    IF_MATCH,
    VERSIONED_ERRORS,
    ServiceViewSetMixin,
    expected_version,
    versioned_schema,
    with_etag,
)
from core.auth import actor_of
from monitoring.analytics import response as response_lib
from monitoring.roi import queries, services
from monitoring.roi.models import Department, RoiCohort, RoiDefinition, RoiSignoff
from planner.access import (
    Action,
    PlanScopedAPIView,
    RolePermission,
    ScopedQuerysetMixin,
    VisibleField,
)
from planner.models import Plan

MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2, "coerce_to_string": False}


# --- the definition ---------------------------------------------------------------------------


class SignoffSerializer(serializers.ModelSerializer[RoiSignoff]):
    signed_by = serializers.CharField(source="signed_by.username", default=None)

    class Meta:
        model = RoiSignoff
        fields = ["department", "definition_version", "signed_by", "signed_at", "cleared_at"]
        read_only_fields = fields


class DefinitionSerializer(serializers.ModelSerializer[RoiDefinition]):
    gross_margin = serializers.DecimalField(
        max_digits=5, decimal_places=4, coerce_to_string=False, required=False
    )
    roi_floor = serializers.DecimalField(
        max_digits=7, decimal_places=4, coerce_to_string=False, required=False
    )
    discount_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, coerce_to_string=False, required=False
    )
    summary = serializers.SerializerMethodField(
        help_text="The one line shown next to every ROI figure."
    )
    agreed = serializers.SerializerMethodField(
        help_text="Finance and operations both signed this version."
    )
    signoffs = serializers.SerializerMethodField(
        help_text="The sign-offs standing on this version."
    )
    cleared_signoffs = serializers.SerializerMethodField(
        help_text="Earlier sign-offs, cleared by a change of the definition (newest first)."
    )
    revenue_source = serializers.SerializerMethodField(
        help_text=(
            "The revenue the ROI figures use: attribution_model when the plan has its "
            "results, else 'platform' (see attribution_fallback)."
        )
    )
    attribution_fallback = serializers.SerializerMethodField(
        help_text=(
            "True when attribution_model has no stored results yet and the "
            "platform-reported revenue stands in for it (the summary says so too)."
        )
    )

    class Meta:
        model = RoiDefinition
        fields = [
            *services.DEFINITION_EDITABLE,
            "summary",
            "agreed",
            "signoffs",
            "cleared_signoffs",
            "revenue_source",
            "attribution_fallback",
            "version",
            "updated_at",
        ]
        read_only_fields = ["version", "updated_at"]

    def _view(self, definition: RoiDefinition) -> queries.DefinitionView:
        cache: dict[int, queries.DefinitionView] = self.context.setdefault("views", {})
        if definition.pk not in cache:
            cache[definition.pk] = queries.definition_view(definition.plan)
        return cache[definition.pk]

    def get_summary(self, definition: RoiDefinition) -> str:
        return self._view(definition).summary

    def get_agreed(self, definition: RoiDefinition) -> bool:
        return self._view(definition).agreed

    def get_revenue_source(self, definition: RoiDefinition) -> str:
        return self._view(definition).revenue_source

    def get_attribution_fallback(self, definition: RoiDefinition) -> bool:
        return self._view(definition).fallback

    @extend_schema_field(SignoffSerializer(many=True))
    def get_signoffs(self, definition: RoiDefinition) -> list[dict[str, Any]]:
        rows = list(self._view(definition).signoffs.values())
        return list(SignoffSerializer(rows, many=True).data)

    @extend_schema_field(SignoffSerializer(many=True))
    def get_cleared_signoffs(self, definition: RoiDefinition) -> list[dict[str, Any]]:
        return list(SignoffSerializer(self._view(definition).history, many=True).data)


class DefinitionUpdateSerializer(DefinitionSerializer):
    class Meta(DefinitionSerializer.Meta):
        fields = list(services.DEFINITION_EDITABLE)
        read_only_fields: list[str] = []


def _definition_response(plan: Plan) -> Response:
    definition = services.definition_for(plan)
    return with_etag(Response(DefinitionSerializer(definition).data), definition)


class DefinitionView(PlanScopedAPIView):
    @extend_schema(
        responses={200: DefinitionSerializer},
        description=(
            "The plan's ROI definition: ROI = (value − cost) ÷ cost, value = revenue or "
            "revenue × gross margin, cost = media spend plus the costs chosen; with the "
            "finance and operations sign-offs. Fractions: 0.35 = 35 %."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        return _definition_response(self.plan(request, pk))

    @extend_schema(
        request=DefinitionUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: DefinitionSerializer, **VERSIONED_ERRORS},
        description="Change the definition (draft plans; editors). A change clears the sign-offs.",
    )
    def put(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        version = expected_version(request, services.definition_for(plan))
        body = DefinitionUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.definition_update(
            plan=plan,
            expected_version=version,
            changes=dict(body.validated_data),
            actor=actor_of(request),
        )
        return _definition_response(plan)


class SignoffRequestSerializer(serializers.Serializer[Any]):
    department = serializers.ChoiceField(choices=Department.choices)


class SignoffView(PlanScopedAPIView):
    @extend_schema(
        request=SignoffRequestSerializer,
        parameters=[IF_MATCH],
        responses={200: DefinitionSerializer, **VERSIONED_ERRORS},
        description=(
            "Sign the definition version you read (If-Match) for finance or operations: "
            "managers and admins; the two departments need two different people."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.APPROVE)
        version = expected_version(request, services.definition_for(plan))
        body = SignoffRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.sign_off(
            plan=plan,
            department=body.validated_data["department"],
            expected_version=version,
            actor=actor_of(request),
        )
        return _definition_response(plan)


# --- the layered ROI ------------------------------------------------------------------------


class RoiRowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="Channel or campaign code; 'total'.")
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    layer = serializers.CharField(help_text="brand | performance ('' for the plan total).")
    spend = serializers.DecimalField(**MONEY, help_text="Media spend.")
    other_costs = serializers.DecimalField(**MONEY)
    cost = serializers.DecimalField(**MONEY)
    revenue = serializers.DecimalField(**MONEY)
    value = serializers.DecimalField(**MONEY, help_text="Revenue, or revenue × margin.")
    impressions = serializers.IntegerField()
    clicks = serializers.IntegerField()
    visits = serializers.IntegerField()
    conversions = serializers.IntegerField()
    new_users = serializers.IntegerField()
    roi = serializers.FloatField(allow_null=True, help_text="(value − cost) ÷ cost.")
    roas = serializers.FloatField(allow_null=True, help_text="revenue ÷ media spend.")
    cpa = serializers.FloatField(allow_null=True, help_text="cost ÷ conversions.")
    cpm = serializers.FloatField(allow_null=True, help_text="cost per 1,000 impressions.")
    cpc = serializers.FloatField(allow_null=True, help_text="cost ÷ clicks.")
    cost_per_visit = serializers.FloatField(allow_null=True)
    ltv_per_user = serializers.FloatField(allow_null=True)
    ltv_source = serializers.CharField(
        allow_null=True, help_text="channel | plan | all: whose cohorts gave the LTV."
    )
    future_value = serializers.DecimalField(
        **MONEY,
        allow_null=True,
        help_text="The value the period's new users bring after the period (their LTV tail).",
    )
    ltv_value = serializers.DecimalField(
        **MONEY, allow_null=True, help_text="value + future_value (null without cohorts)."
    )
    roi_ltv = serializers.FloatField(
        allow_null=True, help_text="(value + future_value − cost) ÷ cost; never below roi."
    )
    below_floor = serializers.BooleanField()


def row_data(row: queries.Row) -> dict[str, Any]:
    f = row.figures
    return {
        "key": row.key,
        "id": row.id,
        "name": str(row.name),
        "layer": row.layer,
        **{
            name: getattr(f, name)
            for name in (
                "spend",
                "other_costs",
                "cost",
                "revenue",
                "value",
                "impressions",
                "clicks",
                "visits",
                "conversions",
                "new_users",
                "roi",
                "roas",
                "cpa",
                "cpm",
                "cpc",
                "cost_per_visit",
                "ltv_per_user",
                "future_value",
                "ltv_value",
                "roi_ltv",
            )
        },
        "ltv_source": row.ltv_source,
        "below_floor": row.below_floor,
    }


class RoiView(PlanScopedAPIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "Roi",
                {
                    "definition": DefinitionSerializer(),
                    "currency": serializers.CharField(),
                    "revenue_source": serializers.CharField(
                        help_text="The attribution model whose revenue the figures use."
                    ),
                    "attribution_fallback": serializers.BooleanField(
                        help_text=(
                            "The definition's attribution model has no results yet: the "
                            "figures use the platform-reported revenue instead."
                        )
                    ),
                    "revenue_note": serializers.CharField(
                        help_text="How the channel revenue was obtained, in words."
                    ),
                    "layers": inline_serializer(
                        "RoiLayers",
                        {
                            layer: inline_serializer(
                                f"RoiLayer{layer.title()}",
                                {
                                    "channels": RoiRowSerializer(many=True),
                                    "campaigns": RoiRowSerializer(many=True),
                                    "total": RoiRowSerializer(allow_null=True),
                                },
                            )
                            for layer in ("brand", "performance")
                        },
                    ),
                    "total": RoiRowSerializer(),
                    "unallocated_costs": serializers.DecimalField(**MONEY),
                },
            )
        },
        description=(
            "Layered ROI of the plan year, in-period and LTV-corrected, per channel and "
            "campaign by layer (brand exposure: reach, CPM, cost per click/visit; "
            "performance: ROAS, CPA), with the plan total and the definition used."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        found = queries.report(plan)
        layers = {}
        for layer in ("brand", "performance"):
            part = found.layer(layer)
            layers[layer] = {
                "channels": [row_data(r) for r in part["channels"]],
                "campaigns": [row_data(r) for r in part["campaigns"]],
                "total": row_data(part["total"]) if part["total"] else None,
            }
        definition = found.definition.definition
        views = {"views": {definition.pk: found.definition}}
        return Response(
            {
                "definition": DefinitionSerializer(definition, context=views).data,
                "currency": found.currency,
                "revenue_source": found.credited.source,
                "attribution_fallback": found.credited.fallback,
                "revenue_note": queries.revenue_note(found.credited),
                "layers": layers,
                "total": row_data(found.total),
                "unallocated_costs": found.costs.unallocated,
            }
        )


# --- scenarios --------------------------------------------------------------------------------


class ScenarioSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    spend = serializers.FloatField(help_text="Media spend over the history's weeks.")
    revenue = serializers.FloatField(help_text="Expected revenue (the fitted curves).")
    revenue_low = serializers.FloatField()
    revenue_high = serializers.FloatField()
    value = serializers.FloatField()
    cost = serializers.FloatField()
    roi = serializers.FloatField(allow_null=True)
    roi_low = serializers.FloatField(allow_null=True, help_text="10th percentile (bootstrap).")
    roi_high = serializers.FloatField(allow_null=True, help_text="90th percentile (bootstrap).")
    delta_revenue = serializers.FloatField()
    delta_spend = serializers.FloatField()


def scenario_data(s: queries.Scenario) -> dict[str, Any]:
    o = s.outcome
    return {
        "key": s.key,
        "label": s.label,
        "spend": o.spend,
        "revenue": o.revenue,
        "revenue_low": o.revenue_low,
        "revenue_high": o.revenue_high,
        "value": o.value,
        "cost": o.cost,
        "roi": o.roi,
        "roi_low": o.roi_low,
        "roi_high": o.roi_high,
        "delta_revenue": s.delta_revenue,
        "delta_spend": s.delta_spend,
    }


def curve_data(curve: Any, fit: response_lib.Fit) -> dict[str, Any]:
    spend = [float(v) for v in curve.weekly_spend]
    mean = sum(spend) / len(spend) if spend else 0.0
    return {
        "channel": curve.channel.code,
        "status": curve.status,
        "kind": curve.kind,
        "params": curve.params,
        "weeks": curve.weeks,
        "r2": curve.r2,
        "mean_weekly_spend": mean,
        "marginal_roas": fit.curve.marginal(mean),
    }


def parse_scenario_params(params: Any, codes: set[str]) -> tuple[Any, Any]:
    """(move, changes) from query parameters; InvalidInput naming the parameter."""
    from core.errors import InvalidInput

    errors: dict[str, list[str]] = {}
    move = None
    source, target, percent = (params.get(k) or "" for k in ("move_from", "move_to", "percent"))
    if source or target or percent:
        if source not in codes:
            errors["move_from"] = [f"Unknown channel: {source!r}." if source else "Name a channel."]
        if target not in codes:
            errors["move_to"] = [f"Unknown channel: {target!r}." if target else "Name a channel."]
        try:
            share = float(percent) / 100
            if not 0 <= share <= 1:
                raise ValueError
        except ValueError:
            errors["percent"] = ["A percentage from 0 to 100."]
            share = 0.0
        if source and source == target:
            errors["move_to"] = ["Choose another channel than the one the budget leaves."]
        move = (source, target, share)
    changes = {}
    for raw in params.getlist("change") if hasattr(params, "getlist") else []:
        code, _sep, pct = raw.partition(":")
        if code not in codes:
            errors.setdefault("change", []).append(f"Unknown channel: {code!r}.")
            continue
        try:
            value = float(pct) / 100
            if value < -1:
                raise ValueError
        except ValueError:
            errors.setdefault("change", []).append(f"{code}: a change in percent, −100 or more.")
            continue
        changes[code] = value
    if errors:
        raise InvalidInput(fields=errors)
    return move, changes or None


class ScenariosView(PlanScopedAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("move_from", str, description="Channel code the budget leaves."),
            OpenApiParameter("move_to", str, description="Channel code the budget goes to."),
            OpenApiParameter(
                "percent", float, description="Share of move_from's spend moved (0–100)."
            ),
            OpenApiParameter(
                "change",
                str,
                many=True,
                description="code:percent, repeatable: e.g. change=douyin:-10&change=sem_baidu:15.",
            ),
        ],
        responses={
            200: inline_serializer(
                "RoiScenarios",
                {
                    "definition": DefinitionSerializer(),
                    "weeks": serializers.IntegerField(help_text="Full weeks of history evaluated."),
                    "baseline": ScenarioSerializer(allow_null=True),
                    "scenarios": ScenarioSerializer(many=True),
                    "custom": ScenarioSerializer(many=True),
                    "curves": inline_serializer(
                        "RoiCurve",
                        {
                            "channel": serializers.CharField(),
                            "status": serializers.CharField(
                                help_text="fitted | few_weeks | flat | no_spend"
                            ),
                            "kind": serializers.CharField(help_text="hill | linear | constant"),
                            "params": serializers.ListField(child=serializers.FloatField()),
                            "weeks": serializers.IntegerField(),
                            "r2": serializers.FloatField(allow_null=True),
                            "mean_weekly_spend": serializers.FloatField(),
                            "marginal_roas": serializers.FloatField(),
                        },
                        many=True,
                    ),
                },
            ),
            400: OpenApiResponse(description="Unknown channel or bad percent; `fields` names it."),
        },
        description=(
            "Budget scenarios on the stored response curves (no refit): total budget "
            "±10/20/30 %, each channel removed, and your own move or per-channel changes; "
            "expected revenue and ROI with a 10th–90th percentile range (bootstrap)."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        stored = queries.curves(plan)
        move, changes = parse_scenario_params(
            request.query_params, {c.channel.code for c in stored}
        )
        found = queries.scenarios(plan, move=move, changes=changes)
        return Response(
            {
                "definition": DefinitionSerializer(
                    found.definition.definition,
                    context={"views": {found.definition.definition.pk: found.definition}},
                ).data,
                "weeks": found.weeks,
                "baseline": scenario_data(found.baseline) if found.baseline else None,
                "scenarios": [scenario_data(s) for s in found.rows],
                "custom": [scenario_data(s) for s in found.custom],
                "curves": [curve_data(c, found.fits[c.channel.code]) for c in found.curves],
            }
        )


# --- cohorts ------------------------------------------------------------------------------------


class CohortSerializer(serializers.ModelSerializer[RoiCohort]):
    plan = VisibleField(Plan)
    channel = VisibleField(Channel, required=False, allow_null=True)
    retention = serializers.ListField(
        child=serializers.FloatField(),
        max_length=services.MAX_RETENTION_MONTHS,
        help_text="Month 1, 2, …: shares of the users still active (0.4 = 40 %).",
    )
    arpu = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)

    class Meta:
        model = RoiCohort
        fields = ["id", "plan", *services.COHORT_EDITABLE, "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]
        validators: list[Any] = []  # one cohort per month and channel: the service's rule


class CohortUpdateSerializer(CohortSerializer):
    class Meta(CohortSerializer.Meta):
        fields = list(services.COHORT_EDITABLE)
        read_only_fields: list[str] = []


class CohortFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = RoiCohort
        fields = ["plan", "channel"]


@extend_schema_view(**versioned_schema(CohortUpdateSerializer, CohortSerializer))
class CohortViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[RoiCohort]):
    """Acquisition cohorts for the LTV (`?plan=&channel=`): users acquired in a month,
    retention month by month, revenue per retained user a month."""

    queryset = RoiCohort.objects.select_related("channel").order_by(
        "plan_id", "month", "channel_id"
    )
    serializer_class = CohortSerializer
    permission_classes = [RolePermission]
    service_create = services.cohort_create
    service_update = services.cohort_update
    service_delete = services.cohort_delete
    service_kwarg = "cohort"
    filterset_class = CohortFilter
    write_serializer_class = CohortUpdateSerializer
