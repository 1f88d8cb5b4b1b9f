"""A fake chat platform on 127.0.0.1: it records every POST and answers like WeCom,
DingTalk, Feishu or Slack (chosen by the first path segment: ``/wecom/…``,
``/dingtalk/…``, ``/feishu/…``, ``/slack/…``); answers can be scripted per path."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SUCCESS: dict[str, tuple[int, bytes]] = {
    "wecom": (200, b'{"errcode": 0, "errmsg": "ok"}'),
    "dingtalk": (200, b'{"errcode": 0, "errmsg": "ok"}'),
    "feishu": (200, b'{"code": 0, "msg": "success", "data": {}}'),
    "slack": (200, b"ok"),
}


@dataclass
class Posted:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any

    @property
    def platform(self) -> str:
        return self.path.strip("/").split("/", 1)[0]


class ChatServer:
    def __init__(self) -> None:
        self.requests: list[Posted] = []
        self._scripted: dict[str, deque[tuple[int, bytes]]] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                try:
                    body: Any = json.loads(raw.decode("utf-8"))
                except ValueError:
                    body = raw
                posted = Posted(parts.path, parse_qs(parts.query), dict(self.headers), body)
                status, answer = server._answer(posted)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def _answer(self, posted: Posted) -> tuple[int, bytes]:
        with self._lock:
            self.requests.append(posted)
            queue = self._scripted.get(posted.path)
            if queue:
                return queue.popleft()
        return SUCCESS.get(posted.platform, (404, b"no_service"))

    def script(self, path: str, *answers: tuple[int, bytes | str]) -> None:
        """The next answers to POSTs on ``path`` (then the platform's success)."""
        with self._lock:
            queue = self._scripted.setdefault(path, deque())
            for status, body in answers:
                queue.append((status, body.encode() if isinstance(body, str) else body))

    def url(self, path: str) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}{path}"

    def posted(self, path: str | None = None) -> list[Posted]:
        with self._lock:
            return [r for r in self.requests if path is None or r.path == path]

    def start(self) -> ChatServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
