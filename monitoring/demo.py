"""The demo plan's data monitoring: a year of daily metrics for every channel with a
budget, three injected incidents, and the alert rules that catch them. Used only by
``manage.py load_demo`` (which recomputes the plan afterwards).

The numbers are made up but behave like a Chinese consumer brand's:

* **spend** follows each channel's quarterly budget (``channels/demo.py``), spread over
  the days of the quarter by a weekly rhythm and the festival seasons (the run-up to the
  Spring Festival, 618 and Double 11), with a little noise;
* **impressions** come from the spend and a CPM that rises with the day's spend
  (diminishing returns, which the ROI model's response curves find), **clicks** from a
  CTR, then visits,
  sign-ups and orders down the funnel with rates of the channel's kind (a marketplace
  converts far better than a topic on Weibo), **revenue** from an average order value;
* the days a campaign runs on a channel are split: part of the day's traffic is booked
  on the campaign (``content/demo.py``), the rest on the channel alone;
* fixed seed: the same data on every run.

Incidents (see :data:`INCIDENTS`): the Baidu search bids run away for two days in April
(spend ×3), a JD checkout fault stops most orders for five days in July (the cost per
order quadruples), and Douyin's click-through rate collapses for three days in September.
Each one raises an alert of its rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.contrib.auth.models import User

from channels.models import Channel, ChannelPlan
from content.festivals import festivals
from content.models import Campaign
from monitoring import competitor_demo, services
from monitoring.models import AlertRule, DailyMetric, ImportStatus, Metric, RuleKind, Severity
from planner.models import Plan

SEED = 2027
SATURATION = 0.5

# Traffic by weekday (Monday first), by kind of channel.
WEEKLY = {
    "social": (0.94, 0.95, 0.96, 0.98, 1.04, 1.13, 1.10),  # scrolling peaks at the weekend
    "owned": (1.10, 1.08, 1.06, 1.04, 1.00, 0.82, 0.84),  # articles are read on workdays
    "search": (1.12, 1.10, 1.08, 1.05, 0.98, 0.82, 0.86),  # searched from the office
    "marketplace": (0.95, 0.95, 0.96, 0.98, 1.02, 1.10, 1.08),
    "office": (1.08, 1.08, 1.06, 1.05, 1.00, 0.86, 0.84),  # JD's gift and office orders
    "offline": (0.90, 0.90, 0.92, 0.95, 1.05, 1.28, 1.24),  # malls fill up at the weekend
    "creators": (0.98, 0.98, 1.00, 1.00, 1.02, 1.06, 1.04),
}


@dataclass(frozen=True)
class Profile:
    """How a channel turns money into results: the funnel rates of its kind."""

    kind: str
    cpm: float  # spend per thousand impressions
    ctr: float  # clicks ÷ impressions
    visit_rate: float  # visits ÷ clicks
    signup_rate: float  # sign-ups ÷ visits
    order_rate: float  # orders ÷ sign-ups
    aov: float  # revenue per order
    new_share: float  # new users ÷ orders
    festive: float  # how strongly the festival seasons lift the channel (0–1)
    weekend_ctr: float = 1.0  # CTR at the weekend ÷ CTR on a workday


PROFILES: dict[str, Profile] = {
    "douyin": Profile("social", 28, 0.014, 0.75, 0.20, 0.28, 118, 0.65, 0.9, 1.05),
    "xiaohongshu": Profile("social", 40, 0.022, 0.70, 0.15, 0.25, 135, 0.70, 0.6, 1.04),
    "wechat": Profile("owned", 18, 0.035, 0.90, 0.09, 0.30, 142, 0.25, 0.5, 0.96),
    "wechat_channels": Profile("social", 30, 0.016, 0.80, 0.18, 0.30, 125, 0.55, 0.6, 1.03),
    "mini_program": Profile("owned", 20, 0.025, 0.92, 0.12, 0.30, 138, 0.35, 0.7),
    "weibo": Profile("social", 22, 0.009, 0.60, 0.10, 0.15, 120, 0.60, 0.4, 1.05),
    "bilibili": Profile("social", 35, 0.012, 0.65, 0.12, 0.18, 125, 0.70, 0.3, 1.06),
    "sem_baidu": Profile("search", 60, 0.045, 0.85, 0.18, 0.30, 150, 0.55, 0.6),
    "tmall": Profile("marketplace", 35, 0.030, 0.95, 0.20, 0.35, 132, 0.45, 1.0),
    "jd": Profile("office", 32, 0.025, 0.95, 0.20, 0.35, 145, 0.40, 0.9),
    "popup": Profile("offline", 120, 0.080, 0.50, 0.25, 0.30, 98, 0.80, 0.4),
    "kol_koc": Profile("creators", 45, 0.018, 0.70, 0.15, 0.25, 120, 0.70, 0.8, 1.02),
}
# Any other channel with a budget gets the profile of its group.
BY_GROUP = {
    "social": PROFILES["douyin"],
    "search": PROFILES["sem_baidu"],
    "ecommerce": PROFILES["tmall"],
    "retail": PROFILES["popup"],
    "community": PROFILES["popup"],
    "events": PROFILES["popup"],
    "creators": PROFILES["kol_koc"],
    "partnership": PROFILES["weibo"],
}

# Part of a channel's day booked on a campaign that runs on it, by campaign theme.
CAMPAIGN_SHARE = {
    "festival": 0.45,
    "product_launch": 0.40,
    "seasonal": 0.30,
    "ip_tie_in": 0.30,
    "csr": 0.10,
    "always_on": 0.15,
}
MAX_CAMPAIGN_SHARE = 0.85


@dataclass(frozen=True)
class Incident:
    channel: str
    start: tuple[int, int]  # month, day
    days: int
    what: str
    factors: dict[str, float]  # metric → multiplier on those days


INCIDENTS: tuple[Incident, ...] = (
    # The bid cap on Baidu is lost: three times the spend for less than twice the clicks.
    Incident(
        "sem_baidu",
        (4, 13),
        2,
        "Search bids ran away",
        {"spend": 3.2, "impressions": 1.9},
    ),
    # A checkout fault on JD: people still come and sign up, few can pay.
    Incident("jd", (7, 19), 5, "JD checkout fault", {"orders": 0.25}),
    # Douyin stops showing the new creative to the right audience: clicks collapse.
    Incident("douyin", (9, 21), 3, "Douyin CTR collapse", {"ctr": 0.3}),
)

RULES: tuple[dict[str, Any], ...] = (
    {
        "name": "CTR out of its usual range",
        "metric": Metric.CTR,
        "channel": None,
        "kind": RuleKind.STATISTICAL,
        "threshold": 4.5,
        "severity": Severity.WARNING,
    },
    {
        "name": "Spend spike: 80 % above the last four weeks",
        "metric": Metric.SPEND,
        "channel": None,
        "kind": RuleKind.CHANGE,
        "change_pct": 80.0,
        "baseline_days": 28,
        "severity": Severity.CRITICAL,
    },
    {
        "name": "JD cost per order above ¥40",
        "metric": Metric.CPA,
        "channel": "jd",
        "kind": RuleKind.BOUNDS,
        "upper": 40.0,
        "severity": Severity.WARNING,
    },
)

COUNTS = ("impressions", "clicks", "visits", "signups", "conversions", "new_users")
MONEY = ("spend", "revenue")


def load(*, plan: Plan, editor: User) -> None:
    """Add a year of daily metrics and the alert rules to the demo plan (idempotent)."""
    if not DailyMetric.objects.filter(plan=plan).exists():
        _import(plan, editor)
    channels = {c.code: c for c in Channel.objects.filter(plan=plan)}
    existing = set(AlertRule.objects.filter(plan=plan).values_list("name", flat=True))
    for rule in RULES:
        if rule["name"] in existing:
            continue
        fields = dict(rule)
        code = fields.pop("channel")
        if code is not None and code not in channels:
            continue
        services.rule_create(
            plan=plan,
            actor=editor,
            channel=channels[code] if code else None,
            **fields,
        )
    competitor_demo.load(plan=plan, editor=editor)


def _import(plan: Plan, editor: User) -> None:
    """The year as four quarterly uploads through the importer, and one refused upload
    (a correction file with mistakes) so the import history shows both."""
    rows = [_as_upload(row) for row in daily_rows(plan)]
    for quarter in range(1, 5):
        part = [r for r in rows if (int(r["date"][5:7]) - 1) // 3 + 1 == quarter]
        record = services.import_metrics(
            plan=plan,
            actor=editor,
            source=part,
            filename=f"daily-metrics-{plan.year}-q{quarter}.csv",
            size=0,
        )
        if record.status != ImportStatus.SUCCEEDED:
            raise RuntimeError(f"the demo metrics were refused: {record.errors[:3]}")
    wrong = [dict(r) for r in rows[:3]]
    wrong[0]["channel"] = "tiktok"  # not a channel of the plan
    wrong[2]["clicks"] = str(int(wrong[2]["impressions"]) + 10)  # more clicks than impressions
    services.import_metrics(
        plan=plan, actor=editor, source=wrong, filename="corrections-january.csv", size=0
    )


def _as_upload(row: dict[str, Any]) -> dict[str, Any]:
    """A generated row as the importer's JSON rows (codes, ISO dates, amounts as text)."""
    campaign = row["campaign"]
    return {
        "date": row["date"].isoformat(),
        "channel": row["channel"].code,
        "campaign": campaign.code if campaign is not None else "",
        **{name: row[name] for name in COUNTS},
        **{name: str(row[name]) for name in MONEY},
    }


