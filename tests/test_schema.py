"""The OpenAPI schema is valid and complete; the docs work offline."""

import re
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


def _api_routes() -> set[tuple[str, str]]:
    """(path template, method) for every API view the URL resolver knows."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: set[tuple[str, str]] = set()

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
                continue
            assert isinstance(p, URLPattern)
            route = prefix + str(p.pattern)
            if not route.startswith("api/v1/"):
                continue
            view = p.callback
            cls = getattr(view, "cls", None)
            if cls is None:
                continue
            actions = getattr(view, "actions", None)
            if actions:  # a viewset: the router's methods this class allows
                methods = {m for m in actions if m in cls.http_method_names} - {"head", "options"}
            else:
                methods = {m for m in cls.http_method_names if hasattr(cls, m)} - {
                    "options",
                    "head",
                }
            if cls.__name__ == "APIRootView":  # the router's index, not an operation
                continue
            route = route.replace("^", "").replace("$", "")
            if r"\.(?P<format>" in route or "<drf_format_suffix" in route:
                continue
            path = "/" + re.sub(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>", _param, route)
            for method in methods:
                found.add((path, method.lower()))

    walk(get_resolver().url_patterns, "")
    return found


def _param(match) -> str:
    return "{}"  # parameter names differ ({pk} in the resolver, {id} in the schema)


def test_every_api_route_is_in_the_schema(client, db):
    """An endpoint missing from /api/schema/ is invisible to integrators and fuzzers."""
    schema = client.get("/api/schema/?format=json").json()
    documented = {
        (re.sub(r"\{\w+\}", "{}", path), method)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    routes = _api_routes()
    assert routes, "the resolver walk found no API routes"
    missing = sorted(routes - documented)
    assert not missing, f"routes missing from the schema: {missing}"
