"""REST API of the content section. Writes go through content/services.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from channels.models import Channel, RoiLayer
from content import queries, services
from content.models import (
    Asset,
    BrandStandard,
    Campaign,
    CampaignStatus,
    ContentLayer,
    ElementKind,
    InteractionMechanism,
    Licence,
    MechanismKind,
    ReviewStatus,
    SizeSpec,
    ThemeType,
)
from core.api import (
    IF_MATCH,
    VERSIONED_ERRORS,
    ServiceViewSetMixin,
    decimal_of,
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
)
from planner.models import Plan


def _update_serializer(
    base: type[serializers.ModelSerializer[Any]], editable: tuple[str, ...]
) -> Any:
    """The PUT/PATCH body of ``base``: only the editable fields, none read-only."""
    meta = type("Meta", (base.Meta,), {"fields": list(editable), "read_only_fields": []})
    return type(
        f"{base.__name__.removesuffix('Serializer')}UpdateSerializer", (base,), {"Meta": meta}
    )


def _plain(data: Mapping[str, Any]) -> dict[str, Any]:
    """Nested serializer output (OrderedDicts) as plain JSON-ready values for the service."""
    return {
        k: [dict(i) if isinstance(i, Mapping) else i for i in v] if isinstance(v, list) else v
        for k, v in data.items()
    }


# --- campaigns ------------------------------------------------------------------------------


class OverlapSerializer(serializers.Serializer[Any]):
    campaign = serializers.IntegerField(source="other.pk")
    code = serializers.CharField(source="other.code")
    channels = serializers.SerializerMethodField()
    start = serializers.DateField()
    end = serializers.DateField()

    def get_channels(self, overlap: queries.Overlap) -> list[str]:
        return [c.code for c in overlap.channels]


class CampaignSerializer(serializers.ModelSerializer[Campaign]):
    plan = VisibleField(Plan)
    channels = VisibleField(Channel, many=True, required=False)
    owner = MemberField(required=False, allow_null=True)
    budget = decimal_of(Campaign, "budget", required=False)
    festival = serializers.CharField(
        required=False, allow_blank=True, help_text="A festival code from /plans/{id}/festivals/."
    )
    layer = serializers.ChoiceField(
        choices=RoiLayer.choices,
        read_only=True,
        help_text="The ROI layer: roi_layer, else the usual layer of the theme.",
    )
    spills_over = serializers.SerializerMethodField(
        help_text="Part of the campaign lies outside the plan year."
    )
    overlaps = serializers.SerializerMethodField(
        help_text="Campaigns at the same time on a shared channel for the same audience."
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "plan",
            *services.CAMPAIGN_EDITABLE,
            "layer",
            "spills_over",
            "overlaps",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "updated_at"]
        validators: list[Any] = []  # code uniqueness is the service's rule, reported on `code`

    def get_spills_over(self, campaign: Campaign) -> bool:
        return campaign.spills_over(campaign.plan.year)

    @extend_schema_field(OverlapSerializer(many=True))
    def get_overlaps(self, campaign: Campaign) -> list[dict[str, Any]]:
        cache: dict[int, dict[int, list[queries.Overlap]]] = self.context.setdefault("overlaps", {})
        if campaign.plan_id not in cache:
            cache[campaign.plan_id] = queries.overlaps(
                list(queries.campaign_queryset(campaign.plan))
            )
        found = cache[campaign.plan_id].get(campaign.pk, [])
        return list(OverlapSerializer(found, many=True).data)


CampaignUpdateSerializer = _update_serializer(CampaignSerializer, services.CAMPAIGN_EDITABLE)


class CampaignFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")
    channel = filters.NumberFilter(field_name="channels", help_text="A channel id.")
    theme = filters.ChoiceFilter(choices=ThemeType.choices)
    status = filters.ChoiceFilter(choices=CampaignStatus.choices)

    class Meta:
        model = Campaign
        fields = ["plan", "channel", "theme", "status", "festival"]


@extend_schema_view(**versioned_schema(CampaignUpdateSerializer, CampaignSerializer))
class CampaignViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Campaign]):
    """The campaign calendar (`?plan=&channel=&theme=&status=`). `code` is what metric files
    refer to. Once the plan is approved only `status` may change, one step at a time."""

    queryset = (
        Campaign.objects.select_related("plan")
        .prefetch_related("channels")
        .order_by("plan_id", "start", "end", "code")
    )
    serializer_class = CampaignSerializer
    permission_classes = [RolePermission]
    service_create = services.campaign_create
    service_update = services.campaign_update
    service_delete = services.campaign_delete
    service_kwarg = "campaign"
    filterset_class = CampaignFilter
    write_serializer_class = CampaignUpdateSerializer


class FestivalSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField(help_text="In the language of the request.")
    date = serializers.DateField(source="peak", help_text="The festival's own day.")
    start = serializers.DateField()
    end = serializers.DateField()
    kind = serializers.ChoiceField(choices=["lunar", "solar", "commerce"])


class FestivalsView(PlanScopedAPIView):
    @extend_schema(
        responses={200: FestivalSerializer(many=True)},
        description=(
            "The plan year's festivals and commerce peaks, computed (lunar dates included): "
            "`date` is the festival's day, `start`–`end` its span."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        return Response(FestivalSerializer(queries.festival_layer(plan.year), many=True).data)


class SpawnSerializer(serializers.Serializer[Any]):
    festival = serializers.CharField(help_text="A festival code from /plans/{id}/festivals/.")


class FestivalCampaignView(PlanScopedAPIView):
    @extend_schema(
        request=SpawnSerializer,
        responses={201: CampaignSerializer, **VERSIONED_ERRORS},
        description="Spawn a campaign for one of the plan year's festivals from its template.",
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        body = SpawnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        campaign = services.campaign_from_festival(
            plan=plan, festival=body.validated_data["festival"], actor=actor_of(request)
        )
        data = CampaignSerializer(campaign, context={"request": request}).data
        return with_etag(Response(data, status=201), campaign)


# --- brand standard and size specs -----------------------------------------------------------


class ColourSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=60)
    hex = serializers.RegexField(r"^#[0-9a-fA-F]{6}$")


class BrandStandardSerializer(serializers.ModelSerializer[BrandStandard]):
    colours = ColourSerializer(many=True, required=False)
    fonts = serializers.ListField(child=serializers.CharField(max_length=120), required=False)

    class Meta:
        model = BrandStandard
        fields = [*services.BRAND_EDITABLE, "version", "updated_at"]
        read_only_fields = ["version", "updated_at"]


class BrandStandardView(PlanScopedAPIView):
    @extend_schema(responses={200: BrandStandardSerializer})
    def get(self, request: Request, pk: int) -> Response:
        standard = services.brand_standard_for(self.plan(request, pk))
        return with_etag(Response(BrandStandardSerializer(standard).data), standard)

    @extend_schema(
        request=BrandStandardSerializer,
        parameters=[IF_MATCH],
        responses={200: BrandStandardSerializer, **VERSIONED_ERRORS},
    )
    def put(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        standard = services.brand_standard_for(plan)
        version = expected_version(request, standard)
        body = BrandStandardSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = _plain(body.validated_data)
        standard = services.brand_standard_save(
            plan=plan, expected_version=version, changes=changes, actor=actor_of(request)
        )
        return with_etag(Response(BrandStandardSerializer(standard).data), standard)


class SizeSpecSerializer(serializers.ModelSerializer[SizeSpec]):
    plan = VisibleField(Plan)
    channel = VisibleField(Channel, required=False, allow_null=True)
    max_file_mb = serializers.DecimalField(
        max_digits=8, decimal_places=1, coerce_to_string=False, required=False, allow_null=True
    )
    aspect_ratio = serializers.CharField(read_only=True)

    class Meta:
        model = SizeSpec
        fields = ["id", "plan", *services.SPEC_EDITABLE, "aspect_ratio", "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]
        validators: list[Any] = []


SizeSpecUpdateSerializer = _update_serializer(SizeSpecSerializer, services.SPEC_EDITABLE)


class SizeSpecFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = SizeSpec
        fields = ["plan", "channel", "kind"]


@extend_schema_view(**versioned_schema(SizeSpecUpdateSerializer, SizeSpecSerializer))
class SizeSpecViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[SizeSpec]):
    """Size-adaptation specs per channel (`?plan=&channel=&kind=`)."""

    queryset = SizeSpec.objects.order_by("plan_id", "channel_id", "name")
    serializer_class = SizeSpecSerializer
    permission_classes = [RolePermission]
    service_create = services.spec_create
    service_update = services.spec_update
    service_delete = services.spec_delete
    service_kwarg = "spec"
    filterset_class = SizeSpecFilter
    write_serializer_class = SizeSpecUpdateSerializer


# --- licences and assets ------------------------------------------------------------------------


class LicenceSerializer(serializers.ModelSerializer[Licence]):
    plan = VisibleField(Plan)
    in_use = serializers.SerializerMethodField(help_text="How many asset elements use it.")

    class Meta:
        model = Licence
        fields = ["id", "plan", *services.LICENCE_EDITABLE, "in_use", "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]

    def get_in_use(self, licence: Licence) -> int:
        return len(licence.elements.all())


LicenceUpdateSerializer = _update_serializer(LicenceSerializer, services.LICENCE_EDITABLE)


class LicenceFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")
    expires_before = filters.DateFilter(field_name="expires", lookup_expr="lte")

    class Meta:
        model = Licence
        fields = ["plan", "kind", "expires_before"]


@extend_schema_view(**versioned_schema(LicenceUpdateSerializer, LicenceSerializer))
class LicenceViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Licence]):
    """Licences of fonts, images, music and footage (`?plan=&kind=&expires_before=`)."""

    queryset = Licence.objects.prefetch_related("elements").order_by("plan_id", "expires", "name")
    serializer_class = LicenceSerializer
    permission_classes = [RolePermission]
    service_create = services.licence_create
    service_update = services.licence_update
    service_delete = services.licence_delete
    service_kwarg = "licence"
    filterset_class = LicenceFilter
    write_serializer_class = LicenceUpdateSerializer


class ElementSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ElementKind.choices)
    name = serializers.CharField(max_length=160)
    licence = VisibleField(Licence, allow_null=True, required=False)


class AssetSerializer(serializers.ModelSerializer[Asset]):
    campaign = VisibleField(Campaign)
    spec = VisibleField(SizeSpec, required=False, allow_null=True)
    owner = MemberField(required=False, allow_null=True)
    layers = serializers.ListField(
        child=serializers.ChoiceField(choices=ContentLayer.choices), required=False
    )
    elements = ElementSerializer(
        many=True, required=False, help_text="Replaces all elements when given."
    )
    plan = serializers.IntegerField(source="campaign.plan_id", read_only=True)
    missing_layers = serializers.SerializerMethodField()
    licence_problems = serializers.SerializerMethodField(
        help_text="Why the asset cannot be published today; empty when it can."
    )

    class Meta:
        model = Asset
        fields = [
            "id",
            "plan",
            "campaign",
            *services.ASSET_EDITABLE,
            "missing_layers",
            "licence_problems",
            "published_at",
            "published_by",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "updated_at", "published_at", "published_by"]

    def get_missing_layers(self, asset: Asset) -> list[str]:
        return [v for v in ContentLayer.values if v not in asset.layers]

    def get_licence_problems(self, asset: Asset) -> list[str]:
        return services.publish_problems(asset, list(asset.elements.all()), timezone.localdate())

    def to_representation(self, instance: Asset) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["elements"] = [
            {"kind": e.kind, "name": e.name, "licence": e.licence_id}
            for e in instance.elements.all()
        ]
        return data


class AssetUpdateSerializer(AssetSerializer):
    class Meta(AssetSerializer.Meta):
        fields = list(services.ASSET_EDITABLE)
        read_only_fields: list[str] = []


class AssetFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="campaign__plan_id")
    review_status = filters.ChoiceFilter(choices=ReviewStatus.choices)

    class Meta:
        model = Asset
        fields = ["plan", "campaign", "review_status"]


@extend_schema_view(**versioned_schema(AssetUpdateSerializer, AssetSerializer))
class AssetViewSet(ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[Asset]):
    """Creative assets (`?plan=&campaign=&review_status=`) with their elements and licences.

    An asset is published with `POST /assets/{id}/publish/`; setting `review_status` to
    `published` applies the same rule: every element licensed and its licence valid today.
    """

    queryset = (
        Asset.objects.select_related("campaign")
        .prefetch_related("elements__licence")
        .order_by("campaign_id", "name", "id")
    )
    serializer_class = AssetSerializer
    permission_classes = [RolePermission]
    service_kwarg = "asset"
    service_update = services.asset_update
    service_delete = services.asset_delete
    filterset_class = AssetFilter
    write_serializer_class = AssetUpdateSerializer

    @staticmethod
    def service_create(**kwargs: Any) -> Asset:
        return services.asset_create(**_plain(kwargs))

    def perform_versioned_update(self, instance: Asset, version: int, data: dict[str, Any]) -> Any:
        return super().perform_versioned_update(instance, version, _plain(data))

    @extend_schema(
        request=None,
        parameters=[IF_MATCH],
        responses={
            200: AssetSerializer,
            **VERSIONED_ERRORS,
            409: OpenApiResponse(
                description=(
                    "Not publishable: `detail` says why and `problems` lists each missing or "
                    "expired licence (or the asset is not approved)."
                )
            ),
        },
        description="Mark an approved asset published, if every element's licence is valid today.",
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: int | None = None) -> Response:
        asset = self.get_object()
        version = expected_version(request, asset)
        fresh = services.asset_publish(
            asset=asset, expected_version=version, actor=actor_of(request)
        )
        fresh = self.get_queryset().get(pk=fresh.pk)
        return with_etag(Response(self.get_serializer(fresh).data), fresh)


class ExpiringSerializer(serializers.Serializer[Any]):
    licence = LicenceSerializer()
    days_left = serializers.IntegerField(help_text="Negative: expired that many days ago.")
    within = serializers.IntegerField(
        source="horizon", allow_null=True, help_text="30, 60 or 90; null when already expired."
    )
    assets = serializers.SerializerMethodField()

    def get_assets(self, row: queries.ExpiringLicence) -> list[int]:
        return [a.pk for a in row.assets]


class LicenceExpiryView(PlanScopedAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("within", int, enum=[30, 60, 90], description="Days ahead (90).")
        ],
        responses={200: ExpiringSerializer(many=True)},
        description="Licences expiring within 30/60/90 days, and expired ones still in use.",
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        raw = request.query_params.get("within", "90")
        within = int(raw) if raw in {"30", "60", "90"} else 90
        rows = queries.licence_expiry(plan, timezone.localdate(), within)
        return Response(ExpiringSerializer(rows, many=True).data)


# --- interaction mechanisms -------------------------------------------------------------


class IndicatorSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    target = serializers.FloatField(required=False, allow_null=True)
    actual = serializers.FloatField(required=False, allow_null=True)
    unit = serializers.CharField(max_length=30, required=False, allow_blank=True)


class LevelSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=60)
    min_points = serializers.IntegerField(min_value=0)
    perks = serializers.CharField(max_length=300, required=False, allow_blank=True)


class SlaSerializer(serializers.Serializer[Any]):
    samples = serializers.IntegerField()
    median = serializers.FloatField(allow_null=True)
    p90 = serializers.FloatField(allow_null=True)
    within_sla = serializers.FloatField(allow_null=True, help_text="Share within the SLA, 0–1.")
    breached = serializers.BooleanField(help_text="The 90th percentile is over the SLA.")


class MechanismSerializer(serializers.ModelSerializer[InteractionMechanism]):
    plan = VisibleField(Plan)
    owner = MemberField(required=False, allow_null=True)
    channel = VisibleField(Channel, required=False, allow_null=True)
    indicators = IndicatorSerializer(many=True, required=False)
    levels = LevelSerializer(many=True, required=False)
    badges = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    response_hours = serializers.ListField(
        child=serializers.FloatField(min_value=0), required=False, max_length=services.MAX_SAMPLES
    )
    sla_hours = serializers.DecimalField(
        max_digits=6, decimal_places=1, coerce_to_string=False, required=False, allow_null=True
    )
    sla = serializers.SerializerMethodField()

    class Meta:
        model = InteractionMechanism
        fields = ["id", "plan", *services.MECHANISM_EDITABLE, "sla", "version", "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]

    @extend_schema_field(SlaSerializer(allow_null=True))
    def get_sla(self, mechanism: InteractionMechanism) -> dict[str, Any] | None:
        if mechanism.kind != MechanismKind.FEEDBACK_CHANNEL:
            return None
        return dict(SlaSerializer(queries.sla_figures(mechanism)).data)


MechanismUpdateSerializer = _update_serializer(MechanismSerializer, services.MECHANISM_EDITABLE)


class MechanismFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")
    kind = filters.ChoiceFilter(choices=MechanismKind.choices)

    class Meta:
        model = InteractionMechanism
        fields = ["plan", "kind"]


@extend_schema_view(**versioned_schema(MechanismUpdateSerializer, MechanismSerializer))
class MechanismViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[InteractionMechanism]
):
    """User interaction mechanisms (`?plan=&kind=`): UGC challenges, feedback channels,
    community tiers and tiered rewards, each with its goal and indicators."""

    queryset = InteractionMechanism.objects.order_by("plan_id", "kind", "name")
    serializer_class = MechanismSerializer
    permission_classes = [RolePermission]
    service_kwarg = "mechanism"
    service_update = services.mechanism_update
    service_delete = services.mechanism_delete
    filterset_class = MechanismFilter
    write_serializer_class = MechanismUpdateSerializer

    @staticmethod
    def service_create(**kwargs: Any) -> InteractionMechanism:
        return services.mechanism_create(**_plain(kwargs))

    def perform_versioned_update(
        self, instance: InteractionMechanism, version: int, data: dict[str, Any]
    ) -> Any:
        return super().perform_versioned_update(instance, version, _plain(data))
