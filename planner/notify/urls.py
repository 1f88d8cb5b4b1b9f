"""Routes of the notification pages (included by planner/urls.py, app ``planner``)."""

from django.urls import path

from planner.notify import views

urlpatterns = [
    path("w/<slug:slug>/notifications/", views.notifications, name="notifications"),
    path("w/<slug:slug>/deliveries/", views.deliveries, name="deliveries"),
    path("w/<slug:slug>/deliveries/test/", views.delivery_test, name="delivery-test"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
