"""``GET /api/v1/plans/{id}/dashboard/?quarter=2027Q1``: the manager's dashboard as JSON,
built by the same function as the page (:func:`planner.execution.dashboard.build`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import InvalidInput
from planner import quarters
from planner.access import PlanScopedAPIView
from planner.execution import dashboard
from planner.execution.dashboard_views import quarter_error


def _money() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=False)


def _number(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=24, decimal_places=4, coerce_to_string=False, **kwargs
    )


class DashboardThresholdsSerializer(serializers.Serializer[Any]):
    at_risk_below = _number()
    off_track_below = _number()


class DashboardDecisionSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(
        choices=["milestones", "kpis", "alerts", "requests", "draws", "suppliers"]
    )
    count = serializers.IntegerField()
    items = serializers.ListField(child=serializers.CharField())


class DashboardMilestoneCountsSerializer(serializers.Serializer[Any]):
    not_started = serializers.IntegerField()
    on_track = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    late = serializers.IntegerField()
    done = serializers.IntegerField()


class DashboardMilestoneSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    overridden = serializers.BooleanField()
    progress = serializers.IntegerField(help_text="Per cent, 0–100.")
    due = serializers.DateField()
    owner = serializers.CharField()


class DashboardKpiSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    target = _number(allow_null=True)
    actual = _number(allow_null=True)
    ratio = _number(allow_null=True, help_text="Quarter to date; 1.00 = on target.")
    status = serializers.ChoiceField(choices=["on_track", "at_risk", "off_track", "no_data"])
    rag = serializers.ChoiceField(choices=["green", "amber", "red", "grey"])
    year_to_date_ratio = _number(allow_null=True)


class DashboardFiguresSerializer(serializers.Serializer[Any]):
    planned = _money()
    committed = _money()
    actual = _money()
    available = _money()


class DashboardBudgetSerializer(serializers.Serializer[Any]):
    currency = serializers.CharField()
    quarter = DashboardFiguresSerializer()
    year_to_date = DashboardFiguresSerializer()
    year = DashboardFiguresSerializer()
    by_quarter = DashboardFiguresSerializer(many=True)


class DashboardReserveSerializer(serializers.Serializer[Any]):
    total = _money()
    target = _money()
    drawn = _money()
    balance = _money()
    pending_count = serializers.IntegerField()
    pending_amount = _money()


class DashboardGradeCountsSerializer(serializers.Serializer[Any]):
    A = serializers.IntegerField()
    B = serializers.IntegerField()
    C = serializers.IntegerField()


class DashboardGradeSerializer(serializers.Serializer[Any]):
    channel = serializers.CharField()
    name = serializers.CharField()
    grade = serializers.CharField()
    score = serializers.FloatField()


class DashboardSeverityCountsSerializer(serializers.Serializer[Any]):
    critical = serializers.IntegerField()
    warning = serializers.IntegerField()
    info = serializers.IntegerField()


class DashboardAlertSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    severity = serializers.CharField()
    status = serializers.CharField()
    metric = serializers.CharField()
    message = serializers.CharField(allow_blank=True)
    channel = serializers.CharField(allow_null=True)
    window_end = serializers.DateField()


class DashboardRiskSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    category = serializers.CharField()
    impact = serializers.IntegerField()
    likelihood = serializers.IntegerField()
    score = serializers.IntegerField(help_text="impact × likelihood")
    band = serializers.ChoiceField(choices=["low", "medium", "high", "critical"])
    playbook = serializers.IntegerField(allow_null=True)


class DashboardCampaignSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    status = serializers.CharField()


class DashboardFestivalSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    peak = serializers.DateField()


class DashboardSupplierSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    streak = serializers.IntegerField()
    quarters = serializers.ListField(child=serializers.IntegerField())


class DashboardSerializer(serializers.Serializer[Any]):
    plan = serializers.IntegerField()
    quarter = serializers.CharField(help_text="For example 2027Q1.")
    quarter_start = serializers.DateField()
    quarter_end = serializers.DateField()
    through_month = serializers.IntegerField(help_text="Last month with KPI actuals (0: none).")
    thresholds = DashboardThresholdsSerializer()
    decisions = DashboardDecisionSerializer(many=True)
    milestone_counts = DashboardMilestoneCountsSerializer()
    milestones = DashboardMilestoneSerializer(many=True)
    kpis = DashboardKpiSerializer(many=True)
    budget = DashboardBudgetSerializer()
    reserve = DashboardReserveSerializer()
    pending_requests = serializers.IntegerField()
    grade_counts = DashboardGradeCountsSerializer()
    grades = DashboardGradeSerializer(many=True)
    open_alerts = DashboardSeverityCountsSerializer()
    top_alerts = DashboardAlertSerializer(many=True)
    open_risks = serializers.IntegerField()
    risks = DashboardRiskSerializer(many=True)
    upcoming_from = serializers.DateField()
    upcoming_to = serializers.DateField()
    campaigns = DashboardCampaignSerializer(many=True)
    festivals = DashboardFestivalSerializer(many=True)
    flagged_suppliers = DashboardSupplierSerializer(many=True)


class DashboardView(PlanScopedAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "quarter",
                str,
                description=(
                    "A quarter of the plan's year, e.g. 2027Q1; default: the current quarter "
                    "(Q1 before the year, Q4 after it)."
                ),
            )
        ],
        responses={200: DashboardSerializer, 400: OpenApiResponse(description="Bad quarter.")},
        description=(
            "The manager's quarterly dashboard: the same numbers as the dashboard page, read "
            "from stored results."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        today = timezone.localdate()
        raw = request.query_params.get("quarter")
        if raw:
            try:
                quarter = quarters.parse(raw, plan_year=plan.year)
            except quarters.BadQuarter as bad:
                raise InvalidInput(fields={"quarter": [quarter_error(bad.reason, plan)]}) from None
        else:
            quarter = quarters.default(plan.year, today)
        data = dashboard.as_data(dashboard.build(plan, quarter, today=today))
        return Response(DashboardSerializer(data).data)
