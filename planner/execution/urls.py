"""Routes of the execution section (included by planner/urls.py, app ``planner``)."""

from django.urls import path

from planner.execution import activity_views, dashboard_views, views

BASE = "plans/<int:plan_id>/execution/"

urlpatterns = [
    path(BASE, views.milestones, name="execution"),
    path(f"{BASE}dashboard/", dashboard_views.dashboard_page, name="execution-dashboard"),
    path(f"{BASE}milestones/new/", views.milestone_create, name="milestone-create"),
    path(f"{BASE}milestones/<int:milestone_id>/", views.milestone_edit, name="milestone-edit"),
    path(
        f"{BASE}milestones/<int:milestone_id>/status/",
        views.milestone_status,
        name="milestone-status",
    ),
    path(f"{BASE}risks/", views.risks, name="execution-risks"),
    path(f"{BASE}risks/new/", views.risk_create, name="risk-create"),
    path(f"{BASE}risks/<int:risk_id>/", views.risk_edit, name="risk-edit"),
    path(f"{BASE}playbooks/", views.playbooks, name="execution-playbooks"),
    path(f"{BASE}playbooks/new/", views.playbook_create, name="playbook-create"),
    path(f"{BASE}playbooks/<int:playbook_id>/", views.playbook, name="playbook"),
    path(f"{BASE}playbooks/<int:playbook_id>/edit/", views.playbook_edit, name="playbook-edit"),
    path(f"{BASE}playbooks/<int:playbook_id>/drills/", views.drill_add, name="playbook-drill"),
    path(
        f"{BASE}alerts/<int:alert_id>/steps/<int:step_id>/ack/",
        views.step_ack,
        name="playbook-step-ack",
    ),
    # key activities and rapid-response pools (issue 9 items 2 and 5)
    path(f"{BASE}activities/", activity_views.activities, name="execution-activities"),
    path(f"{BASE}activities/new/", activity_views.activity_create, name="activity-create"),
    path(
        f"{BASE}activities/<int:activity_id>/",
        activity_views.activity_edit,
        name="activity-edit",
    ),
    path(f"{BASE}response/", activity_views.response, name="execution-response"),
    path(f"{BASE}response/activate/", activity_views.activate, name="pool-activate"),
    path(f"{BASE}response/pools/new/", activity_views.pool_create, name="pool-create"),
    path(f"{BASE}response/pools/<int:pool_id>/", activity_views.pool_edit, name="pool-edit"),
]
