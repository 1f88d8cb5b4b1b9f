"""Every periodic job, declared in one place.

Frequent jobs carry an expiry so a backlog after an outage does not run them
again and again; django-celery-beat's DatabaseScheduler loads this table into
the admin-editable schedule on start.
"""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from config.env import env_int

# How often the digest scan runs (the services tests shorten it to a few seconds).
DIGEST_SCAN_SECONDS = env_int("DIGEST_SCAN_SECONDS", 15 * 60, minimum=2)

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Publish outbox messages whose publication was lost (broker down, crash
    # between commit and publish) and messages a dead worker never finished.
    "outbox-sweep": {
        "task": "core.outbox_sweep",
        "schedule": 60.0,
        "options": {"expire_seconds": 50},
    },
    # Keep the outbox small: done messages older than 30 days go.
    "outbox-purge": {
        "task": "core.outbox_purge",
        "schedule": crontab(minute=17, hour=3),
        "options": {"expire_seconds": 3600},
    },
    # The dates move on every day (behind-plan months, seasonal baselines): recompute
    # every live plan with metrics each night, after the day's uploads.
    "monitoring-nightly-recompute": {
        "task": "monitoring.nightly_recompute",
        "schedule": crontab(minute=30, hour=2),
        "options": {"expire_seconds": 3 * 3600},
    },
    # The rolling quarterly review: on the first day of a quarter, propose the
    # reallocation of the quarter that just ended (Q1–Q3; nothing follows Q4).
    "budget-quarterly-review": {
        "task": "budget.propose_reviews",
        "schedule": crontab(minute=45, hour=3, day_of_month=1, month_of_year="4,7,10"),
        "options": {"expire_seconds": 12 * 3600},
    },
    # Scheduled digests: every 15 minutes, claim the digests whose local hour has come
    # in each recipient's time zone (claim-first: one email per recipient and period).
    "notify-digests": {
        "task": "planner.schedule_digests",
        "schedule": float(DIGEST_SCAN_SECONDS),
        "options": {"expire_seconds": max(1, DIGEST_SCAN_SECONDS - 60, DIGEST_SCAN_SECONDS // 2)},
    },
    # Alert notices held back by the hourly cap, for members without a digest: a
    # catch-up alert email at the next hour (never dropped silently).
    "notify-flush-deferred-alerts": {
        "task": "planner.flush_deferred_alerts",
        "schedule": crontab(minute=1),
        "options": {"expire_seconds": 3000},
    },
}
