from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, parse_database_url


@pytest.mark.parametrize(
    ("raw", "value"), [("1", True), ("yes", True), ("off", False), ("0", False)]
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, value):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", not value) is value


def test_env_bool_rejects_a_typo(monkeypatch):
    monkeypatch.setenv("FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", False)


def test_env_int_rejects_garbage_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("PORT", "2x")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("PORT", 25)
    monkeypatch.setenv("PORT", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("PORT", 25, minimum=1)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , b.example,, ")
    assert env_list("HOSTS") == ["a.example", "b.example"]


def test_database_url_postgres_is_parsed_with_escapes():
    db = parse_database_url(
        "postgres://al%40ice:p%3Ass@db.internal:6543/almanac", default_sqlite=Path("x")
    )
    assert (db.engine, db.name, db.user, db.password, db.host, db.port) == (
        "django.db.backends.postgresql",
        "almanac",
        "al@ice",
        "p:ss",
        "db.internal",
        "6543",
    )
    assert db.as_django()["CONN_HEALTH_CHECKS"] is True


def test_database_url_defaults_to_sqlite_file():
    db = parse_database_url("", default_sqlite=Path("/srv/almanac/x.sqlite3"))
    assert db.engine.endswith("sqlite3") and db.name == "/srv/almanac/x.sqlite3"


@pytest.mark.parametrize(
    "url", ["mysql://x/y", "postgres://host/", "sqlite://", "postgres://h:port/x"]
)
def test_database_url_rejects_what_it_cannot_use(url):
    with pytest.raises(ImproperlyConfigured):
        parse_database_url(url, default_sqlite=Path("x"))
