"""Notifications: subscriptions, alert emails, digests, chat webhooks and the
delivery outbox they all go through (models in ``planner.notify.models``,
imported by ``planner.models``)."""
