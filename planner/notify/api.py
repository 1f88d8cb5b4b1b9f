"""API of the notifications: my subscription in a workspace (ETag / If-Match) and the
delivery log (managers and admins: the workspace's; others: their own)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import IF_MATCH, VERSIONED_ERRORS, expected_version, with_etag
from core.auth import actor_of
from planner.access import RolePermission, role_in
from planner.models import Membership
from planner.notify import queries, subscriptions
from planner.notify.models import (
    ALERT_SECTIONS,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    DigestCadence,
    Subscription,
)


class SubscriptionSerializer(serializers.ModelSerializer[Subscription]):
    alert_severities = serializers.ListField(
        child=serializers.ChoiceField(choices=subscriptions.ALERT_SEVERITIES), required=False
    )
    alert_sections = serializers.ListField(
        child=serializers.ChoiceField(choices=ALERT_SECTIONS), required=False
    )
    digest = serializers.ChoiceField(choices=DigestCadence.choices, required=False)
    digest_hour = serializers.IntegerField(min_value=0, max_value=23, required=False)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    timezone = serializers.CharField(max_length=64, required=False)

    class Meta:
        model = Subscription
        fields = [*subscriptions.EDITABLE, "version", "updated_at"]
        read_only_fields = ["version", "updated_at"]


def _membership(request: Request, workspace_id: int) -> Membership:
    """The caller's own membership; 404 for a workspace they are not in."""
    if role_in(request.user, workspace_id) is None:
        raise Http404
    return Membership.objects.select_related("workspace").get(
        workspace_id=workspace_id, user_id=int(request.user.pk or 0)
    )


class MySubscriptionView(APIView):
    """The caller's alert-email and digest choices in one workspace."""

    permission_classes = [RolePermission]

    @extend_schema(responses={200: SubscriptionSerializer})
    def get(self, request: Request, pk: int) -> Response:
        found = subscriptions.subscription_for(_membership(request, pk), language=get_language())
        return with_etag(Response(SubscriptionSerializer(found).data), found)

    @extend_schema(
        request=SubscriptionSerializer,
        parameters=[IF_MATCH],
        responses={200: SubscriptionSerializer, **VERSIONED_ERRORS},
    )
    def put(self, request: Request, pk: int) -> Response:
        current = subscriptions.subscription_for(_membership(request, pk), language=get_language())
        version = expected_version(request, current)
        body = SubscriptionSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        fresh = subscriptions.subscription_update(
            subscription=current,
            expected_version=version,
            changes=dict(body.validated_data),
            actor=actor_of(request),
        )
        return with_etag(Response(SubscriptionSerializer(fresh).data), fresh)


class DeliverySerializer(serializers.ModelSerializer[Delivery]):
    recipient = serializers.SerializerMethodField()
    chat_channel = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = [
            "id",
            "workspace",
            "plan",
            "kind",
            "recipient",
            "chat_channel",
            "address",
            "period",
            "status",
            "subject",
            "attempts",
            "last_error",
            "due_at",
            "sent_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_recipient(self, obj: Delivery) -> str | None:
        return obj.recipient.get_username() if obj.recipient is not None else None

    def get_chat_channel(self, obj: Delivery) -> str | None:
        return obj.chat_channel.name if obj.chat_channel is not None else None


@extend_schema(
    parameters=[
        OpenApiParameter("workspace", OpenApiTypes.INT, description="Only this workspace."),
        OpenApiParameter("status", OpenApiTypes.STR, enum=DeliveryStatus.values),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=DeliveryKind.values),
    ]
)
class DeliveryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Delivery]):
    """The delivery log: every message of the workspaces you manage, your own elsewhere."""

    serializer_class = DeliverySerializer
    permission_classes = [RolePermission]

    def get_queryset(self) -> Any:
        params = self.request.query_params
        workspace = params.get("workspace")
        found = queries.visible_deliveries(
            self.request.user, int(workspace) if workspace and workspace.isdigit() else None
        )
        if workspace and not workspace.isdigit():
            return found.none()
        if params.get("status"):
            found = found.filter(status=params["status"])
        if params.get("kind"):
            found = found.filter(kind=params["kind"])
        return found
