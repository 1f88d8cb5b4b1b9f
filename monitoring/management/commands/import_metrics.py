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
from typing import Any, BinaryIO

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from monitoring.management.commands._imports import ImportCommand
from monitoring.models import MetricImport
from monitoring.services import import_metrics
from planner.models import Plan


class Command(ImportCommand[MetricImport]):
    help = (
        "Import daily metrics (CSV or XLSX) into a plan; the whole file is checked first "
        "and nothing is written if any row is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would be added and replaced; write nothing.",
        )

    def import_file(
        self, plan: Plan, handle: BinaryIO, path: Path, options: dict[str, Any]
    ) -> MetricImport:
        # Through the service, so the import shows in the plan's import history.
        return import_metrics(
            plan=plan,
            actor=None,
            source=handle,
            filename=path.name,
            size=path.stat().st_size,
            dry_run=options["dry_run"],
            inline=True,
        )

    def report(self, plan: Plan, path: Path, record: MetricImport) -> None:
        period = ""
        if record.first_date and record.last_date:
            period = _(" from %(first)s to %(last)s") % {
                "first": record.first_date.isoformat(),
                "last": record.last_date.isoformat(),
            }
        numbers = {
            "file": path.name,
            "rows": f"{record.rows_total:,}",
            "inserted": f"{record.rows_inserted:,}",
            "replaced": f"{record.rows_replaced:,}",
            "period": period,
            "plan": plan,
        }
        if record.dry_run:
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
