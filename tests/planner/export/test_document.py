"""The plan document: the outline filled in with the plan's values, as HTML and PDF,
in English and Chinese, in a bounded number of queries."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.html import escape
from pypdf import PdfReader

from budget.models import Budget
from content.models import Campaign
from core.templatetags.almanac import format_amount
from kpis.models import Kpi
from planner.sections import SECTIONS


def _text(response) -> str:
    return response.content.decode()


def _demo_values(plan):
    kpi = Kpi.objects.filter(plan=plan).order_by("sort_order", "pk").first()
    campaign = Campaign.objects.filter(plan=plan).order_by("start").first()
    budget = Budget.objects.get(plan=plan)
    return kpi, campaign, budget


def test_document_has_every_section_filled_with_the_plans_values(demo, demo_client):
    response = demo_client.get(f"/plans/{demo.pk}/document/")
    assert response.status_code == 200
    html = _text(response)
    # cover: name, year, status, contents
    assert demo.name in html and "2027" in html
    assert 'id="cover-status">Draft<' in html
    for section in SECTIONS:
        assert str(section.title) in html
        assert f'href="#section-{section.key}"' in html
        for part in section.parts:
            assert str(part.title) in html
    kpi, campaign, budget = _demo_values(demo)
    assert escape(kpi.name) in html
    assert escape(campaign.name) in html
    assert format_amount(budget.total, "money", demo.currency) in html
    # charts: inline SVG, one per required view
    for caption in (
        "KPI attainment, year to date",
        "Planned budget by channel",
        "Channel grades (score)",
        "Budget by quarter: planned, committed and actual",
        "Budget burn: cumulative planned and actual spend",
    ):
        assert f"<figcaption>{caption}</figcaption>" in html
    assert html.count("<svg") >= 5
    assert "<script" not in html
    assert 'style="' not in html  # CSP: no inline styles
    assert f'href="/plans/{demo.pk}/document.pdf"' in html


def test_document_in_chinese(demo, demo_client):
    demo_client.cookies["django_language"] = "zh-hans"
    html = _text(demo_client.get(f"/plans/{demo.pk}/document/"))
    assert 'lang="zh-Hans"' in html
    for title in ("年度目标设定", "渠道策略布局", "内容矩阵规划", "数据监测体系", "资源协同管理"):
        assert title in html
    with translation.override("zh-hans"):
        for section in SECTIONS:
            assert str(section.title) in html
    assert "Annual goals" not in html


def test_document_reads_in_a_bounded_number_of_queries(
    demo, demo_client, django_assert_max_num_queries
):
    demo_client.get(f"/plans/{demo.pk}/document/")  # warm: session, content types
    with django_assert_max_num_queries(45):
        response = demo_client.get(f"/plans/{demo.pk}/document/")
    assert response.status_code == 200


def test_pdf_is_an_attachment_with_the_documents_text(demo, demo_client):
    response = demo_client.get(f"/plans/{demo.pk}/document.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="almanac-2027-annual-marketing-plan.pdf"'
    )
    body = response.content
    assert body.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) >= 7  # cover + one page per section at least
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", " ", text)
    assert demo.name in flat
    for section in SECTIONS:
        assert str(section.title) in flat
    kpi, _campaign, _budget = _demo_values(demo)
    assert kpi.name in flat


def test_pdf_in_chinese(demo, demo_client):
    demo_client.cookies["django_language"] = "zh-hans"
    body = demo_client.get(f"/plans/{demo.pk}/document.pdf").content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    flat = re.sub(r"\s+", "", text)
    for title in ("年度目标设定", "渠道策略布局", "执行推进节点"):
        assert title in flat


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_kpi_names_are_escaped_in_the_document_and_its_charts(demo, demo_client, name):
    Kpi.objects.filter(plan=demo, code="new_users").update(name=name)
    html = _text(demo_client.get(f"/plans/{demo.pk}/document/"))
    assert name not in html
    assert "&lt;script&gt;" in html or "&quot;&gt;&lt;img" in html
    assert "<img" not in html


def test_budget_reserve_and_totals_are_the_ledgers(demo, demo_client):
    html = _text(demo_client.get(f"/plans/{demo.pk}/document/"))
    budget = Budget.objects.get(plan=demo)
    assert format_amount(budget.allocated, "money", demo.currency) in html
    assert budget.total > Decimal(0)
