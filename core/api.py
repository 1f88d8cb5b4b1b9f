"""API plumbing: domain errors → HTTP, and ETag / If-Match for versioned rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import DecimalField, Model
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import exception_handler as drf_exception_handler

from core.auth import actor_of
from core.errors import (
    DomainError,
    InvalidInput,
    InvalidTransition,
    Locked,
    NotAllowed,
    StaleVersion,
)
from core.locking import parse_version
from core.models import VersionedModel


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = "Send If-Match with the object's ETag to change it."
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The object changed since you read it; fetch it again."
    default_code = "stale_version"


_DOMAIN_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (StaleVersion, status.HTTP_412_PRECONDITION_FAILED),
    (NotAllowed, status.HTTP_403_FORBIDDEN),
    (InvalidTransition, status.HTTP_409_CONFLICT),
    (Locked, status.HTTP_409_CONFLICT),
    (InvalidInput, status.HTTP_400_BAD_REQUEST),
)


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag from the last read of this object, e.g. "3".',
)
VERSIONED_ERRORS = {
    400: OpenApiResponse(description="Invalid input; `fields` names each problem."),
    403: OpenApiResponse(description="Your role does not allow this."),
    404: OpenApiResponse(description="No such object in your workspaces."),
    409: OpenApiResponse(description="The object is locked or in the wrong status."),
    412: OpenApiResponse(description="Stale If-Match: the object changed since you read it."),
    428: OpenApiResponse(description="If-Match is missing."),
}


def money(**kwargs: Any) -> serializers.DecimalField:
    """A computed money figure as a JSON number (a model's column: ``decimal_of``)."""
    return serializers.DecimalField(
        max_digits=16, decimal_places=2, coerce_to_string=False, **kwargs
    )


def decimal_of(model: type[Model], name: str, **kwargs: Any) -> serializers.DecimalField:
    """A JSON number for the model's decimal column, with the column's digits: a value
    the column cannot hold is a 400 naming the field, not a database error."""
    column = model._meta.get_field(name)
    assert isinstance(column, DecimalField), f"{model.__name__}.{name} is not a decimal"
    return serializers.DecimalField(
        max_digits=column.max_digits,
        decimal_places=column.decimal_places,
        coerce_to_string=False,
        **kwargs,
    )


class InvalidInputSerializer(serializers.Serializer[Any]):
    """The body of every 400 from validation (see ``exception_handler``)."""

    detail = serializers.CharField()
    code = serializers.CharField()

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # ``fields`` is the name of a Serializer property: the field is added here.
        found = super().get_fields()
        found["fields"] = serializers.DictField(
            child=serializers.ListField(child=serializers.JSONField())
        )
        return found


def refused_or_invalid(refusal: type[Serializer[Any]], name: str) -> PolymorphicProxySerializer:
    """A 400 that is either ``refusal`` (e.g. an import that refused its file) or the
    usual invalid-input body (the request itself did not validate)."""
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[refusal, InvalidInputSerializer],
        resource_type_field_name=None,
    )


def versioned_schema(write: type[Serializer[Any]], read: type[Serializer[Any]]) -> dict[str, Any]:
    """OpenAPI for the update, partial update and destroy of a versioned viewset."""
    changed = {**VERSIONED_ERRORS, 200: read}
    return {
        "update": extend_schema(request=write, parameters=[IF_MATCH], responses=changed),
        "partial_update": extend_schema(request=write, parameters=[IF_MATCH], responses=changed),
        "destroy": extend_schema(parameters=[IF_MATCH], responses={**VERSIONED_ERRORS, 204: None}),
    }


