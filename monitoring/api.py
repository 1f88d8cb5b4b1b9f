"""REST API of the monitoring section. Writes go through monitoring/services.py;
reads come from the stored results (monitoring/queries.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from channels.models import Channel
from core.api import (
    IF_MATCH,
    VERSIONED_ERRORS,
    ServiceViewSetMixin,
    expected_version,
    refused_or_invalid,
    versioned_schema,
    with_etag,
)
from core.auth import actor_of
from monitoring import queries, services
from monitoring.models import (
    METRIC_FIELDS,
    Alert,
    AlertRule,
    ChannelGrade,
    ImportStatus,
    MetricImport,
    MonitoringSettings,
    Period,
)
from monitoring.roi import queries as roi_queries
from planner.access import (
    Action,
    PlanScopedAPIView,
    RolePermission,
    ScopedQuerysetMixin,
    VisibleField,
)
from planner.models import Plan

MAX_JSON_ROWS = 10_000


# --- imports ---------------------------------------------------------------------------------


class ImportProblemSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(allow_null=True, help_text="The row in the file (header = 1).")
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class MetricImportSerializer(serializers.ModelSerializer[MetricImport]):
    problems = ImportProblemSerializer(
        source="errors", many=True, read_only=True, help_text="Row, column and reason, capped."
    )
    more_problems = serializers.SerializerMethodField(help_text="Problems found but not listed.")
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = MetricImport
        fields = [
            "id",
            "plan",
            "filename",
            "size_bytes",
            "dry_run",
            "status",
            "progress",
            "rows_total",
            "rows_inserted",
            "rows_replaced",
            "error_count",
            "more_problems",
            "problems",
            "first_date",
            "last_date",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def to_representation(self, record: MetricImport) -> dict[str, Any]:
        data = super().to_representation(record)
        data["status"], data["progress"] = services.live_progress(record)
        return data

    def get_more_problems(self, record: MetricImport) -> int:
        return max(record.error_count - len(record.errors or []), 0)


class MetricRowSerializer(serializers.Serializer[Any]):
    date = serializers.CharField(help_text="YYYY-MM-DD, inside the plan year.")
    channel = serializers.CharField(help_text="A channel code of the plan.")
    campaign = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    impressions = serializers.JSONField(required=False)
    clicks = serializers.JSONField(required=False)
    visits = serializers.JSONField(required=False)
    signups = serializers.JSONField(required=False)
    conversions = serializers.JSONField(required=False)
    new_users = serializers.JSONField(required=False)
    spend = serializers.JSONField(required=False)
    revenue = serializers.JSONField(required=False)


class ImportRequestSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        required=False, help_text="CSV (UTF-8 or GBK) or XLSX with the daily metrics columns."
    )
    rows = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        max_length=MAX_JSON_ROWS,
        help_text="Instead of a file: the rows as JSON objects with the same keys.",
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Check only: report what would change."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("file")) == bool(attrs.get("rows")):
            raise serializers.ValidationError("Send either a file or rows, not both.")
        return attrs


def upload_source(data: dict[str, Any]) -> dict[str, Any]:
    """An import request's source for an import service: the uploaded file (its name and
    size) or the JSON ``rows``."""
    upload = data.get("file")
    if upload is None:
        return {"source": data["rows"], "filename": "api.json", "size": 0}
    return {"source": upload.file, "filename": upload.name, "size": upload.size}


class MetricsImportView(PlanScopedAPIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={
            "multipart/form-data": ImportRequestSerializer,
            "application/json": ImportRequestSerializer,
        },
        responses={
            200: MetricImportSerializer,
            202: OpenApiResponse(
                MetricImportSerializer,
                description="A large file: queued for a worker; poll the import for progress.",
            ),
            400: OpenApiResponse(
                refused_or_invalid(MetricImportSerializer, "MetricImportRefused"),
                description=(
                    "Refused: `errors` names row, column and reason; nothing written. Or "
                    "the request itself is invalid (`fields`)."
                ),
            ),
            403: OpenApiResponse(description="Your role does not allow this."),
            404: OpenApiResponse(description="No such plan in your workspaces."),
            409: OpenApiResponse(description="The plan is archived."),
        },
        description=(
            "Import daily metrics (the columns fixed in the README): all rows or none. "
            "A row with the same date, channel and campaign replaces the earlier one; a "
            "recompute follows."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        body = ImportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        record = services.import_metrics(
            plan=plan, actor=actor_of(request), **upload_source(data), dry_run=data["dry_run"]
        )
        record.refresh_from_db()
        code = {
            ImportStatus.QUEUED: status.HTTP_202_ACCEPTED,
            ImportStatus.FAILED: status.HTTP_400_BAD_REQUEST,
        }.get(ImportStatus(record.status), status.HTTP_200_OK)
        response = Response(MetricImportSerializer(record).data, status=code)
        if code == status.HTTP_202_ACCEPTED:
            response["Location"] = f"/api/v1/metric-imports/{record.pk}/"
        return response


class ImportFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = MetricImport
        fields = ["plan", "status"]


class MetricImportViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[MetricImport]):
    """The history of metrics imports (`?plan=&status=`), with their progress and problems."""

    queryset = MetricImport.objects.select_related("created_by").order_by("-created_at", "-id")
    serializer_class = MetricImportSerializer
    permission_classes = [RolePermission]
    filterset_class = ImportFilter


# --- funnel, grades, recompute ----------------------------------------------------------------


class FunnelStageSerializer(serializers.Serializer[Any]):
    stage = serializers.CharField()
    previous = serializers.CharField(help_text="The stage before.")
    count = serializers.FloatField(allow_null=True)
    conversion = serializers.FloatField(allow_null=True, help_text="count ÷ previous stage.")
    drop_off = serializers.FloatField(allow_null=True, help_text="1 − conversion.")


def _funnel_row_fields() -> dict[str, serializers.Field]:
    fields: dict[str, serializers.Field] = {
        "period_start": serializers.DateField(),
        "group": serializers.CharField(required=False),
        "key": serializers.CharField(required=False, help_text="Channel or campaign code."),
        "id": serializers.IntegerField(required=False),
        "name": serializers.CharField(required=False),
    }
    for name in METRIC_FIELDS:
        fields[name] = serializers.FloatField(allow_null=True)
    for code in queries.RATE_CODES:
        fields[code] = serializers.FloatField(allow_null=True, help_text="null: 0 denominator.")
    fields["stages"] = FunnelStageSerializer(many=True)
    return fields


class FunnelView(PlanScopedAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("group_by", str, enum=["channel", "campaign"]),
            OpenApiParameter("period", str, enum=list(Period.values), default="month"),
            OpenApiParameter("channel", int, description="Only this channel (id)."),
            OpenApiParameter("campaign", int, description="Only this campaign (id)."),
        ],
        responses={
            200: inline_serializer(
                "Funnel",
                {
                    "stages": serializers.ListField(child=serializers.CharField()),
                    "rows": inline_serializer("FunnelRow", _funnel_row_fields(), many=True),
                    "roi_definition": serializers.CharField(
                        help_text=(
                            "The plan's ROI definition line (ROAS here is reported revenue "
                            "÷ spend; /roi/ applies the definition)."
                        )
                    ),
                },
            )
        },
        description=(
            "Counts, stage conversion and drop-off, CTR = clicks ÷ impressions, CVR = "
            "conversions ÷ clicks, CPC = spend ÷ clicks, CPA = spend ÷ conversions, ROAS = "
            "revenue ÷ spend, each on the period's sums; null where the denominator is 0. "
            "Read from the last recompute."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        group_by = request.query_params.get("group_by") or None
        period = request.query_params.get("period") or Period.MONTH
        problems: dict[str, list[str]] = {}
        if group_by not in (None, *queries.GROUPS):
            problems["group_by"] = ["Use channel or campaign."]
        if period not in Period.values:
            problems["period"] = [f"Use one of {', '.join(Period.values)}."]
        ids: dict[str, int | None] = {}
        for name in ("channel", "campaign"):
            raw = request.query_params.get(name)
            ids[name] = int(raw) if raw and raw.isdigit() else None
            if raw and not raw.isdigit():
                problems[name] = ["Give an id."]
        if problems:
            return Response(
                {"detail": "Invalid input.", "code": "invalid", "fields": problems}, status=400
            )
        table = queries.funnel(
            plan,
            group_by=group_by,
            period=period,
            channel_id=ids["channel"],
            campaign_id=ids["campaign"],
        )
        return Response(
            {
                "stages": table.stages,
                "rows": table.rows,
                "roi_definition": roi_queries.definition_view(plan).summary,
            }
        )


class ChannelGradeSerializer(serializers.ModelSerializer[ChannelGrade]):
    channel_code = serializers.CharField(source="channel.code")
    suggested_shift = serializers.DecimalField(
        max_digits=16, decimal_places=2, coerce_to_string=False
    )
    spend = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False)

    class Meta:
        model = ChannelGrade
        fields = [
            "channel",
            "channel_code",
            "grade",
            "score",
            "quality",
            "cost",
            "volume",
            "conversions",
            "spend",
            "cvr",
            "cpa",
            "retention",
            "suggested_shift",
            "computed_at",
        ]


class ChannelGradesView(PlanScopedAPIView):
    @extend_schema(
        responses={200: ChannelGradeSerializer(many=True)},
        description=(
            "ABC grades of the plan's channels from the year's results, with the suggested "
            "budget shift (C channels give, A channels receive; the shifts add up to 0)."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        return Response(ChannelGradeSerializer(queries.grades(plan), many=True).data)


class RecomputeView(PlanScopedAPIView):
    @extend_schema(
        request=None,
        responses={202: OpenApiResponse(description="Queued; results appear when it has run.")},
        description="Ask for the plan's monitoring results to be recomputed now.",
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        services.recompute_now(plan=plan, actor=actor_of(request))
        return Response({"detail": _("Recompute requested.")}, status=status.HTTP_202_ACCEPTED)


class SettingsSerializer(serializers.ModelSerializer[MonitoringSettings]):
    funnel_stages = serializers.ListField(child=serializers.CharField(), required=False)
    grade_weights = inline_serializer(
        "GradeWeights",
        {
            "quality": serializers.FloatField(),
            "cost": serializers.FloatField(),
            "volume": serializers.FloatField(),
        },
        required=False,
    )
    grade_cutoffs = inline_serializer(
        "GradeCutoffs",
        {"a": serializers.FloatField(), "b": serializers.FloatField()},
        required=False,
    )
    max_shift = serializers.DecimalField(
        max_digits=5, decimal_places=4, coerce_to_string=False, required=False
    )

    class Meta:
        model = MonitoringSettings
        fields = [*services.SETTINGS_EDITABLE, "version", "updated_at"]
        read_only_fields = ["version", "updated_at"]

    def to_representation(self, instance: MonitoringSettings) -> dict[str, Any]:
        weights, cutoffs = instance.weights(), instance.cutoffs()
        return {
            "funnel_stages": instance.stages(),
            "grade_weights": {
                "quality": weights.quality,
                "cost": weights.cost,
                "volume": weights.volume,
            },
            "grade_cutoffs": {"a": cutoffs.a, "b": cutoffs.b},
            "max_shift": float(instance.max_shift),
            "version": instance.version,
            "updated_at": instance.updated_at,
        }


class SettingsView(PlanScopedAPIView):
    @extend_schema(responses={200: SettingsSerializer})
    def get(self, request: Request, pk: int) -> Response:
        found = services.settings_for(self.plan(request, pk))
        return with_etag(Response(SettingsSerializer(found).data), found)

    @extend_schema(
        request=SettingsSerializer,
        parameters=[IF_MATCH],
        responses={200: SettingsSerializer, **VERSIONED_ERRORS},
    )
    def put(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        current = services.settings_for(plan)
        version = expected_version(request, current)
        body = SettingsSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = {
            k: (dict(v) if isinstance(v, dict) else v) for k, v in body.validated_data.items()
        }
        fresh = services.settings_update(
            plan=plan, expected_version=version, changes=changes, actor=actor_of(request)
        )
        return with_etag(Response(SettingsSerializer(fresh).data), fresh)


# --- alert rules and alerts ----------------------------------------------------------------------


class AlertRuleSerializer(serializers.ModelSerializer[AlertRule]):
    plan = VisibleField(Plan)
    channel = VisibleField(Channel, required=False, allow_null=True)

    class Meta:
        model = AlertRule
        fields = ["id", "plan", *services.RULE_EDITABLE, "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]


class AlertRuleUpdateSerializer(AlertRuleSerializer):
    class Meta(AlertRuleSerializer.Meta):
        fields = list(services.RULE_EDITABLE)
        read_only_fields: list[str] = []


class RuleFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = AlertRule
        fields = ["plan", "metric", "channel", "kind", "is_active"]


@extend_schema_view(**versioned_schema(AlertRuleUpdateSerializer, AlertRuleSerializer))
class AlertRuleViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[AlertRule]):
    """When to raise alerts (`?plan=&metric=&channel=&kind=`): fixed bounds, change against a
    baseline, or the statistical detector robust to weekly seasonality."""

    queryset = AlertRule.objects.order_by("plan_id", "metric", "name")
    serializer_class = AlertRuleSerializer
    permission_classes = [RolePermission]
    service_create = services.rule_create
    service_update = services.rule_update
    service_delete = services.rule_delete
    service_kwarg = "rule"
    filterset_class = RuleFilter
    write_serializer_class = AlertRuleUpdateSerializer


class AlertSerializer(serializers.ModelSerializer[Alert]):
    channel_code = serializers.CharField(source="channel.code", default=None)
    kpi_code = serializers.CharField(source="kpi.code", default=None)
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", default=None)
    resolved_by = serializers.CharField(source="resolved_by.username", default=None)

    class Meta:
        model = Alert
        fields = [
            "id",
            "plan",
            "source",
            "rule",
            "channel",
            "channel_code",
            "kpi",
            "kpi_code",
            "metric",
            "window_start",
            "window_end",
            "expected_low",
            "expected_high",
            "observed",
            "severity",
            "status",
            "message",
            "opened_at",
            "last_seen_at",
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolved_by",
            "note",
            "version",
        ]
        read_only_fields = fields


class AlertFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = Alert
        fields = ["plan", "status", "severity", "channel", "source"]


NoteSerializer = inline_serializer(
    "AlertNote", {"note": serializers.CharField(required=False, allow_blank=True, max_length=1000)}
)


def _lifecycle_schema(what: str) -> Any:
    return extend_schema(
        request=NoteSerializer,
        parameters=[IF_MATCH],
        responses={200: AlertSerializer, **VERSIONED_ERRORS},
        description=f"{what} the alert (who and when are recorded; the note is appended).",
    )


class AlertViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Alert],
):
    """Alerts (`?plan=&status=&severity=`): one per incident, open → acknowledged → resolved."""

    queryset = Alert.objects.select_related(
        "channel", "kpi", "acknowledged_by", "resolved_by"
    ).order_by("-opened_at", "-id")
    serializer_class = AlertSerializer
    permission_classes = [RolePermission]
    filterset_class = AlertFilter

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        alert = self.get_object()
        return with_etag(Response(self.get_serializer(alert).data), alert)

    def _step(self, request: Request, step: Any) -> Response:
        alert = self.get_object()
        version = expected_version(request, alert)
        note = str(request.data.get("note") or "")[:1000] if hasattr(request.data, "get") else ""
        fresh = step(alert=alert, expected_version=version, actor=actor_of(request), note=note)
        fresh = self.get_queryset().get(pk=fresh.pk)
        return with_etag(Response(self.get_serializer(fresh).data), fresh)

    @_lifecycle_schema("Acknowledge")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: int | None = None) -> Response:
        return self._step(request, services.alert_acknowledge)

    @_lifecycle_schema("Resolve")
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: int | None = None) -> Response:
        return self._step(request, services.alert_resolve)

    @_lifecycle_schema("Reopen")
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: int | None = None) -> Response:
        return self._step(request, services.alert_reopen)
