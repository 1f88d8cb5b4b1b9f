"""planner.svg_charts: static, well-formed SVG with every text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from planner import svg_charts

NS = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    return [t.text or "" for t in root.iter(f"{NS}text")]


def test_hbars_escape_labels_and_figures():
    svg = svg_charts.hbars(
        [
            svg_charts.Bar("<script>alert(1)</script>", 80.0, text="80% & more"),
            svg_charts.Bar('"quoted"', None),
        ],
        title="KPI <attainment>",
        markers=[(90.0, "at risk"), (100.0, "target")],
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    texts = _texts(svg)
    assert "80% & more" in texts and "—" in texts
    assert any(t.startswith("<script>") for t in texts)  # the label, as text
    root = ET.fromstring(svg)  # noqa: S314
    assert root.find(f"{NS}title").text == "KPI <attainment>"
    assert len(root.findall(f"{NS}line")) == 2


def test_columns_and_lines_are_well_formed():
    series = [
        svg_charts.Series("Planned <p>", [10.0, 20.0, 0.0, 5.0], "#000"),
        svg_charts.Series("Actual", [8.0, 25.0, 1.0, 0.0], "#111"),
    ]
    for stacked in (False, True):
        svg = svg_charts.columns(["Q1", "Q2", "Q3", "Q4"], series, title="t", stacked=stacked)
        assert "Planned &lt;p&gt;" in svg
        assert "Q4" in _texts(svg)
    svg = svg_charts.lines([str(m) for m in range(1, 13)], series, title="burn")
    root = ET.fromstring(svg)  # noqa: S314
    assert len(root.findall(f"{NS}polyline")) == 2


def test_empty_charts_do_not_divide_by_zero():
    assert "<svg" in svg_charts.hbars([], title="none")
    assert "<svg" in svg_charts.columns([], [], title="none")
    assert "<svg" in svg_charts.lines([], [], title="none")


def test_timeline_clamps_spans_to_the_period_and_escapes_labels():
    svg = svg_charts.timeline(
        [
            svg_charts.Span("Spring <b>", -0.1, 0.2),
            svg_charts.Span("Double 11", 0.85, 1.4),
        ],
        title="Campaigns",
        ticks=[str(m) for m in range(1, 13)],
        markers=[(0.1, "Spring Festival & Lantern")],
    )
    root = ET.fromstring(svg)  # noqa: S314
    bars = list(root.iter(f"{NS}rect"))
    xs = [float(r.get("x")) for r in bars]
    ends = [float(r.get("x")) + float(r.get("width")) for r in bars]
    assert min(xs) >= 190 and max(ends) <= svg_charts.WIDTH
    assert "Spring &lt;b&gt;" in svg and "Spring Festival &amp; Lantern" in svg
