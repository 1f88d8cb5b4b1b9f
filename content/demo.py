"""The demo plan's content matrix: a full 2027 campaign calendar around the festivals,
the brand standard, assets with licences (some expiring soon, one expired) and the
user interaction mechanisms. Used only by ``manage.py load_demo``."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from channels.models import Channel
from content import services
from content.models import Campaign, Licence, SizeSpec
from planner.models import Plan

D = Decimal

# code, name, theme, festival, (start month, day), (end month, day), channels, audience,
# budget, status, key message
CALENDAR: tuple[tuple[Any, ...], ...] = (
    (
        "always-on-members",
        "Members' tea club (always-on)",
        "always_on",
        "",
        (1, 1),
        (12, 31),
        ["wechat", "mini_program"],
        "Existing members",
        "1200000",
        "planned",
        "A new tea story every week for our members.",
    ),
    (
        "spring-festival-2027",
        "Spring Festival reunion gift boxes",
        "festival",
        "spring_festival",
        (1, 8),
        (2, 14),
        ["douyin", "wechat", "tmall", "jd", "xiaohongshu"],
        "Families, tier 1–3 cities",
        "6800000",
        "in_production",
        "Bring the taste of home to the reunion table.",
    ),
    (
        "lantern-2027",
        "Lantern night tea party",
        "festival",
        "lantern",
        (2, 16),
        (2, 20),
        ["weibo", "xiaohongshu"],
        "Young professionals",
        "400000",
        "planned",
        "Round off the festive season together.",
    ),
    (
        "womens-day-2027",
        "Women's Day flower teas",
        "festival",
        "womens_day",
        (2, 28),
        (3, 8),
        ["xiaohongshu", "tmall"],
        "Women 20–35",
        "900000",
        "planned",
        "Treat yourself, you deserve it.",
    ),
    (
        "first-flush-2027",
        "First flush: spring new-tea launch",
        "product_launch",
        "qingming",
        (3, 20),
        (4, 20),
        ["douyin", "xiaohongshu", "tmall", "experience"],
        "Tea lovers",
        "2600000",
        "planned",
        "Spring tea, first harvest: picked before Qingming.",
    ),
    (
        "tea-farmers-2027",
        "Tea farmers' future (rural revitalisation)",
        "csr",
        "",
        (4, 1),
        (9, 30),
        ["charity", "wechat", "weibo"],
        "Public and media",
        "1500000",
        "planned",
        "Every cup supports a tea-growing family in Yunnan.",
    ),
    (
        "520-2027",
        "520 tea for two",
        "festival",
        "520",
        (5, 13),
        (5, 20),
        ["douyin", "xiaohongshu"],
        "Couples 20–30",
        "700000",
        "idea",
        "Say it with a gift.",
    ),
    (
        "618-2027",
        "618 summer cold brew",
        "festival",
        "618",
        (5, 20),
        (6, 20),
        ["tmall", "jd", "douyin_store", "douyin", "kol_koc"],
        "18–30, tier 1–3 cities",
        "7200000",
        "planned",
        "The mid-year deal on our best sellers.",
    ),
    (
        "summer-iced-2027",
        "Summer iced-tea push",
        "seasonal",
        "",
        (6, 10),
        (8, 31),
        ["douyin", "xiaohongshu", "popup"],
        "18–30, tier 1–3 cities",
        "3100000",
        "idea",
        "Cold brew in three minutes.",
    ),
    (
        "qixi-2027",
        "Qixi: love, Chinese-style",
        "festival",
        "qixi",
        (7, 29),
        (8, 8),
        ["xiaohongshu", "douyin", "weibo", "tmall"],
        "Couples 20–30",
        "1100000",
        "idea",
        "Love, Chinese-style.",
    ),
    (
        "museum-ip-2027",
        "Palace Museum co-branded gift box",
        "ip_tie_in",
        "",
        (8, 20),
        (10, 7),
        ["tmall", "weibo", "xiaohongshu", "ip_cobrand"],
        "Culture lovers and gift buyers",
        "3400000",
        "idea",
        "Six centuries of tea culture in one gift box.",
    ),
    (
        "mid-autumn-2027",
        "Mid-Autumn mooncake and tea sets",
        "festival",
        "mid_autumn",
        (8, 25),
        (9, 16),
        ["wechat", "weibo", "douyin", "xiaohongshu", "tmall", "jd"],
        "Families, tier 1–3 cities",
        "4800000",
        "idea",
        "Share the full moon with the people you love.",
    ),
    (
        "double-11-2027",
        "Double 11: our biggest deal of the year",
        "festival",
        "double_11",
        (10, 11),
        (11, 13),
        ["tmall", "jd", "douyin_store", "douyin", "xiaohongshu", "kol_koc"],
        "18–30, tier 1–3 cities",
        "9600000",
        "idea",
        "Our biggest deal of the year.",
    ),
    (
        "winter-warm-2027",
        "Winter warm-up: roasted oolong",
        "seasonal",
        "",
        (11, 1),
        (12, 10),
        ["douyin", "tmall"],
        "18–30, tier 1–3 cities",
        "1800000",
        "idea",
        "Roasted oolong for the first cold days.",
    ),
    (
        "year-end-2027",
        "Year-end gifting and Spring Festival warm-up",
        "festival",
        "christmas",
        (12, 12),
        None,  # runs into the next year
        ["xiaohongshu", "weibo", "tmall", "jd"],
        "Gift buyers",
        "2200000",
        "idea",
        "Winter gifting.",
    ),
)

BRAND = {
    "colours": [
        {"name": "Lumi tea green", "hex": "#2F6B4F"},
        {"name": "Porcelain white", "hex": "#F7F5EF"},
        {"name": "Lantern red", "hex": "#C8102E"},
        {"name": "Oolong amber", "hex": "#C98A2B"},
    ],
    "fonts": ["Source Han Sans SC (思源黑体)", "Source Han Serif SC (思源宋体)", "FZ Lanting Hei"],
    "graphic_elements": (
        "The tea-leaf mark (clear space = one leaf width), the rounded frame, hand-drawn "
        "tea-field line illustrations; festival ornaments only from the approved set."
    ),
    "vi_review_required": True,
    "notes": "Logo never on busy photography without the white plate.",
}


def _licences(plan: Plan, editor: User) -> dict[str, Licence]:
    today = timezone.localdate()
    rows = {
        "han_sans": (
            "Source Han Sans SC",
            "font",
            "Adobe / Google (SIL OFL 1.1)",
            "Commercial use in all media",
            "worldwide",
            None,
            "SIL-OFL-1.1",
        ),
        "lanting": (
            "FZ Lanting Hei",
            "font",
            "Founder Type (方正字库)",
            "Commercial use online and in print",
            "mainland_china",
            today + timedelta(days=25),
            "FZ-2026-0412",
        ),
        "moon_photo": (
            "Full-moon tea table photo",
            "image",
            "VCG (视觉中国)",
            "Online advertising, 1 year",
            "mainland_china",
            today + timedelta(days=50),
            "VCG-88412031",
        ),
        "field_footage": (
            "Yunnan tea-field footage",
            "footage",
            "Own shoot, Pu'er",
            "All media, perpetual",
            "worldwide",
            None,
            "PO-2026-118",
        ),
        "guzheng": (
            "Guzheng theme 'Moonrise'",
            "music",
            "Epidemic Sound",
            "Social media and online video",
            "worldwide",
            today + timedelta(days=80),
            "ES-LUMI-2026",
        ),
        "old_music": (
            "Erhu loop 'Homecoming'",
            "music",
            "Douyin music library",
            "Douyin only",
            "mainland_china",
            today - timedelta(days=12),
            "DY-LIB-2025-0931",
        ),
        "museum_art": (
            "Palace Museum pattern set",
            "image",
            "Palace Museum Culture (故宫文创)",
            "Co-branded gift box and its promotion",
            "greater_china",
            date(plan.year, 12, 31),
            "PM-IP-2027-007",
        ),
    }
    made = {}
    for key, (name, kind, source, scope, territory, expires, ref) in rows.items():
        made[key] = services.licence_create(
            plan=plan,
            actor=editor,
            name=name,
            kind=kind,
            source=source,
            scope=scope,
            territory=territory,
            expires=expires,
            document_ref=ref,
        )
    return made


def _assets(plan: Plan, editor: User, campaigns: dict[str, Campaign]) -> None:
    lic = _licences(plan, editor)
    specs = {
        (s.channel.code if s.channel else "", s.kind): s
        for s in SizeSpec.objects.filter(plan=plan).select_related("channel")
    }
    all_layers = ["selling_point", "emotional_story", "call_to_action"]
    # campaign, asset, spec (channel, kind), layers, status, vi, elements
    rows: tuple[tuple[Any, ...], ...] = (
        (
            "spring-festival-2027",
            "Reunion film (vertical)",
            ("douyin", "video"),
            all_layers,
            "approved",
            True,
            [
                ("font", "Source Han Sans SC", "han_sans"),
                ("footage", "Yunnan tea fields", "field_footage"),
                ("music", "Erhu loop", "old_music"),
            ],
        ),
        (
            "spring-festival-2027",
            "Gift box main image",
            ("tmall", "image"),
            ["selling_point", "call_to_action"],
            "published",
            True,
            [("font", "FZ Lanting Hei", "lanting")],
        ),
        (
            "spring-festival-2027",
            "Member article cover",
            ("wechat", "image"),
            ["emotional_story"],
            "in_review",
            False,
            [("font", "Source Han Serif SC", None)],
        ),
        (
            "618-2027",
            "Cold brew in 3 minutes",
            ("douyin", "video"),
            all_layers,
            "draft",
            False,
            [("font", "Source Han Sans SC", "han_sans"), ("music", "Guzheng theme", "guzheng")],
        ),
        (
            "mid-autumn-2027",
            "Full-moon poster",
            ("weibo", "image"),
            all_layers,
            "approved",
            True,
            [("image", "Full-moon tea table", "moon_photo"), ("font", "FZ Lanting Hei", "lanting")],
        ),
        (
            "museum-ip-2027",
            "Co-branded box reveal",
            ("xiaohongshu", "image"),
            ["selling_point", "emotional_story"],
            "draft",
            False,
            [("image", "Palace Museum patterns", "museum_art")],
        ),
    )
    for code, name, spec_key, layers, status, vi, elements in rows:
        published = status == "published"
        asset = services.asset_create(
            campaign=campaigns[code],
            actor=editor,
            name=name,
            spec=specs.get(spec_key),
            layers=layers,
            review_status="approved" if published else status,
            vi_passed=vi,
            owner=editor,
            file_ref=f"dam://lumi/{plan.year}/{code}/{name.lower().replace(' ', '-')}",
            elements=[
                {"kind": kind, "name": n, "licence": lic[key] if key else None}
                for kind, n, key in elements
            ],
        )
        if published:
            services.asset_publish(asset=asset, expected_version=asset.version, actor=editor)


def _mechanisms(plan: Plan, editor: User, channels: dict[str, Channel]) -> None:
    y = plan.year
    services.mechanism_create(
        plan=plan,
        actor=editor,
        kind="ugc_challenge",
        name="#MyTeaMoment challenge",
        goal="5,000 user videos showing a daily tea moment; 20 million topic views.",
        indicators=[
            {"name": "User videos", "target": 5000, "actual": None, "unit": "videos"},
            {"name": "Topic views", "target": 20_000_000, "actual": None, "unit": "views"},
        ],
        owner=editor,
        channel=channels.get("douyin"),
        start=date(y, 4, 1),
        end=date(y, 4, 30),
        topic="#MyTeaMoment #我的喝茶时刻",
        reward="Gift boxes for the 50 best videos; the top 3 visit the tea fields",
        boost_rules="Top 10 videos by likes each week get DOU+ boost; creators with >10k "
        "followers are excluded from the prizes.",
    )
    services.mechanism_create(
        plan=plan,
        actor=editor,
        kind="ugc_challenge",
        name="Moon & tea photo contest",
        goal="2,000 notes with Mid-Autumn tea-table photos.",
        indicators=[{"name": "Notes", "target": 2000, "actual": None, "unit": "notes"}],
        owner=editor,
        channel=channels.get("xiaohongshu"),
        start=date(y, 9, 1),
        end=date(y, 9, 20),
        topic="#月下茶席",
        reward="Limited moon-pattern cups for 100 notes",
        boost_rules="Editor picks, daily",
    )
    services.mechanism_create(
        plan=plan,
        actor=editor,
        kind="feedback_channel",
        name="Service chat (AI + human)",
        goal="Every question answered within 2 hours; satisfaction 95 %.",
        indicators=[
            {"name": "Satisfaction", "target": 95, "actual": 92.5, "unit": "%"},
            {"name": "Handled by AI alone", "target": 60, "actual": 64, "unit": "%"},
        ],
        owner=editor,
        channel=channels.get("mini_program"),
        sla_hours=D(2),
        ai_first=True,
        response_hours=[0.1, 0.2, 0.2, 0.3, 0.5, 0.8, 1.0, 1.2, 1.5, 1.6, 1.8, 2.5, 3.0, 0.4],
    )
    services.mechanism_create(
        plan=plan,
        actor=editor,
        kind="feedback_channel",
        name="Weibo mentions desk",
        goal="Public complaints answered within 4 hours.",
        indicators=[{"name": "Complaints resolved", "target": 98, "actual": 97, "unit": "%"}],
        owner=editor,
        channel=channels.get("weibo"),
        sla_hours=D(4),
        ai_first=False,
        response_hours=[1, 2, 2.5, 3, 3.5, 5, 6, 7.5, 2, 1.5],
    )
    for level, name, members, activities in (
        ("basic", "Lumi tea club", 180000, "Monthly tea guide, member prices, birthday gift"),
        (
            "vip",
            "Lumi VIP circle",
            12000,
            "Early access to new teas, quarterly tasting box, private live tastings",
        ),
        (
            "koc",
            "Tea taster KOC group",
            350,
            "Free samples of every launch, review briefs, annual trip to the tea fields",
        ),
    ):
        services.mechanism_create(
            plan=plan,
            actor=editor,
            kind="community_tier",
            name=name,
            goal=f"Grow the {name} and keep it active.",
            indicators=[
                {"name": "Members", "target": members, "actual": int(members * 0.8), "unit": ""},
                {"name": "Monthly active", "target": 40, "actual": 35, "unit": "%"},
            ],
            owner=editor,
            channel=channels.get("wechat"),
            level=level,
            members=members,
            activities=activities,
        )
    services.mechanism_create(
        plan=plan,
        actor=editor,
        kind="reward_tier",
        name="Tea leaves loyalty points",
        goal="Raise repeat purchase to 35 % of members.",
        indicators=[{"name": "Repeat purchase", "target": 35, "actual": 28, "unit": "%"}],
        owner=editor,
        points_rules="1 point per ¥1 spent; 50 points per review with photo; 100 points for "
        "inviting a friend who buys; points expire after 24 months.",
        badges=["First cup", "Tea explorer", "Reviewer", "Ambassador"],
        levels=[
            {"name": "Green leaf", "min_points": 0, "perks": "Member prices"},
            {"name": "Silver leaf", "min_points": 2000, "perks": "Free shipping, birthday gift"},
            {
                "name": "Golden leaf",
                "min_points": 8000,
                "perks": "Quarterly tasting box, early access",
            },
        ],
    )


def load(*, plan: Plan, editor: User) -> None:
    """Add the content matrix to a draft plan (idempotent)."""
    if Campaign.objects.filter(plan=plan).exists():
        return
    y = plan.year
    channels = {c.code: c for c in Channel.objects.filter(plan=plan)}
    campaigns: dict[str, Campaign] = {}
    for row in CALENDAR:
        code, name, theme, festival, start, end, codes, audience, budget, status, message = row
        campaigns[code] = services.campaign_create(
            plan=plan,
            actor=editor,
            code=code,
            name=name,
            theme=theme,
            festival=festival,
            start=date(y, *start),
            end=date(y, *end) if end else date(y + 1, 1, 10),
            channels=[channels[c] for c in codes if c in channels],
            audience=audience,
            owner=editor,
            budget=D(budget),
            status=status,
            key_message=message,
        )
    services.brand_standard_save(plan=plan, expected_version=0, changes=BRAND, actor=editor)
    _assets(plan, editor, campaigns)
    _mechanisms(plan, editor, channels)
