"""The KPI kinds of the annual plan outline, to pick from (核心KPI拆解)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class KpiKindEntry:
    kind: str  # also the default code of a KPI of this kind
    area: str  # ObjectiveArea value
    label: Promise
    unit: str  # Unit value
    direction: str  # Direction value
    aggregation: str = ""  # "" → by unit: counts and money add up, rates are weighted

    @property
    def default_aggregation(self) -> str:
        if self.aggregation:
            return self.aggregation
        return "sum" if self.unit in ("count", "money") else "weighted"


CATALOGUE: tuple[KpiKindEntry, ...] = (
    # User growth
    KpiKindEntry("new_users", "growth", _("New users"), "count", "higher"),
    KpiKindEntry(
        "active_users", "growth", _("Monthly active users"), "count", "higher", "weighted"
    ),
    KpiKindEntry("retention_rate", "growth", _("Retention rate"), "percent", "higher"),
    # Conversion
    KpiKindEntry("impressions", "conversion", _("Impressions"), "count", "higher"),
    KpiKindEntry("ctr", "conversion", _("Click-through rate (CTR)"), "percent", "higher"),
    KpiKindEntry("visits", "conversion", _("Visits"), "count", "higher"),
    KpiKindEntry("cvr", "conversion", _("Conversion rate (CVR)"), "percent", "higher"),
    KpiKindEntry("orders", "conversion", _("Orders"), "count", "higher"),
    KpiKindEntry("aov", "conversion", _("Average order value"), "money", "higher", "weighted"),
    KpiKindEntry("revenue", "conversion", _("Revenue"), "money", "higher"),
    # Cost and ROI
    KpiKindEntry("budget", "cost", _("Marketing budget"), "money", "lower"),
    KpiKindEntry(
        "cpm", "cost", _("Cost per thousand impressions (CPM)"), "money", "lower", "weighted"
    ),
    KpiKindEntry("cac", "cost", _("Customer acquisition cost (CAC)"), "money", "lower", "weighted"),
    KpiKindEntry("cpa", "cost", _("Cost per action (CPA)"), "money", "lower", "weighted"),
    KpiKindEntry("roi", "cost", _("Return on investment (ROI)"), "ratio", "higher"),
    KpiKindEntry("roas", "cost", _("Return on ad spend (ROAS)"), "ratio", "higher"),
    # Market share
    KpiKindEntry("market_share", "market", _("Market share"), "percent", "higher"),
    # Brand voice
    KpiKindEntry("mentions", "brand", _("Brand mentions"), "count", "higher"),
    KpiKindEntry("share_of_voice", "brand", _("Share of voice"), "percent", "higher"),
    KpiKindEntry("engagement", "brand", _("Engagement rate"), "percent", "higher"),
    KpiKindEntry("sentiment", "brand", _("Positive sentiment"), "percent", "higher"),
    KpiKindEntry("nps", "brand", _("Net promoter score (NPS)"), "count", "higher", "weighted"),
)

BY_KIND: dict[str, KpiKindEntry] = {entry.kind: entry for entry in CATALOGUE}
