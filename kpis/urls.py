from django.urls import path

from kpis import views

app_name = "kpis"

urlpatterns = [
    path("plans/<int:plan_id>/goals/", views.section, name="section"),
    path("plans/<int:plan_id>/goals/kpis/new/", views.kpi_create, name="kpi-create"),
    path("plans/<int:plan_id>/goals/kpis/<int:kpi_id>/", views.kpi_detail, name="kpi"),
    path("plans/<int:plan_id>/goals/kpis/<int:kpi_id>/edit/", views.kpi_edit, name="kpi-edit"),
    path(
        "plans/<int:plan_id>/goals/kpis/<int:kpi_id>/delete/", views.kpi_delete, name="kpi-delete"
    ),
    path(
        "plans/<int:plan_id>/goals/kpis/<int:kpi_id>/breakdown/",
        views.kpi_breakdown,
        name="kpi-breakdown",
    ),
    path(
        "plans/<int:plan_id>/goals/kpis/<int:kpi_id>/actuals/",
        views.kpi_actuals,
        name="kpi-actuals",
    ),
    path("plans/<int:plan_id>/goals/goal-seek/", views.goal_seek, name="goal-seek"),
    path("plans/<int:plan_id>/goals/objectives/", views.objective_save, name="objective-create"),
    path(
        "plans/<int:plan_id>/goals/objectives/<int:objective_id>/",
        views.objective_save,
        name="objective-save",
    ),
    path("plans/<int:plan_id>/goals/targets/", views.strategic_goal_save, name="goal-create"),
    path(
        "plans/<int:plan_id>/goals/targets/<int:goal_id>/",
        views.strategic_goal_save,
        name="goal-save",
    ),
    path("plans/<int:plan_id>/goals/policy/", views.policy_save, name="policy"),
]
