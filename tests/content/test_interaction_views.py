"""User interaction pages: the four kinds of mechanism, their forms, SLA figures and rules."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels.models import Channel
from content import services
from content.interaction_forms import (
    indicators_text,
    levels_text,
    parse_indicators,
    parse_levels,
    parse_samples,
)
from content.models import InteractionMechanism, MechanismKind
from content.queries import sla_figures
from content.services import MECHANISM_FIELDS
from planner.models import Plan, PlanStatus
from tests.content.helpers import mechanism

HTMX = {"HTTP_HX_REQUEST": "true"}
ALL_KIND_FIELDS = {f for fields in MECHANISM_FIELDS.values() for f in fields}


def url(world: Any, suffix: str = "") -> str:
    return f"/plans/{world.plan.pk}/content/interaction/{suffix}"


def channel_pk(world: Any, code: str) -> int:
    return Channel.objects.get(plan=world.plan, code=code).pk


def form_data(world: Any, kind: str) -> dict[str, Any]:
    """A complete form post for a new mechanism of ``kind``."""
    common = {"kind": kind, "goal": "", "owner": world.users["editor"].pk}
    if kind == "ugc_challenge":
        return {
            **common,
            "name": "Spring sip challenge",
            "goal": "3,000 videos of spring tea moments",
            "topic": "#SpringSip",
            "channel": channel_pk(world, "douyin"),
            "start": "2027-03-01",
            "end": "2027-03-31",
            "reward": "Tea sets for the 30 best videos",
            "boost_rules": "Top 10 by likes each week get a paid boost",
            "indicators": "Videos | 3,000 | 1,250 | videos\nViews | 10000000 |  | views",
        }
    if kind == "feedback_channel":
        return {
            **common,
            "name": "Mini-program chat",
            "channel": channel_pk(world, "wechat"),
            "sla_hours": "2",
            "ai_first": "on",
            "response_hours": "0.5, 1 1.5\n3，4",
            "indicators": "CSAT | 4.6 | 4.4 | /5",
        }
    if kind == "community_tier":
        return {
            **common,
            "name": "VIP tasting circle",
            "level": "vip",
            "channel": channel_pk(world, "wechat"),
            "members": "3200",
            "activities": "Offline tastings in Shanghai",
            "indicators": "Repeat purchase rate | 45 | 48 | %",
        }
    return {
        **common,
        "name": "Lumi Leaves",
        "points_rules": "1 point per yuan spent",
        "badges": "First brew\nReviewer\n\nGift giver",
        "levels": "Green leaf | 0 | Birthday coupon\nSilver leaf | 500 | Free shipping\n"
        "Golden leaf｜2,000｜Early access | 10% off",
    }


def create(world: Any, kind: str, name: str, **fields: Any) -> InteractionMechanism:
    """A mechanism written through the service (for pages that only read)."""
    defaults: dict[str, dict[str, Any]] = {
        "ugc_challenge": {
            "topic": "#Tag",
            "channel": Channel.objects.get(plan=world.plan, code="douyin"),
            "start": date(2027, 4, 1),
            "end": date(2027, 4, 30),
        },
        "feedback_channel": {"sla_hours": 2},
        "community_tier": {"level": "basic", "members": 1000},
        "reward_tier": {"levels": [{"name": "Green", "min_points": 0, "perks": ""}]},
    }
    payload = {**defaults[kind], **fields}
    return services.mechanism_create(
        plan=world.plan, actor=world.users["editor"], kind=kind, name=name, **payload
    )


def text_of(html: bytes) -> str:
    """The page's text with tags removed and white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html.decode()).split())


# --- the page -------------------------------------------------------------------------------


def test_page_has_a_block_per_kind_and_viewers_get_no_edit_buttons(world, client_for):
    # given one mechanism of one kind
    m = mechanism(world)
    # when a viewer opens the page
    response = client_for("viewer").get(url(world))
    # then the four blocks are there, read-only
    assert response.status_code == 200
    content = response.content.decode()
    for kind in MechanismKind.values:
        assert f'id="{kind}"' in content
    assert "Tea moments challenge" in content and "#MyTeaMoment" in content
    assert "No feedback channels planned yet." in content
    assert "/interaction/new/" not in content and url(world, f"{m.pk}/") not in content


