from django.urls import path

from channels import views

app_name = "channels"

P = "plans/<int:plan_id>/channels/"

urlpatterns = [
    path(P, views.section, name="section"),
    path(P + "new/", views.channel_create, name="channel-create"),
    path(P + "<int:channel_id>/edit/", views.channel_edit, name="channel-edit"),
    path(P + "matrix/", views.matrix, name="matrix"),
    path(P + "matrix/<int:channel_id>/q<int:quarter>/", views.cell, name="cell"),
    path(P + "kol/", views.kol, name="kol"),
    path(P + "kol/creators/", views.creator_save, name="creator-create"),
    path(P + "kol/creators/<int:creator_id>/", views.creator_save, name="creator-save"),
    path(P + "kol/cooperations/", views.cooperation_save, name="cooperation-create"),
    path(
        P + "kol/cooperations/<int:cooperation_id>/",
        views.cooperation_save,
        name="cooperation-save",
    ),
    path(P + "kol/import/", views.roster_upload, name="roster-import"),
    path(P + "mix/", views.mix, name="mix"),
]
