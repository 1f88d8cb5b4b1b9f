"""Alert emails: who gets one, grouping of bursts, the hourly cap and the catch-up, and
what the email says (in the recipient's language and time zone)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from monitoring.models import AlertRule
from monitoring.recompute import recompute_plan
from planner.models import AlertNotice, Delivery, DeliveryKind, DeliveryStatus
from planner.notify import alert_emails
from planner.notify import delivery as deliveries
from tests.kpis.trees import small_tree
from tests.monitoring.seed import days, metric, rule
from tests.planner.execution.helpers import playbook
from tests.planner.notify.helpers import (
    T0,
    alert_deliveries,
    emails_to,
    html_of,
    open_alert,
    subscribe,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _renderers():
    from tests.planner.notify.helpers import register_renderers

    register_renderers()


@pytest.fixture
def team(world, settings):
    """admin and manager: the defaults (warning and critical, every section); editor:
    critical only; viewer: budget alerts only. Everyone reads English in UTC."""
    settings.NOTIFY_ALERT_GROUP_SECONDS = 180
    settings.NOTIFY_ALERT_HOURLY_CAP = 6
    for persona in ("admin", "manager", "editor", "viewer"):
        subscribe(world, persona, language="en", timezone="UTC")
    subscribe(world, "editor", alert_severities=["critical"])
    subscribe(world, "viewer", alert_sections=["budget"])
    return world


def noticed(world) -> set[str]:
    return {n.recipient.username for n in AlertNotice.objects.select_related("recipient")}


def send_all() -> list[str]:
    return [deliveries.send(d.pk) for d in alert_deliveries()]


# --- who -----------------------------------------------------------------------------------


def test_a_warning_reaches_the_members_who_want_warnings_of_its_section(team):
    open_alert(team, severity="warning")
    assert noticed(team) == {"admin-user", "manager-user"}


def test_a_critical_alert_also_reaches_the_critical_only_member(team):
    open_alert(team, severity="critical")
    assert noticed(team) == {"admin-user", "manager-user", "editor-user"}


def test_a_kpi_alert_belongs_to_the_goals_section(team):
    subscribe(team, "admin", alert_sections=["goals"])
    subscribe(team, "manager", alert_sections=["monitoring"])
    open_alert(team, severity="warning", kpi=small_tree(team)["new_users"], channel=None)
    assert noticed(team) == {"admin-user"}


def test_inactive_users_and_users_without_email_get_nothing(team):
    team.users["admin"].is_active = False
    team.users["admin"].save(update_fields=["is_active"])
    team.users["manager"].email = ""
    team.users["manager"].save(update_fields=["email"])
    open_alert(team, severity="critical")
    assert noticed(team) == {"editor-user"}


def test_members_without_a_subscription_row_get_the_defaults(world):
    open_alert(world, severity="warning")
    assert noticed(world) == {"admin-user", "manager-user", "editor-user", "viewer-user"}


def test_another_workspace_never_hears_of_the_alert(team):
    open_alert(team, severity="critical")
    assert "outsider-user" not in noticed(team)


def test_repeated_recomputes_notify_once(team, django_capture_on_commit_callbacks):
    rule(team)
    for day in days(date(2027, 3, 1), 10):
        metric(team, day, "douyin", impressions=1000, clicks=20, spend=500)
    metric(team, date(2027, 3, 11), "douyin", impressions=1000, clicks=20, spend=2000)
    with django_capture_on_commit_callbacks(execute=True):
        recompute_plan(team.plan.pk)
    with django_capture_on_commit_callbacks(execute=True):
        recompute_plan(team.plan.pk)
    assert AlertNotice.objects.count() == 2
    assert noticed(team) == {"admin-user", "manager-user"}
    # one email each (the eager worker sent them when the recompute committed)
    assert sorted(m.to[0] for m in mail.outbox) == [
        team.users["admin"].email,
        team.users["manager"].email,
    ]


def test_the_recompute_fans_out_in_its_own_transaction(team, monkeypatch):
    rule(team)
    for day in days(date(2027, 3, 1), 10):
        metric(team, day, "douyin", impressions=1000, clicks=20, spend=500)
    metric(team, date(2027, 3, 11), "douyin", impressions=1000, clicks=20, spend=2000)

    def boom(*args, **kwargs):
        raise RuntimeError("attribution failed")

    monkeypatch.setattr("monitoring.recompute.recompute_attribution", boom)
    with pytest.raises(RuntimeError):
        recompute_plan(team.plan.pk)
    # the alerts and their notices went with the rolled-back transaction
    assert AlertNotice.objects.count() == 0
    assert Delivery.objects.count() == 0


# --- grouping --------------------------------------------------------------------------------


def test_a_burst_in_one_window_is_one_email_listing_every_alert(team):
    first = open_alert(team, severity="warning", metric="spend", observed=2500.0)
    second = open_alert(
        team,
        now=T0 + timedelta(seconds=90),
        severity="critical",
        metric="ctr",
        expected_low=0.01,
        expected_high=0.03,
        observed=0.002,
    )
    admin = team.users["admin"]
    (delivery,) = alert_deliveries(admin)
    assert delivery.due_at == T0 + timedelta(seconds=180)
    assert set(delivery.notices.values_list("alert_id", flat=True)) == {first.pk, second.pk}
    send_all()
    (email,) = emails_to(admin.email)
    assert email.subject == "[Almanac] 2 new alerts — Annual plan"
    for text in (email.body, html_of(email)):
        assert "Spend" in text and "CTR" in text
        assert f"#alert-{first.pk}" in text and f"#alert-{second.pk}" in text
    # critical first
    assert email.body.index("CTR") < email.body.index("Spend")


def test_an_alert_in_a_later_window_is_a_second_email(team):
    open_alert(team, severity="warning")
    send_all()
    open_alert(team, now=T0 + timedelta(seconds=200), severity="warning", metric="cpa")
    admin = team.users["admin"]
    assert len(alert_deliveries(admin)) == 2
    send_all()
    assert len(emails_to(admin.email)) == 2


def test_a_notice_arriving_while_its_window_is_being_sent_starts_a_new_email(team):
    open_alert(team, severity="warning")
    send_all()  # the window's email went out early (e.g. a retry)
    open_alert(team, now=T0 + timedelta(seconds=30), severity="warning", metric="cpa")
    admin = team.users["admin"]
    first, second = alert_deliveries(admin)
    assert first.status == DeliveryStatus.SENT
    assert second.status == DeliveryStatus.PENDING
    assert second.notices.count() == 1


def test_sending_twice_sends_one_email(team):
    open_alert(team, severity="warning")
    send_all()
    send_all()
    assert len(emails_to(team.users["admin"].email)) == 1


def test_a_member_who_unsubscribed_before_the_window_closed_gets_nothing(team):
    open_alert(team, severity="warning")
    subscribe(team, "admin", alert_severities=[])
    send_all()
    (delivery,) = alert_deliveries(team.users["admin"])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SKIPPED
    assert emails_to(team.users["admin"].email) == []


# --- the hourly cap ------------------------------------------------------------------------------


def _already_sent(world, persona: str, n: int, *, minutes_ago: int = 10) -> None:
    user = world.users[persona]
    for i in range(n):
        Delivery.objects.create(
            workspace=world.workspace,
            kind=DeliveryKind.ALERT_EMAIL,
            recipient=user,
            address=user.email,
            period=f"earlier-{i}",
            dedup_key=f"earlier:{persona}:{i}",
            status=DeliveryStatus.SENT,
            sent_at=timezone.now() - timedelta(minutes=minutes_ago),
        )


def test_over_the_hourly_cap_the_email_is_deferred_and_its_notices_wait(team, settings):
    settings.NOTIFY_ALERT_HOURLY_CAP = 2
    _already_sent(team, "admin", 2)
    alert = open_alert(team, severity="warning")
    send_all()
    admin = team.users["admin"]
    deferred = Delivery.objects.get(
        recipient=admin, kind=DeliveryKind.ALERT_EMAIL, status=DeliveryStatus.DEFERRED
    )
    assert emails_to(admin.email) == []
    # the notice waits for the digest: the agreed query
    waiting = AlertNotice.objects.filter(
        recipient=admin, delivery__status=DeliveryStatus.DEFERRED, carried_by__isnull=True
    )
    assert [(n.alert_id, n.delivery_id) for n in waiting] == [(alert.pk, deferred.pk)]
    # the manager, under the cap, got theirs
    assert len(emails_to(team.users["manager"].email)) == 1


def test_emails_older_than_an_hour_do_not_count_towards_the_cap(team, settings):
    settings.NOTIFY_ALERT_HOURLY_CAP = 2
    _already_sent(team, "admin", 2, minutes_ago=61)
    open_alert(team, severity="warning")
    send_all()
    assert len(emails_to(team.users["admin"].email)) == 1


def test_a_member_without_a_digest_gets_a_catch_up_email_at_the_next_hour(team, settings):
    settings.NOTIFY_ALERT_HOURLY_CAP = 2
    subscribe(team, "admin", digest="none")
    _already_sent(team, "admin", 2)
    first = open_alert(team, severity="warning")
    second = open_alert(team, now=T0 + timedelta(seconds=400), severity="critical", metric="cpa")
    send_all()
    admin = team.users["admin"]
    assert emails_to(admin.email) == []
    # still under the cap within the hour: the flush waits
    assert alert_emails.flush_deferred() == 0
    # an hour later the earlier emails no longer count
    Delivery.objects.filter(dedup_key__startswith="earlier:").update(
        sent_at=timezone.now() - timedelta(hours=2)
    )
    assert alert_emails.flush_deferred() == 1
    catch_up = Delivery.objects.get(dedup_key__startswith=alert_emails.CATCH_UP_PREFIX)
    carried = set(catch_up.carried_notices.values_list("alert_id", flat=True))
    assert carried == {first.pk, second.pk}
    # a second run in the same hour claims nothing more
    assert alert_emails.flush_deferred() == 0
    assert deliveries.send(catch_up.pk) == DeliveryStatus.SENT
    (email,) = emails_to(admin.email)
    assert "held back" in email.subject
    assert f"#alert-{first.pk}" in email.body and f"#alert-{second.pk}" in email.body
    # nothing is waiting any more
    assert not AlertNotice.objects.filter(
        recipient=admin, delivery__status=DeliveryStatus.DEFERRED, carried_by__isnull=True
    ).exists()


def test_a_member_with_a_digest_keeps_deferred_notices_for_the_digest(team, settings):
    settings.NOTIFY_ALERT_HOURLY_CAP = 1
    subscribe(team, "admin", digest="daily")
    _already_sent(team, "admin", 1)
    open_alert(team, severity="warning")
    send_all()
    # an hour later the member is under the cap again, but the digest carries them
    Delivery.objects.filter(dedup_key__startswith="earlier:").update(
        sent_at=timezone.now() - timedelta(hours=2)
    )
    assert alert_emails.flush_deferred() == 0
    assert AlertNotice.objects.filter(
        recipient=team.users["admin"],
        delivery__status=DeliveryStatus.DEFERRED,
        carried_by__isnull=True,
    ).exists()


def test_the_flush_task_runs_the_flush(team, settings):
    from planner.tasks import flush_deferred_alerts

    assert flush_deferred_alerts.delay().get() == 0


# --- what it says ---------------------------------------------------------------------------------


def test_one_alert_email_names_severity_metric_channel_and_plan(team):
    open_alert(
        team,
        severity="critical",
        metric="ctr",
        expected_low=0.01,
        expected_high=None,
        observed=0.002,
    )
    send_all()
    (email,) = emails_to(team.users["admin"].email)
    assert email.subject == "[Almanac] Critical: CTR on Douyin — Annual plan"
    assert "at least 1.0%" in email.body  # the expected range, as a percentage
    assert "0.2%" in email.body  # the observed value, localised


def test_money_is_shown_in_the_plan_currency(team):
    open_alert(team, severity="warning", metric="spend", expected_high=1000.0, observed=2500.0)
    send_all()
    (email,) = emails_to(team.users["admin"].email)
    assert "¥2,500.00" in email.body and "¥1,000.00" in email.body
    assert "¥2,500.00" in html_of(email)


def test_the_email_links_the_alert_and_its_playbook_with_the_first_steps(team, settings):
    settings.SITE_URL = "https://almanac.example.com"
    book = playbook(team)
    watched = rule(team, name="Negative voice")
    AlertRule.objects.filter(pk=watched.pk).update(playbook=book)
    watched.refresh_from_db()
    alert = open_alert(team, severity="warning", rule=watched)
    send_all()
    (email,) = emails_to(team.users["admin"].email)
    html = html_of(email)
    link = f"https://almanac.example.com/plans/{team.plan.pk}/monitoring/alerts/#alert-{alert.pk}"
    playbook_link = (
        f"https://almanac.example.com/plans/{team.plan.pk}/execution/playbooks/{book.pk}/"
    )
    for text in (email.body, html):
        assert link in text
        assert playbook_link in text
        assert "PR crisis" in text
        assert "Social media lead" in text and "Chen Jing" in text


def test_html_has_no_scripts_no_external_images_and_a_text_alternative(team):
    open_alert(team, severity="warning")
    send_all()
    (email,) = emails_to(team.users["admin"].email)
    html = html_of(email)
    assert "<script" not in html.lower()
    assert not re.search(r"<img[^>]+src=[\"']?https?:", html, flags=re.IGNORECASE)
    assert "max-width:640px" in html
    assert email.body.strip() and "<table" not in email.body


def test_every_alert_email_carries_the_one_click_unsubscribe_headers(team):
    open_alert(team, severity="warning")
    send_all()
    (email,) = emails_to(team.users["admin"].email)
    assert re.fullmatch(r"<http\S+/unsubscribe/\S+/>", email.extra_headers["List-Unsubscribe"])
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = email.extra_headers["List-Unsubscribe"][1:-1]
    assert url in html_of(email) and url in email.body  # the visible footer link


def test_a_chinese_reader_gets_the_email_in_chinese(team):
    subscribe(team, "admin", language="zh-hans")
    open_alert(team, severity="warning", metric="spend")
    send_all()
    (email,) = emails_to(team.users["admin"].email)
    with translation.override("zh-hans"):
        from monitoring.models import Severity

        warning = str(Severity.WARNING.label)
    assert warning != "Warning"
    html = html_of(email)
    assert warning in email.subject and warning in html and warning in email.body
    assert re.search(r"[\u4e00-\u9fff]", email.body)
    # and the English reader's email is not
    (english,) = emails_to(team.users["manager"].email)
    assert warning not in english.body and "Warning" in english.subject


def test_times_are_in_the_recipients_time_zone(team):
    subscribe(team, "admin", timezone="Asia/Shanghai")
    open_alert(team, severity="warning")  # opened 02:00 UTC = 10:00 in Shanghai
    send_all()
    (shanghai,) = emails_to(team.users["admin"].email)
    (utc,) = emails_to(team.users["manager"].email)
    assert "03/11/2027 10 a.m." in shanghai.body
    assert "03/11/2027 2 a.m." in utc.body


# --- escalation -------------------------------------------------------------------------------


def spend_spike(world) -> AlertRule:
    """Ten quiet days of Douyin spend and a spike on March 11 above the rule's bound."""
    found = rule(world)
    for day in days(date(2027, 3, 1), 10):
        metric(world, day, "douyin", impressions=1000, clicks=20, spend=500)
    metric(world, date(2027, 3, 11), "douyin", impressions=1000, clicks=20, spend=2000)
    return found


