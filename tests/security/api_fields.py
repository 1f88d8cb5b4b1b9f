"""What every API write operation accepts, read from the OpenAPI generator.

The cross-workspace tests walk this instead of a hand-kept list, so a new endpoint
or a new writable field is covered (or makes a completeness test fail) without
anybody remembering it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import spectacular_settings
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

WRITE_METHODS = ("POST", "PUT", "PATCH")


@dataclass(frozen=True)
class RefField:
    """A writable field of a request body that names another object by id."""

    path: str  # "plan", "departments", "cells[].department", "elements[].licence"
    model: str  # the referenced model's name; "User" for member fields
    many: bool

    @property
    def top(self) -> str:
        return re.split(r"[.\[]", self.path)[0]


@dataclass(frozen=True)
class Operation:
    route: str  # the URL name, as in the access matrix
    method: str
    path: str  # the schema path, e.g. /api/v1/kpis/{id}/
    serializer: str  # the request serializer's class name ("" when none)
    refs: tuple[RefField, ...]
    writable: tuple[str, ...]  # top-level writable field names
    read_only: tuple[str, ...]  # top-level read-only field names of the request serializer
    # Fields of the resource a client must not set: (name, kind) with kind "id", "fk:<Model>",
    # "user", "datetime", "number", "choice:<a>|<b>…" or "text"; see forge_value.
    server_owned: tuple[tuple[str, str], ...] = ()


def _model_name(field: Any) -> str:
    model = getattr(field, "model", None)
    if model is not None:
        return str(model.__name__)
    queryset = getattr(field, "queryset", None)
    if queryset is not None:
        return str(queryset.model.__name__)
    return "User"  # MemberField: its queryset is built per request


def _refs(serializer: Any, prefix: str = "") -> list[RefField]:
    found: list[RefField] = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, ManyRelatedField):
            found.append(RefField(prefix + name, _model_name(field.child_relation), True))
        elif isinstance(field, RelatedField):
            found.append(RefField(prefix + name, _model_name(field), False))
        elif isinstance(field, serializers.ListSerializer):
            found += _refs(field.child, f"{prefix}{name}[].")
        elif isinstance(field, serializers.BaseSerializer):
            found += _refs(field, f"{prefix}{name}.")
        elif isinstance(field, serializers.ListField) and isinstance(
            field.child, serializers.BaseSerializer
        ):
            found += _refs(field.child, f"{prefix}{name}[].")
    return found


def _route(path: str) -> str:
    sample = re.sub(r"\{[^}]+\}", "1", path)
    return str(resolve(sample).view_name)


def _request_serializer(view: Any) -> Any:
    found = view.schema.get_request_serializer()
    if isinstance(found, dict):  # one per media type: the JSON one, else the first
        found = found.get("application/json") or next(iter(found.values()), None)
    if isinstance(found, type):
        found = found()
    return found if isinstance(found, serializers.BaseSerializer) else None


def _kind(name: str, field: Any) -> str | None:
    if isinstance(field, serializers.SerializerMethodField | serializers.HiddenField):
        return None
    if name == "id":
        return "id"
    if isinstance(field, ManyRelatedField):
        return None
    if isinstance(field, RelatedField) or name in ("plan", "workspace"):
        model = _model_name(field) if isinstance(field, RelatedField) else name.title()
        return "user" if model == "User" else f"fk:{model}"
    if name.endswith("_by"):
        return "user"
    if isinstance(field, serializers.DateTimeField):
        return "datetime"
    if isinstance(field, serializers.ChoiceField):
        return "choice:" + "|".join(str(c) for c in field.choices)
    if isinstance(field, serializers.IntegerField | serializers.DecimalField):
        return "number"
    if isinstance(field, serializers.FloatField):
        return "number"
    if type(field) is serializers.CharField:
        return "text"
    return None


def _server_owned(view: Any, request_serializer: Any) -> tuple[tuple[str, str], ...]:
    writable = set()
    if request_serializer is not None:
        writable = {n for n, f in request_serializer.fields.items() if not f.read_only}
    resource = request_serializer
    read_class = getattr(view, "serializer_class", None)
    if read_class is not None and getattr(view, "detail", False):
        resource = read_class(context={"request": view.request, "view": view})
    if resource is None:
        return ()
    owned = []
    for name, field in resource.fields.items():
        if name in writable:
            continue
        kind = _kind(name, field)
        if kind is not None:
            owned.append((name, kind))
    return tuple(owned)


@cache
def write_operations() -> tuple[Operation, ...]:
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    operations = []
    for path, path_regex, method, view in generator._get_paths_and_endpoints():
        if method not in WRITE_METHODS:
            continue
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
        schema = view.schema
        schema.path, schema.path_regex, schema.method = path, path_regex, method
        schema.path_prefix = "/api/v1"
        serializer = _request_serializer(view)
        fields = serializer.fields if serializer is not None else {}
        operations.append(
            Operation(
                route=_route(path),
                method=method,
                path=path,
                serializer=type(serializer).__name__ if serializer is not None else "",
                refs=tuple(_refs(serializer)) if serializer is not None else (),
                writable=tuple(n for n, f in fields.items() if not f.read_only),
                read_only=tuple(n for n, f in fields.items() if f.read_only),
                server_owned=_server_owned(view, serializer),
            )
        )
    return tuple(operations)
