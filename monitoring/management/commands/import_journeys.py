"""``manage.py import_journeys PLAN FILE [--dry-run] [--mode replace|append]``.

The file holds touchpoint rows or path rows (SPEC.md, "Interfaces"; every rule is in
:mod:`monitoring.journeys`). The whole file is checked first: on any problem nothing
is written, each problem is printed (row, column, reason; the first 50 and "+N
more") and the command exits non-zero. A successful import replaces the plan's
journeys (``--mode append`` adds to them), is recorded in the plan's journeys import
history (without a person) and requests a recompute.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from monitoring.attribution import import_journeys
from monitoring.management.commands._imports import ImportCommand
from monitoring.models import JourneyImport, JourneyImportMode
from planner.models import Plan


class Command(ImportCommand[JourneyImport]):
    help = (
        "Import customer journeys (touchpoint or path rows, CSV or XLSX) into a plan for "
        "attribution; nothing is written if any row is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file only; write nothing."
        )
        parser.add_argument(
            "--mode",
            choices=JourneyImportMode.values,
            default=JourneyImportMode.REPLACE,
            help="replace (default): the file becomes the plan's journeys; append: add to them.",
        )

    def import_file(
        self, plan: Plan, handle: BinaryIO, path: Path, options: dict[str, Any]
    ) -> JourneyImport:
        return import_journeys(
            plan=plan,
            actor=None,
            source=handle,
            filename=path.name,
            size=path.stat().st_size,
            dry_run=options["dry_run"],
            mode=options["mode"],
        )

    def report(self, plan: Plan, path: Path, record: JourneyImport) -> None:
        numbers = {
            "file": path.name,
            "plan": plan,
            "rows": f"{record.rows_total:,}",
            "journeys": f"{record.journeys:,}",
            "conversions": f"{record.conversions:,}",
            "paths": f"{record.paths:,}",
        }
        if record.dry_run:
            self.stdout.write(
                _(
                    "Checked %(file)s (dry run, nothing written): %(rows)s rows, %(journeys)s "
                    "journeys, %(conversions)s conversions, %(paths)s distinct paths."
                )
                % numbers
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Imported %(file)s into %(plan)s: %(rows)s rows, %(journeys)s journeys, "
                    "%(conversions)s conversions, %(paths)s distinct paths. A recompute has "
                    "been requested."
                )
                % numbers
            )
        )