def test_an_alert_that_becomes_critical_reaches_the_critical_only_member(
    team, django_capture_on_commit_callbacks
):
    # given a warning opened by the recompute (the defaults hear of it, not the editor)
    spike = spend_spike(team)
    with django_capture_on_commit_callbacks(execute=True):
        recompute_plan(team.plan.pk)
    assert noticed(team) == {"admin-user", "manager-user"}
    mail.outbox.clear()
    # when the rule is made critical and the plan recomputed, twice
    AlertRule.objects.filter(pk=spike.pk).update(severity="critical")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            recompute_plan(team.plan.pk)
    # then everyone who wants critical alerts hears of the escalation, once
    escalations = AlertNotice.objects.filter(escalated=True).select_related("recipient")
    assert sorted(n.recipient.username for n in escalations) == [
        "admin-user",
        "editor-user",
        "manager-user",
    ]
    assert {n.severity for n in escalations} == {"critical"}
    assert AlertNotice.objects.count() == 5
    (email,) = emails_to(team.users["editor"].email)
    assert email.subject == "[Almanac] Escalated to Critical: Spend on Douyin — Annual plan"
    assert "1 alert opened or escalated:" in email.body
    assert "[Critical · escalated] Spend" in email.body
    assert "escalated" in html_of(email)
    assert len(mail.outbox) == 3


