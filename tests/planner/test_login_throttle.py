"""Login throttling on the HTML form and the token endpoint (django-axes)."""

import pytest
from django.db.models import F


def fail_login(client, username, n, *, ip="10.0.0.1"):
    for _ in range(n):
        client.post("/accounts/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_user_even_with_the_right_password(world, client, password):
    fail_login(client, "editor-user", 5)
    response = client.post(
        "/accounts/login/",
        {"username": "editor-user", "password": password},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_locked_user_cannot_get_a_token_either(world, client, password):
    fail_login(client, "editor-user", 5)
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "editor-user", "password": password},
        content_type="application/json",
        REMOTE_ADDR="10.0.0.7",
    )
    assert response.status_code == 429
    assert response.json() == {
        "detail": "Too many failed attempts; try again later.",
        "code": "locked_out",
    }


def test_token_endpoint_failures_count_too(world, client, password):
    for _ in range(5):
        client.post(
            "/api/v1/auth/token/",
            {"username": "viewer-user", "password": "wrong"},
            content_type="application/json",
            REMOTE_ADDR="10.0.0.2",
        )
    response = client.post(
        "/accounts/login/",
        {"username": "viewer-user", "password": password},
        REMOTE_ADDR="10.0.0.3",
    )
    assert response.status_code == 429


@pytest.mark.parametrize("username", ["editor-user", "no-such-user"])
def test_lockout_page_does_not_reveal_whether_the_user_exists(world, client, username):
    fail_login(client, username, 5)
    response = client.post(
        "/accounts/login/", {"username": username, "password": "x"}, REMOTE_ADDR="10.0.0.5"
    )
    assert response.status_code == 429
    assert username not in response.content.decode()


def test_four_failures_then_success_resets_the_count(world, client, password):
    fail_login(client, "editor-user", 4)
    ok = client.post("/accounts/login/", {"username": "editor-user", "password": password})
    assert ok.status_code == 302
    client.logout()
    fail_login(client, "editor-user", 4)
    assert (
        client.post(
            "/accounts/login/", {"username": "editor-user", "password": password}
        ).status_code
        == 302
    )


@pytest.mark.parametrize("endpoint", ["page", "token"])
def test_rotating_forwarded_for_does_not_escape_the_lock(world, client, password, endpoint):
    # an attacker sends each try with another X-Forwarded-For (no proxy is configured,
    # so the header is not trusted: the tries count for the user and the real address)
    for i in range(5):
        guess = {"username": "editor-user", "password": f"guess-{i}"}
        headers = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": f"203.0.113.{i}"}
        if endpoint == "token":
            client.post("/api/v1/auth/token/", guess, content_type="application/json", **headers)
        else:
            client.post("/accounts/login/", guess, **headers)
    for attempt in ("/accounts/login/", "/api/v1/auth/token/"):
        response = client.post(
            attempt,
            {"username": "editor-user", "password": password},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.77",
        )
        assert response.status_code == 429, attempt


def test_the_lock_lasts_thirty_minutes(world, client, password, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    assert timedelta(minutes=30) == settings.AXES_COOLOFF_TIME
    fail_login(client, "editor-user", 5)
    # 29 minutes later: still locked
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=29))
    login = {"username": "editor-user", "password": password}
    assert client.post("/accounts/login/", login, REMOTE_ADDR="10.0.0.9").status_code == 429
    # past 30 minutes: the failures have expired
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=2))
    assert client.post("/accounts/login/", login, REMOTE_ADDR="10.0.0.9").status_code == 302
