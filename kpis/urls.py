from django.urls import path

from kpis import views

app_name = "kpis"

urlpatterns = [
    path("plans/<int:plan_id>/goals/", views.section, name="section"),
]
