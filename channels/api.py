"""REST API of the channel section. Writes go through channels/services.py."""

from __future__ import annotations

from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from channels import queries, services
from channels.models import Channel, ChannelPlan, ContentFormat, Cooperation, Creator, RoiLayer
from channels.roster_import import import_roster
from core.api import (
    ServiceViewSetMixin,
    VersionedViewSetMixin,
    decimal_of,
    money,
    versioned_schema,
    with_etag,
)
from core.auth import actor_of
from kpis.models import Kpi
from planner.access import (
    Action,
    MemberField,
    PlanScopedAPIView,
    RolePermission,
    ScopedQuerysetMixin,
    VisibleField,
)
from planner.models import Plan


class PlanFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")


# --- channels -------------------------------------------------------------------------


class ChannelSerializer(serializers.ModelSerializer[Channel]):
    plan = VisibleField(Plan)
    formats = serializers.ListField(
        child=serializers.ChoiceField(choices=ContentFormat.choices), required=False
    )
    display_name = serializers.CharField(read_only=True)
    layer = serializers.ChoiceField(
        choices=RoiLayer.choices,
        read_only=True,
        help_text="The ROI layer: roi_layer, else the usual layer of the group.",
    )
    grade = serializers.SerializerMethodField(
        help_text="ABC grade from monitoring; null until graded."
    )

    class Meta:
        model = Channel
        fields = [
            "id",
            "plan",
            *services.CHANNEL_EDITABLE,
            "layer",
            "display_name",
            "grade",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "updated_at"]
        validators: list[Any] = []  # code uniqueness is the service's rule, reported on `code`

    def get_grade(self, channel: Channel) -> str | None:
        # ``grades`` is prefetched for lists (one query); at most one row per channel.
        stored = list(channel.grades.all())
        return stored[0].grade if stored else None


class ChannelUpdateSerializer(ChannelSerializer):
    class Meta(ChannelSerializer.Meta):
        fields = list(services.CHANNEL_EDITABLE)
        read_only_fields: list[str] = []


@extend_schema_view(**versioned_schema(ChannelUpdateSerializer, ChannelSerializer))
class ChannelViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Channel]):
    """The plan's channels (`?plan=`); `code` is what metric uploads and the API refer to."""

    queryset = Channel.objects.prefetch_related("grades").order_by("plan_id", "sort_order", "code")
    serializer_class = ChannelSerializer
    permission_classes = [RolePermission]
    service_create = services.channel_create
    service_update = services.channel_update
    service_delete = services.channel_delete
    service_kwarg = "channel"
    filterset_class = PlanFilter

    write_serializer_class = ChannelUpdateSerializer


# --- channel plans ---------------------------------------------------------------------


class ChannelPlanSerializer(serializers.ModelSerializer[ChannelPlan]):
    channel = VisibleField(Channel)
    formats = serializers.ListField(
        child=serializers.ChoiceField(choices=ContentFormat.choices), required=False
    )
    budget = decimal_of(ChannelPlan, "budget", required=False)
    kpis = VisibleField(Kpi, many=True, required=False)
    owner = MemberField(required=False, allow_null=True)
    plan = serializers.IntegerField(source="channel.plan_id", read_only=True)

    class Meta:
        model = ChannelPlan
        fields = [
            "id",
            "plan",
            "channel",
            "quarter",
            *services.PLAN_EDITABLE,
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "updated_at"]
        validators: list[Any] = []  # one cell per channel and quarter: the service's rule


class ChannelPlanUpdateSerializer(ChannelPlanSerializer):
    class Meta(ChannelPlanSerializer.Meta):
        fields = list(services.PLAN_EDITABLE)
        read_only_fields: list[str] = []


class ChannelPlanFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="channel__plan_id")

    class Meta:
        model = ChannelPlan
        fields = ["plan", "channel", "quarter"]


@extend_schema_view(**versioned_schema(ChannelPlanUpdateSerializer, ChannelPlanSerializer))
class ChannelPlanViewSet(
    ScopedQuerysetMixin, VersionedViewSetMixin, viewsets.ModelViewSet[ChannelPlan]
):
    """One cell of the channels × quarters matrix: role, formats, audience, budget, KPIs."""

    queryset = (
        ChannelPlan.objects.select_related("channel")
        .prefetch_related("kpis")
        .order_by("channel__plan_id", "channel__sort_order", "quarter")
    )
    serializer_class = ChannelPlanSerializer
    permission_classes = [RolePermission]
    filterset_class = ChannelPlanFilter

    write_serializer_class = ChannelPlanUpdateSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        cell = services.channel_plan_save(
            channel=data.pop("channel"),
            quarter=data.pop("quarter"),
            changes=data,
            expected_version=None,
            actor=actor_of(request),
        )
        return with_etag(Response(self.get_serializer(cell).data, status=201), cell)

    def perform_versioned_update(
        self, instance: ChannelPlan, version: int, data: dict[str, Any]
    ) -> ChannelPlan:
        return services.channel_plan_save(
            channel=instance.channel,
            quarter=instance.quarter,
            changes=data,
            expected_version=version,
            actor=actor_of(self.request),
        )

    def perform_versioned_destroy(self, instance: ChannelPlan, version: int) -> None:
        services.channel_plan_delete(
            cell=instance, expected_version=version, actor=actor_of(self.request)
        )


# --- creators and cooperations -----------------------------------------------------------


