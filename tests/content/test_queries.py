"""The content section's reads (content.queries): overlap flags, the calendar,
asset flags and the licence expiry report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.models import Channel
from content import queries, services
from content.models import Campaign, Licence
from tests.content import helpers

# --- helpers ---------------------------------------------------------------------------------


def editor(world: Any) -> Any:
    return world.users["editor"]


def chans(world: Any, *codes: str) -> list[Channel]:
    return list(Channel.objects.filter(plan=world.plan, code__in=codes))


def campaign(
    world: Any,
    code: str,
    start: date,
    end: date,
    *,
    on: tuple[str, ...] = ("douyin",),
    audience: str = "Families",
    **fields: Any,
) -> Campaign:
    data: dict[str, Any] = {"theme": "seasonal", "status": "planned"}
    data.update(fields)
    return services.campaign_create(
        plan=world.plan,
        actor=editor(world),
        code=code,
        name=code.title(),
        start=start,
        end=end,
        audience=audience,
        channels=chans(world, *on),
        **data,
    )


def clashes(world: Any) -> dict[str, list[tuple[str, tuple[str, ...], date, date]]]:
    """The calendar's overlaps by campaign code, readable: (other, channel codes, window)."""
    found = queries.calendar(world.plan).overlaps
    codes = dict(Campaign.objects.values_list("pk", "code"))
    return {
        codes[pk]: sorted(
            (o.other.code, tuple(sorted(c.code for c in o.channels)), o.start, o.end)
            for o in overlaps
        )
        for pk, overlaps in found.items()
    }


D = date


# --- overlaps on real campaigns --------------------------------------------------------------


def test_same_channel_same_audience_shared_days_are_flagged_on_both(world):
    # given two campaigns on Douyin (one also on WeChat, the other also on Tmall) for
    # the same audience, written differently, sharing 10–15 March
    campaign(
        world,
        "a",
        D(2027, 3, 1),
        D(2027, 3, 15),
        on=("douyin", "wechat"),
        audience="Young families",
    )
    campaign(
        world,
        "b",
        D(2027, 3, 10),
        D(2027, 3, 31),
        on=("douyin", "tmall"),
        audience="  young   FAMILIES ",
    )
    # when the calendar is read
    found = clashes(world)
    # then each is flagged with the other, the shared channel and the shared days
    assert found == {
        "a": [("b", ("douyin",), D(2027, 3, 10), D(2027, 3, 15))],
        "b": [("a", ("douyin",), D(2027, 3, 10), D(2027, 3, 15))],
    }


def test_several_shared_channels_are_all_listed(world):
    campaign(world, "a", D(2027, 5, 1), D(2027, 5, 31), on=("douyin", "wechat", "weibo"))
    campaign(world, "b", D(2027, 5, 20), D(2027, 5, 25), on=("wechat", "douyin"))
    assert clashes(world)["a"] == [("b", ("douyin", "wechat"), D(2027, 5, 20), D(2027, 5, 25))]


@pytest.mark.parametrize(
    ("second", "why"),
    [
        ({"start": D(2027, 3, 10), "end": D(2027, 3, 20), "audience": "Students"}, "audience"),
        ({"start": D(2027, 3, 10), "end": D(2027, 3, 20), "on": ("tmall", "wechat")}, "channel"),
        ({"start": D(2027, 3, 16), "end": D(2027, 3, 20)}, "adjacent after"),
        ({"start": D(2027, 2, 20), "end": D(2027, 2, 28)}, "adjacent before"),
        ({"start": D(2027, 3, 10), "end": D(2027, 3, 20), "on": ()}, "no channels"),
        ({"start": D(2027, 3, 10), "end": D(2027, 3, 20), "audience": ""}, "everyone vs families"),
    ],
)
def test_not_flagged(world, second, why):
    # given a campaign on Douyin for families, 1–15 March
    campaign(world, "a", D(2027, 3, 1), D(2027, 3, 15))
    # and another that differs in one respect
    data = {"on": ("douyin",), "audience": "Families", **second}
    campaign(world, "b", data.pop("start"), data.pop("end"), **data)
    # then neither is flagged
    assert clashes(world) == {}, why