def test_editor_sees_add_and_edit_buttons(world, client_for):
    m = mechanism(world)
    content = client_for("editor").get(url(world)).content.decode()
    for kind in MechanismKind.values:
        assert f"/interaction/new/?kind={kind}" in content
    assert url(world, f"{m.pk}/") in content


def test_approved_plan_is_read_only_for_editors(world, client_for):
    # given an approved plan with a mechanism
    m = mechanism(world)
    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.APPROVED)
    client = client_for("editor")
    # when the editor opens the page and then posts a change anyway
    content = client.get(url(world)).content.decode()
    response = client.post(
        url(world, f"{m.pk}/"), {**form_data(world, "ugc_challenge"), "version": m.version}
    )
    # then no edit buttons are offered and the change is refused on the form
    assert "/interaction/new/" not in content
    assert response.status_code == 400
    assert "Only a draft plan can be edited" in response.content.decode()
    m.refresh_from_db()
    assert m.name == "Tea moments challenge"


def test_indicators_show_target_actual_unit_and_progress(world, client_for):
    create(
        world,
        "community_tier",
        "Tea club",
        indicators=[
            {"name": "Active members", "target": 40000, "actual": 31500, "unit": "members"},
            {"name": "Rating", "target": 4.6, "actual": None, "unit": "/5"},
        ],
    )
    page = text_of(client_for("viewer").get(url(world)).content)
    assert "Active members 40,000 members 31,500 members 79%" in page
    assert "Rating 4.6 /5 — —" in page  # no actual yet: no progress
    assert 'style="width: 79%"' in client_for("viewer").get(url(world)).content.decode()


def test_each_kind_shows_its_own_details(world, client_for):
    create(
        world,
        "ugc_challenge",
        "Brew-off",
        topic="#BrewOff",
        reward="Coupons",
        boost_rules="Paid boost for the top 10",
    )
    create(
        world,
        "community_tier",
        "KOC ambassadors",
        level="koc",
        members=180,
        activities="Quarterly workshop",
    )
    create(
        world,
        "reward_tier",
        "Loyalty",
        points_rules="1 point per yuan",
        badges=["First brew", "Reviewer"],
        levels=[
            {"name": "Green leaf", "min_points": 0, "perks": "Birthday coupon"},
            {"name": "Golden leaf", "min_points": 2000, "perks": "Early access"},
        ],
    )
    page = text_of(client_for("viewer").get(url(world)).content)
    assert "Topic #BrewOff Platform Douyin" in page
    assert "April 1, 2027 – April 30, 2027 (30 days)" in page
    assert "Reward Coupons Boost rules Paid boost for the top 10" in page
    assert "KOC group" in page and "Members 180" in page and "Quarterly workshop" in page
    assert "Badges First brew Reviewer" in page
    assert "Golden leaf 2,000 Early access" in page


def test_dates_are_localised_in_chinese(world, client_for):
    mechanism(world)
    client = client_for("viewer")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = text_of(client.get(url(world)).content)
    assert "2027年4月1日 – 2027年4月30日" in page


# --- feedback channels: the SLA -------------------------------------------------------------


def test_sla_figures_and_breach_flag_render(world, client_for):
    # given a channel whose slowest tenth is over its 2 h SLA, and one well within 8 h
    live_chat = create(
        world,
        "feedback_channel",
        "Live chat",
        sla_hours=2,
        ai_first=True,
        response_hours=[0.5, 1, 1, 1.5, 2, 2, 3, 4, 6, 8],
    )
    create(world, "feedback_channel", "Store service", sla_hours=8, response_hours=[1, 2, 3])
    create(world, "feedback_channel", "Comment replies", sla_hours=24)
    figures = sla_figures(live_chat)
    assert figures.breached and figures.p90 is not None
    # when the page is read
    page = text_of(client_for("viewer").get(url(world)).content)
    # then the measured figures and the flag show on the breaching channel only
    live = page[page.index("Live chat") : page.index("Store service")]
    p90 = f"{figures.p90:.1f}".removesuffix(".0")
    assert "SLA breached" in live
    assert f"Samples 10 Median 2 h 90th percentile {p90} h Within SLA 60%" in live
    assert f"one response in ten takes longer than {p90} h, over the 2 h SLA" in live
    assert "AI assistant first, then a person" in live and "Response SLA 2 h" in live
    store = page[page.index("Store service") :]
    assert "SLA breached" not in store and "Within SLA" in store
    assert "Samples 3 Median 2 h" in store and "Within SLA 100%" in store
    comments = page[page.index("Comment replies") : page.index("Live chat")]
    assert "No response times measured yet." in comments and "SLA breached" not in comments
    # and the count at the top says one channel is over its SLA
    assert "1 over its SLA" in page


