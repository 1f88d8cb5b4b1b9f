"""The demo plan's competitor tracking (Lumi Tea, a new-style tea brand): HeyTea, Nayuki
and Chagee, a year of observations, a feature matrix and monthly voice volume. Used only
by ``manage.py load_demo`` (through monitoring/demo.py); safe to load twice.

The story: HeyTea runs a loud 618 buy-one-get-one; Nayuki launches a low-sugar line in
April (a product update that hurts our "light tea" message); Chagee grows all year and
wins Double 11 with a big Tmall + Douyin live promotion. Our share of voice starts at
20 % (Spring Festival), sags to 15 % around 618 (under the KPI goal of 18 %), and is back
above the goal by December. The voice figures agree with the KPI actuals of kpis/demo.py.
"""

from __future__ import annotations

import struct
import zlib
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring import competitor_services as services
from monitoring.competitors import Competitor, ObservationKind
from planner.models import Plan

D = Decimal

COMPETITORS = (
    (
        "HeyTea",
        "https://www.heytea.com",
        "Premium cheese-foam fruit tea; the category leader in tier-1 malls.",
        "Benchmark for store experience and seasonal fruit launches.",
    ),
    (
        "Nayuki",
        "https://www.naixue.com",
        "Tea with soft European bread; large stores, office lunch crowd.",
        "Closest to us on the office segment.",
    ),
    (
        "Chagee",
        "https://www.chagee.com",
        "Milk tea with original-leaf tea at ¥15–20; fast franchise growth.",
        "Fastest-growing rival on Douyin and in tier-2 cities.",
    ),
)

# Mentions per month (thousands), January first: us, then each competitor.
VOICE = {
    "us": [52, 50, 40, 38, 39, 41, 44, 46, 50, 54, 60, 58],
    "HeyTea": [110, 98, 95, 96, 100, 125, 105, 100, 98, 100, 115, 110],
    "Nayuki": [60, 70, 55, 80, 72, 60, 55, 52, 50, 50, 55, 52],
    "Chagee": [38, 30, 45, 45, 50, 55, 60, 62, 70, 80, 140, 90],
}
# (positive, negative) per brand; a month listed in SHIFTS overrides it.
SENTIMENT = {
    "us": ("0.62", "0.08"),
    "HeyTea": ("0.55", "0.10"),
    "Nayuki": ("0.50", "0.12"),
    "Chagee": ("0.58", "0.09"),
}
SHIFTS = {
    ("us", 6): ("0.52", "0.14"),  # weak 618: late deliveries, sold-out cups
    ("us", 7): ("0.56", "0.11"),
    ("HeyTea", 7): ("0.41", "0.24"),  # backlash against a price rise
    ("Nayuki", 4): ("0.63", "0.07"),  # the low-sugar launch is liked
    ("Chagee", 11): ("0.66", "0.06"),  # Double 11 goodwill
}

TRAFFIC = {  # (month, {source: share}) as a web-analytics tool reports them
    "us": [
        (
            3,
            {
                "search": "0.31",
                "social": "0.27",
                "direct": "0.22",
                "referral": "0.08",
                "paid": "0.10",
            },
        ),
        (
            9,
            {
                "search": "0.28",
                "social": "0.33",
                "direct": "0.21",
                "referral": "0.07",
                "paid": "0.09",
            },
        ),
    ],
    "HeyTea": [
        (
            3,
            {
                "search": "0.36",
                "social": "0.24",
                "direct": "0.28",
                "referral": "0.05",
                "paid": "0.06",
            },
        ),
        (
            9,
            {
                "search": "0.34",
                "social": "0.26",
                "direct": "0.28",
                "referral": "0.05",
                "paid": "0.06",
            },
        ),
    ],
    "Nayuki": [
        (
            3,
            {
                "search": "0.33",
                "social": "0.21",
                "direct": "0.30",
                "referral": "0.09",
                "paid": "0.05",
            },
        ),
    ],
    "Chagee": [
        (
            3,
            {
                "search": "0.22",
                "social": "0.41",
                "direct": "0.15",
                "referral": "0.06",
                "paid": "0.14",
            },
        ),
        (
            9,
            {
                "search": "0.19",
                "social": "0.46",
                "direct": "0.13",
                "referral": "0.05",
                "paid": "0.16",
            },
        ),
    ],
}

