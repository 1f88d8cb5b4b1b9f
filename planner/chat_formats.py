"""Team-chat webhooks: each platform's JSON body, signature and answer (pure).

No Django here: a message (title, lines, link) goes in, the URL and JSON body to
POST come out, and ``check_response`` says whether the platform accepted it.
Every piece of text is treated as user text and escaped in the platform's own
way, so an alert message such as ``<!channel> *bold*`` never pings anybody or
changes the formatting.

- WeCom group robot: ``{"msgtype": "markdown", "markdown": {"content": …}}``;
  no signature (the key is in the URL). Answers ``{"errcode": 0}``.
- DingTalk custom robot: ``{"msgtype": "markdown", "markdown": {"title", "text"}}``;
  with a secret, ``timestamp`` (ms) and ``sign`` are added to the URL query.
  Answers ``{"errcode": 0}``.
- Feishu / Lark custom bot: a rich-text ``post`` whose elements are plain text
  (nothing to escape); with a secret, ``timestamp`` (s) and ``sign`` in the body.
  Answers ``{"code": 0}`` (older bots ``{"StatusCode": 0}``).
- Slack incoming webhook: ``{"text": fallback, "blocks": […]}``; answers ``ok``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

WECOM = "wecom"
DINGTALK = "dingtalk"
FEISHU = "feishu"
SLACK = "slack"
PLATFORMS = (WECOM, DINGTALK, FEISHU, SLACK)
# The platforms that sign a message with a secret (WeCom and Slack carry it in the URL).
SIGNING = (DINGTALK, FEISHU)

# Platform limits, kept well clear of: WeCom markdown 4096 bytes, DingTalk ~20 000
# bytes, Slack 3000 characters per section text and 150 per header.
_MAX_LINES = 40
_SLACK_SECTION = 2900
_SLACK_HEADER = 150
_WECOM_BYTES = 4000


class ChatError(Exception):
    """The platform refused the message (or answered something unreadable)."""


@dataclass(frozen=True)
class ChatMessage:
    title: str
    lines: tuple[str, ...] | list[str]
    link: str = ""
    link_text: str = ""
    language: str = "zh-hans"


@dataclass(frozen=True)
class ChatRequest:
    """What to POST: the URL (with a signature in the query for DingTalk) and the body."""

    url: str
    body: dict[str, Any]

    def data(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


# --- escaping ----------------------------------------------------------------------------

_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_MARKDOWN_CHARS = re.compile(r"([\\`*_\[\]#~|])")
_SLACK_FORMAT = re.compile(r"([*_~`])")
_ZWSP = "\u200b"


def escape_markdown(text: str) -> str:
    """Markdown of WeCom and DingTalk: HTML-like tags (``<@user>``, ``<font>``) and the
    characters that format (``* _ ` [ ] # ~ | \\``) lose their meaning."""
    text = str(text).translate(_HTML)
    text = _MARKDOWN_CHARS.sub(r"\\\1", text)
    # A line that starts with a quote, list or heading marker stays a plain line.
    return re.sub(r"^([>+\-]|\d+\.)(\s)", r"\\\1\2", text, flags=re.MULTILINE)


def escape_slack(text: str) -> str:
    """Slack mrkdwn: ``& < >`` are entities (so ``<!channel>`` or ``<@U1>`` never
    pings), and a zero-width space keeps ``*``, ``_``, ``~`` and backticks from
    pairing up into formatting."""
    text = str(text).translate(_HTML)
    return _SLACK_FORMAT.sub(lambda m: m.group(1) + _ZWSP, text)


def _slack_plain(text: str, limit: int) -> str:
    text = str(text).replace("\n", " ").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _safe_link(link: str) -> str:
    """Only http(s) links, without characters that break a platform's link syntax."""
    if not link or urlsplit(link).scheme not in ("http", "https"):
        return ""
    return re.sub(r"[\s<>|()\[\]\"']", lambda m: quote_plus(m.group(0)), link)


def _lines(message: ChatMessage) -> list[str]:
    lines = [str(line) for line in message.lines]
    if len(lines) > _MAX_LINES:
        hidden = len(lines) - _MAX_LINES + 1
        lines = [*lines[: _MAX_LINES - 1], f"… (+{hidden})"]
    return lines


# --- bodies ------------------------------------------------------------------------------


def wecom_body(message: ChatMessage) -> dict[str, Any]:
    parts = [f"**{escape_markdown(message.title)}**", *map(escape_markdown, _lines(message))]
    link = _safe_link(message.link)
    if link:
        parts.append(f"[{escape_markdown(message.link_text or link)}]({link})")
    content = "\n".join(parts)
    while len(content.encode("utf-8")) > _WECOM_BYTES and len(parts) > 2:
        parts.pop(-2 if link else -1)
        content = "\n".join(parts)
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_body(message: ChatMessage) -> dict[str, Any]:
    # Two spaces before a newline: DingTalk's markdown needs a hard break.
    parts = [f"#### {escape_markdown(message.title)}", *map(escape_markdown, _lines(message))]
    link = _safe_link(message.link)
    if link:
        parts.append(f"[{escape_markdown(message.link_text or link)}]({link})")
    return {
        "msgtype": "markdown",
        "markdown": {"title": _slack_plain(message.title, 100), "text": "  \n".join(parts)},
    }


def feishu_body(message: ChatMessage) -> dict[str, Any]:
    # Rich-text elements are plain text: no markdown, and @ only through "at" elements.
    content: list[list[dict[str, str]]] = [
        [{"tag": "text", "text": line}] for line in _lines(message)
    ]
    link = _safe_link(message.link)
    if link:
        content.append([{"tag": "a", "text": message.link_text or link, "href": link}])
    locale = "zh_cn" if message.language.lower().startswith("zh") else "en_us"
    return {
        "msg_type": "post",
        "content": {"post": {locale: {"title": message.title, "content": content}}},
    }


def slack_body(message: ChatMessage) -> dict[str, Any]:
    lines = _lines(message)
    section = "\n".join(escape_slack(line) for line in lines) or " "
    if len(section) > _SLACK_SECTION:
        section = section[: _SLACK_SECTION - 1] + "…"
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _slack_plain(message.title, _SLACK_HEADER)},
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": section}},
    ]
    link = _safe_link(message.link)
    if link:
        label = escape_slack(message.link_text or link)
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{link}|{label}>"}]}
        )
    # The fallback (notifications, old clients) is escaped too: Slack parses it as mrkdwn.
    fallback = escape_slack(" — ".join([message.title, *lines[:3]]))
    return {"text": fallback[:_SLACK_SECTION], "blocks": blocks}


# --- signatures --------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """base64(HMAC-SHA256(key=secret, msg="timestamp\\nsecret")), not yet URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """base64(HMAC-SHA256(key="timestamp\\nsecret", msg=b""))."""
    key = f"{timestamp_s}\n{secret}".encode()
    digest = hmac.new(key, b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _with_query(url: str, extra: list[tuple[str, str]]) -> str:
    parts = urlsplit(url)
    keep = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in dict(extra)
    ]
    return urlunsplit(parts._replace(query=urlencode([*keep, *extra])))


def build(
    platform: str, message: ChatMessage, *, url: str, secret: str = "", now: float
) -> ChatRequest:
    """The request for ``platform``; ``now`` is the Unix time in seconds (signatures)."""
    secret = secret.strip()
    if platform == WECOM:
        return ChatRequest(url, wecom_body(message))
    if platform == DINGTALK:
        body = dingtalk_body(message)
        if secret:
            timestamp = int(now * 1000)
            url = _with_query(
                url, [("timestamp", str(timestamp)), ("sign", dingtalk_sign(secret, timestamp))]
            )
        return ChatRequest(url, body)
    if platform == FEISHU:
        body = feishu_body(message)
        if secret:
            timestamp = int(now)
            body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
        return ChatRequest(url, body)
    if platform == SLACK:
        return ChatRequest(url, slack_body(message))
    raise ValueError(f"unknown chat platform {platform!r}")


# --- answers -----------------------------------------------------------------------------


def _snippet(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = " ".join(text.split())
    return text[:300] or "(empty)"


def check_response(platform: str, status: int, body: bytes | str) -> None:
    """Raise ``ChatError`` (with the platform's own message) unless it accepted the post."""
    if not 200 <= status < 300:
        raise ChatError(f"{platform}: HTTP {status}: {_snippet(body)}")
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if platform == SLACK:
        if text.strip() != "ok":
            raise ChatError(f"slack: {_snippet(text)}")
        return
    try:
        answer = json.loads(text)
    except ValueError:
        raise ChatError(f"{platform}: not a JSON answer: {_snippet(text)}") from None
    if not isinstance(answer, dict):
        raise ChatError(f"{platform}: unexpected answer: {_snippet(text)}")
    if platform in (WECOM, DINGTALK):
        code, reason = answer.get("errcode"), answer.get("errmsg", "")
    elif platform == FEISHU:
        if "code" in answer:
            code, reason = answer.get("code"), answer.get("msg", "")
        else:
            code, reason = answer.get("StatusCode"), answer.get("StatusMessage", "")
    else:
        raise ValueError(f"unknown chat platform {platform!r}")
    if code != 0:
        raise ChatError(f"{platform}: error {code}: {reason or _snippet(text)}")


# --- showing a webhook without giving it away ----------------------------------------------

_SECRET_LOOKING = re.compile(r"[0-9]")


def _looks_secret(segment: str) -> bool:
    return len(segment) >= 16 or (len(segment) >= 8 and bool(_SECRET_LOOKING.search(segment)))


def _mask(value: str) -> str:
    if len(value) <= 4:
        return "•" * len(value)
    return "•" * min(8, len(value) - 4) + value[-4:]


def mask_url(url: str) -> str:
    """The URL with its key or token masked (query values, long path segments):
    ``…/send?key=••••••••1f2e``, ``…/hook/••••••••9abc``, ``…/services/••••••••/…``."""
    parts = urlsplit(url)
    query = [
        (key, _mask(value) if len(value) >= 6 else value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    segments = parts.path.split("/")
    masked = [_mask(seg) if _looks_secret(seg) else seg for seg in segments]
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    # Joined by hand: the mask characters stay readable (urlencode would escape them).
    shown_query = "&".join(f"{key}={value}" for key, value in query)
    return urlunsplit((parts.scheme, netloc, "/".join(masked), shown_query, ""))


def mask_secret(secret: str) -> str:
    """A secret as a page shows it: that there is one, and its last two characters."""
    secret = secret.strip()
    if not secret:
        return ""
    return "••••••" + (secret[-2:] if len(secret) >= 8 else "")
