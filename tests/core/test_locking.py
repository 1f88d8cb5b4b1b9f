import pytest

from core.errors import StaleVersion
from core.locking import delete_versioned, parse_version, update_versioned
from planner.models import Plan


@pytest.mark.parametrize(
    ("raw", "version"), [('"3"', 3), ('W/"12"', 12), ("7", 7), ("abc", None), (None, None)]
)
def test_parse_version_reads_etags(raw, version):
    assert parse_version(raw) == version


def test_update_with_current_version_saves_and_bumps_version(world):
    plan = world.plan
    fresh = update_versioned(
        plan, expected_version=plan.version, changes={"name": "New"}, actor=world.users["editor"]
    )
    assert (fresh.name, fresh.version) == ("New", plan.version + 1)
    record = Plan.history.filter(id=plan.pk).latest("history_date")
    assert record.name == "New" and record.history_user == world.users["editor"]


def test_stale_update_writes_nothing_and_returns_current_row(world):
    plan = world.plan
    update_versioned(plan, expected_version=1, changes={"name": "First"})
    with pytest.raises(StaleVersion) as caught:
        update_versioned(plan, expected_version=1, changes={"name": "Second"})
    assert caught.value.current.name == "First"
    plan.refresh_from_db()
    assert (plan.name, plan.version) == ("First", 2)


def test_stale_delete_keeps_the_row(world):
    update_versioned(world.plan, expected_version=1, changes={"name": "First"})
    with pytest.raises(StaleVersion):
        delete_versioned(world.plan, expected_version=1)
    assert Plan.objects.filter(pk=world.plan.pk).exists()
    delete_versioned(world.plan, expected_version=2)
    assert not Plan.objects.filter(pk=world.plan.pk).exists()