# --- creating ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", MechanismKind.values)
def test_form_for_a_kind_shows_only_its_fields(kind, world, client_for):
    response = client_for("editor").get(url(world, f"new/?kind={kind}"), **HTMX)
    content = response.content.decode()
    assert response.status_code == 200 and "<html" not in content
    names = set(re.findall(r'name="([a-z_]+)"', content)) - {"csrfmiddlewaretoken", "version"}
    assert names == {"kind", "name", "goal", "owner", "indicators", *MECHANISM_FIELDS[kind]}
    assert not names & (ALL_KIND_FIELDS - set(MECHANISM_FIELDS[kind]))
    assert f'name="kind" value="{kind}"' in content


@pytest.mark.parametrize("kind", MechanismKind.values)
def test_each_kind_can_be_created_from_the_page_and_shows_on_it(kind, world, client_for):
    client = client_for("editor")
    data = form_data(world, kind)
    # when the editor posts the form for the kind
    response = client.post(url(world, "new/"), data)
    # then it is saved with its fields parsed, and listed in its block
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == url(world) + f"#{kind}"
    saved = InteractionMechanism.objects.get(plan=world.plan, name=data["name"])
    assert saved.kind == kind and saved.owner == world.users["editor"]
    page = client.get(url(world)).content.decode()
    block = page[page.index(f'id="{kind}"') :]
    assert data["name"] in block[: block.index("</section>")]
    if kind == "ugc_challenge":
        assert (saved.topic, saved.start, saved.end) == (
            "#SpringSip",
            date(2027, 3, 1),
            date(2027, 3, 31),
        )
        assert saved.indicators == [
            {"name": "Videos", "unit": "videos", "target": 3000.0, "actual": 1250.0},
            {"name": "Views", "unit": "views", "target": 10000000.0, "actual": None},
        ]
    elif kind == "feedback_channel":
        assert saved.ai_first and saved.sla_hours == 2
        assert saved.response_hours == [0.5, 1.0, 1.5, 3.0, 4.0]
    elif kind == "community_tier":
        assert (saved.level, saved.members) == ("vip", 3200)
        assert saved.channel.code == "wechat"
    else:
        assert saved.badges == ["First brew", "Reviewer", "Gift giver"]
        assert saved.levels == [
            {"name": "Green leaf", "min_points": 0, "perks": "Birthday coupon"},
            {"name": "Silver leaf", "min_points": 500, "perks": "Free shipping"},
            {"name": "Golden leaf", "min_points": 2000, "perks": "Early access | 10% off"},
        ]


def test_htmx_create_refreshes_the_page(world, client_for):
    response = client_for("editor").post(
        url(world, "new/"), form_data(world, "reward_tier"), **HTMX
    )
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    assert InteractionMechanism.objects.filter(plan=world.plan, name="Lumi Leaves").exists()


def test_new_form_names_the_author_as_owner(world, client_for):
    content = client_for("editor").get(url(world, "new/?kind=reward_tier")).content.decode()
    assert f'<option value="{world.users["editor"].pk}" selected>' in content


def test_unknown_kind_is_refused(world, client_for):
    assert client_for("editor").get(url(world, "new/?kind=lottery")).status_code == 400
    response = client_for("editor").post(url(world, "new/"), {"kind": "", "name": "X"})
    assert response.status_code == 400
    assert not InteractionMechanism.objects.exists()


@pytest.mark.parametrize(
    ("kind", "field", "text", "message"),
    [
        (
            "ugc_challenge",
            "indicators",
            "Videos | 3000 | 100 | videos\n\nViews | lots | 3 | views",
            "Line 3: the target “lots” is not a number.",
        ),
        (
            "ugc_challenge",
            "indicators",
            " | 3000",
            "Line 1: start with the indicator&#x27;s name.",
        ),
        (
            "reward_tier",
            "levels",
            "Green | 0 | Coupon\nSilver | many | Free shipping",
            "Line 2: write it as “name | points needed | perks”",
        ),
        (
            "reward_tier",
            "levels",
            "Green | 0\nSilver | 12.5",
            "Line 2: write it as",
        ),
        (
            "feedback_channel",
            "response_hours",
            "1, 2\n3, soon",
            "Line 2: “soon” is not a number of hours (0 or more).",
        ),
    ],
)
def test_bad_line_gives_an_error_naming_the_line_and_writes_nothing(
    kind, field, text, message, world, client_for
):
    # when a list field has a line that cannot be read
    response = client_for("editor").post(
        url(world, "new/"), {**form_data(world, kind), field: text}
    )
    # then the form comes back with the error on that field and nothing is saved
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert f'name="{field}"' in content
    assert not InteractionMechanism.objects.exists()


