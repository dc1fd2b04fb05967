"""Every error of the API as problem details (RFC 9457, ``application/problem+json``),
in the requester's language (Accept-Language; Chinese when none is asked for):

    {"type": "about:blank", "title": "未找到", "status": 404, "detail": "…",
     "code": "not_found", "instance": "/api/v1/cadres/7/"}

``code`` is a stable word for programs; ``title`` and ``detail`` are for people.
Validation problems add ``errors``: [{"field", "message"}, or for a roster write
{"item", "field", "message"} with items numbered from 1]. A 429 carries Retry-After,
a 401 WWW-Authenticate, a 503 (the database is unreachable) Retry-After: 30.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

CONTENT_TYPE = "application/problem+json"
logger = logging.getLogger("django.request")


def titles():
    return {
        400: _("Invalid request"),
        401: _("Not signed in"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        415: _("Unsupported media type"),
        422: _("Unprocessable request"),
        429: _("Too many requests"),
        500: _("Server error"),
        503: _("Service unavailable"),
    }


def problem(request_path, status_code, detail, code, **extra):
    """The body of a problem."""
    return {
        "type": "about:blank",
        "title": titles().get(status_code, str(status_code)),
        "status": status_code,
        "detail": str(detail),
        "code": code,
        "instance": request_path,
        **extra,
    }


class RosterInvalid(exceptions.APIException):
    """A roster write refused: the problems of each item, nothing written."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, errors):
        super().__init__(_("Nothing was written: correct the items listed in errors."))
        self.errors = errors


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"

    def __init__(self):
        super().__init__(
            _("This Idempotency-Key was sent before with another request: use a new key.")
        )


def _field_errors(detail, prefix=""):
    """DRF's nested validation detail as a flat [{"field", "message"}]."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors":
                name = prefix
            yield from _field_errors(value, name)
    elif isinstance(detail, list):
        for number, value in enumerate(detail):
            if isinstance(value, dict | list):
                yield from _field_errors(value, f"{prefix}[{number}]")
            else:
                yield {"field": prefix, "message": str(value)}
    else:
        yield {"field": prefix, "message": str(detail)}


def _as_api_exception(exc):
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, OperationalError | InterfaceError):
        unavailable = exceptions.APIException(_("The database cannot be reached; try again."))
        unavailable.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        unavailable.wait = 30
        return unavailable
    return exc


def exception_handler(exc, context):
    """DRF's handler, answering with problem details; unexpected errors too (logged)."""
    request = context.get("request")
    path = request.path if request is not None else ""
    exc = _as_api_exception(exc)
    set_rollback()  # as DRF's own handler: nothing of a refused request is kept
    if not isinstance(exc, exceptions.APIException):
        logger.error("API error: %s", path, exc_info=exc)
        body = problem(path, 500, _("Something went wrong on our side."), "server_error")
        return Response(body, status=500, content_type=CONTENT_TYPE)
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
    extra = {}
    if isinstance(exc, RosterInvalid):
        detail, code, extra["errors"] = exc.detail, "invalid", exc.errors
    elif isinstance(exc, exceptions.ValidationError):
        detail, code = _("The request has errors: see errors."), "invalid"
        extra["errors"] = list(_field_errors(exc.detail))
    else:
        detail = exc.detail if not isinstance(exc.detail, list | dict) else exc.default_detail
        code = getattr(exc.detail, "code", None) or exc.default_code
    body = problem(path, exc.status_code, detail, code, **extra)
    return Response(body, status=exc.status_code, headers=headers, content_type=CONTENT_TYPE)


def not_found(request, *args, **kwargs):
    """Any address under /api/ that names nothing."""
    body = problem(request.path, 404, _("Nothing is at this address."), "not_found")
    return JsonResponse(body, status=404, content_type=CONTENT_TYPE)
