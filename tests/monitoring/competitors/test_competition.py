"""The pure arithmetic of competitor tracking and the image sniffing (no database)."""

from __future__ import annotations

import math
import struct
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.analytics import competition, images
from monitoring.competitor_demo import png

D = Decimal


def test_share_of_voice_divides_each_month_by_its_total():
    frame = pd.DataFrame(
        {
            "month": ["2027-01", "2027-01", "2027-01", "2027-02", "2027-02"],
            "brand": ["us", "1", "us", "us", "1"],
            "mentions": [30, 50, 20, 0, 0],
        }
    )
    result = competition.share_of_voice(frame)
    jan = result[result["month"] == "2027-01"].set_index("brand")["share"]
    # us: 30 + 20 = 50 of 100
    assert jan["us"] == pytest.approx(0.5)
    assert jan["1"] == pytest.approx(0.5)
    feb = result[result["month"] == "2027-02"]["share"]
    assert feb.isna().all()  # a month without any mention has no share


def test_share_of_voice_of_nothing_is_empty():
    empty = pd.DataFrame(columns=["month", "brand", "mentions"])
    assert competition.share_of_voice(empty).empty


def test_share_of_voice_treats_negative_and_missing_mentions_as_zero():
    frame = pd.DataFrame({"month": [1, 1, 1], "brand": ["a", "b", "c"], "mentions": [-5, None, 10]})
    shares = competition.share_of_voice(frame).set_index("brand")["share"]
    assert shares.to_dict() == {"a": 0.0, "b": 0.0, "c": 1.0}


@given(st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=8))
def test_shares_of_a_month_add_up_to_one_when_anyone_was_mentioned(counts):
    frame = pd.DataFrame(
        {
            "month": [1] * len(counts),
            "brand": [str(i) for i in range(len(counts))],
            "mentions": counts,
        }
    )
    shares = competition.share_of_voice(frame)["share"]
    if sum(counts) == 0:
        assert shares.isna().all()
    else:
        assert math.isclose(shares.sum(), 1.0, rel_tol=1e-9)


@pytest.mark.parametrize(
    ("shares", "total", "expected"),
    [
        ({"search": D("0.4"), "social": D("0.6")}, None, None),
        ({"search": D("0.4"), "social": D("0.5")}, None, None),  # the rest is unknown
        ({"search": D("0.6"), "social": D("0.5")}, None, "over"),
        ({"search": D("0.6"), "social": D("0.404")}, None, None),  # rounding tolerance
        ({"search": D("-0.1")}, None, "range"),
        ({"search": D("1.2")}, None, "range"),
        ({"p": D("0.6"), "n": D("0.3"), "x": D("0.1")}, D(1), None),
        ({"p": D("0.6"), "n": D("0.3"), "x": D("0.2")}, D(1), "sum"),
        ({}, None, None),
    ],
)
def test_split_problem(shares, total, expected):
    assert competition.split_problem(shares, total=total) == expected


def test_coverage_weights_the_levels():
    # has (w 3) + partial (w 2) + no (w 1): (3 + 1 + 0) / 6
    result = competition.coverage([(3, "has"), (2, "partial"), (1, "no"), (5, "")])
    assert result.score == pytest.approx(4 / 6)
    assert result.rated == 3


def test_coverage_without_weights_or_levels_has_no_score():
    assert competition.coverage([]).score is None
    assert competition.coverage([(0, "has")]) == competition.Coverage(None, 1)
    assert competition.coverage([(float("nan"), "has")]).rated == 0


# --- images --------------------------------------------------------------------------------------


def test_sniff_reads_a_png_header():
    info = images.sniff(png(240, 150, "#ffffff", "#000000"))
    assert (info.content_type, info.extension, info.width, info.height) == (
        "image/png",
        ".png",
        240,
        150,
    )


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xda\x00\x08"


def webp_vp8x(width: int, height: int) -> bytes:
    body = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    body += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def webp_vp8l(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    body = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + bits.to_bytes(4, "little")
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def test_sniff_reads_jpeg_and_webp_sizes():
    assert (images.sniff(jpeg(800, 600)).width, images.sniff(jpeg(800, 600)).height) == (800, 600)
    assert images.sniff(jpeg(1, 1)).content_type == "image/jpeg"
    vp8x = images.sniff(webp_vp8x(1920, 1080))
    assert (vp8x.content_type, vp8x.width, vp8x.height) == ("image/webp", 1920, 1080)
    vp8l = images.sniff(webp_vp8l(300, 200))
    assert (vp8l.width, vp8l.height) == (300, 200)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a\x01\x00\x01\x00",  # a GIF: not accepted
        b"MZ\x90\x00" + b"\x00" * 100,  # a Windows executable
        b"%PDF-1.7\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDX",  # a broken PNG
        b"\xff\xd8\xff\xe0\x00\x10JFIF",  # a JPEG cut before its frame header
        b"RIFF\x00\x00\x00\x00WEBPVP8Z",
        png(0, 10, "#ffffff", "#000000")[:33],  # 0 pixels wide
    ],
)
def test_sniff_refuses_what_is_not_a_readable_image(data):
    with pytest.raises(images.NotAnImage):
        images.sniff(data)
