from django.urls import path

from monitoring import attribution_views, views
from monitoring.roi import views as roi_views

app_name = "monitoring"

urlpatterns = [
    path("plans/<int:plan_id>/monitoring/", views.section, name="section"),
    path("plans/<int:plan_id>/monitoring/recompute/", views.recompute, name="recompute"),
    path("plans/<int:plan_id>/monitoring/alerts/", views.alerts, name="alerts"),
    path(
        "plans/<int:plan_id>/monitoring/alerts/<int:alert_id>/",
        views.alert_action,
        name="alert-action",
    ),
    path("plans/<int:plan_id>/monitoring/rules/", views.rules, name="rules"),
    path("plans/<int:plan_id>/monitoring/rules/new/", views.rule_create, name="rule-create"),
    path("plans/<int:plan_id>/monitoring/rules/<int:rule_id>/", views.rule_edit, name="rule-edit"),
    path("plans/<int:plan_id>/monitoring/settings/", views.settings_save, name="settings"),
    path("plans/<int:plan_id>/monitoring/imports/", views.imports, name="imports"),
    path("plans/<int:plan_id>/monitoring/imports/new/", views.import_upload, name="import-upload"),
    path(
        "plans/<int:plan_id>/monitoring/imports/<int:import_id>/progress/",
        views.import_progress,
        name="import-progress",
    ),
    path(
        "plans/<int:plan_id>/monitoring/imports/template.csv",
        views.import_template,
        name="import-template",
    ),
    path(
        "plans/<int:plan_id>/monitoring/attribution/",
        attribution_views.attribution,
        name="attribution",
    ),
    path(
        "plans/<int:plan_id>/monitoring/attribution/import/",
        attribution_views.journeys_upload,
        name="journeys-upload",
    ),
    path(
        "plans/<int:plan_id>/monitoring/attribution/settings/",
        attribution_views.settings_save,
        name="attribution-settings",
    ),
    path(
        "plans/<int:plan_id>/monitoring/attribution/template.csv",
        attribution_views.journeys_template,
        name="journeys-template",
    ),
    path("plans/<int:plan_id>/monitoring/roi/", roi_views.roi, name="roi"),
    path(
        "plans/<int:plan_id>/monitoring/roi/definition/",
        roi_views.definition_save,
        name="roi-definition",
    ),
    path("plans/<int:plan_id>/monitoring/roi/sign-off/", roi_views.sign_off, name="roi-sign-off"),
    path(
        "plans/<int:plan_id>/monitoring/roi/cohorts/",
        roi_views.cohort_create,
        name="roi-cohort-create",
    ),
    path(
        "plans/<int:plan_id>/monitoring/roi/cohorts/<int:cohort_id>/",
        roi_views.cohort_edit,
        name="roi-cohort-edit",
    ),
]

# Competitor tracking keeps its routes in its own module.
from monitoring.competitor_urls import urlpatterns as competitor_urls  # noqa: E402

urlpatterns += competitor_urls
