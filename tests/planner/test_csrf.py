"""CSRF is enforced on every unsafe route a browser session can reach."""

import json

import pytest
from django.test import Client

from tests.planner.test_access_matrix import CASES

# The token endpoint authenticates by the credentials in its body, not by a
# cookie, so a forged cross-site request gains nothing; it is exempt by design.
# So is the unsubscribe POST: mail clients send RFC 8058 one-click requests without
# cookies, and the signed token in the URL is the credential (it can only do what
# the link itself allows: unsubscribe that recipient from that category).
CSRF_EXEMPT = {"api-token", "planner:unsubscribe"}
UNSAFE = [case for case in CASES if case.method != "get" and case.route not in CSRF_EXEMPT]


@pytest.mark.parametrize("case", UNSAFE, ids=lambda c: c.id)
def test_unsafe_route_without_csrf_token_is_refused(case, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["admin"])
    url, data, headers = case.path(world), case.data(world), case.headers(world)
    if case.api and any(hasattr(value, "read") for value in data.values()):
        response = getattr(client, case.method)(url, data, **headers)  # a multipart upload
    elif case.api:
        response = getattr(client, case.method)(
            url, json.dumps(data), content_type="application/json", **headers
        )
    else:
        response = getattr(client, case.method)(url, data, **headers)
    assert response.status_code == 403, f"{case.id}: {response.status_code}"


def test_login_form_needs_csrf(world, password):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "admin-user", "password": password})
    assert response.status_code == 403


def test_htmx_requests_carry_the_token_in_a_header(world, client_for):
    content = client_for("editor").get("/").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in content
