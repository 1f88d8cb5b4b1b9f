"""The chat-channel form: it parses; planner/notify/chat_services.py validates and saves.

The webhook URL and the secret are never put back into the page: on an edit an
empty field keeps what is saved (the page shows them masked)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from monitoring.models import Severity
from planner.chat_formats import mask_secret, mask_url
from planner.forms import VersionField
from planner.notify.models import ChatChannel, ChatPlatform


class ChatChannelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    platform = forms.ChoiceField(label=_("Platform"), choices=ChatPlatform.choices)
    url = forms.CharField(
        label=_("Webhook URL"),
        max_length=500,
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The incoming-webhook (robot) address the chat platform gives you."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
        help_text=_("DingTalk and Feishu sign each message with it; leave empty if unused."),
    )
    clear_secret = forms.BooleanField(label=_("Remove the signing secret"), required=False)
    alert_severities = forms.MultipleChoiceField(
        label=_("Alerts to post"),
        required=False,
        choices=Severity.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    is_active = forms.BooleanField(label=_("Active"), required=False)
    version = VersionField(required=False)

    def __init__(self, *args: Any, instance: ChatChannel | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None and "initial" not in kwargs and not args:
            kwargs["initial"] = {
                "name": instance.name,
                "platform": instance.platform,
                "alert_severities": instance.alert_severities,
                "language": instance.language,
                "is_active": instance.is_active,
                "version": instance.version,
            }
        super().__init__(*args, **kwargs)
        if instance is None:
            self.fields["alert_severities"].initial = [Severity.WARNING, Severity.CRITICAL]
            self.fields["is_active"].initial = True
            self.fields["language"].initial = settings.LANGUAGE_CODE
            del self.fields["clear_secret"]
        else:
            # Shown masked; an empty field keeps the saved value.
            self.fields["url"].required = False
            self.fields["url"].widget.attrs["placeholder"] = mask_url(instance.url)
            self.fields["url"].help_text = _("Leave empty to keep the saved URL.")
            if instance.secret:
                self.fields["secret"].widget.attrs["placeholder"] = mask_secret(instance.secret)
                self.fields["secret"].help_text = _("Leave empty to keep the saved secret.")
            else:
                del self.fields["clear_secret"]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        changes: dict[str, Any] = {
            "name": data["name"],
            "platform": data["platform"],
            "alert_severities": list(data.get("alert_severities") or []),
            "language": data["language"],
            "is_active": bool(data.get("is_active")),
        }
        url = (data.get("url") or "").strip()
        if url or self.instance is None:
            changes["url"] = url
        secret = (data.get("secret") or "").strip()
        if data.get("clear_secret"):
            changes["secret"] = ""
        elif secret or self.instance is None:
            changes["secret"] = secret
        return changes
