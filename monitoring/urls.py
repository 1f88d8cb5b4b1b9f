from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("plans/<int:plan_id>/monitoring/", views.section, name="section"),
]
