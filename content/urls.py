from django.urls import path

from content import views

app_name = "content"

urlpatterns = [
    path("plans/<int:plan_id>/content/", views.section, name="section"),
]
