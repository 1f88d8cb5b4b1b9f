"""Login throttling on the HTML form and the token endpoint (django-axes)."""

import pytest


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