def test_service_errors_land_on_their_fields(world, client_for):
    # given a challenge without its topic, whose end is before its start
    data = {**form_data(world, "ugc_challenge"), "topic": "", "end": "2027-02-01"}
    # when posted in place
    response = client_for("editor").post(url(world, "new/"), data, **HTMX)
    # then each rule's message shows next to its field, and the form keeps what was typed
    content = response.content.decode()
    assert response.status_code == 200 and "<html" not in content
    topic = content[content.index('for="id_topic"') : content.index('for="id_channel"')]
    assert "Give the challenge" in topic and "topic or hashtag." in topic
    end = content[content.index('for="id_end"') :]
    assert "The end cannot be before the start." in end[: end.index("</div>")]
    assert "Videos | 3,000 | 1,250 | videos" in content
    assert not InteractionMechanism.objects.exists()


def test_reward_scheme_needs_a_level(world, client_for):
    response = client_for("editor").post(
        url(world, "new/"), {**form_data(world, "reward_tier"), "levels": ""}
    )
    assert response.status_code == 400 and "Give at least one level." in response.content.decode()


# --- editing ------------------------------------------------------------------------------------


def test_edit_form_shows_list_fields_as_lines(world, client_for):
    m = create(
        world,
        "reward_tier",
        "Loyalty",
        badges=["First brew", "Reviewer"],
        levels=[
            {"name": "Green", "min_points": 0, "perks": ""},
            {"name": "Gold", "min_points": 2000, "perks": "Early access"},
        ],
        indicators=[{"name": "Members", "target": 5000, "actual": 120.5, "unit": ""}],
    )
    response = client_for("editor").get(url(world, f"{m.pk}/"), **HTMX)
    content = response.content.decode()
    assert response.status_code == 200 and "<html" not in content
    assert "Green | 0\nGold | 2000 | Early access" in content
    assert "First brew\nReviewer" in content
    assert "Members | 5000 | 120.5</textarea>" in content
    assert f'name="version" value="{m.version}"' in content


def test_edit_form_is_a_page_without_htmx(world, client_for):
    m = mechanism(world)
    content = client_for("editor").get(url(world, f"{m.pk}/")).content.decode()
    assert "<html" in content and 'id="mechanism-form"' in content and "#MyTeaMoment" in content


def test_edit_saves_the_changes(world, client_for):
    m = mechanism(world)
    data = {
        **form_data(world, "ugc_challenge"),
        "name": "Tea moments challenge",
        "topic": "#TeaMoments",
        "indicators": "Videos | 5000 | 4200 | videos",
        "version": m.version,
    }
    response = client_for("editor").post(url(world, f"{m.pk}/"), data, **HTMX)
    assert response.status_code == 204
    m.refresh_from_db()
    assert m.topic == "#TeaMoments" and m.version == 2
    assert m.indicators == [
        {"name": "Videos", "unit": "videos", "target": 5000.0, "actual": 4200.0}
    ]


def test_stale_version_is_refused_and_shows_the_saved_values(world, client_for):
    # given someone saved the challenge after the editor opened it
    m = mechanism(world)
    opened = m.version
    services.mechanism_update(
        mechanism=m,
        expected_version=opened,
        changes={"topic": "#TheirTag"},
        actor=world.users["admin"],
    )
    # when the editor saves with the version they opened
    data = {
        **form_data(world, "ugc_challenge"),
        "name": m.name,
        "topic": "#MyTag",
        "version": opened,
    }
    response = client_for("editor").post(url(world, f"{m.pk}/"), data)
    # then nothing of theirs is written and the conflict is explained
    assert response.status_code == 409
    content = response.content.decode()
    assert "someone else changed this mechanism" in content
    conflict = content[content.index('class="conflict"') : content.index("</table>")]
    assert "#MyTag" in conflict and "#TheirTag" in conflict
    assert f'name="version" value="{opened + 1}"' in content  # the form now holds the saved row
    m.refresh_from_db()
    assert m.topic == "#TheirTag" and m.version == opened + 1


