"""Lifecycle emails: a plan submitted for review, approved, sent back, reopened."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from planner.access import Action, roles_allowed
from planner.models import PlanTransition
from planner.notify import compose, subscriptions

logger = logging.getLogger(__name__)


def transition_recipients(transition: PlanTransition) -> list[AbstractBaseUser]:
    """Who acts next: managers when a plan is submitted; otherwise the people
    who submitted it. Never the person who made the move."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    plan = transition.plan
    if transition.action == PlanTransition.Action.SUBMIT:
        users = users.filter(
            memberships__workspace_id=plan.workspace_id,
            memberships__role__in=roles_allowed(Action.APPROVE),
        )
    else:
        submitters = PlanTransition.objects.filter(
            plan=plan, action=PlanTransition.Action.SUBMIT
        ).values("actor_id")
        users = users.filter(pk__in=submitters, memberships__workspace_id=plan.workspace_id)
    if transition.actor_id:
        users = users.exclude(pk=transition.actor_id)
    return list(users.distinct().order_by("pk"))


def send_transition_emails(*, transition_id: int) -> int:
    transition = (
        PlanTransition.objects.select_related("plan__workspace", "actor")
        .filter(pk=transition_id)
        .first()
    )
    if transition is None:  # the plan was deleted in the meantime
        return 0
    recipients = transition_recipients(transition)
    if not recipients:
        return 0
    link = settings.SITE_URL + reverse("planner:plan", kwargs={"plan_id": transition.plan_id})
    context = {
        "transition": transition,
        "plan": transition.plan,
        "link": link,
        "settings_link": settings.SITE_URL
        + reverse("planner:notifications", kwargs={"slug": transition.plan.workspace.slug}),
    }
    messages = []
    for user in recipients:
        # in the language and time zone the member reads their notifications in
        membership = compose.membership_of(user, transition.plan.workspace_id)
        if membership is None:  # left the workspace a moment ago
            continue
        with compose.recipient_locale(subscriptions.preview(membership)):
            subject = render_to_string("emails/plan_transition_subject.txt", context).strip()
            text = render_to_string("emails/plan_transition.txt", context)
            html = render_to_string("emails/plan_transition.html", context)
        message = EmailMultiAlternatives(subject, text, to=[user.email])  # type: ignore[attr-defined]
        message.attach_alternative(html, "text/html")
        messages.append(message)

    with get_connection() as connection:
        sent = connection.send_messages(messages) or 0
    logger.info("plan transition %s: %s emails", transition_id, sent)
    return sent
