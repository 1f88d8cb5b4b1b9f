from django.urls import path

from planner import views
from planner.execution.urls import urlpatterns as execution_urls
from planner.export.urls import urlpatterns as export_urls
from planner.notify import digest_views
from planner.notify.chat_urls import urlpatterns as chat_urls
from planner.notify.urls import urlpatterns as notify_urls
from planner.versions.urls import urlpatterns as version_urls

app_name = "planner"

urlpatterns = [
    path("", views.home, name="home"),
    path("workspaces/new/", views.workspace_create, name="workspace-create"),
    path("w/<slug:slug>/", views.workspace_detail, name="workspace"),
    path("w/<slug:slug>/plans/new/", views.plan_create, name="plan-create"),
    path("w/<slug:slug>/members/", views.member_add, name="member-add"),
    path("w/<slug:slug>/members/<int:membership_id>/", views.member_change, name="member-change"),
    path("plans/<int:plan_id>/", views.plan_overview, name="plan"),
    path("plans/<int:plan_id>/fields/", views.plan_fields, name="plan-fields"),
    path("plans/<int:plan_id>/transition/", views.plan_transition, name="plan-transition"),
    path("plans/<int:plan_id>/history/", views.plan_history, name="plan-history"),
    path("plans/<int:plan_id>/dashboard/digest.pdf", digest_views.digest_pdf, name="digest-pdf"),
    *execution_urls,
    *export_urls,
    *chat_urls,
    *version_urls,
    *notify_urls,
]
