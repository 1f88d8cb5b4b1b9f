from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from planner.models import Membership, Plan, PlanTransition, Workspace


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["name", "year", "workspace", "status", "currency", "version", "updated_at"]
    list_filter = ["status", "year", "workspace"]
    search_fields = ["name"]
    readonly_fields = ["version", "approved_by", "approved_at", "created_by"]


@admin.register(PlanTransition)
class PlanTransitionAdmin(admin.ModelAdmin):
    list_display = ["plan", "action", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["action"]
