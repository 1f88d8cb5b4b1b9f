from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from channels.models import Channel


@admin.register(Channel)
class ChannelAdmin(SimpleHistoryAdmin):
    list_display = ["code", "display_name", "family", "group", "plan", "is_active"]
    list_filter = ["family", "group", "is_active"]
