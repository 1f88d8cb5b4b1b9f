"""Shared base models and the transactional outbox."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Adds creation and modification times."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """An editable row with a version for optimistic locking.

    Never save an edited instance directly: go through
    ``core.locking.update_versioned`` so that a stale write is refused.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class OutboxMessage(models.Model):
    """Work requested inside a transaction, published to Celery after commit.

    Written in the same transaction as the change that causes it, so it is
    neither lost (the sweep publishes it again) nor run before commit. While a
    message with a dedup key is not yet published, a second request with that key
    joins it; once published, a new request makes a new message (the running task
    may have read the data before the new change).
    """

    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    dedup_key = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Not to run before this time (None: as soon as published).
    not_before = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key"],
                condition=models.Q(published_at__isnull=True, done_at__isnull=True)
                & ~models.Q(dedup_key=""),
                name="outbox_one_unpublished_per_dedup_key",
            )
        ]
        indexes = [models.Index(fields=["done_at", "published_at"], name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"
