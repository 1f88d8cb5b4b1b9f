"""Pages of a workspace's chat channels: the list with a new-channel form, the edit
page, and "send test message". Admins manage them; managers may look (URLs and
secrets masked); editors and viewers get 403, outsiders 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.auth import actor_of
from core.errors import DomainError
from core.forms import attach_error, raise_if_forbidden, save_or_delete
from core.htmx import render_page
from planner.access import Action, can, object_for_user, workspace_for_user
from planner.chat_formats import SIGNING, mask_secret, mask_url
from planner.models import Workspace
from planner.notify import chat_queries as queries
from planner.notify import chat_services as services
from planner.notify.chat_forms import ChatChannelForm
from planner.notify.models import ChatChannel

LIST_PAGE = "planner/notify/chat_channels.html"
EDIT_PAGE = "planner/notify/chat_channel.html"


def _rows(workspace: Workspace) -> list[dict[str, Any]]:
    channels = list(queries.channels(workspace))
    latest = queries.last_deliveries(channels)
    return [
        {
            "channel": channel,
            "url": mask_url(channel.url),
            "secret": mask_secret(channel.secret),
            "last": latest.get(channel.pk),
        }
        for channel in channels
    ]


def _list_page(
    request: HttpRequest,
    workspace: Workspace,
    form: ChatChannelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "workspace": workspace,
        "rows": _rows(workspace),
        "is_admin": can(request.user, workspace.pk, Action.ADMIN),
        "form": form or ChatChannelForm(auto_id="new_%s"),
        "open_form": form is not None,
    }
    return render_page(request, LIST_PAGE, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def chat_channels(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method == "GET":
        return _list_page(request, workspace_for_user(request.user, slug, Action.APPROVE))
    workspace = workspace_for_user(request.user, slug, Action.ADMIN)
    form = ChatChannelForm(request.POST, auto_id="new_%s")
    if form.is_valid():
        try:
            channel = services.channel_create(
                workspace=workspace, actor=actor_of(request), **form.changes()
            )
        except DomainError as error:
            raise_if_forbidden(error)
            attach_error(form, error)
        else:
            messages.success(
                request,
                _("Chat channel %(name)s added. Send a test message to check it.")
                % {"name": channel.name},
            )
            return redirect("planner:chat-channels", slug=workspace.slug)
    return _list_page(request, workspace, form, status=400)


def _channel(request: HttpRequest, slug: str, channel_id: int, action: Action) -> ChatChannel:
    channel = object_for_user(
        ChatChannel.objects.select_related("workspace"),
        request.user,
        Action.VIEW,
        pk=channel_id,
        workspace__slug=slug,
    )
    workspace_for_user(request.user, slug, action)  # 403 below the role the action needs
    return channel


def _edit_page(
    request: HttpRequest,
    channel: ChatChannel,
    form: ChatChannelForm,
    *,
    error_text: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "workspace": channel.workspace,
        "channel": channel,
        "url": mask_url(channel.url),
        "secret": mask_secret(channel.secret),
        "signs": channel.platform in SIGNING,
        "is_admin": can(request.user, channel.workspace_id, Action.ADMIN),
        "form": form,
        "error_text": error_text,
    }
    return render_page(request, EDIT_PAGE, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def chat_channel_edit(request: HttpRequest, slug: str, channel_id: int) -> HttpResponse:
    if request.method == "GET":
        channel = _channel(request, slug, channel_id, Action.APPROVE)
        return _edit_page(request, channel, ChatChannelForm(instance=channel))
    channel = _channel(request, slug, channel_id, Action.ADMIN)
    actor = actor_of(request)
    back = lambda: redirect("planner:chat-channels", slug=slug)  # noqa: E731
    return save_or_delete(
        request,
        found=channel,
        form=ChatChannelForm(request.POST, instance=channel),
        fresh_form=lambda: ChatChannelForm(instance=channel),
        render=lambda f, **kw: _edit_page(request, channel, f, **kw),
        update=lambda v, changes: services.channel_update(
            channel=channel, expected_version=v, changes=changes, actor=actor
        ),
        delete=lambda v: services.channel_delete(channel=channel, expected_version=v, actor=actor),
        saved=_("Chat channel saved."),
        removed=_("Chat channel removed."),
        after_save=back,
        after_delete=back,
    )


@login_required
@require_POST
def chat_channel_test(request: HttpRequest, slug: str, channel_id: int) -> HttpResponse:
    channel = _channel(request, slug, channel_id, Action.ADMIN)
    queued = services.send_test(channel=channel, actor=actor_of(request))
    if queued is None:
        messages.info(request, _("A test message to this channel was already queued this minute."))
    else:
        messages.success(
            request,
            _("Test message queued; the list shows whether %(name)s accepted it.")
            % {"name": channel.name},
        )
    return redirect("planner:chat-channels", slug=slug)