EVENTS: tuple[dict[str, Any], ...] = (
    # HeyTea
    {
        "brand": "HeyTea",
        "kind": ObservationKind.PROMOTION,
        "observed_on": (1, 12),
        "title": "Spring Festival gift cards, 8 cups for the price of 7",
        "promo_start": (1, 15),
        "promo_end": (2, 12),
        "mechanism": "bundle",
        "seen_on": ["WeChat mini-program", "Tmall"],
        "source": "Mini-program banner",
    },
    {
        "brand": "HeyTea",
        "kind": ObservationKind.PRODUCT_UPDATE,
        "observed_on": (3, 20),
        "title": "Franchising opened in tier-3 cities",
        "text": "HeyTea takes franchisees for the first time, below tier-2.",
        "impact": "medium",
        "impact_note": "More HeyTea stores near our Chengdu and Chongqing expansion.",
        "link": "https://www.heytea.com/news",
    },
    {
        "brand": "HeyTea",
        "kind": ObservationKind.AD_CREATIVE,
        "observed_on": (5, 28),
        "title": "618 key visual: “Buy one, get one, all June”",
        "text": "Bright green fruit visual; the offer in the first line; a countdown.",
        "source": "Douyin in-feed ad",
        "screenshot": ("#27ae60", "#ffffff"),
    },
    {
        "brand": "HeyTea",
        "kind": ObservationKind.PROMOTION,
        "observed_on": (6, 1),
        "title": "618: buy one, get one free on every fruit tea",
        "text": "Runs in stores and on delivery apps; limited to 2 a day per member.",
        "promo_start": (6, 1),
        "promo_end": (6, 18),
        "mechanism": "gift",
        "seen_on": ["Meituan", "Douyin", "Mini-program"],
        "source": "Douyin live",
        "link": "https://www.heytea.com/618",
    },
    {
        "brand": "HeyTea",
        "kind": ObservationKind.PROMOTION,
        "observed_on": (7, 8),
        "title": "Price rise of ¥2 on the cheese-foam range",
        "promo_start": (7, 8),
        "mechanism": "other",
        "seen_on": ["Stores"],
        "text": "Not a promotion but a price move: the backlash shows in July's sentiment.",
    },
    # Nayuki
    {
        "brand": "Nayuki",
        "kind": ObservationKind.PROMOTION,
        "observed_on": (1, 20),
        "title": "Spring Festival tea and bread gift box",
        "promo_start": (1, 20),
        "promo_end": (2, 10),
        "mechanism": "bundle",
        "seen_on": ["Tmall", "JD"],
    },
    {
        "brand": "Nayuki",
        "kind": ObservationKind.PRODUCT_UPDATE,
        "observed_on": (4, 8),
        "title": "“Light” range: every drink in a 0-sugar version",
        "text": "A low-sugar line across the whole menu, with calorie labels in the app.",
        "impact": "high",
        "impact_note": "Takes our ‘light tea’ message; answer with traceable leaves "
        "and a sugar scale on every cup.",
        "link": "https://www.naixue.com/news",
        "source": "Press release",
    },
    {
        "brand": "Nayuki",
        "kind": ObservationKind.LANDING_PAGE,
        "observed_on": (4, 10),
        "title": "Landing page of the Light range",
        "text": "Calorie table per drink, a quiz, coupon for the first light drink.",
        "link": "https://www.naixue.com/light",
        "screenshot": ("#f5f0e6", "#c0392b"),
    },
    {
        "brand": "Nayuki",
        "kind": ObservationKind.PROMOTION,
        "observed_on": (9, 1),
        "title": "Office lunch set: bread and tea for ¥29",
        "promo_start": (9, 1),
        "promo_end": (10, 31),
        "mechanism": "bundle",
        "seen_on": ["Meituan", "Enterprise WeChat"],
    },
    # Chagee
    {
        "brand": "Chagee",
        "kind": ObservationKind.PRODUCT_UPDATE,
        "observed_on": (2, 25),
        "title": "Member app with points and a cup-a-day pass",
        "impact": "medium",
        "impact_note": "Competes with our mini-program subscription.",
    },
    {
        "brand": "Chagee",
        "kind": ObservationKind.AD_CREATIVE,
        "observed_on": (8, 15),
        "title": "Creator series: “one original leaf, one city”",
        "text": "KOL videos in 12 cities; the tea leaf is the hero, not the cup.",
        "source": "Xiaohongshu",
    },
    {
        "brand": "Chagee",
        "kind": ObservationKind.PROMOTION,
        "observed_on": (10, 25),
        "title": "Double 11: ¥9.9 coupons and 11 hours of Douyin live",
        "text": "The year's biggest push in the category: coupons on Tmall, a Douyin live "
        "marathon on 11 November, a collectible cup sleeve.",
        "promo_start": (11, 1),
        "promo_end": (11, 11),
        "mechanism": "coupon",
        "seen_on": ["Tmall", "Douyin live", "Mini-program"],
        "source": "Douyin live",
        "link": "https://www.chagee.com/double11",
    },
    {
        "brand": "Chagee",
        "kind": ObservationKind.LANDING_PAGE,
        "observed_on": (11, 2),
        "title": "Double 11 Tmall store front",
        "link": "https://chagee.tmall.com",
        "screenshot": ("#1f2a44", "#e8c468"),
    },
)

