"""Typed readers for environment variables that fail loudly on malformed values.

Every setting that can change between machines comes through one of these, so a
typo in a deployment ("DEBUG=ture", "SMTP_PORT=2x") stops the process at start
instead of silently running with a default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = env_str(name, default)
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name} must be one of {allowed}; got {value!r}")
    return value


@dataclass(frozen=True)
class Database:
    """The parts of DATABASE_URL that Django's DATABASES needs."""

    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    def as_django(self) -> dict[str, object]:
        config: dict[str, object] = {
            "ENGINE": self.engine,
            "NAME": self.name,
            "USER": self.user,
            "PASSWORD": self.password,
            "HOST": self.host,
            "PORT": self.port,
            "ATOMIC_REQUESTS": False,
        }
        if self.engine.endswith("postgresql"):
            config["CONN_MAX_AGE"] = 60
            config["CONN_HEALTH_CHECKS"] = True
        else:
            # Embedded default: wait for the write lock instead of failing at once.
            config["OPTIONS"] = {"timeout": 20}
        return config


def parse_database_url(url: str, *, default_sqlite: Path) -> Database:
    """Parse ``postgres://user:pass@host:port/name`` or ``sqlite:///path``."""
    if not url:
        return Database(engine="django.db.backends.sqlite3", name=str(default_sqlite))
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        name = parts.path.lstrip("/")
        if not name:
            raise ImproperlyConfigured("DATABASE_URL names no database (postgres://…/NAME)")
        try:
            port = str(parts.port or "")
        except ValueError:
            raise ImproperlyConfigured("DATABASE_URL has a malformed port") from None
        return Database(
            engine="django.db.backends.postgresql",
            name=unquote(name),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=parts.hostname or "",
            port=port,
        )
    if parts.scheme == "sqlite":
        path = parts.path
        if not path or path == "/":
            raise ImproperlyConfigured("DATABASE_URL sqlite:/// needs a file path")
        return Database(engine="django.db.backends.sqlite3", name=path)
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with postgres:// or sqlite:///; got scheme {parts.scheme!r}"
    )


def check_redis_url(url: str) -> str:
    if url and urlsplit(url).scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured("REDIS_URL must start with redis:// or rediss://")
    return url
