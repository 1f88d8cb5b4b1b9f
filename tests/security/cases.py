"""The access matrix's API write cases, reused as valid payloads for the security tests.

Every write route already has a case there (its completeness test sees to that) with a
body the personas that may write get a 2xx for; here it is the "otherwise valid" payload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.access_cases import Case
from tests.planner.test_access_matrix import CASES
from tests.security.api_fields import Operation, write_operations

WRITERS = ("admin", "manager", "editor")


def write_cases() -> dict[tuple[str, str], Case]:
    """The first API case per (route, METHOD) that some member may perform."""
    found: dict[tuple[str, str], Case] = {}
    for case in CASES:
        key = (case.route, case.method.upper())
        if not case.api or key[1] not in ("POST", "PUT", "PATCH") or key in found:
            continue
        if writer(case) is not None:
            found[key] = case
    return found


def writer(case: Case) -> str | None:
    """A persona that may perform the case (it expects a 2xx)."""
    return next((p for p in WRITERS if 200 <= case.expected[p] < 300), None)


def send(client: Any, case: Case, url: str, data: dict[str, Any], headers: dict[str, str]) -> Any:
    method = getattr(client, case.method)
    if any(hasattr(v, "read") for v in data.values()):
        return method(url, data, format="multipart", **headers)
    return method(url, data, format="json", **headers)


def operations_without_case(wanted: Callable[[Operation], bool]) -> list[str]:
    """The write operations ``wanted`` picks that have no valid case to start from."""
    cases = write_cases()
    return sorted(
        f"{op.method} {op.route}"
        for op in write_operations()
        if wanted(op) and (op.route, op.method) not in cases
    )
