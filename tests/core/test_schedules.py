import pytest
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from config.celery import app
from config.schedules import BEAT_SCHEDULE


def test_every_frequent_job_expires_before_its_next_run():
    for name, entry in BEAT_SCHEDULE.items():
        if isinstance(entry["schedule"], float):
            assert entry["options"]["expire_seconds"] < entry["schedule"], name


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()
    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


@pytest.mark.django_db(transaction=True)  # beat closes stale connections as it starts
def test_beat_loads_the_schedule_into_the_database_with_expiry():
    DatabaseScheduler(app=app, lazy=True).setup_schedule()
    sweep = PeriodicTask.objects.get(name="outbox-sweep")
    assert (sweep.task, sweep.expire_seconds, sweep.enabled) == ("core.outbox_sweep", 50, True)
    assert PeriodicTask.objects.get(name="outbox-purge").crontab is not None