def etag(instance: VersionedModel) -> str:
    return f'"{instance.version}"'


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus one translation of every domain error."""
    if isinstance(exc, DomainError):
        code = next(
            (code for kind, code in _DOMAIN_STATUS if isinstance(exc, kind)),
            status.HTTP_400_BAD_REQUEST,
        )
        body: dict[str, Any] = {"detail": str(exc.message), "code": exc.code}
        if isinstance(exc, InvalidInput) and exc.fields:
            body["fields"] = {k: [str(m) for m in v] for k, v in exc.fields.items()}
        problems = getattr(exc, "problems", None)
        if problems:  # an error that lists several reasons (e.g. why an asset can't publish)
            body["problems"] = [str(p) for p in problems]
        response = Response(body, status=code)
        if isinstance(exc, StaleVersion) and isinstance(exc.current, VersionedModel):
            response["ETag"] = etag(exc.current)
        return response
    if isinstance(exc, ValidationError):
        # One shape for every 400: a summary, a code, and the problems per field.
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return Response(
            {"detail": _("Invalid input."), "code": "invalid", "fields": fields},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        return Response({"detail": _("Not found."), "code": "not_found"}, status=404)
    return drf_exception_handler(exc, context)


def expected_version(request: Request, instance: VersionedModel) -> int:
    """The version the client says it is changing: 428 without If-Match, 412 when stale."""
    raw = request.headers.get("If-Match")
    if raw is None or not raw.strip() or raw.strip() == "*":
        raise PreconditionRequired()
    version = parse_version(raw.split(",")[0])
    if version is None:
        raise PreconditionFailed('If-Match must be the ETag of the object, e.g. "3".')
    if version != instance.version:
        raise PreconditionFailed()
    return version


def with_etag(response: Response, instance: VersionedModel) -> Response:
    response["ETag"] = etag(instance)
    return response


class VersionedViewSetMixin:
    """Retrieve answers with an ETag; update, partial update and destroy need If-Match.

    Subclasses write through services: ``perform_versioned_update(instance,
    version, data)`` returns the fresh instance; ``perform_versioned_destroy``
    deletes. The version check is repeated inside the service's conditional
    UPDATE, so a writer that passes this early check can still lose the race
    and gets 412, never a silent overwrite.
    """

    if TYPE_CHECKING:  # provided by GenericAPIView

        def get_object(self) -> Any: ...

        def get_serializer(self, *args: Any, **kwargs: Any) -> Any: ...

    # The serializer for PUT/PATCH bodies (only the editable fields); default: the read one.
    write_serializer_class: ClassVar[type[Serializer[Any]] | None] = None

    def get_write_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if self.write_serializer_class is None:
            return self.get_serializer(*args, **kwargs)
        context = self.get_serializer_context()  # type: ignore[attr-defined]
        return self.write_serializer_class(*args, context=context, **kwargs)

    def perform_versioned_update(self, instance: Any, version: int, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def perform_versioned_destroy(self, instance: Any, version: int) -> None:
        raise NotImplementedError

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        return with_etag(Response(self.get_serializer(instance).data), instance)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        version = expected_version(request, instance)
        serializer = self.get_write_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fresh = self.perform_versioned_update(instance, version, dict(serializer.validated_data))
        return with_etag(Response(self.get_serializer(fresh).data), fresh)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        version = expected_version(request, instance)
        self.perform_versioned_destroy(instance, version)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServiceViewSetMixin(VersionedViewSetMixin):
    """Create, update and destroy through the services named on the viewset.

    ``service_create(actor=…, **validated_data)``, ``service_update(<kwarg>=obj,
    expected_version=…, changes=…, actor=…)`` and ``service_delete(<kwarg>=obj,
    expected_version=…, actor=…)``, where ``<kwarg>`` is ``service_kwarg``.
    """

    service_create: ClassVar[Callable[..., Any]]
    service_update: ClassVar[Callable[..., Any]]
    service_delete: ClassVar[Callable[..., Any]]
    service_kwarg: ClassVar[str]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = type(self).service_create(actor=actor_of(request), **serializer.validated_data)
        return with_etag(Response(self.get_serializer(obj).data, status=201), obj)

    def perform_versioned_update(self, instance: Any, version: int, data: dict[str, Any]) -> Any:
        return type(self).service_update(
            **{self.service_kwarg: instance},
            expected_version=version,
            changes=data,
            actor=actor_of(self.request),  # type: ignore[attr-defined]
        )

    def perform_versioned_destroy(self, instance: Any, version: int) -> None:
        type(self).service_delete(
            **{self.service_kwarg: instance},
            expected_version=version,
            actor=actor_of(self.request),  # type: ignore[attr-defined]
        )
