"""Request limits (README "Configuration"): bodies larger than their kind allows are
refused before they are read, too many fields or files get a 400, and a real server
that is sent hundreds of megabytes, a large upload or a decompression bomb keeps its
memory (peak RSS) where it was."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token

from tests.monitoring.test_importer import xlsx_bomb

MB = 1024 * 1024


def _plan_api(world) -> str:
    return f"/api/v1/plans/{world.plan.pk}/"


def test_a_json_body_over_the_memory_limit_is_refused_unread(world, api_for):
    # the client claims 50 MB and sends two bytes: the server never waits for the rest
    response = api_for("editor").generic(
        "PATCH",
        _plan_api(world),
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(50 * MB),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert "5 MB" in response.json()["detail"]


def test_an_upload_over_the_upload_limit_is_refused_unread(world, client_for):
    response = client_for("editor").generic(
        "POST",
        f"/plans/{world.plan.pk}/monitoring/import/",
        b"--x--\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_UPLOAD_BYTES + 1),
    )
    assert response.status_code == 413
    assert "Request too large" in response.content.decode()
    assert response["X-Content-Type-Options"] == "nosniff"  # still our headers


def test_the_upload_limit_admits_the_largest_import():
    from monitoring import importer

    assert settings.REQUEST_MAX_UPLOAD_BYTES > importer.MAX_BYTES


@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_too_many_form_fields_are_a_bad_request(world, client_for, api_for, api):
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    if api:
        response = api_for("editor").post("/api/v1/creators/import/", fields)
    else:
        response = client_for("editor").post(f"/plans/{world.plan.pk}/fields/", fields)
    assert response.status_code == 400


def test_too_many_files_are_a_bad_request(world, api_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = {
        f"file{i}": SimpleUploadedFile(f"{i}.csv", b"a\n")
        for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    }
    response = api_for("editor").post("/api/v1/creators/import/", files, format="multipart")
    assert response.status_code == 400


# --- a real server: peak memory ------------------------------------------------------------


def _send(url: str, path: str, headers: dict[str, str], body: Iterator[bytes]) -> bytes:
    """A raw HTTP request whose body is streamed (never held whole by the client);
    returns the start of the server's answer."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{head}\r\n".encode())
        try:
            for chunk in body:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed without reading the rest: the point
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except ConnectionResetError:
            pass
    return answer


def _zeros(total: int, chunk: int = MB) -> Iterator[bytes]:
    block = b"0" * chunk
    for _ in range(total // chunk):
        yield block


def _multipart(boundary: str, filename: str, fields: dict[str, str], size: int, body):
    """(Content-Length, chunks) of a multipart form with one file field ``file``."""
    prefix = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in fields.items()
    )
    prefix += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    suffix = f"\r\n--{boundary}--\r\n".encode()
    length = len(prefix.encode()) + size + len(suffix)

    def chunks() -> Iterator[bytes]:
        yield prefix.encode()
        yield from body
        yield suffix

    return length, chunks()


def test_gunicorn_keeps_its_memory_under_oversized_and_hostile_bodies(world, served_by_gunicorn):
    # (Django's development server reads an unread body to the end into memory when it
    # closes the request; production serves with gunicorn, which is what is measured.)
    token = Token.objects.create(user=world.users["editor"]).key
    server = served_by_gunicorn()
    auth = {"Authorization": f"Token {token}"}
    multipart = "multipart/form-data; boundary=b0und4ry"
    baseline = server.peak_rss()

    # 1. 300 MB of JSON announced and sent: refused at once, unread
    answer = _send(
        server.url,
        _plan_api(world),
        {**auth, "Content-Type": "application/json", "Content-Length": str(300 * MB)},
        _zeros(300 * MB),
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]

    # 2. a 60 MB upload, within the upload limit, to an import that takes 2 MB: streamed
    #    to a temporary file, read no further than the import's own limit, refused
    length, chunks = _multipart(
        "b0und4ry", "roster.csv", {"plan": str(world.plan.pk)}, 60 * MB, _zeros(60 * MB)
    )
    answer = _send(
        server.url,
        "/api/v1/creators/import/",
        {**auth, "Content-Type": multipart, "Content-Length": str(length)},
        chunks,
    )
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]

    # 3. a decompression bomb (a workbook that unpacks to 40 MB) to the metrics import
    bomb = xlsx_bomb()
    length, chunks = _multipart("b0und4ry", "bomb.xlsx", {}, len(bomb), iter([bomb]))
    answer = _send(
        server.url,
        f"/api/v1/plans/{world.plan.pk}/metrics/import/",
        {**auth, "Content-Type": multipart, "Content-Length": str(length)},
        chunks,
    )
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]  # the failed import's report

    # then the peak memory of the process serving them grew by less than 40 MB, for
    # bodies that add up to 360 MB
    growth = server.peak_rss() - baseline
    assert growth < 40 * MB, f"peak RSS grew by {growth / MB:.0f} MB"