def test_a_lower_severity_is_not_announced(team, django_capture_on_commit_callbacks):
    # given a critical alert opened by the recompute (three members hear of it)
    spike = spend_spike(team)
    AlertRule.objects.filter(pk=spike.pk).update(severity="critical")
    with django_capture_on_commit_callbacks(execute=True):
        recompute_plan(team.plan.pk)
    assert AlertNotice.objects.count() == 3
    # when the rule is made a warning and the plan recomputed
    AlertRule.objects.filter(pk=spike.pk).update(severity="warning")
    with django_capture_on_commit_callbacks(execute=True):
        recompute_plan(team.plan.pk)
    # then the alert is a warning now, and nobody is told again
    from monitoring.models import Alert

    assert Alert.objects.get().severity == "warning"
    assert AlertNotice.objects.count() == 3


def test_the_recompute_does_not_escalate_a_resolved_alert(team, django_capture_on_commit_callbacks):
    spike = spend_spike(team)
    with django_capture_on_commit_callbacks(execute=True):
        recompute_plan(team.plan.pk)
    from monitoring.models import Alert

    Alert.objects.update(status="resolved")
    AlertRule.objects.filter(pk=spike.pk).update(severity="critical")
    with django_capture_on_commit_callbacks(execute=True):
        recompute_plan(team.plan.pk)
    assert Alert.objects.get().severity == "warning"
    assert not AlertNotice.objects.filter(escalated=True).exists()


def test_opened_and_escalated_in_one_window_is_one_item(team):
    # given a warning and its escalation to critical inside one group window
    alert = open_alert(team, severity="warning")
    alert.severity = "critical"
    alert.save(update_fields=["severity"])
    from planner.notify.fanout import alerts_escalated

    alerts_escalated([alert], now=T0 + timedelta(seconds=30))
    # when the window's emails go out
    send_all()
    # then the admin's email lists the alert once, as opened, at its severity now
    (email,) = emails_to(team.users["admin"].email)
    assert email.subject == "[Almanac] Critical: Spend on Douyin — Annual plan"
    assert email.body.count("[Critical] Spend · Douyin") == 1
    assert "1 alert opened:" in email.body and "escalated" not in email.body
    # and the editor, who wants only critical alerts, gets it as an escalation
    (editor,) = emails_to(team.users["editor"].email)
    assert editor.subject.startswith("[Almanac] Escalated to Critical:")