@pytest.mark.parametrize(
    ("a", "b", "window"),
    [
        ((D(2027, 3, 1), D(2027, 3, 15)), (D(2027, 3, 15), D(2027, 3, 31)), (D(2027, 3, 15),) * 2),
        ((D(2027, 3, 15), D(2027, 3, 31)), (D(2027, 3, 1), D(2027, 3, 15)), (D(2027, 3, 15),) * 2),
        (
            (D(2027, 3, 1), D(2027, 3, 31)),
            (D(2027, 3, 5), D(2027, 3, 6)),
            (D(2027, 3, 5), D(2027, 3, 6)),
        ),
        ((D(2027, 3, 1), D(2027, 3, 1)), (D(2027, 3, 1), D(2027, 3, 1)), (D(2027, 3, 1),) * 2),
    ],
)
def test_boundaries_are_inclusive(world, a, b, window):
    # one ends the day the other starts (or one lies inside the other): flagged
    campaign(world, "a", *a)
    campaign(world, "b", *b)
    found = clashes(world)
    assert found["a"] == [("b", ("douyin",), *window)]
    assert found["b"] == [("a", ("douyin",), *window)]


def test_everyone_clashes_only_with_everyone(world):
    campaign(world, "a", D(2027, 3, 1), D(2027, 3, 15), audience="")
    campaign(world, "b", D(2027, 3, 1), D(2027, 3, 15), audience="   ")
    campaign(world, "c", D(2027, 3, 1), D(2027, 3, 15), audience="Families")
    found = clashes(world)
    assert set(found) == {"a", "b"}
    assert [o[0] for o in found["a"]] == ["b"]


def test_three_way_overlap_is_listed_pairwise(world):
    campaign(world, "a", D(2027, 6, 1), D(2027, 6, 30))
    campaign(world, "b", D(2027, 6, 10), D(2027, 6, 12))
    campaign(world, "c", D(2027, 6, 12), D(2027, 7, 5))
    found = clashes(world)
    assert [o[0] for o in found["a"]] == ["b", "c"]
    assert [o[0] for o in found["b"]] == ["a", "c"]
    assert found["c"] == [
        ("a", ("douyin",), D(2027, 6, 12), D(2027, 6, 30)),
        ("b", ("douyin",), D(2027, 6, 12), D(2027, 6, 12)),
    ]


# --- overlaps: property test against brute force ---------------------------------------------


@dataclass(frozen=True)
class FakeChannel:
    pk: int


@dataclass
class FakeChannels:
    rows: list[FakeChannel]

    def all(self) -> list[FakeChannel]:
        return list(self.rows)


@dataclass
class FakeCampaign:
    pk: int
    start: date
    end: date
    audience: str
    channels: FakeChannels = field(default_factory=lambda: FakeChannels([]))


# Audiences with the group a person would put them in: case, spacing and ß/SS don't matter.
AUDIENCES = {
    "": "everyone",
    "   ": "everyone",
    "Families": "families",
    " families ": "families",
    "FAMILIES": "families",
    "Young  families": "young families",
    "young families": "young families",
    "Straße fans": "strasse fans",
    "STRASSE FANS": "strasse fans",
    "Students": "students",
}
BASE = date(2027, 1, 1)

fake_campaigns = st.lists(
    st.tuples(
        st.integers(0, 40),  # start offset
        st.integers(0, 15),  # length - 1
        st.sampled_from(sorted(AUDIENCES)),
        st.sets(st.integers(1, 4), max_size=3),  # channel pks
    ),
    max_size=9,
)


