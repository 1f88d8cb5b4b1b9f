"""An import's progress travels through the cache (Redis in production); it is only a
display, so an import never fails, nor a page, because the cache is down (found by the
chaos tests: imports made while Redis restarted were left "running" for good)."""

from __future__ import annotations

from unittest import mock

import redis

from monitoring import services
from monitoring.models import DailyMetric, ImportStatus, MetricImport

DOWN = redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379.")

ROW = {"date": "2027-03-01", "channel": "douyin", "impressions": 1000, "clicks": 30,
       "visits": 20, "signups": 3, "conversions": 2, "new_users": 1,
       "spend": "500.00", "revenue": "900.00"}  # fmt: skip


def test_an_import_succeeds_while_the_cache_is_down(world):
    with mock.patch.object(services.cache, "set", side_effect=DOWN) as cache_set:
        record = services.import_metrics(
            plan=world.plan, actor=None, source=[ROW], filename="march.csv", size=0
        )
    assert cache_set.called  # it tried
    record.refresh_from_db()
    assert record.status == ImportStatus.SUCCEEDED and record.rows_inserted == 1
    assert DailyMetric.objects.filter(plan=world.plan, source_import=record).count() == 1


def test_a_running_import_shows_its_stored_progress_while_the_cache_is_down(world):
    record = MetricImport.objects.create(
        plan=world.plan, filename="big.csv", size_bytes=10, status=ImportStatus.QUEUED
    )
    with mock.patch.object(services.cache, "get", side_effect=DOWN):
        assert services.live_progress(record) == (ImportStatus.QUEUED, 0)
