"""A URLconf with one view that fails, for the 500 response's headers."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [path("boom/", boom), path("api/v1/boom/", boom)]
