"""REST API of attribution: the journeys import and its history, the stored credits
per model and channel, and the models' settings. Writes go through
``monitoring.attribution``; reads come from what the recompute stored."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import (
    IF_MATCH,
    VERSIONED_ERRORS,
    expected_version,
    refused_or_invalid,
    with_etag,
)
from core.auth import actor_of
from monitoring import attribution as service
from monitoring import queries
from monitoring.api import ImportProblemSerializer, upload_source
from monitoring.models import (
    AttributionModel,
    AttributionSettings,
    ImportStatus,
    JourneyImport,
    JourneyImportMode,
)
from planner.access import Action, PlanScopedAPIView, RolePermission, ScopedQuerysetMixin

MAX_JSON_ROWS = 100_000
#: Short forms accepted in ``?model=`` (the issue's "position").
MODEL_ALIASES = {"position": AttributionModel.POSITION_BASED.value}


class JourneyImportSerializer(serializers.ModelSerializer[JourneyImport]):
    problems = ImportProblemSerializer(
        source="errors", many=True, read_only=True, help_text="Row, column and reason, capped."
    )
    more_problems = serializers.SerializerMethodField(help_text="Problems found but not listed.")
    created_by = serializers.CharField(source="created_by.username", default=None)
    value = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False)

    class Meta:
        model = JourneyImport
        fields = [
            "id",
            "plan",
            "filename",
            "size_bytes",
            "format",
            "mode",
            "dry_run",
            "status",
            "rows_total",
            "journeys",
            "conversions",
            "value",
            "paths",
            "touches_cut",
            "error_count",
            "more_problems",
            "problems",
            "first_date",
            "last_date",
            "created_by",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_more_problems(self, record: JourneyImport) -> int:
        return max(record.error_count - len(record.errors or []), 0)


class JourneyImportRequestSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        required=False,
        help_text="CSV (UTF-8 or GBK) or XLSX: touchpoint rows or path rows (see the README).",
    )
    rows = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        max_length=MAX_JSON_ROWS,
        help_text=(
            "Instead of a file: the rows as JSON objects, either touchpoints "
            "(journey_id, timestamp, channel, conversion, conversion_value) or paths "
            "(path, conversions, conversion_value, nulls)."
        ),
    )
    mode = serializers.ChoiceField(
        choices=JourneyImportMode.choices,
        required=False,
        default=JourneyImportMode.REPLACE,
        help_text="replace: the file becomes the plan's journeys; append: added to them.",
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Check only: report what the file holds."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("file")) == bool(attrs.get("rows")):
            raise serializers.ValidationError("Send either a file or rows, not both.")
        return attrs


class JourneysImportView(PlanScopedAPIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={
            "multipart/form-data": JourneyImportRequestSerializer,
            "application/json": JourneyImportRequestSerializer,
        },
        responses={
            200: JourneyImportSerializer,
            400: OpenApiResponse(
                refused_or_invalid(JourneyImportSerializer, "JourneyImportRefused"),
                description=(
                    "Refused: `problems` names row, column and reason; nothing written. Or "
                    "the request itself is invalid (`fields`)."
                ),
            ),
            403: OpenApiResponse(description="Your role does not allow this."),
            404: OpenApiResponse(description="No such plan in your workspaces."),
            409: OpenApiResponse(description="The plan is archived."),
        },
        description=(
            "Import customer journeys for attribution: all rows or none. Touchpoints are "
            "reduced to distinct paths with counts; a recompute of the attribution follows."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        body = JourneyImportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        record = service.import_journeys(
            plan=plan,
            actor=actor_of(request),
            **upload_source(data),
            dry_run=data["dry_run"],
            mode=data["mode"],
        )
        code = status.HTTP_400_BAD_REQUEST if record.status == ImportStatus.FAILED else 200
        return Response(JourneyImportSerializer(record).data, status=code)


class JourneyImportFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = JourneyImport
        fields = ["plan", "status"]


class JourneyImportViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[JourneyImport]):
    """The history of journeys imports (`?plan=&status=`), with their counts and problems."""

    queryset = JourneyImport.objects.select_related("created_by").order_by("-created_at", "-id")
    serializer_class = JourneyImportSerializer
    permission_classes = [RolePermission]
    filterset_class = JourneyImportFilter


# --- the credits ---------------------------------------------------------------------------------


_CHANNEL_CREDIT = inline_serializer(
    "AttributionChannel",
    {
        "channel": serializers.CharField(help_text="The channel code."),
        "channel_id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "conversions": serializers.FloatField(help_text="Attributed conversions."),
        "value": serializers.DecimalField(
            max_digits=16, decimal_places=2, coerce_to_string=False, help_text="Attributed value."
        ),
        "share": serializers.FloatField(help_text="Share of the model's conversions (0–1)."),
    },
    many=True,
)
_MODEL_FIELDS: dict[str, serializers.Field] = {
    "model": serializers.ChoiceField(choices=AttributionModel.choices),
    "label": serializers.CharField(),
    "available": serializers.BooleanField(
        help_text="False for time decay when the journeys have no timestamps."
    ),
    "total_conversions": serializers.FloatField(),
    "total_value": serializers.DecimalField(
        max_digits=16, decimal_places=2, coerce_to_string=False
    ),
    "channels": _CHANNEL_CREDIT,
}
_PARAMETERS = inline_serializer(
    "AttributionParameters",
    {
        "half_life_days": serializers.FloatField(help_text="Time decay's half-life."),
        "first_share": serializers.FloatField(help_text="Position based: the first touch's share."),
        "last_share": serializers.FloatField(help_text="Position based: the last touch's share."),
    },
)
_DATASET = inline_serializer(
    "AttributionDataset",
    {
        "journeys": serializers.IntegerField(),
        "paths": serializers.IntegerField(help_text="Distinct paths."),
        "conversions": serializers.IntegerField(),
        "value": serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False),
        "has_timestamps": serializers.BooleanField(),
        "first_date": serializers.DateField(allow_null=True),
        "last_date": serializers.DateField(allow_null=True),
    },
)


def _model_payload(model: dict[str, Any], index: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
    channels = []
    for row in rows:
        cell = row["cells"][index]
        if cell is None:
            continue
        channels.append(
            {
                "channel": row["channel"].code,
                "channel_id": row["channel"].pk,
                "name": row["channel"].display_name,
                "conversions": cell["conversions"],
                "value": cell["value"],
                "share": cell["share"],
            }
        )
    return {
        "model": model["key"],
        "label": str(model["label"]),
        "available": model["available"],
        "total_conversions": model["conversions"],
        "total_value": model["value"],
        "channels": channels,
    }


class AttributionView(PlanScopedAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "model",
                str,
                enum=[*AttributionModel.values, *MODEL_ALIASES],
                description="One model only (`position` = `position_based`).",
            )
        ],
        responses={
            200: inline_serializer(
                "Attribution",
                {
                    "computed_at": serializers.DateTimeField(allow_null=True),
                    "parameters": _PARAMETERS,
                    "dataset": _DATASET,
                    "total_conversions": serializers.FloatField(),
                    "total_value": serializers.DecimalField(
                        max_digits=16, decimal_places=2, coerce_to_string=False
                    ),
                    "models": inline_serializer(
                        "AttributionModelCredits", _MODEL_FIELDS, many=True
                    ),
                },
            ),
        },
        description=(
            "The credit each channel gets under each attribution model (last click, first "
            "click, linear, time decay, position based, data-driven Markov removal effect), "
            "from the last recompute. Every model's conversions and values add up to the "
            "totals. With `?model=` the answer is that model alone: `{model, label, "
            "available, total_conversions, total_value, channels}`."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        wanted = request.query_params.get("model")
        if wanted is not None:
            wanted = MODEL_ALIASES.get(wanted, wanted)
            if wanted not in AttributionModel.values:
                return Response(
                    {
                        "detail": "Invalid input.",
                        "code": "invalid",
                        "fields": {"model": [f"Use one of {', '.join(AttributionModel.values)}."]},
                    },
                    status=400,
                )
        table = queries.attribution(plan)
        models = [_model_payload(m, i, table.rows) for i, m in enumerate(table.models)]
        if wanted is not None:
            return Response(next(m for m in models if m["model"] == wanted))
        run = table.run
        setting = run if run is not None else service.settings_for(plan)
        dataset = queries.journey_dataset(plan)
        return Response(
            {
                "computed_at": run.computed_at if run else None,
                "parameters": {
                    "half_life_days": float(setting.half_life_days),
                    "first_share": float(setting.first_share),
                    "last_share": float(setting.last_share),
                },
                "dataset": {
                    "journeys": run.journeys if run else 0,
                    "paths": run.paths if run else 0,
                    "conversions": run.conversions if run else 0,
                    "value": run.value if run else Decimal(0),
                    "has_timestamps": bool(run and run.has_timestamps),
                    "first_date": dataset["first_date"],
                    "last_date": dataset["last_date"],
                },
                "total_conversions": float(run.conversions) if run else 0.0,
                "total_value": run.value if run else Decimal(0),
                "models": models,
            }
        )


# --- settings -------------------------------------------------------------------------------------


class AttributionSettingsSerializer(serializers.ModelSerializer[AttributionSettings]):
    half_life_days = serializers.DecimalField(
        max_digits=6, decimal_places=2, coerce_to_string=False, required=False
    )
    first_share = serializers.DecimalField(
        max_digits=5, decimal_places=4, coerce_to_string=False, required=False
    )
    last_share = serializers.DecimalField(
        max_digits=5, decimal_places=4, coerce_to_string=False, required=False
    )

    class Meta:
        model = AttributionSettings
        fields = [*service.SETTINGS_EDITABLE, "version", "updated_at"]
        read_only_fields = ["version", "updated_at"]


class AttributionSettingsView(PlanScopedAPIView):
    @extend_schema(responses={200: AttributionSettingsSerializer})
    def get(self, request: Request, pk: int) -> Response:
        found = service.settings_for(self.plan(request, pk))
        return with_etag(Response(AttributionSettingsSerializer(found).data), found)

    @extend_schema(
        request=AttributionSettingsSerializer,
        parameters=[IF_MATCH],
        responses={200: AttributionSettingsSerializer, **VERSIONED_ERRORS},
        description=(
            "Change the time-decay half-life (days) or the position-based shares "
            "(fractions; first + last ≤ 1); the attribution is recomputed."
        ),
    )
    def put(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        current = service.settings_for(plan)
        version = expected_version(request, current)
        body = AttributionSettingsSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        fresh = service.settings_update(
            plan=plan,
            expected_version=version,
            changes=dict(body.validated_data),
            actor=actor_of(request),
        )
        return with_etag(Response(AttributionSettingsSerializer(fresh).data), fresh)
