"""core.pdf: HTML → PDF with no network fetches (static files and data: URIs only)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from core.pdf import RefusedFetch, _fetcher, html_to_pdf


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://127.0.0.1:9/tracker.gif",
        "file:///etc/passwd",
        "http://testserver/static/../../config/settings.py",
        "http://testserver/media/upload.png",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(RefusedFetch):
        _fetcher().fetch(url)


def test_the_fetcher_serves_static_files_and_data_uris():
    css = _fetcher().fetch("http://testserver/static/css/document.css")
    assert b"@page" in css.read()
    assert css.headers["Content-Type"].startswith("text/css")
    data = _fetcher().fetch("data:text/plain;base64,aGVsbG8=")
    assert data.read() == b"hello"


def test_html_to_pdf_renders_chinese_text_and_skips_refused_resources():
    html = (
        '<html><head><link rel="stylesheet" href="/static/css/document.css"></head>'
        '<body class="doc"><h1>年度推广规划 Annual plan</h1>'
        '<img src="http://example.com/x.png" alt=""></body></html>'
    )
    pdf = html_to_pdf(html, base_url="http://testserver/")
    assert pdf.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "年度推广规划" in text.replace(" ", "") and "Annual plan" in text
