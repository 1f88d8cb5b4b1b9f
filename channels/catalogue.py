"""The standard channel catalogue every new plan starts with (渠道策略布局)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    family: str
    group: str
    platform: str
    label: Promise
    formats: tuple[str, ...]


G, SV, LS, LV, AD, EV, UGC = (
    "graphic",
    "short_video",
    "live_stream",
    "long_video",
    "search_ad",
    "offline_event",
    "ugc",
)

CATALOGUE: tuple[CatalogueEntry, ...] = (
    # Online: the social-media matrix, search, e-commerce flagship stores.
    CatalogueEntry("wechat", "online", "social", "WeChat", _("WeChat official account"), (G,)),
    CatalogueEntry("wechat_channels", "online", "social", "WeChat", _("WeChat Channels"), (SV, LS)),
    CatalogueEntry("mini_program", "online", "social", "WeChat", _("WeChat mini-program"), (G, LS)),
    CatalogueEntry("weibo", "online", "social", "Weibo", _("Weibo"), (G, SV)),
    CatalogueEntry("douyin", "online", "social", "Douyin", _("Douyin"), (SV, LS)),
    CatalogueEntry("xiaohongshu", "online", "social", "Xiaohongshu", _("Xiaohongshu"), (G, SV)),
    CatalogueEntry("bilibili", "online", "social", "Bilibili", _("Bilibili"), (LV, SV)),
    CatalogueEntry(
        "seo", "online", "search", "Website", _("SEO (website and content pages)"), (G,)
    ),
    CatalogueEntry("sem_baidu", "online", "search", "Baidu", _("SEM on Baidu"), (AD,)),
    CatalogueEntry("sem_360", "online", "search", "360 Search", _("SEM on 360 Search"), (AD,)),
    CatalogueEntry("sem_sogou", "online", "search", "Sogou", _("SEM on Sogou"), (AD,)),
    CatalogueEntry("tmall", "online", "ecommerce", "Tmall", _("Tmall flagship store"), (G, LS)),
    CatalogueEntry("jd", "online", "ecommerce", "JD", _("JD flagship store"), (G, LS)),
    CatalogueEntry("pinduoduo", "online", "ecommerce", "Pinduoduo", _("Pinduoduo store"), (G,)),
    CatalogueEntry("douyin_store", "online", "ecommerce", "Douyin", _("Douyin store"), (LS, SV)),
    # Offline: scenes in shopping districts, communities and industry events.
    CatalogueEntry(
        "popup", "offline", "retail", "", _("Pop-up stores in shopping districts"), (EV,)
    ),
    CatalogueEntry("experience", "offline", "retail", "", _("Experience centres"), (EV,)),
    CatalogueEntry("community", "offline", "community", "", _("Community ground promotion"), (EV,)),
    CatalogueEntry(
        "cross_industry", "offline", "community", "", _("Cross-industry partners"), (EV,)
    ),
    CatalogueEntry("trade_show", "offline", "events", "", _("Trade shows"), (EV,)),
    CatalogueEntry("summit", "offline", "events", "", _("Summit sponsorship"), (EV,)),
    # Cross-border resources: causes, IP and creators.
    CatalogueEntry("charity", "crossover", "partnership", "", _("Charity tie-ins"), (G, EV)),
    CatalogueEntry(
        "ip_cobrand",
        "crossover",
        "partnership",
        "",
        _("IP co-branding and limited editions"),
        (G, SV),
    ),
    CatalogueEntry("kol_koc", "crossover", "creators", "", _("KOL/KOC programme"), (SV, LS, UGC)),
)

BY_CODE: dict[str, CatalogueEntry] = {entry.code: entry for entry in CATALOGUE}
