"""REST API of the ROI model: the definition (If-Match) and its sign-offs, the layered ROI,
the scenarios, and the cohorts. Writes go through monitoring/roi/services.py."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _
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
from core.errors import InvalidInput
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


def _unknown_channel(code: str) -> str:
    return str(_("Unknown channel code %(code)s.") % {"code": code})


def parse_scenario_params(params: Any, codes: set[str]) -> tuple[Any, Any]:
    """(move, changes) from query parameters; InvalidInput naming the parameter."""
    errors: dict[str, list[str]] = {}
    move = None
    source, target, percent = (params.get(k) or "" for k in ("move_from", "move_to", "percent"))
    if source or target or percent:
        for name, code in (("move_from", source), ("move_to", target)):
            if code not in codes:
                errors[name] = [_unknown_channel(code) if code else str(_("Name a channel."))]
        try:
            share = float(percent) / 100
            if not 0 <= share <= 1:
                raise ValueError
        except ValueError:
            errors["percent"] = [str(_("A percentage from 0 to 100."))]
            share = 0.0
        if source and source == target:
            errors["move_to"] = [str(_("Choose another channel than the one the budget leaves."))]
        move = (source, target, share)
    changes = {}
    for raw in params.getlist("change") if hasattr(params, "getlist") else []:
        code, _sep, pct = raw.partition(":")
        if code not in codes:
            errors.setdefault("change", []).append(_unknown_channel(code))
            continue
        try:
            value = float(pct) / 100
            if not math.isfinite(value) or value < -1:
                raise ValueError
        except ValueError:
            errors.setdefault("change", []).append(
                str(_("%(code)s: a change in percent, −100 or more.") % {"code": code})
            )
            continue
        changes[code] = value
    if errors:
        raise InvalidInput(_("Check the scenario."), fields=errors)
    return move, changes or None


# --- the sensitivity POST ---------------------------------------------------------------------

MAX_INCREASE = 1000.0  # percent: beyond ten times the spend the curves are pure extrapolation
SCENARIO_KEYS = ("changes", "total", "move", "remove")


def _percent(value: Any, low: float, high: float) -> float:
    """A JSON number (or numeric string) in percent within [low, high]; ValueError if not."""
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        raise ValueError
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError
    return number


def parse_what_if(data: Any, codes: set[str], plan_codes: set[str]) -> queries.WhatIf:
    """A sensitivity scenario from a JSON body, validated as a whole: InvalidInput naming
    each field (``changes.weibo``, ``move.percent``, ``remove[0]`` …) with its reason."""
    if not isinstance(data, dict):
        raise InvalidInput(_("Send a JSON object: changes, total, move and/or remove."))
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: Any) -> None:
        errors.setdefault(name, []).append(str(message))

    def channel_ok(name: str, code: Any) -> bool:
        if not isinstance(code, str) or not code:
            fail(name, _("Name a channel."))
        elif code not in codes:
            fail(
                name,
                _("The channel %(code)s has no response curve yet: it has no weeks of metrics.")
                % {"code": code}
                if code in plan_codes
                else _unknown_channel(code),
            )
        else:
            return True
        return False

    for key in data:
        if key not in SCENARIO_KEYS:
            fail(str(key), _("Unknown field; a scenario has changes, total, move and remove."))

    remove: list[str] = []
    raw_remove = data.get("remove")
    if raw_remove is not None:
        if not isinstance(raw_remove, list):
            fail("remove", _("A list of channel codes."))
        else:
            for i, code in enumerate(raw_remove):
                if channel_ok(f"remove[{i}]", code):
                    if code in remove:
                        fail(f"remove[{i}]", _("This channel is named twice."))
                    else:
                        remove.append(code)
    gone = set(remove)

    changes: dict[str, float] = {}
    raw_changes = data.get("changes")
    if raw_changes is not None:
        if not isinstance(raw_changes, dict):
            fail("changes", _("An object of channel code → change in percent."))
        else:
            for code, pct in raw_changes.items():
                name = f"changes.{code}"
                if not channel_ok(name, code):
                    continue
                if code in gone:
                    fail(name, _("This channel is removed in the same scenario."))
                    continue
                try:
                    changes[code] = _percent(pct, -100, MAX_INCREASE) / 100
                except (TypeError, ValueError):
                    fail(name, _("A change in percent from −100 to +1000."))

    total = 0.0
    if data.get("total") is not None:
        try:
            total = _percent(data["total"], -100, MAX_INCREASE) / 100
        except (TypeError, ValueError):
            fail("total", _("A change of the total budget in percent from −100 to +1000."))

    move = None
    raw_move = data.get("move")
    if raw_move is not None:
        if not isinstance(raw_move, dict):
            fail("move", _("An object with from, to and percent."))
        else:
            for key in raw_move:
                if key not in ("from", "to", "percent"):
                    fail(f"move.{key}", _("Unknown field; a move has from, to and percent."))
            source, target = raw_move.get("from"), raw_move.get("to")
            ok = channel_ok("move.from", source) & channel_ok("move.to", target)
            for name, code in (("move.from", source), ("move.to", target)):
                if ok and code in gone:
                    fail(name, _("This channel is removed in the same scenario."))
                    ok = False
            if ok and source == target:
                fail("move.to", _("Choose another channel than the one the budget leaves."))
                ok = False
            try:
                share = _percent(raw_move.get("percent"), 0, 100) / 100
            except (TypeError, ValueError):
                fail("move.percent", _("A percentage from 0 to 100."))
                ok = False
            if ok:
                move = (str(source), str(target), share)

    if errors:
        raise InvalidInput(_("Check the scenario."), fields=errors)
    if all(data.get(key) in (None, {}, []) for key in SCENARIO_KEYS):
        raise InvalidInput(
            _("Describe a scenario: changes per channel, a total change, a move or a removal.")
        )
    return queries.WhatIf(total=total, changes=changes, move=move, remove=tuple(remove))


class SensitivityMoveSerializer(serializers.Serializer[Any]):
    # "from" is a Python keyword: the field is declared below under its JSON name
    to = serializers.CharField(help_text="Channel code the budget goes to.")
    percent = serializers.FloatField(
        min_value=0, max_value=100, help_text="Share of the source's spend moved (0–100)."
    )


SensitivityMoveSerializer._declared_fields["from"] = serializers.CharField(
    help_text="Channel code the budget leaves."
)


class SensitivityScenarioSerializer(serializers.Serializer[Any]):
    changes = serializers.DictField(
        child=serializers.FloatField(min_value=-100, max_value=MAX_INCREASE),
        required=False,
        help_text="Channel code → change of its spend in percent (−100 removes it).",
    )
    total = serializers.FloatField(
        min_value=-100,
        max_value=MAX_INCREASE,
        required=False,
        help_text="Change of the whole budget in percent, every channel alike.",
    )
    move = SensitivityMoveSerializer(required=False)
    remove = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Channel codes removed."
    )


class SensitivityOutcomeSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    media_spend = serializers.FloatField(help_text="Media spend over the history's weeks.")
    expected_revenue = serializers.FloatField(help_text="On the fitted response curves.")
    revenue_low = serializers.FloatField(help_text="10th percentile (bootstrap).")
    revenue_high = serializers.FloatField(help_text="90th percentile (bootstrap).")
    value = serializers.FloatField(help_text="Revenue, or revenue × margin (the definition).")
    cost = serializers.FloatField(help_text="Media spend plus the other costs counted.")
    roi = serializers.FloatField(allow_null=True, help_text="(value − cost) ÷ cost.")
    roi_low = serializers.FloatField(allow_null=True, help_text="10th percentile (bootstrap).")
    roi_high = serializers.FloatField(allow_null=True, help_text="90th percentile (bootstrap).")
    change_in_revenue = serializers.FloatField(help_text="Against the current budget.")
    change_in_spend = serializers.FloatField(help_text="Against the current budget.")


class SensitivityChannelSerializer(serializers.Serializer[Any]):
    channel = serializers.CharField()
    name = serializers.CharField()
    baseline_media_spend = serializers.FloatField()
    media_spend = serializers.FloatField()
    baseline_expected_revenue = serializers.FloatField()
    expected_revenue = serializers.FloatField()


def what_if_data(s: queries.Scenario) -> dict[str, Any]:
    o = s.outcome
    return {
        "label": s.label,
        "media_spend": o.spend,
        "expected_revenue": o.revenue,
        "revenue_low": o.revenue_low,
        "revenue_high": o.revenue_high,
        "value": o.value,
        "cost": o.cost,
        "roi": o.roi,
        "roi_low": o.roi_low,
        "roi_high": o.roi_high,
        "change_in_revenue": s.delta_revenue,
        "change_in_spend": s.delta_spend,
    }


class SensitivityView(PlanScopedAPIView):
    """A read-only computation: every member may run it, viewers included (like goal seek);
    nothing is stored."""

    @extend_schema(
        request=SensitivityScenarioSerializer,
        responses={
            200: inline_serializer(
                "Sensitivity",
                {
                    "definition": DefinitionSerializer(),
                    "currency": serializers.CharField(),
                    "weeks": serializers.IntegerField(help_text="Full weeks of history evaluated."),
                    "scenario": SensitivityOutcomeSerializer(),
                    "baseline": SensitivityOutcomeSerializer(),
                    "channels": SensitivityChannelSerializer(many=True),
                },
            ),
            400: OpenApiResponse(
                description=(
                    "Empty scenario, unknown or curve-less channel, bad percent, or a plan "
                    "without response curves; `fields` names each field (`changes.weibo`)."
                )
            ),
        },
        description=(
            "Run one budget scenario on the stored response curves (no refit; nothing is "
            'saved), e.g. `{"changes": {"douyin": -10, "sem_baidu": 15}}`. Percentages. '
            "The parts combine and apply in this order: `total` (every channel alike), "
            "`changes` per channel (compounding with total; −100 removes the channel), "
            "`move` (`percent` of `from`'s spend by then goes to `to`, in `to`'s weekly "
            "rhythm), `remove` (no spend, no revenue). A removed channel cannot also be "
            "changed or moved. Expected revenue and ROI with their 10th–90th percentile "
            "range (bootstrap), against the current budget (`baseline`), and per channel."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        stored = queries.curves(plan)
        if not stored:
            raise InvalidInput(
                _(
                    "No response curves yet: they are fitted by the recompute once there "
                    "are weeks of metrics."
                )
            )
        spec = parse_what_if(
            request.data,
            {c.channel.code for c in stored},
            set(Channel.objects.filter(plan=plan).values_list("code", flat=True)),
        )
        found = queries.what_if(plan, spec)
        assert found is not None  # curves exist
        definition = found.definition.definition
        return Response(
            {
                "definition": DefinitionSerializer(
                    definition, context={"views": {definition.pk: found.definition}}
                ).data,
                "currency": plan.currency,
                "weeks": found.weeks,
                "scenario": what_if_data(found.scenario),
                "baseline": what_if_data(found.baseline),
                "channels": found.channels,
            }
        )


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
