"""The OpenAPI schema is valid and complete; the docs work offline."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_schema_validates_without_warnings(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(tmp_path / "s.yml"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_documents_if_match_and_token_auth(client, db):
    schema = client.get("/api/schema/?format=json").json()
    patch = schema["paths"]["/api/v1/plans/{id}/"]["patch"]
    assert any(p["name"] == "If-Match" and p["required"] for p in patch["parameters"])
    assert {"412", "428"} <= set(patch["responses"])
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    assert "/api/v1/auth/token/" in schema["paths"]


def test_docs_page_loads_swagger_from_our_static_files(client, db):
    content = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in content
    assert "cdn" not in content.lower() and "<script>" not in content
