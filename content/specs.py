"""The standard size-adaptation specs (尺寸适配规范) per catalogue channel.

A new plan gets these for the channels it has; the team edits or adds its own.
Figures are the platforms' common recommended formats, not hard platform limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class StandardSpec:
    channel: str  # catalogue channel code
    name: Promise
    kind: str  # SpecKind value
    width: int | None
    height: int | None
    max_duration_s: int | None
    max_file_mb: Decimal | None
    file_format: str


VERTICAL = _("Vertical video")
SQUARE = _("Square poster")
COVER = _("Cover image")
LANDSCAPE = _("Landscape video")
BANNER = _("Banner")
NOTE = _("Note image (3:4)")
MAIN = _("Main product image")
D = Decimal

STANDARD_SPECS: tuple[StandardSpec, ...] = (
    StandardSpec("wechat", COVER, "image", 900, 383, None, D("5"), "JPG/PNG"),
    StandardSpec("wechat", _("Secondary cover"), "image", 500, 500, None, D("5"), "JPG/PNG"),
    StandardSpec("wechat_channels", VERTICAL, "video", 1080, 1260, 60, D("200"), "MP4"),
    StandardSpec("mini_program", BANNER, "image", 750, 320, None, D("2"), "JPG/PNG"),
    StandardSpec("weibo", SQUARE, "image", 1080, 1080, None, D("20"), "JPG/PNG/GIF"),
    StandardSpec("weibo", VERTICAL, "video", 1080, 1920, 300, D("500"), "MP4"),
    StandardSpec("douyin", VERTICAL, "video", 1080, 1920, 60, D("500"), "MP4 (H.264)"),
    StandardSpec("douyin", _("Live-stream cover"), "image", 1080, 1920, None, D("5"), "JPG/PNG"),
    StandardSpec("xiaohongshu", NOTE, "image", 1242, 1660, None, D("20"), "JPG/PNG"),
    StandardSpec("xiaohongshu", VERTICAL, "video", 1080, 1440, 300, D("500"), "MP4"),
    StandardSpec("bilibili", LANDSCAPE, "video", 1920, 1080, 1800, D("8192"), "MP4/FLV"),
    StandardSpec("bilibili", COVER, "image", 1146, 717, None, D("5"), "JPG/PNG"),
    StandardSpec("tmall", MAIN, "image", 800, 800, None, D("3"), "JPG"),
    StandardSpec("tmall", _("Main video"), "video", 1080, 1920, 60, D("200"), "MP4"),
    StandardSpec("jd", MAIN, "image", 800, 800, None, D("1"), "JPG"),
    StandardSpec("pinduoduo", MAIN, "image", 750, 750, None, D("1"), "JPG"),
    StandardSpec("douyin_store", MAIN, "image", 800, 800, None, D("5"), "JPG/PNG"),
    StandardSpec("kol_koc", VERTICAL, "video", 1080, 1920, 60, D("500"), "MP4"),
    StandardSpec("experience", _("Standee poster"), "image", 6000, 18000, None, None, "PDF/TIFF"),
    StandardSpec("trade_show", _("Booth backdrop"), "image", 11811, 5906, None, None, "PDF (CMYK)"),
)