def test_stale_delete_is_refused(world, client_for):
    m = mechanism(world)
    services.mechanism_update(
        mechanism=m,
        expected_version=m.version,
        changes={"reward": "More"},
        actor=world.users["admin"],
    )
    response = client_for("editor").post(
        url(world, f"{m.pk}/"), {"delete": "1", "version": 1}, follow=True
    )
    assert "changed in the meantime and was not deleted" in response.content.decode()
    assert InteractionMechanism.objects.filter(pk=m.pk).exists()


def test_delete_removes_the_mechanism(world, client_for):
    m = mechanism(world)
    response = client_for("editor").post(
        url(world, f"{m.pk}/"), {"delete": "1", "version": m.version}
    )
    assert response.status_code == 302 and response["Location"] == url(world) + "#ugc_challenge"
    assert not InteractionMechanism.objects.filter(pk=m.pk).exists()


# --- access -------------------------------------------------------------------------------------


def test_viewer_can_neither_create_nor_edit(world, client_for):
    m = mechanism(world)
    client = client_for("viewer")
    assert client.get(url(world, "new/?kind=ugc_challenge")).status_code == 403
    assert client.post(url(world, "new/"), form_data(world, "reward_tier")).status_code == 403
    assert client.get(url(world, f"{m.pk}/")).status_code == 403
    data = {**form_data(world, "ugc_challenge"), "name": "Renamed", "version": m.version}
    assert client.post(url(world, f"{m.pk}/"), data).status_code == 403
    assert (
        client.post(url(world, f"{m.pk}/"), {"delete": "1", "version": m.version}).status_code
        == 403
    )
    assert list(InteractionMechanism.objects.values_list("name", flat=True)) == [m.name]


def test_mechanism_of_another_plan_is_not_found(world, client_for):
    theirs = services.mechanism_create(
        plan=world.other_plan,
        actor=world.users["outsider"],
        kind="feedback_channel",
        name="Rival chat",
        sla_hours=4,
    )
    response = client_for("editor").get(url(world, f"{theirs.pk}/"))
    assert response.status_code == 404


# --- query count --------------------------------------------------------------------------------


def test_page_query_count_stays_flat_as_mechanisms_grow(
    world, client_for, django_assert_max_num_queries
):
    client = client_for("editor")
    for kind in MechanismKind.values:
        create(
            world,
            kind,
            f"First {kind}",
            owner=world.users["editor"],
            indicators=[{"name": "A", "target": 1}],
        )
    client.get(url(world))
    with CaptureQueriesContext(connection) as few:
        client.get(url(world))
    for n in range(6):
        for kind in MechanismKind.values:
            extra: dict[str, Any] = {"owner": world.users["manager"]}
            if kind != "reward_tier":
                extra["channel"] = Channel.objects.get(plan=world.plan, code="wechat")
            if kind == "feedback_channel":
                extra["response_hours"] = [1, 2, 3]
            create(world, kind, f"More {kind} {n}", **extra)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url(world))
    assert response.content.decode().count('class="mech-card"') == 28


# --- parsing the list fields ----------------------------------------------------------------------


def test_indicator_lines_accept_thousands_separators_and_full_width_bars():
    assert parse_indicators("Videos ｜ 5,000 ｜ 1 200 ｜ videos\n\nRating | 4.5") == [
        {"name": "Videos", "unit": "videos", "target": 5000.0, "actual": 1200.0},
        {"name": "Rating", "unit": "", "target": 4.5, "actual": None},
    ]


def test_list_fields_round_trip_through_their_text():
    indicators = [{"name": "Videos", "target": 5000.0, "actual": None, "unit": "videos"}]
    assert parse_indicators(indicators_text(indicators)) == [
        {"name": "Videos", "unit": "videos", "target": 5000.0, "actual": None}
    ]
    levels = [{"name": "Gold", "min_points": 2000, "perks": "Early access | gift"}]
    assert parse_levels(levels_text(levels)) == levels


def test_response_times_split_on_commas_spaces_and_new_lines():
    assert parse_samples("0.5,1  2\n3，4、5;6") == [0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert parse_samples("") == []
