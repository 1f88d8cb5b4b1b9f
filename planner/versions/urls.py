"""Routes of plan versions and scenarios (included by planner/urls.py, app ``planner``)."""

from django.urls import path

from planner.versions import views

BASE = "plans/<int:plan_id>/"

urlpatterns = [
    path(f"{BASE}versions/", views.versions, name="versions"),
    path(f"{BASE}versions/save/", views.version_save, name="version-save"),
    path(f"{BASE}versions/compare/", views.compare, name="versions-compare"),
    path(f"{BASE}scenarios/new/", views.scenario_create, name="scenario-create"),
    path(f"{BASE}scenarios/compare/", views.scenario_compare, name="scenarios-compare"),
]
