"""Each chat platform's JSON, signature and answer (planner.chat_formats, no Django)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from planner import chat_formats as cf

NOW = 1_790_000_000.123  # a fixed Unix time (seconds)
MESSAGE = cf.ChatMessage(
    title="2 new alerts in Annual plan",
    lines=["[Critical] Spend · Douyin", "<!channel> *bold* _it_ [x](http://evil) <@U123> & co"],
    link="https://almanac.example/plans/1/monitoring/alerts/",
    link_text="Open in Almanac",
)


def _expected_dingtalk_sign(secret: str, ms: int) -> str:
    mac = hmac.new(secret.encode(), f"{ms}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def _expected_feishu_sign(secret: str, seconds: int) -> str:
    mac = hmac.new(f"{seconds}\n{secret}".encode(), b"", hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def test_wecom_is_markdown_without_signature_and_escapes_user_text():
    request = cf.build(
        "wecom", MESSAGE, url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1", now=NOW
    )
    assert request.url == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1"
    assert request.body["msgtype"] == "markdown"
    content = request.body["markdown"]["content"]
    assert content.startswith("**2 new alerts in Annual plan**\n")
    assert "<@U123>" not in content and "&lt;@U123&gt;" in content  # no mention
    assert "*bold*" not in content and r"\*bold\*" in content
    assert "[x](http://evil)" not in content
    assert content.endswith("[Open in Almanac](https://almanac.example/plans/1/monitoring/alerts/)")


def test_dingtalk_markdown_is_signed_in_the_query():
    secret = "SEC0123456789abcdef"
    request = cf.build(
        "dingtalk",
        MESSAGE,
        url="https://oapi.dingtalk.com/robot/send?access_token=tok",
        secret=secret,
        now=NOW,
    )
    query = parse_qs(urlsplit(request.url).query)
    ms = int(NOW * 1000)
    assert query["access_token"] == ["tok"]
    assert query["timestamp"] == [str(ms)]
    # parse_qs undoes the URL encoding of the base64 (+ / =) once
    assert query["sign"] == [_expected_dingtalk_sign(secret, ms)]
    markdown = request.body["markdown"]
    assert request.body["msgtype"] == "markdown"
    assert markdown["title"] == "2 new alerts in Annual plan"
    assert "&lt;!channel&gt;" in markdown["text"]
    assert markdown["text"].endswith("(https://almanac.example/plans/1/monitoring/alerts/)")


def test_dingtalk_without_secret_leaves_the_url_alone():
    url = "https://oapi.dingtalk.com/robot/send?access_token=tok"
    assert cf.build("dingtalk", MESSAGE, url=url, now=NOW).url == url


def test_dingtalk_signature_is_url_encoded():
    secret = "a secret whose signatures hold + and /"
    ms = next(
        ms
        for ms in range(1_790_000_000_000, 1_790_000_001_000)
        if {"+", "/"} & set(_expected_dingtalk_sign(secret, ms))
    )
    request = cf.build(
        "dingtalk", MESSAGE, url="https://x.example/send?a=1", secret=secret, now=ms / 1000
    )
    raw_sign = urlsplit(request.url).query.split("sign=", 1)[1]
    assert not {"+", "/", "="} & set(raw_sign)
    assert unquote(raw_sign) == _expected_dingtalk_sign(secret, ms)


def test_feishu_post_is_plain_text_and_signed_in_the_body():
    secret = "feishu-secret"
    request = cf.build(
        "feishu",
        MESSAGE,
        url="https://open.feishu.cn/open-apis/bot/v2/hook/abc",
        secret=secret,
        now=NOW,
    )
    body = request.body
    assert body["timestamp"] == str(int(NOW))
    assert body["sign"] == _expected_feishu_sign(secret, int(NOW))
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    assert post["title"] == MESSAGE.title
    texts = [element for paragraph in post["content"] for element in paragraph]
    assert {"tag": "text", "text": MESSAGE.lines[1]} in texts  # plain text: nothing to escape
    assert texts[-1] == {
        "tag": "a",
        "text": "Open in Almanac",
        "href": "https://almanac.example/plans/1/monitoring/alerts/",
    }
    assert all(element["tag"] in ("text", "a") for element in texts)  # never an "at"


def test_feishu_english_channel_and_no_secret():
    message = cf.ChatMessage("Hi", ["line"], language="en")
    body = cf.build("feishu", message, url="https://open.feishu.cn/x", now=NOW).body
    assert "sign" not in body and "timestamp" not in body
    assert list(body["content"]["post"]) == ["en_us"]


def test_slack_blocks_escape_mentions_and_formatting():
    request = cf.build("slack", MESSAGE, url="https://hooks.slack.com/services/T1/B2/XYZ", now=NOW)
    body = request.body
    raw = json.dumps(body, ensure_ascii=False)
    assert "<!channel>" not in raw and "<@U123>" not in raw
    assert "&lt;!channel&gt;" in raw
    assert "*bold*" not in raw and "_it_" not in raw
    assert [block["type"] for block in body["blocks"]] == ["header", "section", "context"]
    assert body["blocks"][0]["text"] == {"type": "plain_text", "text": MESSAGE.title}
    assert body["blocks"][1]["text"]["type"] == "mrkdwn"
    assert "&amp; co" in body["blocks"][1]["text"]["text"]
    link = body["blocks"][2]["elements"][0]["text"]
    assert link == "<https://almanac.example/plans/1/monitoring/alerts/|Open in Almanac>"
    assert body["text"].startswith("2 new alerts in Annual plan")
    assert "<!channel>" not in body["text"]


def test_a_link_that_is_not_http_is_dropped():
    message = cf.ChatMessage("t", ["l"], link="javascript:alert(1)")
    body = cf.build("slack", message, url="https://hooks.slack.com/x", now=NOW).body
    assert [block["type"] for block in body["blocks"]] == ["header", "section"]


def test_unknown_platform():
    with pytest.raises(ValueError, match="unknown chat platform"):
        cf.build("telegram", MESSAGE, url="https://x", now=NOW)


@pytest.mark.parametrize(
    ("platform", "status", "body"),
    [
        ("wecom", 200, b'{"errcode": 0, "errmsg": "ok"}'),
        ("dingtalk", 200, b'{"errcode": 0, "errmsg": "ok"}'),
        ("feishu", 200, b'{"code": 0, "msg": "success"}'),
        ("feishu", 200, b'{"StatusCode": 0, "StatusMessage": "success"}'),
        ("slack", 200, b"ok"),
    ],
)
def test_accepted_answers(platform, status, body):
    cf.check_response(platform, status, body)


@pytest.mark.parametrize(
    ("platform", "status", "body", "reason"),
    [
        ("wecom", 200, b'{"errcode": 93000, "errmsg": "invalid webhook url"}', "invalid webhook"),
        ("dingtalk", 200, b'{"errcode": 310000, "errmsg": "sign not match"}', "sign not match"),
        ("feishu", 200, b'{"code": 19021, "msg": "sign match fail"}', "sign match fail"),
        ("feishu", 200, b'{"StatusCode": 9499, "StatusMessage": "Bad Request"}', "Bad Request"),
        ("slack", 400, b"invalid_payload", "invalid_payload"),
        ("slack", 200, b"no_text", "no_text"),
        ("wecom", 500, b"Internal Server Error", "HTTP 500"),
        ("dingtalk", 200, b"<html>proxy</html>", "not a JSON"),
        ("feishu", 302, b"", "HTTP 302"),
    ],
)
def test_refused_answers_raise_with_the_platforms_reason(platform, status, body, reason):
    with pytest.raises(cf.ChatError, match=reason):
        cf.check_response(platform, status, body)


def test_masked_urls_hide_keys_and_tokens():
    wecom = cf.mask_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-1f2e")
    assert wecom.startswith("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=")
    assert "693a91f6" not in wecom and wecom.endswith("1f2e")
    slack = cf.mask_url(
        "https://hooks.slack.com/services/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"
    )
    assert "Xy12Zz98Ab34" not in slack and slack.startswith("https://hooks.slack.com/services/")
    feishu = cf.mask_url(
        "https://open.feishu.cn/open-apis/bot/v2/hook/0d3f1c2e-aaaa-bbbb-cccc-123456789abc"
    )
    assert "0d3f1c2e" not in feishu and feishu.endswith("9abc")
    dingtalk = cf.mask_url("https://oapi.dingtalk.com/robot/send?access_token=tok123456")
    assert dingtalk == "https://oapi.dingtalk.com/robot/send?access_token=•••••3456"
    assert "pw" not in cf.mask_url("https://user:pw@example.com/hook")


def test_masked_secret():
    assert cf.mask_secret("") == ""
    assert cf.mask_secret("SEC0123456789ab") == "••••••ab"
    assert cf.mask_secret("short") == "••••••"