class ResultsSerializer(serializers.Serializer[Any]):
    cooperations = serializers.IntegerField()
    fee = money()
    views = serializers.IntegerField()
    engagements = serializers.IntegerField()
    clicks = serializers.IntegerField()
    conversions = serializers.IntegerField()
    gmv = money()
    cost_per_engagement = serializers.DecimalField(
        max_digits=16, decimal_places=4, coerce_to_string=False, allow_null=True
    )
    cost_per_conversion = serializers.DecimalField(
        max_digits=16, decimal_places=4, coerce_to_string=False, allow_null=True
    )
    roi = serializers.DecimalField(
        max_digits=16, decimal_places=4, coerce_to_string=False, allow_null=True
    )


class CreatorSerializer(serializers.ModelSerializer[Creator]):
    plan = VisibleField(Plan)
    fee = decimal_of(Creator, "fee", required=False)
    contact_owner = MemberField(required=False, allow_null=True)

    class Meta:
        model = Creator
        fields = ["id", "plan", *services.CREATOR_EDITABLE, "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]
        validators: list[Any] = []


class CreatorUpdateSerializer(CreatorSerializer):
    class Meta(CreatorSerializer.Meta):
        fields = list(services.CREATOR_EDITABLE)
        read_only_fields: list[str] = []


class CreatorFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = Creator
        fields = ["plan", "tier", "platform"]


class RosterImportSerializer(serializers.Serializer[Any]):
    plan = VisibleField(Plan)
    file = serializers.FileField(
        help_text="CSV (UTF-8 or GBK) or XLSX; see the README for columns."
    )


class RosterImportResultSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


@extend_schema_view(**versioned_schema(CreatorUpdateSerializer, CreatorSerializer))
class CreatorViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Creator]):
    """The KOL/KOC roster (`?plan=&tier=`)."""

    queryset = Creator.objects.order_by("plan_id", "tier", "name")
    serializer_class = CreatorSerializer
    permission_classes = [RolePermission]
    service_create = services.creator_create
    service_update = services.creator_update
    service_delete = services.creator_delete
    service_kwarg = "creator"
    filterset_class = CreatorFilter
    action_roles = {"roster_import": Action.VIEW}  # the service checks EDIT on the plan

    write_serializer_class = CreatorUpdateSerializer

    @extend_schema(
        request={"multipart/form-data": RosterImportSerializer},
        responses={
            200: RosterImportResultSerializer,
            400: OpenApiResponse(description="Rows with problems; nothing was imported."),
        },
        description=(
            "Import a roster file for a plan: all rows or none. Creators are matched by "
            "platform and name; existing ones are updated."
        ),
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def roster_import(self, request: Request) -> Response:
        serializer = RosterImportSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        result = import_roster(
            plan=serializer.validated_data["plan"],
            upload=upload,
            filename=upload.name,
            actor=actor_of(request),
        )
        return Response({"created": result.created, "updated": result.updated})


class CooperationSerializer(serializers.ModelSerializer[Cooperation]):
    creator = VisibleField(Creator)
    fee = decimal_of(Cooperation, "fee", required=False)
    gmv = decimal_of(Cooperation, "gmv", required=False)
    plan = serializers.IntegerField(source="creator.plan_id", read_only=True)

    class Meta:
        model = Cooperation
        fields = ["id", "plan", *services.COOPERATION_EDITABLE, "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]


class CooperationUpdateSerializer(CooperationSerializer):
    class Meta(CooperationSerializer.Meta):
        fields = [f for f in services.COOPERATION_EDITABLE if f != "creator"]
        read_only_fields: list[str] = []


class CooperationFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="creator__plan_id")

    class Meta:
        model = Cooperation
        fields = ["plan", "creator"]


@extend_schema_view(**versioned_schema(CooperationUpdateSerializer, CooperationSerializer))
class CooperationViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Cooperation]
):
    """Cooperations with creators and their results (`?plan=&creator=`)."""

    queryset = Cooperation.objects.select_related("creator").order_by("-date", "-id")
    serializer_class = CooperationSerializer
    permission_classes = [RolePermission]
    service_create = services.cooperation_create
    service_update = services.cooperation_update
    service_delete = services.cooperation_delete
    service_kwarg = "cooperation"
    filterset_class = CooperationFilter

    write_serializer_class = CooperationUpdateSerializer


class TierResultsSerializer(serializers.Serializer[Any]):
    tier = serializers.CharField()
    creators = serializers.IntegerField()
    results = ResultsSerializer()


class ProgrammeSerializer(serializers.Serializer[Any]):
    tiers = TierResultsSerializer(many=True)
    total = ResultsSerializer()


class KolProgrammeView(PlanScopedAPIView):
    @extend_schema(
        responses={200: ProgrammeSerializer},
        description=(
            "Cooperation results, cost per engagement / conversion and ROI per creator tier."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        blocks = queries.roster(self.plan(request, pk))
        tiers = [
            {"tier": b.tier.value, "creators": len(b.creators), "results": b.results}
            for b in blocks
        ]
        body = {"tiers": tiers, "total": queries.programme_totals(blocks)}
        return Response(ProgrammeSerializer(body).data)


class MatrixTotalsSerializer(serializers.Serializer[Any]):
    quarters = serializers.ListField(child=money())
    total = money()
    families = serializers.DictField(child=serializers.ListField(child=money()))


class ChannelMatrixView(PlanScopedAPIView):
    @extend_schema(
        responses={200: MatrixTotalsSerializer},
        description="Planned budget totals per quarter, per family (and quarter) and for the year.",
    )
    def get(self, request: Request, pk: int) -> Response:
        m = queries.matrix(self.plan(request, pk))
        body = {
            "quarters": m.totals,
            "total": m.total,
            "families": {b.family.value: [*b.totals, b.total] for b in m.families},
        }
        return Response(MatrixTotalsSerializer(body).data)
