"""Settings: production values pass Django's deploy checks; bad values stop the start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value.strip('"')
    env["ALMANAC_VAR_DIR"] = str(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return env


def manage(env, *args) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_values_pass_check_deploy(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_secret_key_is_required_without_debug(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"), [("DEBUG", "ture"), ("SMTP_PORT", "2x"), ("DATABASE_URL", "mysql://x/y")]
)
def test_malformed_values_stop_the_start(tmp_path, name, value):
    env = production_env(tmp_path) | {name: value}
    result = manage(env, "check")
    assert result.returncode != 0 and name in result.stderr


def test_load_demo_is_refused_without_debug(tmp_path):
    env = production_env(tmp_path) | {"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    result = manage(env, "load_demo")
    assert result.returncode != 0 and "DEBUG=1" in result.stderr


def test_security_headers_on_pages_and_api(client, db):
    for url in ("/accounts/login/", "/api/v1/", "/no-such-page/"):
        _assert_security_headers(client.get(url))


def _assert_security_headers(response) -> None:
    directives = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.urls("tests.boom_urls")
def test_security_headers_on_server_errors_too(db):
    from django.test import Client

    client = Client(raise_request_exception=False)
    for url in ("/boom/", "/api/v1/boom/"):
        response = client.get(url)
        assert response.status_code == 500
        assert b"Traceback" not in response.content
        _assert_security_headers(response)


def test_hsts_on_https_responses_in_production(db, settings):
    from django.test import Client

    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = False
    response = Client().get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    _assert_security_headers(response)
