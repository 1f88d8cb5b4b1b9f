import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(offsets=st.lists(st.sampled_from([0, 0, -1, -3, 1]), min_size=1, max_size=12))
def test_only_writers_holding_the_current_version_win(world, offsets):
    # given writers that each hold some version of the row, current or not
    plan = Plan.objects.get(pk=world.plan.pk)
    start, name = plan.version, plan.name
    wins = 0
    for i, offset in enumerate(offsets):
        current = Plan.objects.get(pk=plan.pk).version
        # when each tries to save what it holds
        try:
            update_versioned(plan, expected_version=current + offset, changes={"name": f"w{i}"})
        except StaleVersion:
            # then a stale writer changes nothing
            assert offset != 0
        else:
            assert offset == 0
            wins, name = wins + 1, f"w{i}"
    final = Plan.objects.get(pk=plan.pk)
    # and the version counts exactly the winning writes, the name is the last winner's
    assert (final.version, final.name) == (start + wins, name)


def test_a_long_change_reason_is_shortened_for_the_history_column():
    from core.locking import HISTORY_REASON_MAX, history_reason

    assert history_reason("short") == "short"
    long = "x" * 150
    shortened = history_reason(long)
    assert len(shortened) == HISTORY_REASON_MAX and shortened.endswith("…")