def build(rows: list[tuple[int, int, str, set[int]]]) -> list[FakeCampaign]:
    return [
        FakeCampaign(
            pk=index * 7 + 3,  # pks in no particular relation to the order
            start=BASE + timedelta(days=offset),
            end=BASE + timedelta(days=offset + length),
            audience=audience,
            channels=FakeChannels([FakeChannel(pk) for pk in sorted(channel_pks)]),
        )
        for index, (offset, length, audience, channel_pks) in enumerate(rows)
    ]


def brute_force(
    campaigns: list[FakeCampaign],
) -> dict[int, set[tuple[int, frozenset[int], date, date]]]:
    expected: dict[int, set[tuple[int, frozenset[int], date, date]]] = {}
    for a in campaigns:
        for b in campaigns:
            if a is b or AUDIENCES[a.audience] != AUDIENCES[b.audience]:
                continue
            days_a = {a.start + timedelta(days=n) for n in range((a.end - a.start).days + 1)}
            days_b = {b.start + timedelta(days=n) for n in range((b.end - b.start).days + 1)}
            shared_days = days_a & days_b
            shared = {c.pk for c in a.channels.all()} & {c.pk for c in b.channels.all()}
            if shared_days and shared:
                expected.setdefault(a.pk, set()).add(
                    (b.pk, frozenset(shared), min(shared_days), max(shared_days))
                )
    return expected


@settings(max_examples=150, deadline=None, derandomize=True)
@given(rows=fake_campaigns)
def test_overlaps_match_a_pairwise_check(rows):
    campaigns = build(rows)
    found = queries.overlaps(campaigns)  # type: ignore[arg-type]
    as_sets = {
        pk: {(o.other.pk, frozenset(c.pk for c in o.channels), o.start, o.end) for o in overlaps}
        for pk, overlaps in found.items()
    }
    assert as_sets == brute_force(campaigns)
    # each clash is listed once per side, never twice
    for pk, overlaps in found.items():
        assert len(overlaps) == len(as_sets[pk])
        assert all(o.other.pk != pk for o in overlaps)


# --- the calendar ----------------------------------------------------------------------------


def test_calendar_filters_but_computes_overlaps_over_everything(world):
    # given a festival campaign on Douyin and a CSR campaign on Douyin + WeChat
    # for the same audience at the same time, and a live one on Tmall
    fest = campaign(
        world, "fest", D(2027, 9, 1), D(2027, 9, 20), theme="festival", festival="mid_autumn"
    )
    csr = campaign(
        world, "csr", D(2027, 9, 10), D(2027, 9, 30), on=("douyin", "wechat"), theme="csr"
    )
    live = campaign(world, "live", D(2027, 2, 1), D(2027, 2, 5), on=("tmall",), status="idea")
    # when filtered by theme, the other campaign is hidden but the clash stays
    view = queries.calendar(world.plan, queries.Filters(theme="festival"))
    assert [c.code for c in view.campaigns] == ["fest"]
    assert [o.other.code for o in view.overlaps[fest.pk]] == ["csr"]
    assert view.filters.active
    # by channel
    view = queries.calendar(world.plan, queries.Filters(channel=chans(world, "wechat")[0].pk))
    assert [c.code for c in view.campaigns] == ["csr"]
    assert [o.other.code for o in view.overlaps[csr.pk]] == ["fest"]
    # by status
    view = queries.calendar(world.plan, queries.Filters(status="idea"))
    assert [c.code for c in view.campaigns] == ["live"]
    assert live.pk not in view.overlaps
    # combined filters narrow further
    view = queries.calendar(
        world.plan, queries.Filters(channel=chans(world, "douyin")[0].pk, theme="csr")
    )
    assert [c.code for c in view.campaigns] == ["csr"]
    # unfiltered: everything, sorted by start
    view = queries.calendar(world.plan)
    assert [c.code for c in view.campaigns] == ["live", "fest", "csr"]
    assert not view.filters.active