FEATURES = (
    # group, name, weight, differentiator note (our differentiator when given)
    ("Product", "Low-sugar option on every drink", D("3"), ""),
    ("Product", "Seasonal fresh-fruit range", D("2"), ""),
    ("Product", "Traceable single-origin tea leaves", D("2.5"), "A QR code on every cup"),
    ("Product", "Caffeine-free evening range", D("1"), ""),
    ("Price", "A cup under ¥15", D("2"), ""),
    ("Price", "Member prices", D("1.5"), ""),
    ("Channels", "Delivery within 30 minutes", D("2"), ""),
    ("Channels", "Tmall flagship store", D("1.5"), ""),
    ("Channels", "Office group ordering", D("2"), "Invoices and one delivery per floor"),
    ("Channels", "Douyin live selling", D("1.5"), ""),
    ("Membership", "Monthly cup subscription", D("2"), "Unused cups roll over"),
    ("Brand", "IP co-branding", D("1"), ""),
)
# Levels per feature in FEATURES order: us, HeyTea, Nayuki, Chagee (h/p/n), with notes.
LEVELS: tuple[tuple[str, dict[str, str]], ...] = (
    ("hhpp", {"Nayuki": "since April"}),
    ("phhp", {}),
    ("hnnp", {"Chagee": "leaf named, no trace"}),
    ("hpnn", {}),
    ("pnnh", {"us": "¥14 classic only", "Chagee": "¥15–20"}),
    ("hhhh", {}),
    ("hhph", {}),
    ("hhhh", {}),
    ("hnpn", {"Nayuki": "lunch sets only"}),
    ("ppnh", {"Chagee": "11-hour Double 11 live"}),
    ("hnnp", {"Chagee": "cup-a-day pass"}),
    ("phpp", {"HeyTea": "4 a year"}),
)
LEVEL_CODES = {"h": "has", "p": "partial", "n": "no"}


def png(width: int, height: int, background: str, accent: str) -> bytes:
    """A small PNG drawn by hand (a banner with a band and a 'button'), no imaging library."""
    bg = bytes.fromhex(background.lstrip("#"))
    fg = bytes.fromhex(accent.lstrip("#"))
    rows = []
    for y in range(height):
        line = bytearray()
        for x in range(width):
            in_band = height * 0.18 <= y < height * 0.3 and width * 0.08 <= x < width * 0.8
            in_button = height * 0.65 <= y < height * 0.8 and width * 0.08 <= x < width * 0.4
            line += fg if in_band or in_button else bg
        rows.append(b"\x00" + bytes(line))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def load(*, plan: Plan, editor: User) -> None:
    """Add the competitors, their observations, the matrix and the voice figures."""
    if Competitor.objects.filter(plan=plan).exists():
        return
    year = plan.year
    rivals: dict[str, Competitor] = {}
    for order, (name, website, positioning, notes) in enumerate(COMPETITORS):
        rivals[name] = services.competitor_create(
            plan=plan,
            actor=editor,
            name=name,
            website=website,
            positioning=positioning,
            notes=notes,
            sort_order=order,
        )
    for event in EVENTS:
        fields = dict(event)
        brand = fields.pop("brand")
        shot = fields.pop("screenshot", None)
        for key in ("observed_on", "promo_start", "promo_end"):
            if key in fields:
                fields[key] = date(year, *fields[key])
        upload = None
        if shot is not None:
            upload = SimpleUploadedFile("shot.png", png(240, 150, *shot), "image/png")
        services.observation_create(
            plan=plan, actor=editor, competitor=rivals[brand], screenshot=upload, **fields
        )
    for brand, months in TRAFFIC.items():
        for month, shares in months:
            services.observation_create(
                plan=plan,
                actor=editor,
                competitor=rivals.get(brand),
                kind=ObservationKind.TRAFFIC_SHARE,
                observed_on=date(year, month, 1),
                source="Similarweb (estimate)",
                traffic={k: D(v) for k, v in shares.items()},
            )
    for brand, mentions in VOICE.items():
        for month, thousands in enumerate(mentions, start=1):
            positive, negative = SHIFTS.get((brand, month), SENTIMENT[brand])
            neutral = D(1) - D(positive) - D(negative)
            services.observation_create(
                plan=plan,
                actor=editor,
                competitor=rivals.get(brand),
                kind=ObservationKind.VOICE,
                observed_on=date(year, month, 1),
                source="Social listening (Weibo, Douyin, Xiaohongshu)",
                mentions=thousands * 1000,
                positive=D(positive),
                neutral=neutral,
                negative=D(negative),
            )
    products: list[Competitor | None] = [None, *rivals.values()]
    names = ["us", *rivals]
    for (group, title, weight, note), (levels, cell_notes) in zip(FEATURES, LEVELS, strict=True):
        feature = services.feature_create(
            plan=plan,
            actor=editor,
            name=title,
            group=group,
            weight=weight,
            is_differentiator=bool(note),
            differentiator_note=note,
        )
        for product, brand, code in zip(products, names, levels, strict=True):
            services.cell_create(
                feature=feature,
                competitor=product,
                actor=editor,
                level=LEVEL_CODES[code],
                note=cell_notes.get(brand, ""),
            )
