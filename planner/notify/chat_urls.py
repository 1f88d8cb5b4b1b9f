from django.urls import path

from planner.notify import chat_views as views

# Included by planner/urls.py (namespace "planner").
urlpatterns = [
    path("w/<slug:slug>/chat-channels/", views.chat_channels, name="chat-channels"),
    path(
        "w/<slug:slug>/chat-channels/<int:channel_id>/",
        views.chat_channel_edit,
        name="chat-channel",
    ),
    path(
        "w/<slug:slug>/chat-channels/<int:channel_id>/test/",
        views.chat_channel_test,
        name="chat-channel-test",
    ),
]
