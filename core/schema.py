"""OpenAPI: every operation documents the errors DRF answers for it generically.

drf-spectacular documents what a view declares; the answers DRF itself gives before
or around the handler (no credentials, a role that may not, an id that is not there,
a body or filter that does not validate) are added here where the operation does not
name them, so a client (and the fuzzer in tests/fuzz) finds every status code it can
get in the schema.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

UNAUTHENTICATED = "No credentials, or invalid ones."
FORBIDDEN = "Your role does not allow this."
NOT_FOUND = "No such object in your workspaces."
INVALID = "Invalid input; `fields` names each problem."


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if not operation:
            return operation
        responses: dict[str, Any] = operation.setdefault("responses", {})
        parameters = operation.get("parameters", [])
        generic: dict[str, str] = {}
        if any(p.get("in") == "query" for p in parameters) or "requestBody" in operation:
            generic["400"] = INVALID
        security = operation.get("security", [])
        if security and {} not in security:  # needs credentials
            generic["401"] = UNAUTHENTICATED
            generic["403"] = FORBIDDEN
        if any(p.get("in") == "path" for p in parameters):
            generic["404"] = NOT_FOUND
        for code, description in generic.items():
            responses.setdefault(code, {"description": description})
        operation["responses"] = dict(sorted(responses.items()))
        return operation
