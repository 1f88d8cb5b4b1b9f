"""Scheduled digests: who is due in their own time zone, claim-first (one digest per
recipient, plan and period whoever runs the scan), the email's content in both
languages with its PDF, alerts held back by the hourly cap carried once, the
``send_digests`` command and the PDF download."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from pypdf import PdfReader

from core import outbox
from core.models import OutboxMessage
from planner.models import (
    AlertNotice,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Membership,
    PlanStatus,
    Subscription,
)
from planner.notify import delivery as deliveries
from planner.notify import digests
from tests.factories import PlanFactory
from tests.monitoring import seed
from tests.planner.execution.test_dashboard import _plan as dashboard_plan

# Monday 8 March 2027, 01:30 UTC: 09:30 on Monday in Shanghai, 20:30 on Sunday in New York.
MONDAY_SHANGHAI = datetime(2027, 3, 8, 1, 30, tzinfo=UTC)
# Monday 10 May 2027, 01:30 UTC (Q2 2027, the quarter the dashboard fixture fills).
MAY_MONDAY = datetime(2027, 5, 10, 1, 30, tzinfo=UTC)


def subscribe(world, persona, *, digest="weekly", hour=8, tz="Asia/Shanghai", language="en"):
    membership = Membership.objects.get(user=world.users[persona])
    return Subscription.objects.update_or_create(
        membership=membership,
        defaults={"digest": digest, "digest_hour": hour, "timezone": tz, "language": language},
    )[0]


def digest_mails():
    return [m for m in mail.outbox if m.attachments]


def html_of(message) -> str:
    return next(body for body, kind in message.alternatives if kind == "text/html")


@pytest.fixture
def subscribed(world):
    """manager weekly in Shanghai, viewer daily in New York, editor none, admin no row;
    the outsider daily in Shanghai (another workspace)."""
    subscribe(world, "manager", digest="weekly", tz="Asia/Shanghai")
    subscribe(world, "viewer", digest="daily", tz="America/New_York")
    subscribe(world, "editor", digest="none")
    subscribe(world, "outsider", digest="daily", tz="Asia/Shanghai")
    return world


def test_due_follows_each_recipients_time_zone(subscribed):
    world = subscribed
    PlanFactory(workspace=world.workspace, name="Old plan", status=PlanStatus.ARCHIVED)
    PlanFactory(workspace=world.workspace, name="What if", scenario_of=world.plan)
    found = {(d.user.username, d.plan.pk, d.period) for d in digests.due(MONDAY_SHANGHAI)}
    assert found == {
        ("manager-user", world.plan.pk, "2027-W10"),  # Monday 09:30 in Shanghai
        ("viewer-user", world.plan.pk, "2027-03-07"),  # Sunday 20:30 in New York
        ("outsider-user", world.other_plan.pk, "2027-03-08"),
    }
    # before 8:00 local nobody is due: 23:30 UTC Sunday is 07:30 Monday in Shanghai
    early = datetime(2027, 3, 7, 23, 30, tzinfo=UTC)
    assert {d.user.username for d in digests.due(early)} == {"viewer-user"}


def test_the_scan_takes_a_fixed_number_of_queries(subscribed, django_assert_max_num_queries):
    for n in range(6):
        PlanFactory(workspace=subscribed.workspace, name=f"Extra {n}")
    with django_assert_max_num_queries(3):
        items = digests.due(MONDAY_SHANGHAI)
    assert len(items) == 2 * 7 + 1


def test_claim_first_two_scans_one_digest_each(subscribed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert digests.schedule_digests(MONDAY_SHANGHAI) == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert digests.schedule_digests(MONDAY_SHANGHAI) == 0  # a second beat: nothing
    rows = Delivery.objects.filter(kind=DeliveryKind.DIGEST_EMAIL)
    assert sorted(rows.values_list("dedup_key", flat=True)) == sorted(
        [
            f"digest:{subscribed.users['manager'].pk}:{subscribed.plan.pk}:2027-W10",
            f"digest:{subscribed.users['viewer'].pk}:{subscribed.plan.pk}:2027-03-07",
            f"digest:{subscribed.users['outsider'].pk}:{subscribed.other_plan.pk}:2027-03-08",
        ]
    )
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert sorted(m.to[0] for m in digest_mails()) == sorted(
        subscribed.users[p].email for p in ("manager", "viewer", "outsider")
    )
    # send_digests after the beat: nothing new
    out = StringIO()
    call_command("send_digests", now=MONDAY_SHANGHAI.isoformat(), stdout=out)
    assert "0 due, 0 claimed, 0 sent" in out.getvalue()
    assert len(digest_mails()) == 3


def test_send_digests_sends_in_process_once(subscribed):
    out = StringIO()
    call_command("send_digests", now="2027-03-08T09:30+08:00", workspace="lumi", stdout=out)
    assert "2 due, 2 claimed, 2 sent, 0 skipped, 0 failed" in out.getvalue()
    assert sorted(m.to[0] for m in digest_mails()) == sorted(
        subscribed.users[p].email for p in ("manager", "viewer")
    )
    out = StringIO()
    call_command("send_digests", now="2027-03-08T09:30+08:00", stdout=out)
    assert "1 due, 1 claimed, 1 sent" in out.getvalue()  # only the other workspace's
    out = StringIO()
    call_command("send_digests", now="2027-03-08T09:30+08:00", stdout=out)
    assert "0 due, 0 claimed, 0 sent" in out.getvalue()
    assert len(digest_mails()) == 3
    # the beat after the command: nothing new either
    assert digests.schedule_digests(MONDAY_SHANGHAI) == 0


def test_send_digests_dry_run_claims_nothing(subscribed):
    out = StringIO()
    call_command("send_digests", now="2027-03-08T09:30+08:00", dry_run=True, stdout=out)
    assert "3 digest(s) due; dry run" in out.getvalue()
    assert not Delivery.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"workspace": "nope"}, "No workspace with the short name 'nope'"),
        ({"plan": "999999"}, "No plan with id 999999"),
        ({"plan": "abc"}, "--plan must be a plan id"),
        ({"now": "next monday"}, "--now must be an ISO 8601"),
    ],
)
def test_send_digests_refuses_bad_input(subscribed, options, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("send_digests", **options)
    assert not Delivery.objects.exists()


def test_send_digests_refuses_a_plan_of_another_workspace(subscribed):
    with pytest.raises(CommandError, match="is not in the workspace 'lumi'"):
        call_command("send_digests", workspace="lumi", plan=str(subscribed.other_plan.pk))


def test_a_digest_for_someone_who_unsubscribed_since_the_claim_is_skipped(subscribed):
    item = next(d for d in digests.due(MONDAY_SHANGHAI) if d.user.username == "manager-user")
    row = digests.claim(item, enqueue=False)
    subscribe(subscribed, "manager", digest="none")
    assert deliveries.send(row.pk) == DeliveryStatus.SKIPPED
    assert not mail.outbox


# --- content ---------------------------------------------------------------------------


def _send_may_digest(world, persona="manager", language="en"):
    subscribe(world, persona, language=language)
    summary = digests.send_due_now(MAY_MONDAY, plan=world.plan)
    assert summary.sent == 1
    (message,) = [m for m in digest_mails() if m.to == [world.users[persona].email]]
    return message


def _no_scripts_or_external_images(html: str) -> None:
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()  # charts are table cells, not images
    assert "url(" not in html  # no background images either
    # everything inline: a client that strips <style> blocks loses nothing
    assert "<style" not in html.lower()
    assert "<link" not in html.lower()


def test_the_email_is_the_dashboard_in_english(world):
    tree, ms = dashboard_plan(world)
    message = _send_may_digest(world)
    html = html_of(message)
    _no_scripts_or_external_images(html)
    assert message.subject == "Weekly digest: Annual plan, Q2 2027"
    # KPI attainment bars: CAC and new users at 80 % in red, budget at 100 % in green
    assert tree["cac"].name in html and tree["new_users"].name in html
    assert re.search(r'<td width="80%" bgcolor="#b91c1c"', html)
    assert re.search(r'<td width="100%" bgcolor="#047857"', html)
    # the plan's numbers, localised: Q2 planned 300,000 with 10,000 spent
    assert "¥300,000" in html and "¥10,000" in html
    # milestones, alerts, risks
    assert ms.title in html
    assert "Douyin CPA doubled" in html
    assert "Platform rule change" in html and ">12<" in html
    # the footer links back to the dashboard of that quarter
    assert f"/plans/{world.plan.pk}/execution/dashboard/?quarter=2027Q2" in html
    # the plain-text alternative carries the same content
    assert tree["cac"].name in message.body and "Douyin CPA doubled" in message.body
    assert "<" not in message.body.replace("<-", "")
    # the PDF
    ((filename, pdf, mimetype),) = message.attachments
    assert (filename, mimetype) == ("almanac-digest-2027-Q2.pdf", "application/pdf")
    assert pdf.startswith(b"%PDF")
    # one-click unsubscribe from digests, in the headers and in the footer
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and "/unsubscribe/" in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in html
    assert f"/w/{world.workspace.slug}/notifications/" in html


def test_the_email_in_chinese(world):
    tree, _ms = dashboard_plan(world)
    message = _send_may_digest(world, language="zh-hans")
    html = html_of(message)
    _no_scripts_or_external_images(html)
    assert 'lang="zh-hans"' in html
    assert "主要风险" in html and "未解决的预警" in html  # Top risks, Open alerts
    assert "¥300,000" in html
    assert tree["cac"].name in html
    ((_filename, pdf, _mimetype),) = message.attachments
    assert pdf.startswith(b"%PDF")

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "主要风险" in text  # CJK glyphs are really in the PDF


def test_alerts_held_back_by_the_hourly_cap_are_carried_once(world):
    manager = world.users["manager"]
    subscribe(world, "manager", digest="daily")
    held = seed.alert(world, severity="critical", message="Spend tripled overnight")
    other = seed.alert(world, severity="warning", message="Reach dropped on WeChat")
    capped = Delivery.objects.create(
        workspace=world.workspace,
        plan=world.plan,
        kind=DeliveryKind.ALERT_EMAIL,
        recipient=manager,
        address=manager.email,
        period="2027-03-07T23:00",
        dedup_key="alert_email:capped",
        status=DeliveryStatus.DEFERRED,
    )
    sent = Delivery.objects.create(
        workspace=world.workspace,
        plan=world.plan,
        kind=DeliveryKind.ALERT_EMAIL,
        recipient=manager,
        address=manager.email,
        period="2027-03-07T22:00",
        dedup_key="alert_email:sent",
        status=DeliveryStatus.SENT,
        sent_at=MONDAY_SHANGHAI,
    )
    held_notice = AlertNotice.objects.create(alert=held, recipient=manager, delivery=capped)
    AlertNotice.objects.create(alert=other, recipient=manager, delivery=sent)

    digests.send_due_now(MONDAY_SHANGHAI, plan=world.plan)
    (first,) = digest_mails()
    html = html_of(first)
    assert "Alerts held back by the hourly email limit" in html
    held_section = html.split("Alerts held back by the hourly email limit")[1]
    held_section = held_section.split("Top risks")[0]
    assert "Spend tripled overnight" in held_section
    assert "Reach dropped on WeChat" not in held_section  # its email went out
    held_notice.refresh_from_db()
    assert held_notice.carried_by == Delivery.objects.get(kind=DeliveryKind.DIGEST_EMAIL)

    # the next day's digest does not repeat it
    digests.send_due_now(datetime(2027, 3, 9, 1, 30, tzinfo=UTC), plan=world.plan)
    second = digest_mails()[1]
    assert "Alerts held back by the hourly email limit" not in html_of(second)


# --- the PDF download ------------------------------------------------------------------


def test_members_download_the_pdf_of_a_quarter(world, client_for):
    dashboard_plan(world)
    url = f"/plans/{world.plan.pk}/dashboard/digest.pdf?quarter=2027Q2"
    response = client_for("viewer").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="almanac-digest-2027-Q2.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    bad = client_for("viewer").get(f"/plans/{world.plan.pk}/dashboard/digest.pdf?quarter=2026Q1")
    assert bad.status_code == 400
    assert "2027" in bad.content.decode()
    assert client_for("outsider").get(url).status_code == 404


def test_the_dashboard_links_to_its_pdf(world, client_for):
    page = client_for("viewer").get(f"/plans/{world.plan.pk}/execution/dashboard/?quarter=2027Q3")
    assert f"/plans/{world.plan.pk}/dashboard/digest.pdf?quarter=2027Q3" in page.content.decode()


def test_a_failed_send_is_recorded_and_the_outbox_sweep_sends_it_later(subscribed, monkeypatch):
    def broken(html, base_url):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(digests, "html_to_pdf", broken)
    with pytest.raises(CommandError, match=re.escape("2 digest(s) failed")):
        call_command("send_digests", now="2027-03-08T09:30+08:00", plan=str(subscribed.plan.pk))
    rows = Delivery.objects.filter(kind=DeliveryKind.DIGEST_EMAIL).order_by("pk")
    assert [r.status for r in rows] == [DeliveryStatus.PENDING] * 2
    messages = OutboxMessage.objects.filter(task_name=deliveries.SEND_TASK)
    assert [(m.done_at, m.last_error) for m in messages] == [
        (None, "RuntimeError: renderer down")
    ] * 2
    assert not mail.outbox
    # a second run does not claim them again: they are the sweep's now
    out = StringIO()
    call_command(
        "send_digests", now="2027-03-08T09:30+08:00", plan=str(subscribed.plan.pk), stdout=out
    )
    assert "0 due" in out.getvalue()

    monkeypatch.undo()
    assert outbox.sweep(now=timezone.now() + timedelta(minutes=10)) == 2
    assert {r.status for r in rows.all()} == {DeliveryStatus.SENT}
    assert len(digest_mails()) == 2