# --- the data ------------------------------------------------------------------------------


def _budgets(plan: Plan) -> dict[Channel, list[float]]:
    """Quarterly budgets of the plan's active channels that have one."""
    found: dict[Channel, list[float]] = {}
    cells = ChannelPlan.objects.filter(
        channel__plan=plan, channel__is_active=True, budget__gt=0
    ).select_related("channel")
    for cell in cells.order_by("channel__sort_order", "channel__code", "quarter"):
        found.setdefault(cell.channel, [0.0] * 4)[cell.quarter - 1] = float(cell.budget)
    return found


def _profile(channel: Channel) -> Profile:
    return PROFILES.get(channel.code) or BY_GROUP.get(channel.group, PROFILES["douyin"])


def _season(days: list[date], kind: str) -> np.ndarray:
    """Festival lift per day (0 = an ordinary day): run-ups to the big sales, small gifting
    days, and the Spring Festival break when parcels stop."""
    year = days[0].year
    when = {f.code: f for f in festivals(year)}
    t = np.array([d.toordinal() for d in days], dtype=float)
    lift = np.zeros(len(days))

    def ramp(peak: date, before: int, after: int, height: float) -> np.ndarray:
        """Growing by the same percentage every day up to the peak, then falling fast."""
        p = peak.toordinal()
        up = ((1 + height) ** np.clip(1 - (p - t) / before, 0, 1) - 1) * (t <= p)
        down = height * np.clip(1 - (t - p) / after, 0, 1) * (t > p)
        return up + down

    def bump(centre: date, width: float, height: float) -> np.ndarray:
        return height * np.exp(-0.5 * ((t - centre.toordinal()) / width) ** 2)

    if "spring_festival" in when:
        eve = when["spring_festival"].start
        lift += bump(eve - timedelta(days=10), 9, 0.7)  # New Year gift boxes
        if kind in ("marketplace", "office"):
            holiday = (t >= eve.toordinal()) & (t <= when["spring_festival"].end.toordinal())
            lift -= 0.35 * holiday  # couriers are home for the holiday
    if "618" in when:
        lift += ramp(when["618"].peak, 35, 3, 0.9)
    if "double_11" in when:
        lift += ramp(when["double_11"].peak, 40, 3, 1.1)
    if "double_12" in when:
        lift += ramp(when["double_12"].peak, 8, 2, 0.3)
    for code in ("valentines", "520", "qixi", "mid_autumn"):
        if code in when:
            lift += bump(when[code].peak, 3, 0.25 if kind in ("social", "creators") else 0.12)
    if "national_day" in when and kind in ("search", "owned", "office"):
        nd = when["national_day"]
        lift -= 0.2 * ((t >= nd.start.toordinal()) & (t <= nd.end.toordinal()))
    return lift


