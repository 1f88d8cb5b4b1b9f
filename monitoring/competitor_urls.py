"""Routes of the competitor pages (included by monitoring/urls.py, app ``monitoring``)."""

from django.urls import path

from monitoring import competitor_views as views

BASE = "plans/<int:plan_id>/monitoring/competitors/"

urlpatterns = [
    path(BASE, views.competitors, name="competitors"),
    path(f"{BASE}new/", views.competitor_create, name="competitor-create"),
    path(f"{BASE}us/", views.our_brand, name="our-brand"),
    path(f"{BASE}<int:competitor_id>/", views.competitor, name="competitor"),
    path(f"{BASE}<int:competitor_id>/edit/", views.competitor_edit, name="competitor-edit"),
    path(f"{BASE}observations/new/", views.observation_create, name="observation-create"),
    path(
        f"{BASE}observations/<int:observation_id>/",
        views.observation_edit,
        name="observation-edit",
    ),
    path(
        f"{BASE}observations/<int:observation_id>/screenshot/",
        views.screenshot,
        name="observation-screenshot",
    ),
    path(f"{BASE}matrix/", views.feature_matrix, name="feature-matrix"),
    path(f"{BASE}matrix/features/new/", views.feature_create, name="feature-create"),
    path(f"{BASE}matrix/features/<int:feature_id>/", views.feature_edit, name="feature-edit"),
    path(
        f"{BASE}matrix/features/<int:feature_id>/<str:product>/",
        views.matrix_cell,
        name="matrix-cell",
    ),
    path(f"{BASE}share-of-voice/", views.share_of_voice, name="share-of-voice"),
    path(f"{BASE}import/", views.competitor_import_view, name="competitor-import"),
    path(
        f"{BASE}import/<str:kind>-template.csv",
        views.competitor_import_template,
        name="competitor-import-template",
    ),
]
