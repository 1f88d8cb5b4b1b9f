"""Plan versions: frozen snapshots of a plan's planning content.

The models belong to the ``planner`` app (``planner/models.py`` imports them). A version
is never edited: there is no update path, only ``planner.versions.services.version_create``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VersionKind(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("plan version kind", "Submitted")
    BASELINE = "baseline", pgettext_lazy("plan version kind", "Baseline")
    SNAPSHOT = "snapshot", pgettext_lazy("plan version kind", "Snapshot")


class PlanVersion(models.Model):
    """The plan's planning content at one moment (``planner.plan_data`` JSON).

    ``submitted`` on submit, ``baseline`` on approval (the latest baseline is the one
    later edits are compared with), ``snapshot`` when an editor saves a version.
    """

    workspace_path = "plan__workspace"

    plan = models.ForeignKey(
        "planner.Plan", on_delete=models.CASCADE, related_name="versions", verbose_name=_("plan")
    )
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=16, choices=VersionKind.choices)
    data = models.JSONField(_("content"), default=dict, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="plan_version_number_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=VersionKind.values), name="plan_version_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number} ({self.kind})"
