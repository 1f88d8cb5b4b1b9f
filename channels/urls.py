from django.urls import path

from channels import views

app_name = "channels"

urlpatterns = [
    path("plans/<int:plan_id>/channels/", views.section, name="section"),
]
