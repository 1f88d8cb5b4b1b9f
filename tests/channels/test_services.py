"""Channel catalogue, the quarterly matrix, creators and their metrics."""

from datetime import date
from decimal import Decimal

import pytest

from channels import queries, services
from channels.catalogue import CATALOGUE
from channels.models import Channel, ChannelPlan
from core.errors import InvalidInput, Locked, NotAllowed, StaleVersion
from planner.services import plan_transition
from tests.channels.helpers import cell, channel, cooperation, creator


def test_new_plan_gets_the_whole_catalogue_with_platforms_and_formats(world):
    codes = set(world.plan.channels.values_list("code", flat=True))
    assert codes == {entry.code for entry in CATALOGUE}
    douyin = channel(world)
    assert (douyin.platform, douyin.formats) == ("Douyin", ["short_video", "live_stream"])


def test_channel_names_in_both_languages(world):
    from django.utils import translation

    custom = services.channel_create(
        plan=world.plan,
        actor=world.users["editor"],
        code="kuaishou",
        name="Kuaishou",
        name_zh="快手",
        family="online",
        group="social",
        platform="Kuaishou",
        formats=["short_video"],
    )
    with translation.override("zh-hans"):
        assert custom.display_name == "快手"
    with translation.override("en"):
        assert custom.display_name == "Kuaishou"


@pytest.mark.parametrize(
    ("field", "value"),
    [("code", "Bad Code"), ("code", "douyin"), ("family", "space"), ("formats", ["telepathy"])],
)
def test_channel_validation_names_the_field(world, field, value):
    data = {
        "code": "kuaishou",
        "name": "Kuaishou",
        "family": "online",
        "group": "social",
        field: value,
    }
    with pytest.raises(InvalidInput) as caught:
        services.channel_create(plan=world.plan, actor=world.users["editor"], **data)
    assert field in caught.value.fields


def test_matrix_totals_per_quarter_family_and_year(world):
    for code, quarter, budget in (
        ("douyin", 1, 100),
        ("douyin", 2, 50),
        ("tmall", 1, 30),
        ("popup", 4, 20),
    ):
        services.channel_plan_save(
            channel=channel(world, code),
            quarter=quarter,
            changes={"budget": Decimal(budget)},
            expected_version=None,
            actor=world.users["editor"],
        )
    m = queries.matrix(world.plan)
    assert m.totals == [130, 50, 0, 20] and m.total == 200
    online, offline, crossover = m.families
    assert online.totals == [130, 50, 0, 0] and offline.total == 20 and crossover.total == 0
    douyin = next(r for r in online.rows if r.channel.code == "douyin")
    assert douyin.total == 150 and douyin.cells[2] is None


def test_cell_edits_are_version_checked(world):
    first = cell(world)
    services.channel_plan_save(
        channel=first.channel,
        quarter=1,
        changes={"budget": Decimal(5)},
        expected_version=first.version,
        actor=world.users["editor"],
    )
    with pytest.raises(StaleVersion):
        services.channel_plan_save(
            channel=first.channel,
            quarter=1,
            changes={"budget": Decimal(7)},
            expected_version=first.version,
            actor=world.users["manager"],
        )
    assert ChannelPlan.objects.get(pk=first.pk).budget == 5


def test_creating_a_cell_someone_else_created_is_a_conflict(world):
    first = cell(world)
    with pytest.raises(StaleVersion):
        services.channel_plan_save(
            channel=first.channel,
            quarter=1,
            changes={"budget": 1},
            expected_version=None,
            actor=world.users["editor"],
        )


def test_cell_kpis_must_belong_to_the_plan(world):
    from kpis.services import kpi_create

    foreign = kpi_create(
        plan=world.other_plan,
        actor=world.users["outsider"],
        kind="ctr",
        annual_target=Decimal("0.01"),
    )
    with pytest.raises(InvalidInput):
        services.channel_plan_save(
            channel=channel(world),
            quarter=2,
            changes={"kpis": [foreign]},
            expected_version=None,
            actor=world.users["editor"],
        )


def test_submitted_plan_refuses_channel_edits(world):
    plan_transition(plan=world.plan, action="submit", actor=world.users["editor"])
    with pytest.raises(Locked):
        services.channel_plan_save(
            channel=channel(world),
            quarter=1,
            changes={"budget": 1},
            expected_version=None,
            actor=world.users["editor"],
        )


def test_creator_metrics(world):
    cooperation(world)
    blocks = queries.roster(world.plan)
    head = blocks[0]
    results = head.creators[0].results
    assert results.cost_per_engagement == Decimal(5)  # 200,000 / 40,000
    assert results.cost_per_conversion == Decimal(100)  # 200,000 / 2,000
    assert results.roi == Decimal("1.3")  # 260,000 / 200,000
    assert head.results.fee == Decimal(200000)
    assert queries.programme_totals(blocks).conversions == 2000


def test_creator_metrics_with_zero_fee_and_zero_conversions(world):
    koc = services.creator_create(
        plan=world.plan,
        actor=world.users["editor"],
        name="Xiao",
        platform="Xiaohongshu",
        tier="koc",
        fee=0,
    )
    services.cooperation_create(
        actor=world.users["editor"],
        creator=koc,
        campaign="UGC",
        date=date(2027, 3, 1),
        fee=Decimal(0),
        views=5000,
        engagements=300,
        conversions=0,
        gmv=Decimal(0),
    )
    results = next(b for b in queries.roster(world.plan) if b.tier == "koc").creators[0].results
    assert results.cost_per_engagement == 0
    assert results.cost_per_conversion is None  # no conversions: undefined, not free
    assert results.roi is None  # nothing spent


def test_creator_is_unique_per_platform(world):
    creator(world)
    with pytest.raises(InvalidInput) as caught:
        services.creator_create(
            plan=world.plan,
            actor=world.users["editor"],
            name="Tea Master Lin",
            platform="Douyin",
            tier="mid",
        )
    assert "name" in caught.value.fields


def test_cooperation_with_another_workspaces_creator_is_refused(world):
    other = services.creator_create(
        plan=world.other_plan, actor=world.users["outsider"], name="X", platform="Weibo", tier="koc"
    )
    with pytest.raises(NotAllowed):
        services.cooperation_create(
            actor=world.users["editor"], creator=other, campaign="x", date=date(2027, 1, 1)
        )
    assert not other.cooperations.exists()


def test_budget_shares(world):
    cell(world, "douyin", 1)
    cell(world, "popup", 1)
    families, channels = queries.budget_shares(queries.matrix(world.plan))
    assert [f.share for f in families] == [Decimal("0.5"), Decimal("0.5"), 0]
    assert {c.key for c in channels} == {"douyin", "popup"}


def test_channel_delete_removes_its_cells(world):
    c = cell(world)
    services.channel_delete(
        channel=c.channel, expected_version=c.channel.version, actor=world.users["editor"]
    )
    assert not Channel.objects.filter(pk=c.channel_id).exists()
    assert not ChannelPlan.objects.filter(pk=c.pk).exists()
