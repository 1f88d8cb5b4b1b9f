"""``manage.py import_metrics PLAN FILE [--dry-run]``: load a daily metrics file.

The file is a CSV or XLSX in the format of SPEC.md ("Interfaces"); see
:mod:`monitoring.importer` for every rule. The whole file is checked first: on any
problem nothing is written, each problem is printed (row, column, reason; the first
50 and "+N more") and the command exits non-zero. After a successful import a
recompute of the plan is requested. The import is recorded in the plan's import
history (without a person: it is the operator's). A dry run only reports what would change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import DomainError
from monitoring.importer import ImportOutcome, RowError
from monitoring.services import import_metrics
from planner.models import Plan


class Command(BaseCommand):
    help = (
        "Import daily metrics (CSV or XLSX) into a plan; the whole file is checked first "
        "and nothing is written if any row is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan", type=int, help="The plan's id.")
        parser.add_argument("file", type=Path, help="The CSV or XLSX file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would be added and replaced; write nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        plan = Plan.objects.filter(pk=options["plan"]).first()
        if plan is None:
            raise CommandError(_("There is no plan with the id %(id)s.") % {"id": options["plan"]})
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("Cannot read %(path)s: no such file.") % {"path": path})
        try:
            with path.open("rb") as handle:
                # Through the service, so the import shows in the plan's import history.
                record = import_metrics(
                    plan=plan,
                    actor=None,
                    source=handle,
                    filename=path.name,
                    size=path.stat().st_size,
                    dry_run=options["dry_run"],
                    inline=True,
                )
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": error.strerror}
            ) from None
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        outcome = ImportOutcome(
            rows_total=record.rows_total,
            inserted=record.rows_inserted,
            replaced=record.rows_replaced,
            errors=[RowError(**problem) for problem in record.errors],
            error_count=record.error_count,
            first_date=record.first_date,
            last_date=record.last_date,
            dry_run=record.dry_run,
        )

        if not outcome.ok:
            for problem in outcome.errors:
                self.stderr.write(problem.line())
            if outcome.more_errors:
                self.stderr.write(outcome.more_errors_text())
            raise CommandError(
                ngettext(
                    "%(file)s was refused (%(count)s problem); nothing was imported.",
                    "%(file)s was refused (%(count)s problems); nothing was imported.",
                    outcome.error_count,
                )
                % {"file": path.name, "count": f"{outcome.error_count:,}"}
            )
        period = ""
        if outcome.first_date and outcome.last_date:
            period = _(" from %(first)s to %(last)s") % {
                "first": outcome.first_date.isoformat(),
                "last": outcome.last_date.isoformat(),
            }
        numbers = {
            "file": path.name,
            "rows": f"{outcome.rows_total:,}",
            "inserted": f"{outcome.inserted:,}",
            "replaced": f"{outcome.replaced:,}",
            "period": period,
            "plan": plan,
        }
        if outcome.dry_run:
            self.stdout.write(
                _(
                    "Checked %(file)s (dry run, nothing written): %(rows)s rows%(period)s; "
                    "%(inserted)s would be added and %(replaced)s would replace stored rows "
                    "of %(plan)s."
                )
                % numbers
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Imported %(file)s into %(plan)s: %(rows)s rows%(period)s; %(inserted)s "
                    "added, %(replaced)s replaced. A recompute has been requested."
                )
                % numbers
            )
        )
