from django.urls import path

from content import creative_views, interaction_views, views

app_name = "content"

P = "plans/<int:plan_id>/content/"

urlpatterns = [
    # the campaign calendar (content/views.py)
    path(P, views.year, name="section"),
    path(P + "calendar/q<int:quarter>/", views.quarter, name="quarter"),
    path(P + "calendar/<int:month>/", views.month, name="month"),
    path(P + "timeline/", views.timeline, name="timeline"),
    path(P + "campaigns/new/", views.campaign_create, name="campaign-create"),
    path(P + "campaigns/<int:campaign_id>/", views.campaign_edit, name="campaign-edit"),
    path(
        P + "festivals/<str:festival>/campaign/",
        views.campaign_from_festival,
        name="campaign-from-festival",
    ),
    # creative standards, assets and licences (content/creative_views.py)
    path(P + "creative/", creative_views.creative, name="creative"),
    path(P + "creative/brand/", creative_views.brand_save, name="brand-save"),
    path(P + "creative/specs/new/", creative_views.spec_save, name="spec-create"),
    path(P + "creative/specs/<int:spec_id>/", creative_views.spec_save, name="spec-save"),
    path(P + "creative/specs/install/", creative_views.specs_install, name="specs-install"),
    path(P + "assets/", creative_views.assets, name="assets"),
    path(P + "assets/new/", creative_views.asset_save, name="asset-create"),
    path(P + "assets/<int:asset_id>/", creative_views.asset_save, name="asset-save"),
    path(P + "assets/<int:asset_id>/publish/", creative_views.asset_publish, name="asset-publish"),
    path(P + "licences/", creative_views.licences, name="licences"),
    path(P + "licences/new/", creative_views.licence_save, name="licence-create"),
    path(P + "licences/<int:licence_id>/", creative_views.licence_save, name="licence-save"),
    # user interaction mechanisms (content/interaction_views.py)
    path(P + "interaction/", interaction_views.interaction, name="interaction"),
    path(P + "interaction/new/", interaction_views.mechanism_save, name="mechanism-create"),
    path(
        P + "interaction/<int:mechanism_id>/",
        interaction_views.mechanism_save,
        name="mechanism-save",
    ),
]
