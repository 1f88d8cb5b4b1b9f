from django.urls import path

from budget import views

app_name = "budget"

urlpatterns = [
    path("plans/<int:plan_id>/budget/", views.section, name="section"),
]
