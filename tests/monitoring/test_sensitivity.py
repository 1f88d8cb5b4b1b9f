"""The sensitivity scenarios: POST /api/v1/plans/{id}/sensitivity/ and the per-channel
"what if" form of the ROI page, on stored curves whose numbers are checked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from django.utils import timezone
from django.utils.translation import override

from core.errors import InvalidInput
from monitoring.analytics import response
from monitoring.roi import queries
from monitoring.roi.api import parse_scenario_params, parse_what_if
from monitoring.roi.models import ResponseCurve
from tests.monitoring.seed import channel

pytestmark = pytest.mark.django_db

# Douyin: hill, top 3000, half 1000, shape 1; 2 weeks of 1000 → 1500 a week.
# Baidu SEM: linear, slope 2; 2 weeks of 500 → 1000 a week.
# No metrics → no other costs prorated: cost = media spend. Revenue basis: value = revenue.
DOUYIN_SAMPLES = [[2700.0, 1000.0, 1.0], [3300.0, 1000.0, 1.0]]
SEM_SAMPLES = [[1.8], [2.2]]


def _curves(world):
    now = timezone.now()
    ResponseCurve.objects.create(
        plan=world.plan,
        channel=channel(world, "douyin"),
        status="fitted",
        kind="hill",
        params=[3000.0, 1000.0, 1.0],
        samples=DOUYIN_SAMPLES,
        weekly_spend=[1000.0, 1000.0],
        weekly_revenue=[1500.0, 1500.0],
        weeks=2,
        r2=0.9,
        computed_at=now,
    )
    ResponseCurve.objects.create(
        plan=world.plan,
        channel=channel(world, "sem_baidu"),
        status="fitted",
        kind="linear",
        params=[2.0],
        samples=SEM_SAMPLES,
        weekly_spend=[500.0, 500.0],
        weekly_revenue=[1000.0, 1000.0],
        weeks=2,
        r2=0.8,
        computed_at=now,
    )


def _hill(top, spend):
    return top * spend / (spend + 1000.0)


# Douyin −10 % → 900 a week; SEM on Baidu +15 % → 575 a week.
SPEND = 2 * 900 + 2 * 575  # 2950
REVENUE = 2 * _hill(3000, 900) + 2 * 2 * 575  # 2842.105… + 2300
LOW_DRAW = 2 * _hill(2700, 900) + 1.8 * 1150  # the two bootstrap draws
HIGH_DRAW = 2 * _hill(3300, 900) + 2.2 * 1150


def _pct(draws, q):  # numpy's linear interpolation, written out for two draws
    low, high = sorted(draws)
    return low + q * (high - low)


def test_hand_checked_changes_and_the_same_numbers_as_scenarios(world, api_for):
    _curves(world)
    url = f"/api/v1/plans/{world.plan.pk}/sensitivity/"
    got = api_for("viewer").post(url, {"changes": {"douyin": -10, "sem_baidu": 15}}, format="json")
    assert got.status_code == 200, got.json()
    body = got.json()
    s, b = body["scenario"], body["baseline"]
    assert b["media_spend"] == pytest.approx(3000) and b["expected_revenue"] == pytest.approx(5000)
    assert b["roi"] == pytest.approx(2000 / 3000)
    assert s["media_spend"] == pytest.approx(SPEND)
    assert s["expected_revenue"] == pytest.approx(REVENUE)
    assert pytest.approx(5142.105263) == REVENUE
    assert s["change_in_revenue"] == pytest.approx(REVENUE - 5000)
    assert s["change_in_spend"] == pytest.approx(-50)
    assert s["cost"] == pytest.approx(SPEND) and s["value"] == pytest.approx(REVENUE)
    assert s["roi"] == pytest.approx((REVENUE - SPEND) / SPEND)
    assert s["roi"] == pytest.approx(0.743087, abs=1e-6)
    assert s["roi_low"] == pytest.approx((_pct([LOW_DRAW, HIGH_DRAW], 0.1) - SPEND) / SPEND)
    assert s["roi_high"] == pytest.approx((_pct([LOW_DRAW, HIGH_DRAW], 0.9) - SPEND) / SPEND)
    assert s["roi_low"] < s["roi"] < s["roi_high"]
    assert s["label"] == "Douyin −10 %, SEM on Baidu +15 %"
    assert body["weeks"] == 2 and body["currency"] == world.plan.currency
    assert body["definition"]["summary"].startswith("ROI = ")
    by_code = {c["channel"]: c for c in body["channels"]}
    assert by_code["douyin"]["media_spend"] == pytest.approx(1800)
    assert by_code["douyin"]["baseline_expected_revenue"] == pytest.approx(3000)
    assert by_code["sem_baidu"]["expected_revenue"] == pytest.approx(2300)
    # the same numbers as the scenarios query (and the GET endpoint) with these changes
    found = queries.scenarios(world.plan, changes={"douyin": -0.1, "sem_baidu": 0.15})
    custom = found.custom[0].outcome
    assert (custom.revenue, custom.roi, custom.roi_low, custom.roi_high) == pytest.approx(
        (s["expected_revenue"], s["roi"], s["roi_low"], s["roi_high"])
    )
    listed = api_for("viewer").get(
        f"/api/v1/plans/{world.plan.pk}/roi/scenarios/",
        {"change": ["douyin:-10", "sem_baidu:15"]},
    )
    assert listed.json()["custom"][0]["roi"] == pytest.approx(s["roi"])


def test_total_move_and_remove_combine_in_order(world, api_for):
    _curves(world)
    url = f"/api/v1/plans/{world.plan.pk}/sensitivity/"
    api = api_for("editor")
    total = api.post(url, {"total": 10}, format="json").json()["scenario"]
    assert total["media_spend"] == pytest.approx(3300)
    assert total["expected_revenue"] == pytest.approx(2 * _hill(3000, 1100) + 2 * 2 * 550)
    assert total["label"] == "Total budget +10 %"
    # +10 % overall, Douyin −10 % on top (×1.1×0.9), then 20 % of Douyin moved to Baidu SEM
    both = api.post(
        url,
        {
            "total": 10,
            "changes": {"douyin": -10},
            "move": {"from": "douyin", "to": "sem_baidu", "percent": 20},
        },
        format="json",
    ).json()["scenario"]
    douyin_week = 1000 * 1.1 * 0.9 * 0.8  # 792
    sem_weeks = 2 * 550 + 2 * 1000 * 1.1 * 0.9 * 0.2  # 1100 + 396
    assert both["media_spend"] == pytest.approx(2 * douyin_week + sem_weeks)
    assert both["expected_revenue"] == pytest.approx(2 * _hill(3000, douyin_week) + 2 * sem_weeks)
    assert both["label"] == (
        "Total budget +10 %; Douyin −10 %; 20 % of Douyin moved to SEM on Baidu"
    )
    gone = api.post(url, {"remove": ["douyin"]}, format="json").json()
    assert gone["scenario"]["media_spend"] == pytest.approx(1000)
    assert gone["scenario"]["expected_revenue"] == pytest.approx(2000)
    assert gone["scenario"]["roi"] == pytest.approx(1.0)
    assert {c["channel"]: c["media_spend"] for c in gone["channels"]} == {
        "douyin": 0,
        "sem_baidu": 1000,
    }
    # −100 % removes the channel like `remove`
    minus = api.post(url, {"changes": {"douyin": -100}}, format="json").json()["scenario"]
    assert minus["expected_revenue"] == pytest.approx(2000)


def test_errors_name_each_field_and_write_nothing(world, api_for):
    _curves(world)
    url = f"/api/v1/plans/{world.plan.pk}/sensitivity/"
    api = api_for("viewer")

    def fields(body):
        got = api.post(url, body, format="json")
        assert got.status_code == 400, got.json()
        return got.json().get("fields", {}), got.json()["detail"]

    found, _detail = fields({"changes": {"weibo": 5, "nope": 1, "douyin": "x", "sem_baidu": -101}})
    assert set(found) == {"changes.weibo", "changes.nope", "changes.douyin", "changes.sem_baidu"}
    assert "no response curve" in found["changes.weibo"][0]  # a plan channel without a curve
    assert "Unknown channel code nope" in found["changes.nope"][0]
    found, _detail = fields({"total": 2000, "move": {"from": "douyin", "to": "douyin"}})
    assert set(found) == {"total", "move.to", "move.percent"}
    found, _detail = fields({"remove": ["douyin"], "changes": {"douyin": 5}, "extra": 1})
    assert set(found) == {"changes.douyin", "extra"}
    found, _detail = fields({"move": {"from": "douyin", "to": "sem_baidu", "percent": True}})
    assert set(found) == {"move.percent"}
    found, _detail = fields({"remove": "douyin"})
    assert set(found) == {"remove"}
    for empty in ({}, {"changes": {}}, {"remove": []}):
        found, detail = fields(empty)
        assert not found and detail.startswith("Describe a scenario")
    assert api.post(url, [1, 2], format="json").status_code == 400
    assert ResponseCurve.objects.filter(plan=world.plan).count() == 2


def test_errors_are_translated(world, api_for):
    _curves(world)
    with override("zh-hans"):
        with pytest.raises(InvalidInput) as raised:
            parse_what_if({"changes": {"nope": 5}}, {"douyin"}, {"douyin"})
        assert "nope" in str(raised.value.fields["changes.nope"][0])
        with pytest.raises(InvalidInput) as raised:
            parse_scenario_params(_Params({"change": ["nope:5"]}), {"douyin"})
        message = str(raised.value.fields["change"][0])
    assert message == "未知的渠道代码 nope。"


class _Params(dict):
    def get(self, key, default=None):
        value = super().get(key, default)
        return value[0] if isinstance(value, list) else value

    def getlist(self, key):
        return super().get(key, [])


def test_no_curves_is_a_400_naming_the_recompute(world, api_for):
    got = api_for("viewer").post(
        f"/api/v1/plans/{world.plan.pk}/sensitivity/", {"total": 10}, format="json"
    )
    assert got.status_code == 400 and "No response curves yet" in got.json()["detail"]


def test_combined_is_pure_and_checks_codes():
    base = {"a": np.array([10.0, 10.0]), "b": np.array([0.0, 0.0])}
    out = response.combined(base, total=0.5, changes={"a": -1.0}, move=None)
    assert set(out) == {"b"}  # a at −100 % is gone
    out = response.combined(base, changes={"a": -1.0}, move=("b", "a", 0.5))
    assert out["a"].tolist() == [0.0, 0.0]  # moving half of nothing keeps a at zero spend
    out = response.combined(base, move=("a", "b", 0.5))
    assert out["a"].tolist() == [5.0, 5.0] and out["b"].tolist() == [5.0, 5.0]
    with pytest.raises(KeyError):
        response.combined(base, remove=["z"])
    with pytest.raises(ValueError, match="whole spend"):
        response.combined(base, total=-0.5, changes={"a": -1.5})


def test_page_what_if_form_shows_the_row_and_keeps_the_move(world, client_for):
    _curves(world)
    url = f"/plans/{world.plan.pk}/monitoring/roi/"
    page = client_for("viewer").get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="what-if-form"' in html and 'name="pct_douyin"' in html
    assert 'name="pct_sem_baidu"' in html and 'id="scenario-changes"' not in html
    page = client_for("viewer").get(
        url,
        {
            "pct_douyin": "-10",
            "pct_sem_baidu": "15",
            "pct_weibo": "",
            "move_from": "douyin",
            "move_to": "sem_baidu",
            "percent": "20",
        },
    )
    html = page.content.decode()
    row = html.split('id="scenario-changes"')[1].split("</tr>")[0]
    assert "Douyin −10 %, SEM on Baidu +15 %" in row
    assert "74.3%" in row  # the ROI, hand-checked above
    low = (_pct([LOW_DRAW, HIGH_DRAW], 0.1) - SPEND) / SPEND
    high = (_pct([LOW_DRAW, HIGH_DRAW], 0.9) - SPEND) / SPEND
    assert f"{low * 100:.1f}% – {high * 100:.1f}%" in row
    assert 'id="scenario-move"' in html  # both custom scenarios at once
    assert 'value="-10"' in html  # the form keeps what was typed
    # the move form carries the what-if values and vice versa
    move_form = html.split('id="move-form"')[1].split("</form>")[0]
    assert 'name="pct_douyin" value="-10"' in move_form
    what_if = html.split('id="what-if-form"')[1].split("</form>")[0]
    assert 'name="move_from" value="douyin"' in what_if
    bad = client_for("viewer").get(url, {"pct_douyin": "-150", "pct_sem_baidu": "abc"})
    html = bad.content.decode()
    assert bad.status_code == 200 and 'id="scenario-changes"' not in html
    assert html.count("errorlist") >= 2


def test_page_what_if_in_chinese(world, client_for):
    _curves(world)
    client = client_for("viewer")
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/plans/{world.plan.pk}/monitoring/roi/", {"pct_douyin": "-10"})
    assert page.status_code == 200 and 'id="scenario-changes"' in page.content.decode()
