"""What the file import commands (``import_metrics``, ``import_journeys``) share.

Not a command (the leading underscore): the plan and file arguments and their lookup,
opening the file, turning a service's refusal or an unreadable file into a
``CommandError``, and printing a refused file's problems (row, column, reason; the
first 50 and "+N more") before exiting non-zero.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import DomainError
from monitoring.importer import RowError
from monitoring.models import JourneyImport, MetricImport
from planner.models import Plan

R = TypeVar("R", bound=MetricImport | JourneyImport)  # the import's record


class ImportCommand(BaseCommand, Generic[R]):
    """Import one file into a plan through a service; report the record it returns."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan", type=int, help="The plan's id.")
        parser.add_argument("file", type=Path, help="The CSV or XLSX file.")

    def import_file(
        self, plan: Plan, handle: BinaryIO, path: Path, options: dict[str, Any]
    ) -> R:  # pragma: no cover - each command says
        """Run the import service on the open file; its record."""
        raise NotImplementedError

    def report(self, plan: Plan, path: Path, record: R) -> None:  # pragma: no cover
        """Say what an accepted file did (or would do, on a dry run)."""
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        plan = Plan.objects.filter(pk=options["plan"]).first()
        if plan is None:
            raise CommandError(_("There is no plan with the id %(id)s.") % {"id": options["plan"]})
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("Cannot read %(path)s: no such file.") % {"path": path})
        try:
            with path.open("rb") as handle:
                record = self.import_file(plan, handle, path, options)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": error.strerror}
            ) from None
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        if record.error_count:
            self.refuse(path, record)
        self.report(plan, path, record)

    def refuse(self, path: Path, record: R) -> None:
        """Print the problems of a refused file and exit non-zero."""
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
