"""API of chat channels: `/api/v1/chat-channels/` (workspace admins write, managers
read) and `POST /api/v1/chat-channels/{id}/test/`. The webhook URL and the secret
are write-only: reads show the URL masked and whether a secret is set."""

from __future__ import annotations

from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ServiceViewSetMixin, versioned_schema
from core.auth import actor_of
from monitoring.models import Severity
from planner.access import Action, RolePermission, ScopedQuerysetMixin, VisibleWorkspaceField
from planner.chat_formats import mask_url
from planner.notify import chat_services as services
from planner.notify.models import ChatChannel, ChatPlatform


class ChatChannelSerializer(serializers.ModelSerializer[ChatChannel]):
    workspace = VisibleWorkspaceField()
    platform = serializers.ChoiceField(choices=ChatPlatform.choices)
    url = serializers.CharField(
        max_length=500, write_only=True, help_text="The webhook URL (never returned)."
    )
    url_masked = serializers.SerializerMethodField(
        help_text="The webhook URL with its key or token masked."
    )
    secret = serializers.CharField(
        max_length=200,
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Signing secret (DingTalk, Feishu); never returned. Empty: none.",
    )
    has_secret = serializers.SerializerMethodField()
    alert_severities = serializers.ListField(
        child=serializers.ChoiceField(choices=Severity.choices),
        required=False,
        help_text="Severities of the alerts posted to the channel.",
    )

    class Meta:
        model = ChatChannel
        fields = [
            "id",
            "workspace",
            "name",
            "platform",
            "url",
            "url_masked",
            "secret",
            "has_secret",
            "alert_severities",
            "language",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "created_at", "updated_at"]

    def get_url_masked(self, obj: ChatChannel) -> str:
        return mask_url(obj.url)

    def get_has_secret(self, obj: ChatChannel) -> bool:
        return bool(obj.secret)


class ChatChannelUpdateSerializer(ChatChannelSerializer):
    workspace = None  # type: ignore[assignment]
    url_masked = None  # type: ignore[assignment]
    has_secret = None  # type: ignore[assignment]
    url = serializers.CharField(
        max_length=500, write_only=True, required=False, help_text="Omit to keep the saved URL."
    )

    class Meta(ChatChannelSerializer.Meta):
        fields = list(services.CHANNEL_EDITABLE)
        read_only_fields: list[str] = []


class ChatTestSerializer(serializers.Serializer[Any]):
    queued = serializers.BooleanField(
        help_text="False: a test message to this channel was already queued this minute."
    )
    delivery = serializers.IntegerField(allow_null=True)


class ChatChannelFilter(filters.FilterSet):
    workspace = filters.NumberFilter(field_name="workspace_id")

    class Meta:
        model = ChatChannel
        fields = ["workspace"]


@extend_schema_view(**versioned_schema(ChatChannelUpdateSerializer, ChatChannelSerializer))
class ChatChannelViewSet(
    ScopedQuerysetMixin, ServiceViewSetMixin, viewsets.ModelViewSet[ChatChannel]
):
    """Team chats (WeCom, DingTalk, Feishu, Slack robots) that receive the alerts of a
    workspace (`?workspace=`). Managers and admins read; admins write."""

    queryset = ChatChannel.objects.select_related("workspace").order_by("workspace_id", "name")
    serializer_class = ChatChannelSerializer
    write_serializer_class = ChatChannelUpdateSerializer
    permission_classes = [RolePermission]
    filterset_class = ChatChannelFilter
    list_action = Action.APPROVE
    read_action = Action.APPROVE
    write_action = Action.ADMIN
    action_roles = {"test": Action.ADMIN}
    service_create = services.channel_create
    service_update = services.channel_update
    service_delete = services.channel_delete
    service_kwarg = "channel"

    @extend_schema(
        request=None,
        responses={
            202: ChatTestSerializer,
            403: OpenApiResponse(description="Only workspace admins send test messages."),
        },
    )
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        """Queue a test message to the channel (at most one per channel and minute)."""
        channel = self.get_object()
        delivery = services.send_test(channel=channel, actor=actor_of(request))
        body = {"queued": delivery is not None, "delivery": delivery.pk if delivery else None}
        return Response(ChatTestSerializer(body).data, status=status.HTTP_202_ACCEPTED)
