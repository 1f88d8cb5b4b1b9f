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
    label: Promise


CATALOGUE: tuple[CatalogueEntry, ...] = (
    # Online: the social-media matrix, search, e-commerce flagship stores.
    CatalogueEntry("wechat", "online", "social", _("WeChat")),
    CatalogueEntry("weibo", "online", "social", _("Weibo")),
    CatalogueEntry("douyin", "online", "social", _("Douyin")),
    CatalogueEntry("xiaohongshu", "online", "social", _("Xiaohongshu")),
    CatalogueEntry("bilibili", "online", "social", _("Bilibili")),
    CatalogueEntry("seo", "online", "search", _("SEO (website and content pages)")),
    CatalogueEntry("sem_baidu", "online", "search", _("SEM on Baidu")),
    CatalogueEntry("sem_360", "online", "search", _("SEM on 360 Search")),
    CatalogueEntry("tmall", "online", "ecommerce", _("Tmall flagship store")),
    CatalogueEntry("jd", "online", "ecommerce", _("JD flagship store")),
    # Offline: scenes in shopping districts, communities and industry events.
    CatalogueEntry("popup", "offline", "retail", _("Pop-up stores in shopping districts")),
    CatalogueEntry("experience", "offline", "retail", _("Experience centres")),
    CatalogueEntry("community", "offline", "community", _("Community ground promotion")),
    CatalogueEntry("cross_industry", "offline", "community", _("Cross-industry partners")),
    CatalogueEntry("trade_show", "offline", "events", _("Trade shows")),
    CatalogueEntry("summit", "offline", "events", _("Summit sponsorship")),
    # Cross-border resources: causes, IP and creators.
    CatalogueEntry("charity", "crossover", "partnership", _("Charity tie-ins")),
    CatalogueEntry(
        "ip_cobrand", "crossover", "partnership", _("IP co-branding and limited editions")
    ),
    CatalogueEntry("kol_koc", "crossover", "creators", _("KOL/KOC programme")),
)

BY_CODE: dict[str, CatalogueEntry] = {entry.code: entry for entry in CATALOGUE}
