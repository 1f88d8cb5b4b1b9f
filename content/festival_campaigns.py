"""Campaign templates for festivals: what a festival campaign usually looks like.

``campaign_from_festival`` (content.services) spawns a campaign from one of these:
dates from the festival's computed span plus the lead-in a team needs (warm-up,
pre-sales), channels that fit the occasion, and a starting key message to rewrite.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FestivalTemplate:
    lead_days: int  # the campaign starts this many days before the festival's start
    tail_days: int  # and ends this many days after its end
    channels: tuple[str, ...]  # catalogue channel codes, used when the plan has them
    key_message: Promise


SOCIAL = ("wechat", "weibo", "douyin", "xiaohongshu")
COMMERCE = ("tmall", "jd", "douyin_store", "douyin", "xiaohongshu", "kol_koc")

TEMPLATES: dict[str, FestivalTemplate] = {
    "new_year": FestivalTemplate(7, 0, SOCIAL, _("A fresh start with a fresh cup.")),
    "laba": FestivalTemplate(7, 0, ("wechat", "mini_program"), _("Warm up the new-year shopping.")),
    "spring_festival": FestivalTemplate(
        28, 8, (*SOCIAL, "tmall", "jd"), _("Bring the taste of home to the reunion table.")
    ),
    "valentines": FestivalTemplate(10, 0, ("xiaohongshu", "douyin", "tmall"), _("A gift for two.")),
    "lantern": FestivalTemplate(5, 0, SOCIAL, _("Round off the festive season together.")),
    "womens_day": FestivalTemplate(
        10, 0, ("xiaohongshu", "tmall", "weibo"), _("Treat yourself, you deserve it.")
    ),
    "qingming": FestivalTemplate(7, 2, ("wechat", "weibo"), _("Spring tea, first harvest.")),
    "labour_day": FestivalTemplate(10, 0, ("douyin", "tmall", "experience"), _("Holiday outings.")),
    "mothers_day": FestivalTemplate(
        10, 0, ("xiaohongshu", "wechat", "tmall"), _("Say thank you to mum.")
    ),
    "520": FestivalTemplate(7, 0, ("douyin", "xiaohongshu", "weibo"), _("Say it with a gift.")),
    "children_day": FestivalTemplate(5, 0, ("wechat", "douyin"), _("Play and share.")),
    "618": FestivalTemplate(14, 2, COMMERCE, _("The mid-year deal on our best sellers.")),
    "dragon_boat": FestivalTemplate(
        10, 1, (*SOCIAL, "tmall"), _("Gift boxes for the Dragon Boat Festival.")
    ),
    "fathers_day": FestivalTemplate(7, 0, ("wechat", "tmall", "jd"), _("A gift for dad.")),
    "qixi": FestivalTemplate(
        10, 0, ("xiaohongshu", "douyin", "weibo", "tmall"), _("Love, Chinese-style.")
    ),
    "mid_autumn": FestivalTemplate(
        21, 1, (*SOCIAL, "tmall", "jd"), _("Share the full moon with the people you love.")
    ),
    "national_day": FestivalTemplate(7, 0, ("douyin", "experience", "tmall"), _("Golden week.")),
    "double_ninth": FestivalTemplate(5, 0, ("wechat", "weibo"), _("Respect and care for elders.")),
    "double_11": FestivalTemplate(21, 2, COMMERCE, _("Our biggest deal of the year.")),
    "double_12": FestivalTemplate(7, 1, ("tmall", "jd", "douyin_store"), _("The year-end deal.")),
    "christmas": FestivalTemplate(10, 1, ("xiaohongshu", "weibo", "tmall"), _("Winter gifting.")),
}
