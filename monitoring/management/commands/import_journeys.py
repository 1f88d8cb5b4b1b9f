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
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import DomainError
from monitoring.attribution import import_journeys
from monitoring.importer import RowError
from monitoring.models import JourneyImportMode
from planner.models import Plan


class Command(BaseCommand):
    help = (
        "Import customer journeys (touchpoint or path rows, CSV or XLSX) into a plan for "
        "attribution; nothing is written if any row is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan", type=int, help="The plan's id.")
        parser.add_argument("file", type=Path, help="The CSV or XLSX file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file only; write nothing."
        )
        parser.add_argument(
            "--mode",
            choices=JourneyImportMode.values,
            default=JourneyImportMode.REPLACE,
            help="replace (default): the file becomes the plan's journeys; append: add to them.",
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
                record = import_journeys(
                    plan=plan,
                    actor=None,
                    source=handle,
                    filename=path.name,
                    size=path.stat().st_size,
                    dry_run=options["dry_run"],
                    mode=options["mode"],
                )
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": error.strerror}
            ) from None
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        if record.error_count:
            for problem in record.errors:
                self.stderr.write(RowError(**problem).line())
            more = record.error_count - len(record.errors)
            if more > 0:
                self.stderr.write(
                    ngettext("+%(count)s more problem", "+%(count)s more problems", more)
                    % {"count": f"{more:,}"}
                )
            raise CommandError(
                ngettext(
                    "%(file)s was refused (%(count)s problem); nothing was imported.",
                    "%(file)s was refused (%(count)s problems); nothing was imported.",
                    record.error_count,
                )
                % {"file": path.name, "count": f"{record.error_count:,}"}
            )
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