def _series(
    channel: Channel, budget: list[float], days: list[date], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """One channel's daily totals for the year (floats, before rounding)."""
    p = _profile(channel)
    n = len(days)
    weekday = np.array([d.weekday() for d in days])
    quarter = np.array([(d.month - 1) // 3 for d in days])
    lift = _season(days, p.kind) * p.festive
    weight = np.array(WEEKLY[p.kind])[weekday] * (1 + lift) * rng.lognormal(0, 0.03, n)
    spend = _paced(weight, quarter, budget)
    weekend = weekday >= 5
    # Diminishing returns: the more a channel spends in a day, the dearer its reach (the
    # auction's CPM rises with the bid), so results grow like spend^(1 − SATURATION).
    relative = spend / spend.mean() if spend.mean() > 0 else np.ones(n)
    impressions = spend / p.cpm * 1000 * relative**-SATURATION * rng.lognormal(0, 0.05, n)
    ctr = p.ctr * np.where(weekend, p.weekend_ctr, 1.0) * (1 + 0.1 * lift)
    ctr *= rng.lognormal(0, 0.04, n)
    order_rate = p.order_rate * (1 + 0.35 * np.clip(lift, 0, None)) * rng.lognormal(0, 0.05, n)
    factors = _incident_factors(channel.code, days)
    spend *= factors["spend"]
    impressions *= factors["impressions"]
    clicks = impressions * ctr * factors["clicks"] * factors["ctr"]
    visits = clicks * p.visit_rate * rng.lognormal(0, 0.03, n)
    signups = visits * p.signup_rate * rng.lognormal(0, 0.05, n)
    orders = signups * order_rate * factors["orders"]
    return {
        "impressions": impressions,
        "clicks": clicks,
        "visits": visits,
        "signups": signups,
        "conversions": orders,
        "new_users": orders * p.new_share * rng.lognormal(0, 0.05, n),
        "spend": spend,
        "revenue": orders * p.aov * rng.lognormal(0, 0.04, n),
    }


def _paced(weight: np.ndarray, quarter: np.ndarray, budget: list[float]) -> np.ndarray:
    """Daily spend that adds up to each quarter's budget without a jump on the first day of
    a quarter: a level that moves smoothly between the middles of the quarters (fitted so
    the sums come out right), times the day's weight."""
    t = np.arange(len(weight), dtype=float)
    middles = np.array([t[quarter == q].mean() for q in range(4)])
    knots = np.array([max(b, 1.0) for b in budget])
    for _round in range(30):
        level = np.interp(t, middles, knots)
        sums = np.array([(level * weight)[quarter == q].sum() for q in range(4)])
        knots *= np.array([max(b, 1.0) for b in budget]) / sums
    spend = np.interp(t, middles, knots) * weight
    for q in range(4):  # what the fit left over, so the quarters add up exactly
        inside = quarter == q
        spend[inside] *= budget[q] / spend[inside].sum() if spend[inside].sum() else 0.0
    return spend


def _incident_factors(code: str, days: list[date]) -> dict[str, np.ndarray]:
    factors = {
        name: np.ones(len(days)) for name in ("spend", "impressions", "clicks", "ctr", "orders")
    }
    first = days[0]
    for incident in INCIDENTS:
        if incident.channel != code:
            continue
        start = date(first.year, *incident.start)
        index = (start - first).days
        for metric, factor in incident.factors.items():
            factors[metric][index : index + incident.days] *= factor
    return factors


def _campaign_shares(
    day: date, channel: Channel, campaigns: list[tuple[Campaign, set[int]]]
) -> list[tuple[Campaign, float]]:
    """The campaigns running on the channel that day, with the part of the day each gets."""
    shares = [
        (c, CAMPAIGN_SHARE.get(c.theme, 0.25))
        for c, channel_ids in campaigns
        if c.start <= day <= c.end and channel.pk in channel_ids
    ]
    total = sum(s for _c, s in shares)
    if total > MAX_CAMPAIGN_SHARE:
        shares = [(c, s * MAX_CAMPAIGN_SHARE / total) for c, s in shares]
    return shares


def _split(totals: dict[str, float], share: float) -> dict[str, Any]:
    part: dict[str, Any] = {name: int(totals[name] * share) for name in COUNTS}
    part["clicks"] = min(part["clicks"], part["impressions"])
    for name in MONEY:
        part[name] = (Decimal(str(totals[name])) * Decimal(str(share))).quantize(Decimal("0.01"))
    return part


def daily_rows(plan: Plan) -> list[dict[str, Any]]:
    """The demo's daily metrics as row dicts (date, channel, campaign and the metrics)."""
    year = plan.year
    days = [
        date(year, 1, 1) + timedelta(days=i)
        for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)
    ]
    rng = np.random.default_rng(SEED)
    campaigns = [
        (c, {ch.pk for ch in c.channels.all()})
        for c in Campaign.objects.filter(plan=plan).prefetch_related("channels").order_by("start")
    ]
    rows: list[dict[str, Any]] = []
    for channel, budget in _budgets(plan).items():
        series = _series(channel, budget, days, rng)
        for i, day in enumerate(days):
            totals: dict[str, Any] = {name: round(float(series[name][i])) for name in COUNTS}
            totals["clicks"] = min(totals["clicks"], totals["impressions"])
            for name in MONEY:
                totals[name] = Decimal(str(round(float(series[name][i]), 2)))
            rest = dict(totals)
            for campaign, share in _campaign_shares(day, channel, campaigns):
                part = _split(totals, share)
                rows.append({"date": day, "channel": channel, "campaign": campaign, **part})
                for name in (*COUNTS, *MONEY):
                    rest[name] -= part[name]
            rest["clicks"] = min(rest["clicks"], rest["impressions"])
            rows.append({"date": day, "channel": channel, "campaign": None, **rest})
    return rows
