"""Send the scheduled digests that are due now (for cron users who don't run beat).

The same scan and the same claims as the beat job ``planner.schedule_digests``: a
digest is one delivery row per (recipient, plan, period), so running this command
twice, or alongside the beat, never sends a digest twice. Claims are sent in this
process (not through the broker).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from planner.models import Plan, Workspace
from planner.notify import digests


def parse_now(text: str) -> datetime:
    """An ISO 8601 instant; without an offset it is read in the site's time zone."""
    try:
        value = parse_datetime(text.strip())
    except ValueError:
        value = None
    if value is None:
        raise CommandError(
            f"--now must be an ISO 8601 date and time, like 2027-03-08T09:00+08:00; got {text!r}"
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


class Command(BaseCommand):
    help = (
        "Send the digests that are due now in each recipient's time zone; a digest "
        "already sent (by this command or by the beat) is never sent again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", metavar="SLUG", help="Only this workspace.")
        parser.add_argument("--plan", metavar="ID", help="Only this plan (by id).")
        parser.add_argument(
            "--now",
            metavar="ISO",
            help="Act as if it were this instant (e.g. 2027-03-08T09:00+08:00).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count the digests that are due."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_now(options["now"]) if options["now"] else timezone.now()
        workspace = None
        if options["workspace"] is not None:
            slug = options["workspace"].strip()
            workspace = Workspace.objects.filter(slug=slug).first()
            if workspace is None:
                raise CommandError(f"No workspace with the short name {slug!r}.")
        plan = None
        if options["plan"] is not None:
            raw = str(options["plan"]).strip()
            if not raw.isdigit():
                raise CommandError(f"--plan must be a plan id (a whole number); got {raw!r}.")
            plan = Plan.objects.filter(pk=int(raw)).first()
            if plan is None:
                raise CommandError(f"No plan with id {raw}.")
            if workspace is not None and plan.workspace_id != workspace.pk:
                raise CommandError(f"Plan {raw} is not in the workspace {workspace.slug!r}.")
        summary = digests.send_due_now(
            now, workspace=workspace, plan=plan, dry_run=options["dry_run"]
        )
        if options["dry_run"]:
            self.stdout.write(f"{summary.due} digest(s) due; dry run: nothing claimed or sent.")
            return
        self.stdout.write(
            f"{summary.due} due, {summary.claimed} claimed, {summary.sent} sent, "
            f"{summary.skipped} skipped, {summary.failed} failed."
        )
        if summary.failed:
            raise CommandError(
                f"{summary.failed} digest(s) failed; the delivery log has the errors and "
                "they are retried by the outbox sweep."
            )