def test_calendar_ranges_festivals_and_spill(world):
    campaign(world, "winter", D(2026, 12, 15), D(2027, 1, 10))
    campaign(world, "spring", D(2027, 3, 1), D(2027, 3, 31))
    view = queries.calendar(world.plan)
    # the festival layer of the plan year
    assert {f.code for f in view.festivals} >= {"spring_festival", "mid_autumn", "double_11"}
    # campaigns and festivals in a range, inclusive
    assert [c.code for c in view.in_range(D(2027, 1, 10), D(2027, 2, 28))] == ["winter"]
    assert [c.code for c in view.in_range(D(2027, 1, 11), D(2027, 2, 28))] == []
    assert [f.code for f in view.festivals_in(D(2027, 9, 15), D(2027, 9, 15))] == ["mid_autumn"]
    # the campaign that starts in December 2026 spills over
    assert view.spill == {Campaign.objects.get(code="winter").pk}


def test_calendar_costs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for n in range(2):
        campaign(world, f"c{n}", D(2027, 3, 1), D(2027, 3, 10), on=("douyin", "wechat"))
    with django_assert_max_num_queries(10) as few:
        view = queries.calendar(world.plan)
        [list(c.channels.all()) for c in view.campaigns]
    for n in range(2, 12):
        campaign(world, f"c{n}", D(2027, 3, 1), D(2027, 3, 10), on=("douyin", "wechat"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        view = queries.calendar(world.plan)
        [list(c.channels.all()) for c in view.campaigns]
        [c.owner for c in view.campaigns]
    assert len(view.campaigns) == 12 and len(view.overlaps) == 12


# --- asset flags -----------------------------------------------------------------------------


def test_asset_rows_flag_missing_layers_and_licence_problems(world):
    day = D(2027, 6, 1)
    ok = helpers.licence(world, "Perpetual font", expires=None)
    old = helpers.licence(world, "Old song", kind="music", expires=D(2027, 5, 31))
    c = helpers.campaign(world)
    services.asset_create(
        campaign=c,
        actor=editor(world),
        name="A complete",
        layers=["selling_point", "emotional_story", "call_to_action"],
        elements=[{"kind": "font", "name": "Font", "licence": ok}],
    )
    services.asset_create(
        campaign=c,
        actor=editor(world),
        name="B partial",
        layers=["call_to_action"],
        elements=[
            {"kind": "music", "name": "Song", "licence": old},
            {"kind": "image", "name": "Photo", "licence": None},
        ],
    )
    rows = queries.asset_rows(queries.plan_assets(world.plan), day)
    complete, partial = rows
    assert (complete.asset.name, complete.missing_layers, complete.licence_problems) == (
        "A complete",
        [],
        [],
    )
    assert partial.missing_layers == ["Selling point", "Emotional story"]
    assert partial.licence_problems == [
        "The licence of Song (Music) expired on May 31, 2027.",
        "Photo (Image) has no licence.",
    ]
    assert [e.name for e in partial.elements] == ["Song", "Photo"]
    # on the day the song licence still ran, only the photo is a problem
    (_, earlier) = queries.asset_rows(queries.plan_assets(world.plan), D(2027, 5, 31))
    assert earlier.licence_problems == ["Photo (Image) has no licence."]


# --- licence expiry report -------------------------------------------------------------------

TODAY = D(2027, 3, 1)


def test_licence_expiry_buckets_and_boundaries(world):
    # given licences expiring 0…91 days from today, a perpetual one, one expired in
    # use, one expired unused, and one of another plan
    for days in (91, 61, 45, 0, 90, 31, 60, 10, 30):
        helpers.licence(world, f"In {days:02d} days", expires=TODAY + timedelta(days=days))
    helpers.licence(world, "Perpetual", expires=None)
    expired_used = helpers.licence(world, "Expired in use", expires=TODAY - timedelta(days=5))
    helpers.licence(world, "Expired unused", expires=TODAY - timedelta(days=1))
    services.licence_create(
        plan=world.other_plan,
        actor=world.users["outsider"],
        name="Rival",
        kind="font",
        source="x",
        scope="x",
        document_ref="x",
        expires=TODAY + timedelta(days=10),
    )
    soon = Licence.objects.get(plan=world.plan, name="In 10 days")
    c = helpers.campaign(world)
    for name, elements in (
        ("B poster", [soon]),
        ("A video", [soon, soon, expired_used]),
    ):
        services.asset_create(
            campaign=c,
            actor=editor(world),
            name=name,
            elements=[
                {"kind": "font", "name": f"Font {n}", "licence": lic}
                for n, lic in enumerate(elements)
            ],
        )
    # when the 90-day report is read
    report = queries.licence_expiry(world.plan, TODAY, 90)
    # then it lists exactly these, soonest first, in their buckets
    assert [(r.licence.name, r.days_left, r.horizon) for r in report] == [
        ("Expired in use", -5, None),
        ("In 00 days", 0, 30),
        ("In 10 days", 10, 30),
        ("In 30 days", 30, 30),
        ("In 31 days", 31, 60),
        ("In 45 days", 45, 60),
        ("In 60 days", 60, 60),
        ("In 61 days", 61, 90),
        ("In 90 days", 90, 90),
    ]
    # with the assets that use each, once each, by name
    assets = {r.licence.name: [a.name for a in r.assets] for r in report}
    assert assets["In 10 days"] == ["A video", "B poster"]
    assert assets["Expired in use"] == ["A video"]
    assert assets["In 45 days"] == []


def test_licence_expiry_shorter_horizon(world):
    for days in (0, 30, 31, 60, 61):
        helpers.licence(world, f"In {days:02d} days", expires=TODAY + timedelta(days=days))
    report = queries.licence_expiry(world.plan, TODAY, 60)
    assert [(r.licence.name, r.horizon) for r in report] == [
        ("In 00 days", 30),
        ("In 30 days", 30),
        ("In 31 days", 60),
        ("In 60 days", 60),
    ]
    report = queries.licence_expiry(world.plan, TODAY, 30)
    assert [r.days_left for r in report] == [0, 30]
    # the default is 90 days
    assert len(queries.licence_expiry(world.plan, TODAY)) == 5


def test_licence_expiry_empty_plan(world):
    assert queries.licence_expiry(world.plan, TODAY) == []
    # a plan without licences that expire
    helpers.licence(world, "Perpetual", expires=None)
    helpers.licence(world, "Far", expires=TODAY + timedelta(days=400))
    assert queries.licence_expiry(world.plan, TODAY) == []


def test_campaign_queryset_prefetches_channels_in_catalogue_order(world, django_assert_num_queries):
    campaign(
        world,
        "x",
        D(2027, 3, 1),
        D(2027, 3, 2),
        on=("tmall", "wechat", "douyin"),
        budget=Decimal(1),
    )
    with django_assert_num_queries(2):
        rows = list(queries.campaign_queryset(world.plan))
        codes = [ch.code for ch in rows[0].channels.all()]
    sort = dict(Channel.objects.filter(plan=world.plan).values_list("code", "sort_order"))
    assert codes == sorted(codes, key=sort.__getitem__)


def test_festival_name_of_a_code():
    assert queries.festival_name("mid_autumn", 2027) == "Mid-Autumn Festival"
    assert queries.festival_name("618", 2027) == "618 Shopping Festival"
    # an unknown code is shown as it is
    assert queries.festival_name("halloween", 2027) == "halloween"


def test_a_plan_year_outside_the_festival_calendar_has_no_festival_layer():
    from content.queries import festival_layer

    assert festival_layer(2100) == [] and festival_layer(1900) == []
    assert len(festival_layer(2099)) == 21
