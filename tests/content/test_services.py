"""The content section's write rules (content.services): campaigns, the brand
standard, size specs, licences, assets and the publish rule, interaction mechanisms."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

import pytest
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.models import Channel
from channels.services import catalogue_install
from content import festivals, queries, services
from content.festival_campaigns import TEMPLATES
from content.models import (
    Asset,
    AssetElement,
    BrandStandard,
    Campaign,
    InteractionMechanism,
    Licence,
    SizeSpec,
)
from content.specs import STANDARD_SPECS, StandardSpec
from core.errors import InvalidInput, InvalidTransition, Locked, NotAllowed, StaleVersion
from planner.models import Plan, PlanStatus
from tests.content import helpers
from tests.factories import PlanFactory

ALL_LAYERS = ["selling_point", "emotional_story", "call_to_action"]
FEW = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


# --- helpers ---------------------------------------------------------------------------------


def editor(world: Any) -> Any:
    return world.users["editor"]


def set_status(world: Any, status: str) -> None:
    Plan.objects.filter(pk=world.plan.pk).update(status=status)


def channels(world: Any, *codes: str, plan: Plan | None = None) -> list[Channel]:
    return list(Channel.objects.filter(plan=plan or world.plan, code__in=codes))


def channel(world: Any, code: str) -> Channel:
    return Channel.objects.get(plan=world.plan, code=code)


def new_campaign(world: Any, code: str = "tea-2027", **overrides: Any) -> Campaign:
    fields: dict[str, Any] = {
        "code": code,
        "name": "Spring tea",
        "theme": "seasonal",
        "start": date(2027, 3, 1),
        "end": date(2027, 3, 31),
        "audience": "Tea lovers",
        "budget": Decimal(1000),
        "channels": channels(world, "douyin", "wechat"),
    }
    fields.update(overrides)
    return services.campaign_create(plan=world.plan, actor=editor(world), **fields)


def fields_of(caught: pytest.ExceptionInfo[InvalidInput]) -> dict[str, list[str]]:
    return {name: [str(m) for m in messages] for name, messages in caught.value.fields.items()}


def snapshot(model: Any, pk: int, *names: str) -> tuple[Any, ...]:
    row = model.objects.get(pk=pk)
    return tuple(getattr(row, n) for n in ("version", *names))


def licence(world: Any, name: str, **overrides: Any) -> Licence:
    return helpers.licence(world, name=name, **overrides)


def element(name: str, lic: Licence | None, kind: str = "font") -> dict[str, Any]:
    return {"kind": kind, "name": name, "licence": lic}


def new_asset(
    world: Any,
    name: str = "Tea poster",
    *,
    status: str = "draft",
    elements: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Asset:
    if elements is None:
        elements = [element("Source Han Sans", licence(world, "Source Han Sans"))]
    return services.asset_create(
        campaign=helpers.campaign(world),
        actor=editor(world),
        name=name,
        layers=ALL_LAYERS,
        review_status=status,
        elements=elements,
        **fields,
    )


def element_rows(asset: Asset) -> list[tuple[str, str, int | None]]:
    return list(
        AssetElement.objects.filter(asset=asset)
        .order_by("id")
        .values_list("kind", "name", "licence")
    )


# --- campaigns: create -------------------------------------------------------------------------


def test_create_campaign_with_channels(world):
    # given two of the plan's channels
    chosen = channels(world, "douyin", "xiaohongshu")
    # when an editor creates a campaign on them
    created = new_campaign(world, "  summer-2027 ", channels=chosen, owner=world.users["manager"])
    # then it is stored, trimmed, at version 1, on exactly those channels
    row = Campaign.objects.get(pk=created.pk)
    assert (row.code, row.name, row.version, row.status) == ("summer-2027", "Spring tea", 1, "idea")
    assert set(row.channels.values_list("code", flat=True)) == {"douyin", "xiaohongshu"}
    assert row.owner == world.users["manager"] and row.plan_id == world.plan.pk


@pytest.mark.parametrize(
    "code",
    ["", "Bad Code", "UPPER", "-leading-dash", "_leading", "has space", "中文", "a" * 41, "a.b"],
)
def test_campaign_code_format_is_refused(world, code):
    # when a campaign is created with a malformed code
    with pytest.raises(InvalidInput) as caught:
        new_campaign(world, code)
    # then the code is named and nothing is written
    assert list(fields_of(caught)) == ["code"]
    assert not Campaign.objects.filter(plan=world.plan).exists()


@pytest.mark.parametrize("code", ["a", "618-2027", "x_y-z", "9", "a" * 40])
def test_campaign_code_format_is_accepted(world, code):
    assert new_campaign(world, code).code == code


def test_campaign_code_is_unique_per_plan_only(world):
    # given a campaign "tea-2027" in the plan
    new_campaign(world)
    # when another campaign of the plan takes the same code
    with pytest.raises(InvalidInput) as caught:
        new_campaign(world, name="Another")
    # then it is refused, naming the code
    assert fields_of(caught) == {"code": ["This plan already has a campaign with this code."]}
    assert Campaign.objects.filter(plan=world.plan).count() == 1
    # and another plan may use the code
    other = services.campaign_create(
        plan=world.other_plan,
        actor=world.users["outsider"],
        code="tea-2027",
        name="Rival tea",
        theme="seasonal",
        start=date(2027, 3, 1),
        end=date(2027, 3, 2),
    )
    assert other.plan_id == world.other_plan.pk


def test_campaign_code_race_is_a_field_error_not_a_crash(world, monkeypatch):
    # given a second writer who saves the same code after the uniqueness check
    # but before the insert (simulated inside the first writer's transaction)
    original = services._clean_campaign

    def check_then_race(plan, campaign):
        original(plan, campaign)
        if campaign.pk is None:
            Campaign.objects.create(
                plan=plan,
                code=campaign.code,
                name="The other writer's",
                theme="seasonal",
                start=date(2027, 5, 1),
                end=date(2027, 5, 2),
            )

    monkeypatch.setattr(services, "_clean_campaign", check_then_race)
    # when the first writer's insert hits the unique constraint
    with pytest.raises(InvalidInput) as caught:
        new_campaign(world)
    # then it gets the same field error as the ordinary check (not an IntegrityError),
    # and the first writer's campaign and channels are not written
    assert fields_of(caught) == {"code": ["This plan already has a campaign with this code."]}
    assert not Campaign.objects.filter(name="Spring tea").exists()
    assert not Campaign.channels.through.objects.exists()


def test_campaign_end_not_before_start(world):
    with pytest.raises(InvalidInput) as caught:
        new_campaign(world, start=date(2027, 3, 10), end=date(2027, 3, 9))
    assert fields_of(caught) == {"end": ["The campaign cannot end before it starts."]}
    # a one-day campaign is fine
    one_day = new_campaign(world, start=date(2027, 3, 10), end=date(2027, 3, 10))
    assert one_day.days == 1


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 12, 1), date(2026, 12, 31)),
        (date(2028, 1, 1), date(2028, 1, 15)),
        (date(2026, 1, 1), date(2026, 6, 30)),
    ],
)
def test_campaign_entirely_outside_the_plan_year_is_refused(world, start, end):
    with pytest.raises(InvalidInput) as caught:
        new_campaign(world, start=start, end=end)
    assert fields_of(caught) == {
        "start": ["The campaign must run at least partly in 2027, the plan year."]
    }
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 12, 20), date(2027, 1, 5)),
        (date(2026, 12, 31), date(2027, 1, 1)),
        (date(2027, 12, 31), date(2028, 1, 10)),
        (date(2026, 12, 1), date(2027, 1, 1)),
    ],
)
def test_campaign_spilling_over_the_year_is_accepted(world, start, end):
    created = new_campaign(world, start=start, end=end)
    row = Campaign.objects.get(pk=created.pk)
    assert (row.start, row.end) == (start, end)
    assert row.spills_over(2027)
    assert created.pk in queries.calendar(world.plan).spill


def test_campaign_inside_the_year_does_not_spill(world):
    created = new_campaign(world, start=date(2027, 1, 1), end=date(2027, 12, 31))
    assert not created.spills_over(2027)
    assert queries.calendar(world.plan).spill == set()


def test_campaign_runs_at_most_366_days(world):
    # 1 Jan 2027 – 1 Jan 2028 is 366 days: allowed
    longest = new_campaign(world, start=date(2027, 1, 1), end=date(2028, 1, 1))
    assert longest.days == 366
    # a day more is refused
    with pytest.raises(InvalidInput) as caught:
        new_campaign(world, "too-long", start=date(2027, 1, 1), end=date(2028, 1, 2))
    assert fields_of(caught) == {
        "end": ["A campaign runs at most a year; split longer programmes."]
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("theme", "halloween", "Choose a theme."),
        ("theme", "", "Choose a theme."),
        ("status", "cancelled", "Choose a status."),
        ("festival", "halloween", "Choose one of the calendar's festivals."),
        ("name", "   ", "Give the campaign a name."),
        ("start", None, "Enter the start date."),
        ("end", "2027-03-31", "Enter the end date."),
        ("budget", Decimal(-1), "The budget cannot be negative."),
        ("budget", "lots", "Enter a number."),
        ("budget", Decimal("NaN"), "Enter a number."),
    ],
)
def test_campaign_field_validation(world, field, value, message):
    with pytest.raises(InvalidInput) as caught:
        new_campaign(world, **{field: value})
    assert fields_of(caught) == {field: [message]}
    assert not Campaign.objects.exists()


def test_campaign_festival_and_zero_budget_are_fine(world):
    created = new_campaign(world, theme="festival", festival="qingming", budget=0)
    assert (created.festival, created.budget) == ("qingming", 0)


def test_campaign_unknown_field_is_refused(world):
    with pytest.raises(InvalidInput) as caught:
        new_campaign(world, plan_id=world.other_plan.pk)
    assert "plan_id" in caught.value.fields


def test_campaign_channels_of_another_plan_are_refused_and_nothing_written(world):
    # given a channel of another workspace's plan
    foreign = channels(world, "douyin", plan=world.other_plan)
    # when a campaign is created with it
    with pytest.raises(InvalidInput) as caught:
        new_campaign(world, channels=[*channels(world, "wechat"), *foreign])
    # then nothing is written
    assert fields_of(caught) == {"channels": ["Choose channels of this plan."]}
    assert not Campaign.objects.exists()
    assert not Campaign.channels.through.objects.exists()


def test_campaign_channels_of_another_plan_refused_on_update(world):
    created = new_campaign(world)
    before = snapshot(Campaign, created.pk)
    with pytest.raises(InvalidInput):
        services.campaign_update(
            campaign=created,
            expected_version=created.version,
            changes={"channels": channels(world, "tmall", plan=world.other_plan)},
            actor=editor(world),
        )
    assert snapshot(Campaign, created.pk) == before
    assert set(created.channels.values_list("code", flat=True)) == {"douyin", "wechat"}


def test_campaign_owner_must_be_a_member(world):
    with pytest.raises(InvalidInput) as caught:
        new_campaign(world, owner=world.users["outsider"])
    assert fields_of(caught) == {"owner": ["Choose a member of the workspace."]}
    assert not Campaign.objects.exists()
    # a viewer of the workspace may own a campaign
    assert new_campaign(world, owner=world.users["viewer"]).owner == world.users["viewer"]


# --- campaigns: update and delete ------------------------------------------------------------


def test_campaign_update_changes_fields_and_channels(world):
    created = new_campaign(world)
    fresh = services.campaign_update(
        campaign=created,
        expected_version=1,
        changes={"name": " Spring tea, first flush ", "channels": channels(world, "tmall")},
        actor=editor(world),
    )
    row = Campaign.objects.get(pk=created.pk)
    assert (fresh.version, row.version, row.name) == (2, 2, "Spring tea, first flush")
    assert list(row.channels.values_list("code", flat=True)) == ["tmall"]


def test_campaign_update_with_stale_version_writes_nothing(world):
    # given a campaign someone else has just edited (version 2)
    created = new_campaign(world)
    services.campaign_update(
        campaign=created,
        expected_version=1,
        changes={"name": "Theirs"},
        actor=world.users["manager"],
    )
    # when an editor saves with the version read before that
    with pytest.raises(StaleVersion) as caught:
        services.campaign_update(
            campaign=created,
            expected_version=1,
            changes={"name": "Mine", "channels": channels(world, "tmall")},
            actor=editor(world),
        )
    # then nothing of theirs is written and the conflict carries the current row
    row = Campaign.objects.get(pk=created.pk)
    assert (row.name, row.version) == ("Theirs", 2)
    assert set(row.channels.values_list("code", flat=True)) == {"douyin", "wechat"}
    assert caught.value.current.name == "Theirs"


def test_campaign_update_revalidates(world):
    created = new_campaign(world)
    with pytest.raises(InvalidInput) as caught:
        services.campaign_update(
            campaign=created,
            expected_version=1,
            changes={"end": date(2027, 2, 1)},
            actor=editor(world),
        )
    assert list(fields_of(caught)) == ["end"]
    assert snapshot(Campaign, created.pk, "end") == (1, date(2027, 3, 31))


def test_campaign_code_clash_on_update(world):
    new_campaign(world, "first")
    second = new_campaign(world, "second")
    with pytest.raises(InvalidInput) as caught:
        services.campaign_update(
            campaign=second, expected_version=1, changes={"code": "first"}, actor=editor(world)
        )
    assert list(fields_of(caught)) == ["code"]
    # keeping its own code is no clash
    fresh = services.campaign_update(
        campaign=second, expected_version=1, changes={"code": "second"}, actor=editor(world)
    )
    assert fresh.version == 2


def move(world: Any, campaign: Campaign, status: str) -> Campaign:
    row = Campaign.objects.get(pk=campaign.pk)
    return services.campaign_update(
        campaign=row, expected_version=row.version, changes={"status": status}, actor=editor(world)
    )


def test_campaign_status_cannot_skip_steps(world):
    # given an idea
    idea = new_campaign(world)
    # when it is sent straight to live
    with pytest.raises(InvalidInput) as caught:
        move(world, idea, "live")
    # then the message names where it may go from there
    assert fields_of(caught) == {
        "status": ["A campaign moves one step at a time; from Idea: Planned."]
    }
    assert snapshot(Campaign, idea.pk, "status") == (1, "idea")


def test_campaign_status_message_names_both_neighbours(world):
    planned = new_campaign(world, status="planned")
    with pytest.raises(InvalidInput) as caught:
        move(world, planned, "live")
    assert fields_of(caught) == {
        "status": ["A campaign moves one step at a time; from Planned: Idea / In production."]
    }
    with pytest.raises(InvalidInput) as caught:
        move(world, planned, "bogus")
    assert list(fields_of(caught)) == ["status"]


def test_campaign_status_walks_forward_and_back_one_step(world):
    campaign = new_campaign(world, status="planned")
    for status in ("in_production", "live", "done", "live", "in_production", "planned", "idea"):
        fresh = move(world, campaign, status)
        assert Campaign.objects.get(pk=campaign.pk).status == status == fresh.status
    assert Campaign.objects.get(pk=campaign.pk).version == 8


def test_approved_plan_allows_only_status_changes(world):
    # given a campaign in a plan that has since been approved
    created = new_campaign(world, status="planned")
    set_status(world, PlanStatus.APPROVED)
    # when planning fields change, they are locked and nothing is written
    for changes in (
        {"name": "New name"},
        {"channels": channels(world, "tmall")},
        {"status": "in_production", "budget": Decimal(5)},
    ):
        with pytest.raises(Locked):
            services.campaign_update(
                campaign=created, expected_version=1, changes=changes, actor=editor(world)
            )
    assert snapshot(Campaign, created.pk, "name", "status", "budget") == (
        1,
        "Spring tea",
        "planned",
        Decimal(1000),
    )
    # but the campaign can still move through its execution status
    fresh = move(world, created, "in_production")
    assert (fresh.status, fresh.version) == ("in_production", 2)
    # and new campaigns, deletes and festival spawns are planning: locked
    with pytest.raises(Locked):
        new_campaign(world, "another")
    with pytest.raises(Locked):
        services.campaign_delete(campaign=fresh, expected_version=2, actor=editor(world))
    with pytest.raises(Locked):
        services.campaign_from_festival(plan=world.plan, festival="qixi", actor=editor(world))
    assert Campaign.objects.count() == 1


def test_archived_plan_locks_everything(world):
    created = new_campaign(world, status="planned")
    set_status(world, PlanStatus.ARCHIVED)
    with pytest.raises(Locked):
        move(world, created, "in_production")
    with pytest.raises(Locked):
        services.campaign_update(
            campaign=created, expected_version=1, changes={"name": "x"}, actor=editor(world)
        )
    with pytest.raises(Locked):
        services.campaign_delete(campaign=created, expected_version=1, actor=editor(world))
    assert snapshot(Campaign, created.pk, "status") == (1, "planned")


@pytest.mark.parametrize("persona", ["viewer", "outsider"])
def test_campaign_writes_need_an_editor(world, persona):
    created = new_campaign(world)
    actor = world.users[persona]
    with pytest.raises(NotAllowed):
        services.campaign_create(
            plan=world.plan,
            actor=actor,
            code="nope",
            name="Nope",
            theme="csr",
            start=date(2027, 1, 1),
            end=date(2027, 1, 2),
        )
    with pytest.raises(NotAllowed):
        services.campaign_update(
            campaign=created, expected_version=1, changes={"status": "planned"}, actor=actor
        )
    with pytest.raises(NotAllowed):
        services.campaign_delete(campaign=created, expected_version=1, actor=actor)
    with pytest.raises(NotAllowed):
        services.campaign_from_festival(plan=world.plan, festival="qixi", actor=actor)
    assert list(Campaign.objects.values_list("code", "version", "status")) == [
        ("tea-2027", 1, "idea")
    ]


def test_campaign_delete_checks_the_version_and_takes_the_assets(world):
    # given a campaign with an asset, edited once (version 2)
    asset = helpers.asset(world)
    campaign = asset.campaign
    move(world, campaign, "in_production")
    # when it is deleted with a stale version, nothing goes
    with pytest.raises(StaleVersion):
        services.campaign_delete(campaign=campaign, expected_version=1, actor=editor(world))
    assert Campaign.objects.filter(pk=campaign.pk).exists()
    # with the current version, it goes with its assets and their elements
    services.campaign_delete(campaign=campaign, expected_version=2, actor=editor(world))
    assert not Campaign.objects.filter(pk=campaign.pk).exists()
    assert not Asset.objects.filter(pk=asset.pk).exists()
    assert not AssetElement.objects.exists()
    # the licence stays
    assert Licence.objects.filter(plan=world.plan).count() == 1


# --- campaigns from festivals ----------------------------------------------------------------


def test_campaign_from_festival_mid_autumn_2027(world):
    # given the plan lost one template channel and paused another
    Channel.objects.filter(plan=world.plan, code="jd").update(is_active=False)
    Channel.objects.filter(plan=world.plan, code="tmall").delete()
    # when an editor spawns the Mid-Autumn campaign of 2027 (15 Sep)
    spawned = services.campaign_from_festival(
        plan=world.plan, festival="mid_autumn", actor=editor(world)
    )
    # then it starts the template's 21 days before and ends 1 day after
    row = Campaign.objects.get(pk=spawned.pk)
    template = TEMPLATES["mid_autumn"]
    assert (template.lead_days, template.tail_days) == (21, 1)
    assert (row.start, row.end) == (date(2027, 8, 25), date(2027, 9, 16))
    assert (row.code, row.theme, row.festival, row.status) == (
        "mid-autumn-2027",
        "festival",
        "mid_autumn",
        "idea",
    )
    assert row.name == "Mid-Autumn Festival campaign"
    assert row.owner == editor(world)
    assert row.key_message == "Share the full moon with the people you love."
    # and it runs only on the template's channels the plan has (and uses)
    assert set(row.channels.values_list("code", flat=True)) == {
        "wechat",
        "weibo",
        "douyin",
        "xiaohongshu",
    }


def test_a_second_spawn_gets_a_free_code(world):
    first = services.campaign_from_festival(
        plan=world.plan, festival="mid_autumn", actor=editor(world)
    )
    second = services.campaign_from_festival(
        plan=world.plan, festival="mid_autumn", actor=editor(world)
    )
    third = services.campaign_from_festival(
        plan=world.plan, festival="mid_autumn", actor=editor(world)
    )
    assert [first.code, second.code, third.code] == [
        "mid-autumn-2027",
        "mid-autumn-2027-2",
        "mid-autumn-2027-3",
    ]
    assert (second.start, second.end) == (first.start, first.end)


def test_spawn_is_clipped_to_the_plan_year(world):
    # New Year's Day has a 7-day lead-in that would start in December 2026
    spawned = services.campaign_from_festival(
        plan=world.plan, festival="new_year", actor=editor(world)
    )
    assert (spawned.start, spawned.end) == (date(2027, 1, 1), date(2027, 1, 1))
    assert not spawned.spills_over(2027)


@pytest.mark.parametrize("code", festivals.CODES)
def test_every_festival_of_2027_spawns_a_valid_campaign(world, code):
    found = {f.code: f for f in festivals.festivals(2027)}[code]
    spawned = services.campaign_from_festival(plan=world.plan, festival=code, actor=editor(world))
    template = TEMPLATES[code]
    assert spawned.code == f"{code.replace('_', '-')}-2027"
    assert services.CAMPAIGN_CODE_RE.match(spawned.code)
    assert spawned.start == max(found.start - timedelta(days=template.lead_days), date(2027, 1, 1))
    assert spawned.end == min(found.end + timedelta(days=template.tail_days), date(2027, 12, 31))
    assert spawned.start <= found.peak <= spawned.end
    assert set(spawned.channels.values_list("code", flat=True)) == set(template.channels)


def test_every_festival_has_a_template():
    assert set(TEMPLATES) == set(festivals.CODES)


@pytest.mark.parametrize("code", ["halloween", "", "MID_AUTUMN"])
def test_spawning_an_unknown_festival_is_refused(world, code):
    with pytest.raises(InvalidInput) as caught:
        services.campaign_from_festival(plan=world.plan, festival=code, actor=editor(world))
    assert fields_of(caught) == {"festival": ["Choose one of the calendar's festivals."]}
    assert not Campaign.objects.exists()


# --- brand standard --------------------------------------------------------------------------


def save_brand(world: Any, expected_version: int | None, **changes: Any) -> BrandStandard:
    return services.brand_standard_save(
        plan=world.plan, expected_version=expected_version, changes=changes, actor=editor(world)
    )


def test_brand_standard_is_created_and_normalised(world):
    # when a brand standard is saved for the first time
    standard = save_brand(
        world,
        None,
        colours=[{"name": "  Lumi red ", "hex": "#c8102e"}, {"name": "Leaf", "hex": "#2E7D32"}],
        fonts=[" Source Han Sans ", "Source Han Sans", "PingFang SC"],
        graphic_elements="Tea leaf pattern",
    )
    # then names are trimmed, hex upper-cased, fonts de-duplicated, at version 1
    row = BrandStandard.objects.get(plan=world.plan)
    assert row.pk == standard.pk and row.version == 1
    assert row.colours == [
        {"name": "Lumi red", "hex": "#C8102E"},
        {"name": "Leaf", "hex": "#2E7D32"},
    ]
    assert row.fonts == ["Source Han Sans", "PingFang SC"]
    assert row.vi_review_required is True
    # and an edit with the current version bumps it
    fresh = save_brand(world, 1, vi_review_required=False)
    assert (fresh.version, BrandStandard.objects.get().vi_review_required) == (2, False)


@pytest.mark.parametrize(
    "colours",
    [
        [{"name": "Red", "hex": "#C8102"}],
        [{"name": "Red", "hex": "C8102E"}],
        [{"name": "Red", "hex": "#GGGGGG"}],
        [{"name": "Red", "hex": "red"}],
        [{"name": "Red", "hex": "#C8102E\n"}],
        [{"name": "Red", "hex": "#C8102E0"}],
        [{"name": "  ", "hex": "#C8102E"}],
        [{"hex": "#C8102E"}],
        [{"name": "Red", "hex": "#C8102E", "cmyk": "0 100 80 0"}],
        ["#C8102E"],
        {"name": "Red", "hex": "#C8102E"},
    ],
)
def test_bad_colours_are_refused(world, colours):
    with pytest.raises(InvalidInput) as caught:
        save_brand(world, None, colours=colours)
    assert fields_of(caught) == {
        "colours": ["Give each colour a name and a hex value like #C8102E."]
    }
    assert not BrandStandard.objects.exists()


@pytest.mark.parametrize("fonts", [["", "PingFang SC"], ["  "], "PingFang SC", [1], [None]])
def test_bad_fonts_are_refused(world, fonts):
    with pytest.raises(InvalidInput) as caught:
        save_brand(world, None, fonts=fonts)
    assert fields_of(caught) == {"fonts": ["List each font by name."]}
    assert not BrandStandard.objects.exists()


@FEW
@given(
    hex_value=st.one_of(
        st.from_regex(services.HEX_RE),  # includes "#c8102e\n": "$" matches before a newline
        st.text(alphabet="#0123456789abcdefABCDEFgG \n\t", max_size=9),
    )
)
def test_stored_colours_are_always_upper_case_hex(world, hex_value):
    # whatever is typed, a stored colour is exactly # and six upper-case hex digits
    BrandStandard.objects.filter(plan=world.plan).delete()
    try:
        save_brand(world, None, colours=[{"name": "C", "hex": hex_value}])
    except InvalidInput:
        assert not BrandStandard.objects.filter(plan=world.plan).exists()
        return
    stored = BrandStandard.objects.get(plan=world.plan).colours[0]["hex"]
    assert re.fullmatch(r"#[0-9A-F]{6}", stored)


def test_brand_standard_create_conflict(world):
    # given none exists, a save expecting an existing version is a conflict
    with pytest.raises(StaleVersion):
        save_brand(world, 3, fonts=["PingFang SC"])
    assert not BrandStandard.objects.exists()
    # given someone created it meanwhile
    save_brand(world, None, fonts=["Theirs"])
    # when another person "creates" it too (expected version 0)
    with pytest.raises(StaleVersion):
        save_brand(world, 0, fonts=["Mine"])
    # then theirs stays
    row = BrandStandard.objects.get(plan=world.plan)
    assert (row.fonts, row.version) == (["Theirs"], 1)
    # and a stale edit is refused too
    save_brand(world, 1, notes="second")
    with pytest.raises(StaleVersion):
        save_brand(world, 1, notes="third")
    assert BrandStandard.objects.get().notes == "second"


def test_brand_standard_create_race_is_a_conflict(world, monkeypatch):
    # given another writer inserts the standard after this one found none
    # (simulated inside this writer's transaction)
    original = services._clean_brand

    def check_then_race(standard):
        original(standard)
        if standard.pk is None:
            BrandStandard.objects.create(plan=world.plan, fonts=["Theirs"])

    monkeypatch.setattr(services, "_clean_brand", check_then_race)
    # when this writer inserts its own, it is a conflict showing theirs, not a crash
    with pytest.raises(StaleVersion) as caught:
        save_brand(world, None, fonts=["Mine"])
    assert caught.value.current.fonts == ["Theirs"]
    assert not BrandStandard.objects.filter(fonts=["Mine"]).exists()


def test_brand_standard_is_planning(world):
    set_status(world, PlanStatus.APPROVED)
    with pytest.raises(Locked):
        save_brand(world, None, fonts=["PingFang SC"])
    with pytest.raises(NotAllowed):
        services.brand_standard_save(
            plan=world.plan, expected_version=None, changes={}, actor=world.users["viewer"]
        )
    assert not BrandStandard.objects.exists()


# --- size specs ------------------------------------------------------------------------------


def test_specs_install_is_idempotent(world):
    # given the world plan already has its standard specs
    before = SizeSpec.objects.filter(plan=world.plan).count()
    assert before == len(STANDARD_SPECS)
    # when they are installed again
    added = services.specs_install(plan=world.plan)
    # then nothing is added
    assert added == []
    assert SizeSpec.objects.filter(plan=world.plan).count() == before


def test_douyin_vertical_video_spec(world):
    spec = SizeSpec.objects.get(plan=world.plan, channel__code="douyin", name="Vertical video")
    assert (spec.kind, spec.width, spec.height, spec.max_duration_s) == ("video", 1080, 1920, 60)
    assert spec.aspect_ratio == "9:16"
    assert (
        SizeSpec.objects.get(
            plan=world.plan, channel__code="weibo", name="Square poster"
        ).aspect_ratio
        == "1:1"
    )


def test_specs_install_only_for_channels_the_plan_has(world):
    # given a new plan without Bilibili and Douyin
    plan = cast(Plan, PlanFactory(workspace=world.workspace, year=2028))
    catalogue_install(plan=plan)
    Channel.objects.filter(plan=plan, code__in=["bilibili", "douyin"]).delete()
    # when the standard specs are installed
    added = services.specs_install(plan=plan)
    # then every standard spec but theirs is there, on the plan's own channels
    expected = [s for s in STANDARD_SPECS if s.channel not in ("bilibili", "douyin")]
    assert len(added) == len(expected) == SizeSpec.objects.filter(plan=plan).count()
    codes = set(SizeSpec.objects.filter(plan=plan).values_list("channel__code", flat=True))
    assert codes == {s.channel for s in expected}
    assert not SizeSpec.objects.filter(plan=plan).exclude(channel__plan=plan).exists()
    # and a partially installed plan gets only what it misses
    SizeSpec.objects.filter(plan=plan, channel__code="weibo").delete()
    again = services.specs_install(plan=plan)
    assert sorted(str(s.name) for s in again) == ["Square poster", "Vertical video"]
    assert {s.channel.code for s in again if s.channel} == {"weibo"}
    assert all(s.channel for s in again)


@pytest.mark.parametrize("languages", [("en", "zh-hans"), ("zh-hans", "en")])
def test_specs_install_is_idempotent_across_languages(world, monkeypatch, languages):
    # given a standard spec whose name is translated (simulated here, so the test
    # does not depend on the compiled catalogue)
    def name() -> str:
        return "竖版预告" if translation.get_language() == "zh-hans" else "Vertical teaser"

    teaser = StandardSpec(
        "douyin", cast(Promise, lazy(name, str)()), "video", 1080, 1920, 15, Decimal(50), "MP4"
    )
    monkeypatch.setattr(services, "STANDARD_SPECS", (teaser,))
    # when people speaking different languages install the standard specs in turn
    with translation.override(languages[0]):
        first = services.specs_install(plan=world.plan)
    with translation.override(languages[1]):
        second = services.specs_install(plan=world.plan)
    # then the spec is added once, named in the first installer's language
    expected = "竖版预告" if languages[0] == "zh-hans" else "Vertical teaser"
    assert [s.name for s in first] == [expected]
    assert second == []
    names = ["竖版预告", "Vertical teaser"]
    assert list(
        SizeSpec.objects.filter(plan=world.plan, name__in=names).values_list("name", flat=True)
    ) == [expected]


def new_spec(world: Any, **fields: Any) -> SizeSpec:
    data: dict[str, Any] = {"channel": channel(world, "douyin"), "name": "Story", "kind": "image"}
    data.update(fields)
    return services.spec_create(plan=world.plan, actor=editor(world), **data)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"width": 1080}, "width", "Give the width and height in pixels."),
        ({"kind": "video", "height": 1920}, "width", "Give the width and height in pixels."),
        ({"kind": "audio", "width": 1080, "height": 1920}, "width", "Audio has no pixel size."),
        (
            {"width": 1080, "height": 1920, "max_duration_s": 15},
            "max_duration_s",
            "An image has no duration.",
        ),
        (
            {"width": 1, "height": 1, "max_file_mb": Decimal(0)},
            "max_file_mb",
            "The file size must be more than zero.",
        ),
        ({"kind": "hologram"}, "kind", "Choose a kind."),
        ({"name": "  ", "width": 1, "height": 1}, "name", "Name the spec, e.g. vertical video."),
    ],
)
def test_spec_rules(world, fields, field, message):
    before = SizeSpec.objects.count()
    with pytest.raises(InvalidInput) as caught:
        new_spec(world, **fields)
    assert fields_of(caught)[field] == [message]
    assert SizeSpec.objects.count() == before


def test_spec_kinds_that_are_fine(world):
    audio = new_spec(world, name="Jingle", kind="audio", max_duration_s=15)
    image = new_spec(world, name="Story", width=1080, height=1920, max_file_mb=Decimal("2.5"))
    assert (audio.width, audio.height, image.aspect_ratio) == (None, None, "9:16")


def test_spec_name_is_unique_per_channel(world):
    # the world plan already has Douyin's "Vertical video"
    with pytest.raises(InvalidInput) as caught:
        new_spec(world, name=" Vertical video ", kind="video", width=720, height=1280)
    assert fields_of(caught) == {"name": ["This channel already has a spec with this name."]}
    # the same name on a channel without it is fine, and so is one for any channel (once)
    new_spec(
        world, channel=channel(world, "jd"), name="Vertical video", kind="video", width=1, height=1
    )
    new_spec(world, channel=None, name="Vertical video", kind="video", width=1, height=1)
    with pytest.raises(InvalidInput):
        new_spec(world, channel=None, name="Vertical video", kind="video", width=2, height=2)
    assert (
        SizeSpec.objects.filter(plan=world.plan, name="Vertical video")
        .filter(Q(channel__code__in=["douyin", "jd"]) | Q(channel=None))
        .count()
        == 3
    )


def test_spec_name_race_is_a_field_error_not_a_crash(world, monkeypatch):
    # given a second writer who saves the same channel + name after the check
    # (simulated inside the first writer's transaction)
    original = services._clean_spec

    def check_then_race(plan, spec):
        original(plan, spec)
        if spec.pk is None:
            SizeSpec.objects.create(
                plan=plan, channel=spec.channel, name=spec.name, kind="image", width=1, height=1
            )

    monkeypatch.setattr(services, "_clean_spec", check_then_race)
    # when the first writer's insert hits the unique constraint, it is a field error
    with pytest.raises(InvalidInput) as caught:
        new_spec(world, width=1080, height=1920)
    assert fields_of(caught) == {"name": ["This channel already has a spec with this name."]}
    assert not SizeSpec.objects.filter(plan=world.plan, name="Story").exists()


def test_spec_channel_of_another_plan_is_refused(world):
    foreign = Channel.objects.get(plan=world.other_plan, code="douyin")
    with pytest.raises(InvalidInput) as caught:
        new_spec(world, channel=foreign, width=1, height=1)
    assert fields_of(caught) == {"channel": ["Choose a channel of this plan."]}


def test_spec_update_and_delete(world):
    spec = new_spec(world, width=1080, height=1920)
    asset = new_asset(world, spec=spec)
    fresh = services.spec_update(
        spec=spec, expected_version=1, changes={"height": 1350}, actor=editor(world)
    )
    assert (fresh.version, fresh.aspect_ratio) == (2, "4:5")
    with pytest.raises(StaleVersion):
        services.spec_update(
            spec=spec, expected_version=1, changes={"height": 1}, actor=editor(world)
        )
    with pytest.raises(InvalidInput):
        services.spec_update(
            spec=spec, expected_version=2, changes={"max_duration_s": 5}, actor=editor(world)
        )
    assert snapshot(SizeSpec, spec.pk, "height", "max_duration_s") == (2, 1350, None)
    with pytest.raises(StaleVersion):
        services.spec_delete(spec=spec, expected_version=1, actor=editor(world))
    services.spec_delete(spec=spec, expected_version=2, actor=editor(world))
    # the asset stays, without its spec
    assert Asset.objects.get(pk=asset.pk).spec is None


# --- licences --------------------------------------------------------------------------------


LICENCE = {
    "name": "Morning mist",
    "kind": "music",
    "source": "Audio library",
    "scope": "Online video",
    "territory": "mainland_china",
    "document_ref": "INV-1",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", " ", "Name the licensed work."),
        ("source", "", "Give the licensor or library."),
        ("scope", None, "Describe the licensed use."),
        ("document_ref", "  ", "Give the contract number or a link to the licence document."),
        ("kind", "poem", "Choose what the licence covers."),
        ("territory", "mars", "Choose a territory."),
    ],
)
def test_licence_required_fields(world, field, value, message):
    with pytest.raises(InvalidInput) as caught:
        services.licence_create(plan=world.plan, actor=editor(world), **{**LICENCE, field: value})
    assert fields_of(caught) == {field: [message]}
    assert not Licence.objects.filter(plan=world.plan).exists()


def test_licence_cannot_expire_before_it_starts(world):
    with pytest.raises(InvalidInput) as caught:
        services.licence_create(
            plan=world.plan,
            actor=editor(world),
            **LICENCE,
            starts=date(2027, 2, 1),
            expires=date(2027, 1, 31),
        )
    assert fields_of(caught) == {"expires": ["A licence cannot expire before it starts."]}
    one_day = services.licence_create(
        plan=world.plan,
        actor=editor(world),
        **LICENCE,
        starts=date(2027, 2, 1),
        expires=date(2027, 2, 1),
    )
    assert one_day.is_valid_on(date(2027, 2, 1))
    assert not one_day.is_valid_on(date(2027, 2, 2)) and not one_day.is_valid_on(date(2027, 1, 31))
    with pytest.raises(InvalidInput):
        services.licence_update(
            licence=one_day,
            expected_version=1,
            changes={"starts": date(2027, 3, 1)},
            actor=editor(world),
        )
    assert snapshot(Licence, one_day.pk, "starts") == (1, date(2027, 2, 1))


def test_licence_update_is_version_checked(world):
    lic = services.licence_create(plan=world.plan, actor=editor(world), **LICENCE)
    services.licence_update(
        licence=lic, expected_version=1, changes={"scope": " All media "}, actor=editor(world)
    )
    with pytest.raises(StaleVersion):
        services.licence_update(
            licence=lic, expected_version=1, changes={"scope": "x"}, actor=editor(world)
        )
    assert snapshot(Licence, lic.pk, "scope") == (2, "All media")


def test_deleting_a_licence_in_use_is_refused(world):
    # given a licence used by an asset element
    asset = helpers.asset(world)
    lic = asset.elements.get().licence
    assert lic is not None
    # when it is deleted, it is refused and stays
    with pytest.raises(InvalidInput) as caught:
        services.licence_delete(licence=lic, expected_version=lic.version, actor=editor(world))
    assert str(caught.value) == "1 asset element uses this licence; give it another one first."
    assert Licence.objects.filter(pk=lic.pk).exists()
    # used twice more, the message counts every element
    new_asset(world, "Two fonts", elements=[element("Bold", lic), element("Light", lic)])
    with pytest.raises(InvalidInput) as caught:
        services.licence_delete(licence=lic, expected_version=lic.version, actor=editor(world))
    assert str(caught.value) == "3 asset elements use this licence; give them another one first."
    services.asset_delete(
        asset=Asset.objects.get(name="Two fonts"), expected_version=1, actor=editor(world)
    )
    # once the asset uses another licence, it can go
    other = licence(world, "PingFang SC")
    services.asset_update(
        asset=asset,
        expected_version=asset.version,
        changes={"elements": [element("PingFang SC", other)]},
        actor=editor(world),
    )
    services.licence_delete(licence=lic, expected_version=lic.version, actor=editor(world))
    assert not Licence.objects.filter(pk=lic.pk).exists()


# --- assets and the publish rule -------------------------------------------------------------


def today() -> date:
    return timezone.localdate()


PUBLISH_BLOCKERS: dict[str, tuple[list[tuple[str, str, dict[str, int] | None]], list[str]]] = {
    "no elements": ([], ["List the fonts, images, music and footage the asset uses"]),
    "no licence": ([("Leaf photo", "image", None)], ["Leaf photo (Image) has no licence."]),
    "expired": (
        [("Old song", "music", {"expires": -1})],
        ["The licence of Old song (Music) expired on"],
    ),
    "not yet valid": (
        [("New clip", "footage", {"starts": 1})],
        ["The licence of New clip (Footage) is valid only from"],
    ),
    "three causes": (
        [
            ("Leaf photo", "image", None),
            ("Old song", "music", {"expires": -1}),
            ("Fine font", "font", {}),
            ("New clip", "footage", {"starts": 1}),
        ],
        [
            "Leaf photo (Image) has no licence.",
            "The licence of Old song (Music) expired on",
            "The licence of New clip (Footage) is valid only from",
        ],
    ),
}


def blocked_elements(
    world: Any, spec: list[tuple[str, str, dict[str, int] | None]]
) -> list[dict[str, Any]]:
    rows = []
    for name, kind, offsets in spec:
        lic = None
        if offsets is not None:
            dates = {k: today() + timedelta(days=v) for k, v in offsets.items()}
            lic = licence(world, f"Licence of {name}", kind=kind, **dates)
        rows.append(element(name, lic, kind))
    return rows


@pytest.mark.parametrize("case", list(PUBLISH_BLOCKERS))
def test_publish_is_blocked_with_one_problem_per_cause(world, case):
    # given an approved asset whose elements break the licence rule
    spec, expected = PUBLISH_BLOCKERS[case]
    asset = new_asset(
        world, status="approved", vi_passed=True, elements=blocked_elements(world, spec)
    )
    before = snapshot(Asset, asset.pk, "review_status", "published_at", "published_by")
    # when it is published
    with pytest.raises(services.PublishBlocked) as caught:
        services.asset_publish(asset=asset, expected_version=asset.version, actor=editor(world))
    # then each cause is one problem, and the asset is unchanged
    problems = caught.value.problems
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected, strict=True):
        assert str(problem).startswith(start)
    assert isinstance(caught.value, InvalidTransition)
    assert snapshot(Asset, asset.pk, "review_status", "published_at", "published_by") == before
    assert before[1:] == ("approved", None, None)


def test_publish_problem_names_the_date(world):
    expired = licence(world, "Old song licence", kind="music", expires=date(2020, 5, 4))
    asset = new_asset(world, status="approved", elements=[element("Old song", expired, "music")])
    with pytest.raises(services.PublishBlocked) as caught:
        services.asset_publish(asset=asset, expected_version=1, actor=editor(world))
    assert caught.value.problems == ["The licence of Old song (Music) expired on May 4, 2020."]


def test_valid_asset_is_published(world):
    # given an approved asset whose licences are all valid today, including one
    # that expires today and one that started today
    elements = [
        element("Font", licence(world, "Font licence")),
        element("Song", licence(world, "Song licence", kind="music", expires=today()), "music"),
        element("Clip", licence(world, "Clip licence", kind="footage", starts=today()), "footage"),
    ]
    asset = new_asset(world, status="approved", vi_passed=True, elements=elements)
    # when it is published
    before = timezone.now()
    fresh = services.asset_publish(asset=asset, expected_version=1, actor=world.users["manager"])
    # then it is published, with when and by whom
    row = Asset.objects.get(pk=asset.pk)
    assert (row.review_status, row.version, fresh.version) == ("published", 2, 2)
    assert row.published_at is not None and row.published_at >= before
    assert row.published_by == world.users["manager"]
    assert len(element_rows(row)) == 3


@pytest.mark.parametrize("status", ["draft", "in_review", "changes_requested"])
def test_only_an_approved_asset_can_be_published(world, status):
    asset = new_asset(world, status="draft")
    for step in {
        "in_review": ["in_review"],
        "changes_requested": ["in_review", "changes_requested"],
    }.get(status, []):
        asset = services.asset_update(
            asset=asset,
            expected_version=asset.version,
            changes={"review_status": step},
            actor=editor(world),
        )
    with pytest.raises(InvalidTransition) as caught:
        services.asset_publish(asset=asset, expected_version=asset.version, actor=editor(world))
    assert not isinstance(caught.value, services.PublishBlocked)
    assert "Only an approved asset can be published" in str(caught.value)
    assert Asset.objects.get(pk=asset.pk).review_status == status


def test_publishing_twice_is_refused(world):
    asset = new_asset(world, status="approved")
    fresh = services.asset_publish(asset=asset, expected_version=1, actor=editor(world))
    with pytest.raises(InvalidTransition) as caught:
        services.asset_publish(asset=fresh, expected_version=2, actor=editor(world))
    assert str(caught.value) == "The asset is already published."


def test_asset_cannot_be_created_published(world):
    with pytest.raises(InvalidTransition):
        new_asset(world, status="published")
    assert not Asset.objects.exists()


def test_publishing_through_update_applies_the_licence_rule(world):
    # given an approved asset with an unlicensed element
    asset = new_asset(world, status="approved", elements=[element("Leaf photo", None, "image")])
    # when review_status is set to published through a plain update
    with pytest.raises(services.PublishBlocked) as caught:
        services.asset_update(
            asset=asset,
            expected_version=1,
            changes={"review_status": "published", "notes": "go"},
            actor=editor(world),
        )
    assert caught.value.problems == ["Leaf photo (Image) has no licence."]
    assert snapshot(Asset, asset.pk, "review_status", "notes", "published_at") == (
        1,
        "approved",
        "",
        None,
    )
    # and licensing the element in the same update lets it through, stamped
    fresh = services.asset_update(
        asset=asset,
        expected_version=1,
        changes={
            "review_status": "published",
            "elements": [
                element("Leaf photo", licence(world, "Photo licence", kind="image"), "image")
            ],
        },
        actor=editor(world),
    )
    assert fresh.review_status == "published" and fresh.published_at is not None
    assert fresh.published_by == editor(world)


def test_published_asset_cannot_switch_to_an_unlicensed_element(world):
    # given a published asset
    asset = new_asset(world, status="approved")
    published = services.asset_publish(asset=asset, expected_version=1, actor=editor(world))
    elements_before = element_rows(published)
    # when its elements are replaced by an unlicensed one (or an expired one)
    expired = licence(world, "Expired", kind="music", expires=today() - timedelta(days=3))
    for elements in (
        [element("Leaf photo", None, "image")],
        [element("Song", expired, "music")],
        [],
    ):
        with pytest.raises(services.PublishBlocked):
            services.asset_update(
                asset=published,
                expected_version=2,
                changes={"elements": elements},
                actor=editor(world),
            )
    # then the elements and the asset are unchanged
    assert element_rows(published) == elements_before
    assert snapshot(Asset, asset.pk, "review_status") == (2, "published")


def test_moving_back_from_published_clears_the_stamp(world):
    asset = new_asset(world, status="approved")
    services.asset_publish(asset=asset, expected_version=1, actor=editor(world))
    fresh = services.asset_update(
        asset=asset, expected_version=2, changes={"review_status": "approved"}, actor=editor(world)
    )
    row = Asset.objects.get(pk=asset.pk)
    assert (row.review_status, row.published_at, row.published_by, fresh.version) == (
        "approved",
        None,
        None,
        3,
    )


def test_review_flow_steps(world):
    asset = new_asset(world)  # draft
    # draft → approved skips the review
    with pytest.raises(InvalidInput) as caught:
        services.asset_update(
            asset=asset,
            expected_version=1,
            changes={"review_status": "approved"},
            actor=editor(world),
        )
    assert fields_of(caught) == {"review_status": ["An asset cannot go from Draft to Approved."]}
    with pytest.raises(InvalidInput):
        services.asset_update(
            asset=asset,
            expected_version=1,
            changes={"review_status": "published"},
            actor=editor(world),
        )
    assert snapshot(Asset, asset.pk, "review_status") == (1, "draft")
    # the review loop works step by step
    version = 1
    for step in ("in_review", "changes_requested", "in_review", "approved", "in_review", "draft"):
        fresh = services.asset_update(
            asset=asset,
            expected_version=version,
            changes={"review_status": step},
            actor=editor(world),
        )
        version = fresh.version
        assert Asset.objects.get(pk=asset.pk).review_status == step
    with pytest.raises(InvalidInput):
        services.asset_update(
            asset=asset,
            expected_version=version,
            changes={"review_status": "bogus"},
            actor=editor(world),
        )


def to_review(world: Any, asset: Asset) -> Asset:
    return services.asset_update(
        asset=asset,
        expected_version=asset.version,
        changes={"review_status": "in_review"},
        actor=editor(world),
    )


def test_vi_review_is_required_by_the_brand_standard(world):
    # given a brand standard that requires a VI review, and an asset in review
    save_brand(world, None, vi_review_required=True)
    asset = to_review(world, new_asset(world))
    # when it is approved without a passed VI review, it is refused
    with pytest.raises(InvalidTransition) as caught:
        services.asset_update(
            asset=asset,
            expected_version=2,
            changes={"review_status": "approved"},
            actor=editor(world),
        )
    assert "VI review" in str(caught.value)
    assert snapshot(Asset, asset.pk, "review_status") == (2, "in_review")
    # and created approved without it, too
    with pytest.raises(InvalidTransition):
        new_asset(world, "Direct", status="approved", vi_passed=False)
    # with the VI review passed in the same step, it is approved
    fresh = services.asset_update(
        asset=asset,
        expected_version=2,
        changes={"review_status": "approved", "vi_passed": True},
        actor=editor(world),
    )
    assert (fresh.review_status, fresh.vi_passed) == ("approved", True)


@pytest.mark.parametrize("standard", [None, False])
def test_vi_review_not_required_without_a_standard_asking_for_it(world, standard):
    if standard is not None:
        save_brand(world, None, vi_review_required=standard)
    asset = to_review(world, new_asset(world))
    fresh = services.asset_update(
        asset=asset, expected_version=2, changes={"review_status": "approved"}, actor=editor(world)
    )
    assert (fresh.review_status, fresh.vi_passed) == ("approved", False)


def test_elements_with_another_plans_licence_are_refused(world):
    foreign = services.licence_create(
        plan=world.other_plan, actor=world.users["outsider"], **LICENCE
    )
    own = licence(world, "Own font")
    # on create: nothing written
    with pytest.raises(InvalidInput) as caught:
        new_asset(world, elements=[element("Own", own), element("Song", foreign, "music")])
    assert fields_of(caught) == {"elements": ["Element 2: choose a licence of this plan."]}
    assert not Asset.objects.exists() and not AssetElement.objects.exists()
    # on update: nothing written either
    asset = new_asset(world, elements=[element("Own", own)])
    with pytest.raises(InvalidInput):
        services.asset_update(
            asset=asset,
            expected_version=1,
            changes={"elements": [element("Song", foreign, "music")], "name": "Renamed"},
            actor=editor(world),
        )
    assert element_rows(asset) == [("font", "Own", own.pk)]
    assert snapshot(Asset, asset.pk, "name") == (1, "Tea poster")


def test_element_problems_are_named_by_position(world):
    with pytest.raises(InvalidInput) as caught:
        new_asset(
            world,
            elements=[
                element("Fine", None),
                {"kind": "poem", "name": "Verse", "licence": None},
                {"kind": "image", "name": "  ", "licence": None},
                {"kind": "image", "name": "Photo", "licence": "licence-7"},
            ],
        )
    assert fields_of(caught) == {
        "elements": [
            "Element 2: choose a kind.",
            "Element 3: give its name.",
            "Element 4: choose a licence of this plan.",
        ]
    }


def test_asset_fields_validation(world):
    foreign_spec = SizeSpec.objects.filter(plan=world.other_plan).first()
    with pytest.raises(InvalidInput) as caught:
        new_asset(world, spec=foreign_spec)
    assert fields_of(caught) == {"spec": ["Choose a spec of this plan."]}
    with pytest.raises(InvalidInput) as caught:
        services.asset_create(
            campaign=helpers.campaign(world), actor=editor(world), name=" ", layers=["jokes"]
        )
    assert set(fields_of(caught)) == {"name", "layers"}
    with pytest.raises(InvalidInput) as caught:
        new_asset(world, owner=world.users["outsider"])
    assert list(fields_of(caught)) == ["owner"]
    assert not Asset.objects.exists()
    # layers are kept in the canonical order, without duplicates
    asset = services.asset_create(
        campaign=helpers.campaign(world),
        actor=editor(world),
        name="Layered",
        layers=["call_to_action", "selling_point", "call_to_action"],
    )
    assert Asset.objects.get(pk=asset.pk).layers == ["selling_point", "call_to_action"]


def test_asset_update_with_stale_version_writes_nothing(world):
    asset = new_asset(world)
    services.asset_update(
        asset=asset, expected_version=1, changes={"notes": "theirs"}, actor=editor(world)
    )
    with pytest.raises(StaleVersion):
        services.asset_update(
            asset=asset,
            expected_version=1,
            changes={"notes": "mine", "elements": [element("Mine", None)]},
            actor=editor(world),
        )
    assert snapshot(Asset, asset.pk, "notes") == (2, "theirs")
    assert [name for _, name, _ in element_rows(asset)] == ["Source Han Sans"]
    with pytest.raises(StaleVersion):
        services.asset_delete(asset=asset, expected_version=1, actor=editor(world))
    services.asset_delete(asset=asset, expected_version=2, actor=editor(world))
    assert not Asset.objects.exists() and not AssetElement.objects.exists()


def test_publish_problems_is_a_pure_function_of_its_inputs(django_assert_num_queries):
    # given unsaved rows and a fixed day
    day = date(2027, 3, 31)
    asset = Asset(name="Poster")
    ends_today = Licence(name="Song", kind="music", expires=day)
    starts_tomorrow = Licence(name="Clip", kind="footage", starts=day + timedelta(days=1))
    perpetual = Licence(name="Font", kind="font")
    elements = [
        services.ElementInput("music", "Song", ends_today),
        services.ElementInput("footage", "Clip", starts_tomorrow),
        services.ElementInput("font", "Font", perpetual),
    ]
    # when the problems are computed (no database involved) — twice
    with django_assert_num_queries(0):
        first = services.publish_problems(asset, elements, day)
        again = services.publish_problems(asset, elements, day)
        next_day = services.publish_problems(asset, elements, day + timedelta(days=1))
        fine = services.publish_problems(asset, elements[::2], day)
    # then the answer depends only on the elements and the day
    assert first == again == ["The licence of Clip (Footage) is valid only from April 1, 2027."]
    assert next_day == ["The licence of Song (Music) expired on March 31, 2027."]
    assert fine == []
    assert services.publish_problems(asset, [], day) == [
        "List the fonts, images, music and footage the asset uses, with their licences."
    ]


def test_execution_writes_go_on_in_an_approved_plan(world):
    # given a plan approved after its campaign was planned
    campaign = helpers.campaign(world)
    set_status(world, PlanStatus.APPROVED)
    # then licences, assets, reviews and publishing still work
    lic = licence(world, "Approved-era font")
    asset = new_asset(world, status="approved", elements=[element("Font", lic)])
    assert asset.campaign == campaign
    published = services.asset_publish(asset=asset, expected_version=1, actor=editor(world))
    assert published.review_status == "published"
    services.licence_update(
        licence=lic, expected_version=1, changes={"notes": "filed"}, actor=editor(world)
    )
    # but the planning side stays frozen
    with pytest.raises(Locked):
        new_spec(world, width=1, height=1)
    with pytest.raises(Locked):
        helpers.mechanism(world)


def test_execution_writes_stop_in_an_archived_plan(world):
    asset = new_asset(world, status="approved")
    lic = asset.elements.get().licence
    assert lic is not None
    set_status(world, PlanStatus.ARCHIVED)
    for attempt in (
        lambda: new_asset(world, "Another"),
        lambda: services.asset_publish(asset=asset, expected_version=1, actor=editor(world)),
        lambda: services.asset_update(
            asset=asset, expected_version=1, changes={"notes": "x"}, actor=editor(world)
        ),
        lambda: services.asset_delete(asset=asset, expected_version=1, actor=editor(world)),
        lambda: services.licence_create(plan=world.plan, actor=editor(world), **LICENCE),
        lambda: services.licence_update(
            licence=lic, expected_version=1, changes={"notes": "x"}, actor=editor(world)
        ),
        lambda: services.licence_delete(licence=lic, expected_version=1, actor=editor(world)),
    ):
        with pytest.raises(Locked):
            attempt()
    assert snapshot(Asset, asset.pk, "review_status", "notes") == (1, "approved", "")
    assert Asset.objects.count() == 1 and Licence.objects.filter(plan=world.plan).count() == 1


def test_viewer_cannot_touch_assets_or_licences(world):
    asset = new_asset(world, status="approved")
    viewer = world.users["viewer"]
    with pytest.raises(NotAllowed):
        services.asset_publish(asset=asset, expected_version=1, actor=viewer)
    with pytest.raises(NotAllowed):
        services.licence_create(plan=world.plan, actor=viewer, **LICENCE)
    with pytest.raises(NotAllowed):
        services.asset_create(campaign=asset.campaign, actor=viewer, name="x")
    assert snapshot(Asset, asset.pk, "review_status") == (1, "approved")


# --- interaction mechanisms ------------------------------------------------------------------


def mechanism(world: Any, kind: str, **fields: Any) -> InteractionMechanism:
    defaults: dict[str, dict[str, Any]] = {
        "ugc_challenge": {
            "channel": channel(world, "douyin"),
            "start": date(2027, 4, 1),
            "end": date(2027, 4, 30),
            "topic": "#MyTeaMoment",
        },
        "feedback_channel": {"channel": channel(world, "wechat"), "sla_hours": Decimal(4)},
        "community_tier": {"level": "vip", "members": 1200},
        "reward_tier": {"levels": [{"name": "Bronze", "min_points": 0}]},
    }
    data = {"kind": kind, "name": f"A {kind}", **defaults[kind], **fields}
    return services.mechanism_create(plan=world.plan, actor=editor(world), **data)


@pytest.mark.parametrize(
    ("kind", "missing", "field", "message"),
    [
        ("ugc_challenge", {"topic": " "}, "topic", "Give the challenge's topic or hashtag."),
        (
            "ugc_challenge",
            {"channel": None},
            "channel",
            "Choose the platform the challenge runs on.",
        ),
        ("ugc_challenge", {"start": None, "end": None}, "start", "Give the challenge's period."),
        (
            "feedback_channel",
            {"sla_hours": None},
            "sla_hours",
            "Give the response-time SLA in hours.",
        ),
        (
            "feedback_channel",
            {"sla_hours": Decimal(0)},
            "sla_hours",
            "Give the response-time SLA in hours.",
        ),
        ("community_tier", {"level": ""}, "level", "Choose the community level."),
        ("community_tier", {"level": "gold"}, "level", "Choose the community level."),
        ("reward_tier", {"levels": []}, "levels", "Give at least one level."),
    ],
)
def test_mechanism_required_fields_per_kind(world, kind, missing, field, message):
    with pytest.raises(InvalidInput) as caught:
        mechanism(world, kind, **missing)
    assert fields_of(caught) == {field: [message]}
    assert not InteractionMechanism.objects.exists()


@pytest.mark.parametrize(
    "kind", ["ugc_challenge", "feedback_channel", "community_tier", "reward_tier"]
)
def test_each_kind_with_its_fields_is_created(world, kind):
    created = mechanism(world, kind, goal="Grow", indicators=[{"name": "Reach", "target": "100"}])
    row = InteractionMechanism.objects.get(pk=created.pk)
    assert (row.kind, row.version, row.goal) == (kind, 1, "Grow")
    assert row.indicators == [{"name": "Reach", "unit": "", "target": 100.0, "actual": None}]


@pytest.mark.parametrize(
    ("kind", "foreign", "label"),
    [
        ("ugc_challenge", {"sla_hours": Decimal(4)}, "UGC challenge"),
        ("ugc_challenge", {"sla_hours": Decimal(0)}, "UGC challenge"),
        ("ugc_challenge", {"members": 0}, "UGC challenge"),
        ("ugc_challenge", {"ai_first": True}, "UGC challenge"),
        ("feedback_channel", {"topic": "#x"}, "Feedback channel"),
        ("community_tier", {"levels": [{"name": "A", "min_points": 0}]}, "Community tier"),
        ("community_tier", {"start": date(2027, 1, 1), "end": date(2027, 1, 2)}, "Community tier"),
        ("reward_tier", {"channel": "douyin"}, "Tiered rewards"),
        ("reward_tier", {"response_hours": [1.0]}, "Tiered rewards"),
    ],
)
def test_fields_of_another_kind_do_not_apply(world, kind, foreign, label):
    data = dict(foreign)
    if data.get("channel") == "douyin":
        data["channel"] = channel(world, "douyin")
    with pytest.raises(InvalidInput) as caught:
        mechanism(world, kind, **data)
    found = fields_of(caught)
    for name in foreign:
        (message,) = found[name]
        assert message.startswith("Does not apply") and label in message
    assert not InteractionMechanism.objects.exists()


def test_changing_kind_clears_the_old_kinds_fields(world):
    # given a UGC challenge with its topic, platform, period and rules
    ugc = helpers.mechanism(world)
    # when it becomes tiered rewards
    fresh = services.mechanism_update(
        mechanism=ugc,
        expected_version=1,
        changes={
            "kind": "reward_tier",
            "points_rules": "1 point per yuan",
            "levels": [{"name": "Bronze", "min_points": 0}, {"name": "Silver", "min_points": 500}],
            "badges": [" First cup ", "First cup", "Tea master"],
        },
        actor=editor(world),
    )
    # then the challenge's fields are reset in the database, the common ones kept
    row = InteractionMechanism.objects.get(pk=ugc.pk)
    assert fresh.version == row.version == 2
    assert (row.topic, row.reward, row.boost_rules, row.channel, row.start, row.end) == (
        "",
        "",
        "",
        None,
        None,
        None,
    )
    assert (row.name, row.goal) == ("Tea moments challenge", "5,000 user videos of tea moments")
    assert row.indicators == [
        {"name": "Videos", "unit": "videos", "target": 5000.0, "actual": None}
    ]
    assert row.levels == [
        {"name": "Bronze", "min_points": 0, "perks": ""},
        {"name": "Silver", "min_points": 500, "perks": ""},
    ]
    assert row.badges == ["First cup", "Tea master"]
    # and back to a feedback channel, the reward fields go
    services.mechanism_update(
        mechanism=row,
        expected_version=2,
        changes={
            "kind": "feedback_channel",
            "sla_hours": Decimal(2),
            "channel": channel(world, "wechat"),
        },
        actor=editor(world),
    )
    row = InteractionMechanism.objects.get(pk=ugc.pk)
    assert (row.levels, row.badges, row.points_rules, row.sla_hours) == ([], [], "", Decimal(2))


def test_changing_kind_refuses_the_old_kinds_fields_sent_along(world):
    ugc = helpers.mechanism(world)
    with pytest.raises(InvalidInput) as caught:
        services.mechanism_update(
            mechanism=ugc,
            expected_version=1,
            changes={"kind": "community_tier", "level": "koc", "topic": "#still"},
            actor=editor(world),
        )
    assert list(fields_of(caught)) == ["topic"]
    assert "Community tier" in fields_of(caught)["topic"][0]
    assert snapshot(InteractionMechanism, ugc.pk, "kind", "topic") == (
        1,
        "ugc_challenge",
        "#MyTeaMoment",
    )


def test_indicator_problems_are_named_by_position(world):
    with pytest.raises(InvalidInput) as caught:
        mechanism(
            world,
            "community_tier",
            indicators=[
                {"name": "Members", "target": 1000, "actual": "950", "unit": "people"},
                {"name": "Posts", "target": "lots"},
                {"target": 5},
                {"name": "Likes", "colour": "red"},
                "Shares",
                {"name": "Saves", "actual": "inf"},
            ],
        )
    assert fields_of(caught) == {
        "indicators": [
            "Indicator 2: the target must be a number.",
            "Indicator 3: give its name.",
            "Indicator 4: unknown key colour.",
            "Indicator 5: give its name.",
            "Indicator 6: the actual value must be a number.",
        ]
    }
    with pytest.raises(InvalidInput) as caught:
        mechanism(world, "community_tier", indicators={"name": "Members"})
    assert fields_of(caught) == {"indicators": ["Give a list of indicators."]}


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        (
            [{"name": "Bronze", "min_points": 0}, {"name": "Silver", "min_points": -5}],
            "Level 2: give its name and the points it needs (0 or more).",
        ),
        (
            [{"name": " ", "min_points": 0}],
            "Level 1: give its name and the points it needs (0 or more).",
        ),
        ([{"name": "Bronze"}], "Level 1: give its name and the points it needs (0 or more)."),
        (
            [{"name": "Bronze", "min_points": "1.5"}],
            "Level 1: give its name and the points it needs (0 or more).",
        ),
        (["Bronze"], "Level 1: give its name and the points it needs (0 or more)."),
        (
            [{"name": "Silver", "min_points": 500}, {"name": "Bronze", "min_points": 0}],
            "List the levels from the lowest to the highest points.",
        ),
        (
            [{"name": "Bronze", "min_points": 0}, {"name": "Silver", "min_points": 0}],
            "List the levels from the lowest to the highest points.",
        ),
        (
            [{"name": "Bronze", "min_points": 0}, {"name": "Bronze", "min_points": 10}],
            "Each level needs its own name.",
        ),
        ("Bronze, Silver", "Give a list of levels."),
    ],
)
def test_levels_validation(world, levels, message):
    with pytest.raises(InvalidInput) as caught:
        mechanism(world, "reward_tier", levels=levels)
    assert fields_of(caught) == {"levels": [message]}


@pytest.mark.parametrize(
    ("badges", "ok"),
    [(["Gold", " Gold "], True), (["", "Gold"], False), ("Gold", False), ([3], False)],
)
def test_badges_validation(world, badges, ok):
    if ok:
        assert mechanism(world, "reward_tier", badges=badges).badges == ["Gold"]
        return
    with pytest.raises(InvalidInput) as caught:
        mechanism(world, "reward_tier", badges=badges)
    assert fields_of(caught) == {"badges": ["List each badge by name."]}


@pytest.mark.parametrize(
    ("samples", "message"),
    [
        ([1, -2], "Response time 2 must be a number of hours, at least 0."),
        ([1, 2, "soon"], "Response time 3 must be a number of hours, at least 0."),
        (["nan"], "Response time 1 must be a number of hours, at least 0."),
        ("1, 2", "Give at most 10000 response times."),
        ([1] * 10_001, "Give at most 10000 response times."),
    ],
)
def test_response_hours_validation(world, samples, message):
    with pytest.raises(InvalidInput) as caught:
        mechanism(world, "feedback_channel", response_hours=samples)
    assert fields_of(caught) == {"response_hours": [message]}


def test_response_hours_are_stored_as_numbers(world):
    created = mechanism(world, "feedback_channel", response_hours=["1.5", 2, Decimal("0")])
    assert InteractionMechanism.objects.get(pk=created.pk).response_hours == [1.5, 2.0, 0.0]


def test_mechanism_period_rules(world):
    with pytest.raises(InvalidInput) as caught:
        mechanism(world, "ugc_challenge", start=date(2027, 4, 30), end=date(2027, 4, 1))
    assert fields_of(caught) == {"end": ["The end cannot be before the start."]}
    with pytest.raises(InvalidInput) as caught:
        mechanism(world, "ugc_challenge", end=None)
    assert fields_of(caught)["end"] == ["Give both the start and the end, or neither."]
    one_day = mechanism(world, "ugc_challenge", start=date(2027, 4, 1), end=date(2027, 4, 1))
    assert one_day.start == one_day.end


def test_mechanism_channel_of_another_plan_is_refused(world):
    foreign = Channel.objects.get(plan=world.other_plan, code="douyin")
    with pytest.raises(InvalidInput) as caught:
        mechanism(world, "ugc_challenge", channel=foreign)
    assert fields_of(caught) == {"channel": ["Choose a channel of this plan."]}
    created = mechanism(world, "feedback_channel")
    with pytest.raises(InvalidInput):
        services.mechanism_update(
            mechanism=created, expected_version=1, changes={"channel": foreign}, actor=editor(world)
        )
    assert InteractionMechanism.objects.get(pk=created.pk).channel == channel(world, "wechat")


def test_mechanism_owner_name_and_kind(world):
    with pytest.raises(InvalidInput) as caught:
        mechanism(world, "community_tier", owner=world.users["outsider"])
    assert fields_of(caught) == {"owner": ["Choose a member of the workspace."]}
    with pytest.raises(InvalidInput) as caught:
        mechanism(world, "community_tier", name="  ")
    assert fields_of(caught) == {"name": ["Name the mechanism."]}
    with pytest.raises(InvalidInput) as caught:
        services.mechanism_create(plan=world.plan, actor=editor(world), kind="flash_mob", name="x")
    assert fields_of(caught) == {"kind": ["Choose a kind."]}


def test_mechanism_update_version_and_delete(world):
    created = mechanism(world, "community_tier")
    services.mechanism_update(
        mechanism=created, expected_version=1, changes={"members": 1300}, actor=editor(world)
    )
    with pytest.raises(StaleVersion):
        services.mechanism_update(
            mechanism=created, expected_version=1, changes={"members": 1}, actor=editor(world)
        )
    assert snapshot(InteractionMechanism, created.pk, "members") == (2, 1300)
    with pytest.raises(StaleVersion):
        services.mechanism_delete(mechanism=created, expected_version=1, actor=editor(world))
    services.mechanism_delete(mechanism=created, expected_version=2, actor=editor(world))
    assert not InteractionMechanism.objects.exists()


def test_mechanisms_are_planning(world):
    created = mechanism(world, "community_tier")
    set_status(world, PlanStatus.APPROVED)
    with pytest.raises(Locked):
        services.mechanism_update(
            mechanism=created, expected_version=1, changes={"members": 1}, actor=editor(world)
        )
    with pytest.raises(NotAllowed):
        services.mechanism_delete(
            mechanism=created, expected_version=1, actor=world.users["viewer"]
        )
    assert snapshot(InteractionMechanism, created.pk, "members") == (1, 1200)


# --- SLA figures -----------------------------------------------------------------------------


def sla(samples: list[Any], hours: Any = Decimal(4)) -> queries.SlaFigures:
    return queries.sla_figures(
        InteractionMechanism(kind="feedback_channel", sla_hours=hours, response_hours=samples)
    )


def test_sla_figures_on_known_samples():
    # no samples: nothing to say
    assert sla([]) == queries.SlaFigures(0, None, None, None, False)
    # one sample is its own median and 90th percentile
    assert sla([2.5]) == queries.SlaFigures(1, 2.5, 2.5, 1.0, False)
    # 1..10 hours (unsorted) against an 8-hour SLA: median 5.5, p90 9.1 (linear
    # interpolation between order statistics), 8 of 10 within, breached
    figures = sla([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], Decimal(8))
    assert (figures.samples, figures.median, figures.within_sla, figures.breached) == (
        10,
        5.5,
        0.8,
        True,
    )
    assert figures.p90 == pytest.approx(9.1)
    # the same against a 10-hour SLA: all within, not breached
    assert sla(list(range(1, 11)), Decimal(10)).breached is False
    # the SLA itself counts as within
    assert sla([4, 4, 4, 4], Decimal(4)) == queries.SlaFigures(4, 4.0, 4.0, 1.0, False)
    # without an SLA there is no share and no breach
    none = sla([1, 2, 3], None)
    assert (none.median, none.within_sla, none.breached) == (2.0, None, False)


def test_p90_never_exceeds_the_slowest_response():
    # two responses, both within a 2.5-hour SLA: the 90th percentile is 1.9 hours,
    # not an extrapolation past the slowest one, and the SLA is not breached
    figures = sla([1, 2], Decimal("2.5"))
    assert figures.p90 == pytest.approx(1.9)
    assert (figures.within_sla, figures.breached) == (1.0, False)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    samples=st.lists(st.integers(0, 200).map(lambda n: n / 4), min_size=1, max_size=30),
    hours=st.integers(1, 60).map(lambda n: Decimal(n) / 2),
)
def test_sla_figures_properties(samples, hours):
    figures = sla(samples, hours)
    assert figures.samples == len(samples)
    assert figures.median is not None and figures.p90 is not None
    assert min(samples) <= figures.median <= figures.p90 <= max(samples)
    within = sum(1 for s in samples if s <= hours) / len(samples)
    assert figures.within_sla == pytest.approx(within)
    assert figures.breached == (figures.p90 > float(hours))
    # when every response is within the SLA, it is never breached
    if within == 1:
        assert not figures.breached


# --- concurrency -----------------------------------------------------------------------------


def test_two_campaign_updates_from_one_version_one_wins(world):
    # given two people who both read version 1
    created = new_campaign(world)
    first, second = Campaign.objects.get(pk=created.pk), Campaign.objects.get(pk=created.pk)
    # when both save
    outcomes = []
    for person, row, name in (("editor", first, "Editor's"), ("manager", second, "Manager's")):
        try:
            services.campaign_update(
                campaign=row, expected_version=1, changes={"name": name}, actor=world.users[person]
            )
            outcomes.append("saved")
        except StaleVersion:
            outcomes.append("stale")
    # then exactly one wins and the row holds the winner's value
    assert sorted(outcomes) == ["saved", "stale"]
    assert snapshot(Campaign, created.pk, "name") == (2, "Editor's")


def test_a_write_that_lands_between_check_and_claim_loses(world, monkeypatch):
    # given a second writer whose save lands right after the first one's version check
    # (simulated inside the first writer's transaction)
    created = new_campaign(world)
    original = services.update_versioned

    def interleaved(instance, **kwargs):
        Campaign.objects.filter(pk=instance.pk).update(name="Sneaky", version=2)
        return original(instance, **kwargs)

    monkeypatch.setattr(services, "update_versioned", interleaved)
    # when the first writer claims the row, the atomic claim refuses it
    with pytest.raises(StaleVersion) as caught:
        services.campaign_update(
            campaign=created,
            expected_version=1,
            changes={"name": "Mine", "channels": channels(world, "tmall")},
            actor=editor(world),
        )
    assert (caught.value.current.name, caught.value.current.version) == ("Sneaky", 2)
    # and none of its changes land, channels included
    assert Campaign.objects.get(pk=created.pk).name != "Mine"
    assert set(created.channels.values_list("code", flat=True)) == {"douyin", "wechat"}


@pytest.mark.parametrize("target", ["asset", "mechanism", "licence", "spec"])
def test_two_writes_from_one_version_one_wins_for_every_versioned_row(world, target):
    if target == "asset":
        row: Any = new_asset(world)
        write: Callable[..., Any] = services.asset_update
        key, changes = "asset", [{"notes": "a"}, {"notes": "b"}]
    elif target == "mechanism":
        row = helpers.mechanism(world)
        write = services.mechanism_update
        key, changes = "mechanism", [{"goal": "a"}, {"goal": "b"}]
    elif target == "licence":
        row = licence(world, "Shared font")
        write = services.licence_update
        key, changes = "licence", [{"notes": "a"}, {"notes": "b"}]
    else:
        row = new_spec(world, width=1, height=1)
        write = services.spec_update
        key, changes = "spec", [{"notes": "a"}, {"notes": "b"}]
    model = type(row)
    results = []
    for change in changes:
        try:
            write(
                **{key: model.objects.get(pk=row.pk)},
                expected_version=1,
                changes=change,
                actor=editor(world),
            )
            results.append("saved")
        except StaleVersion:
            results.append("stale")
    assert results == ["saved", "stale"]
    field = next(iter(changes[0]))
    assert snapshot(model, row.pk, field) == (2, "a")


# --- rules added after review -------------------------------------------------------------


def test_an_elements_licence_must_cover_its_kind(world):
    # given a font licence
    font = helpers.licence(world)
    # when a music element is given that licence, then it is refused, naming both kinds
    with pytest.raises(InvalidInput) as refused:
        services.asset_create(
            campaign=helpers.campaign(world),
            actor=world.users["editor"],
            name="Teaser",
            elements=[{"kind": "music", "name": "Theme", "licence": font}],
        )
    assert refused.value.fields["elements"] == ["Element 1: its licence covers font, not music."]


def test_a_viewer_publishing_learns_nothing_about_the_asset(world):
    draft = helpers.asset(world, name="Draft", review_status="draft")
    with pytest.raises(NotAllowed):
        services.asset_publish(
            asset=draft, expected_version=draft.version, actor=world.users["viewer"]
        )


def test_laba_before_the_plan_year_cannot_spawn_a_campaign(world):
    # 2023's Laba (the one before its Spring Festival) is on 30 December 2022
    world.plan.year = 2023
    world.plan.save(update_fields=["year"])
    with pytest.raises(InvalidInput) as refused:
        services.campaign_from_festival(
            plan=world.plan, festival="laba", actor=world.users["editor"]
        )
    assert "before the plan year" in str(refused.value.fields["festival"][0])


def test_a_longer_expiry_horizon_is_its_own_bucket(world):
    today = date(2027, 3, 1)
    helpers.licence(world, name="Late", expires=today + timedelta(days=100))
    rows = queries.licence_expiry(world.plan, today, horizon=120)
    assert [(r.licence.name, r.days_left, r.horizon) for r in rows] == [("Late", 100, 120)]
