"""REST API of competitor tracking: competitors, observations (screenshots by multipart,
downloaded through an access-checked endpoint), features, matrix cells, the share of
voice and the CSV imports. Writes go through monitoring/competitor_services.py."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ServiceViewSetMixin, versioned_schema, with_etag
from core.auth import actor_of
from monitoring import competitor_import
from monitoring import competitor_queries as queries
from monitoring import competitor_services as services
from monitoring.competitor_views import screenshot_response
from monitoring.competitors import (
    Competitor,
    CompetitorObservation,
    Feature,
    FeatureValue,
)
from planner.access import (
    Action,
    PlanScopedAPIView,
    RolePermission,
    ScopedQuerysetMixin,
    VisibleField,
)
from planner.models import Plan

# --- competitors ---------------------------------------------------------------------------------


class CompetitorSerializer(serializers.ModelSerializer[Competitor]):
    plan = VisibleField(Plan)

    class Meta:
        model = Competitor
        fields = ["id", "plan", *services.COMPETITOR_EDITABLE, "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]


class CompetitorUpdateSerializer(CompetitorSerializer):
    class Meta(CompetitorSerializer.Meta):
        fields = list(services.COMPETITOR_EDITABLE)
        read_only_fields: list[str] = []


class CompetitorFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = Competitor
        fields = ["plan", "is_active"]


@extend_schema_view(**versioned_schema(CompetitorUpdateSerializer, CompetitorSerializer))
class CompetitorViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Competitor]
):
    """The competitors a plan benchmarks against (`?plan=&is_active=`)."""

    queryset = Competitor.objects.order_by("plan_id", "sort_order", "name", "pk")
    serializer_class = CompetitorSerializer
    write_serializer_class = CompetitorUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = CompetitorFilter
    service_create = services.competitor_create
    service_update = services.competitor_update
    service_delete = services.competitor_delete
    service_kwarg = "competitor"


# --- observations --------------------------------------------------------------------------------


def _fraction() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5, decimal_places=4, coerce_to_string=False, required=False, allow_null=True
    )


class ObservationSerializer(serializers.ModelSerializer[CompetitorObservation]):
    plan = VisibleField(Plan)
    competitor = VisibleField(
        Competitor, required=False, allow_null=True, help_text="null: our own brand."
    )
    recorded_by = serializers.CharField(
        source="recorded_by.username", default=None, allow_null=True, read_only=True
    )
    seen_on = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=50
    )
    traffic = serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=4, coerce_to_string=False),
        required=False,
        help_text="Traffic-source share: {source: fraction}; the fractions add up to ≤ 1.",
    )
    positive = _fraction()
    neutral = _fraction()
    negative = _fraction()
    screenshot = serializers.FileField(
        required=False,
        write_only=True,
        help_text="Ad creatives and landing pages: PNG, JPEG or WebP (checked by content), "
        "≤ 5 MB, ≤ 40 megapixels. Send as multipart.",
    )
    screenshot_url = serializers.SerializerMethodField(
        help_text="Where members download the screenshot (null: none)."
    )

    class Meta:
        model = CompetitorObservation
        fields = [
            "id",
            "plan",
            *services.OBSERVATION_EDITABLE,
            "screenshot",
            "screenshot_url",
            "screenshot_type",
            "screenshot_width",
            "screenshot_height",
            "recorded_by",
            "version",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "screenshot_type",
            "screenshot_width",
            "screenshot_height",
            "version",
            "updated_at",
        ]

    def get_screenshot_url(self, obs: CompetitorObservation) -> str | None:
        if not obs.screenshot:
            return None
        return f"/api/v1/competitor-observations/{obs.pk}/screenshot/"


class ObservationUpdateSerializer(ObservationSerializer):
    remove_screenshot = serializers.BooleanField(required=False, default=False, write_only=True)

    class Meta(ObservationSerializer.Meta):
        fields = [*services.OBSERVATION_EDITABLE, "screenshot", "remove_screenshot"]
        read_only_fields: list[str] = []


class ObservationFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")
    ours = filters.BooleanFilter(
        field_name="competitor", lookup_expr="isnull", label="Only our own figures"
    )

    class Meta:
        model = CompetitorObservation
        fields = ["plan", "competitor", "kind", "ours"]


@extend_schema_view(
    **versioned_schema(ObservationUpdateSerializer, ObservationSerializer),
    create=extend_schema(
        request={
            "application/json": ObservationSerializer,
            "multipart/form-data": ObservationSerializer,
        }
    ),
)
class ObservationViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[CompetitorObservation]
):
    """What was observed about competitors (`?plan=&competitor=&kind=&ours=`): promotions,
    ad creatives and landing pages (with a screenshot), traffic-source shares, sentiment and
    voice volume, product updates. Ours (no competitor): voice and traffic figures only."""

    queryset = CompetitorObservation.objects.select_related("recorded_by").order_by(
        "-observed_on", "-pk"
    )
    serializer_class = ObservationSerializer
    write_serializer_class = ObservationUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = ObservationFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    service_create = services.observation_create
    service_update = services.observation_update
    service_delete = services.observation_delete
    service_kwarg = "observation"

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        obs = services.observation_create(
            actor=actor_of(request), screenshot=data.pop("screenshot", None), **data
        )
        return with_etag(Response(self.get_serializer(obs).data, status=201), obs)

    def perform_versioned_update(
        self, instance: CompetitorObservation, version: int, data: dict[str, Any]
    ) -> CompetitorObservation:
        upload = data.pop("screenshot", None)
        remove = bool(data.pop("remove_screenshot", False))
        return services.observation_update(
            observation=instance,
            expected_version=version,
            changes=data,
            actor=actor_of(self.request),
            screenshot=upload,
            remove_screenshot=remove,
        )

    @extend_schema(
        responses={
            (200, "image/*"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="No such observation or no screenshot."),
        },
        description="The screenshot's bytes (members of the workspace only).",
    )
    @action(detail=True, methods=["get"])
    def screenshot(self, request: Request, pk: int | None = None) -> FileResponse:
        return screenshot_response(self.get_object())


# --- features and matrix cells -------------------------------------------------------------------


class FeatureSerializer(serializers.ModelSerializer[Feature]):
    plan = VisibleField(Plan)
    weight = serializers.DecimalField(max_digits=4, decimal_places=1, coerce_to_string=False)

    class Meta:
        model = Feature
        fields = ["id", "plan", *services.FEATURE_EDITABLE, "sort_order", "version", "updated_at"]
        read_only_fields = ["id", "sort_order", "version", "updated_at"]


class FeatureUpdateSerializer(FeatureSerializer):
    class Meta(FeatureSerializer.Meta):
        fields = list(services.FEATURE_EDITABLE)
        read_only_fields: list[str] = []


class FeatureFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = Feature
        fields = ["plan", "is_differentiator"]


@extend_schema_view(**versioned_schema(FeatureUpdateSerializer, FeatureSerializer))
class FeatureViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Feature]):
    """The rows of the feature comparison matrix (`?plan=&is_differentiator=`)."""

    queryset = Feature.objects.order_by("plan_id", "group", "sort_order", "name", "pk")
    serializer_class = FeatureSerializer
    write_serializer_class = FeatureUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = FeatureFilter
    service_create = services.feature_create
    service_update = services.feature_update
    service_delete = services.feature_delete
    service_kwarg = "feature"


class CellSerializer(serializers.ModelSerializer[FeatureValue]):
    feature = VisibleField(Feature)
    competitor = VisibleField(
        Competitor, required=False, allow_null=True, help_text="null: our product."
    )

    class Meta:
        model = FeatureValue
        fields = ["id", "feature", "competitor", "level", "note", "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]


class CellUpdateSerializer(serializers.ModelSerializer[FeatureValue]):
    class Meta:
        model = FeatureValue
        fields = list(services.CELL_EDITABLE)


class CellFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="feature__plan_id")

    class Meta:
        model = FeatureValue
        fields = ["plan", "feature", "competitor"]


@extend_schema_view(**versioned_schema(CellUpdateSerializer, CellSerializer))
class CellViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[FeatureValue]):
    """The matrix cells (`?plan=&feature=&competitor=`): a product's level on a feature
    (has / partial / no) and a short note or score; one cell per feature and product."""

    queryset = FeatureValue.objects.select_related("feature").order_by("feature_id", "pk")
    serializer_class = CellSerializer
    write_serializer_class = CellUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = CellFilter
    service_update = services.cell_update
    service_delete = services.cell_delete
    service_kwarg = "cell"

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        cell = services.cell_create(
            feature=data["feature"],
            competitor=data.get("competitor"),
            actor=actor_of(request),
            level=data.get("level", ""),
            note=data.get("note", ""),
        )
        return with_etag(Response(self.get_serializer(cell).data, status=201), cell)


# --- share of voice and imports ------------------------------------------------------------------


class ShareOfVoiceView(PlanScopedAPIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "ShareOfVoice",
                {
                    "goal_kpi": serializers.IntegerField(allow_null=True),
                    "goal_annual": serializers.FloatField(allow_null=True),
                    "months": inline_serializer(
                        "ShareOfVoiceMonth",
                        {
                            "month": serializers.DateField(),
                            "total_mentions": serializers.IntegerField(),
                            "our_share": serializers.FloatField(allow_null=True),
                            "goal": serializers.FloatField(allow_null=True),
                            "brands": inline_serializer(
                                "ShareOfVoiceBrand",
                                {
                                    "brand": serializers.CharField(),
                                    "competitor": serializers.IntegerField(allow_null=True),
                                    "name": serializers.CharField(),
                                    "mentions": serializers.IntegerField(),
                                    "share": serializers.FloatField(allow_null=True),
                                },
                                many=True,
                            ),
                        },
                        many=True,
                    ),
                },
            )
        },
        description=(
            "Share of voice per month of the plan year: each brand's mentions ÷ all mentions "
            "counted that month (ours, brand `us`, and the competitors'). The goal is the "
            "target of the plan's KPI of kind `share_of_voice` (its monthly breakdown where "
            "it has one); null without such a KPI."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        data = queries.share_of_voice(plan)
        goal = data["goal"]
        return Response(
            {
                "goal_kpi": goal.kpi.pk if goal.kpi else None,
                "goal_annual": float(goal.annual) if goal.annual is not None else None,
                "months": [
                    {**{k: v for k, v in m.items() if k != "brands"}, "brands": m["brands"]}
                    for m in data["months"]
                ],
            }
        )


class CompetitorImportRequest(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=competitor_import.IMPORT_KINDS)
    file = serializers.FileField(
        help_text="traffic: date,competitor,source,share · voice: "
        "month,competitor,mentions,positive,neutral,negative (UTF-8 or GBK)."
    )


ProblemSerializer = inline_serializer(
    "CompetitorImportProblem",
    {
        "row": serializers.IntegerField(allow_null=True),
        "column": serializers.CharField(allow_null=True),
        "message": serializers.CharField(),
    },
    many=True,
)
ImportResult = inline_serializer(
    "CompetitorImportResult",
    {
        "kind": serializers.CharField(),
        "rows": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "replaced": serializers.IntegerField(),
        "problems": ProblemSerializer,
        "more_problems": serializers.IntegerField(),
    },
)


class CompetitorImportView(PlanScopedAPIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": CompetitorImportRequest},
        responses={
            200: ImportResult,
            400: OpenApiResponse(ImportResult, description="Refused; nothing written."),
            403: OpenApiResponse(description="Your role does not allow this."),
            404: OpenApiResponse(description="No such plan in your workspaces."),
            409: OpenApiResponse(description="The plan is archived."),
        },
        description=(
            "Import traffic-source shares or sentiment / voice figures from CSV: all rows "
            "or none; every problem named by row, column and reason."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        body = CompetitorImportRequest(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        outcome = competitor_import.import_csv(
            plan=plan,
            actor=actor_of(request),
            kind=body.validated_data["kind"],
            raw=upload.read(competitor_import.MAX_BYTES + 1),
            filename=upload.name or "upload.csv",
        )
        payload = {
            "kind": outcome.kind,
            "rows": outcome.rows,
            "created": outcome.created,
            "replaced": outcome.replaced,
            "problems": [
                {"row": p.row, "column": p.column, "message": p.message} for p in outcome.problems
            ],
            "more_problems": outcome.more_problems,
        }
        return Response(payload, status=status.HTTP_200_OK if outcome.ok else 400)
