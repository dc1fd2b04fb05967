"""When the database is down: a 503 page with Retry-After instead of a 500.

The failure can happen anywhere (loading the session in a middleware, a query in
a view), so this is the 500 handler, which Django calls inside the ``except``
block for any uncaught exception. The page is rendered without a request
context: the context processors would ask the database again.
"""

import sys

from csp.utils import build_policy
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error

from .health import RETRY_AFTER_SECONDS

UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable(exc: BaseException | None) -> bool:
    """Is this a lost or refused connection (not a bad query, not a constraint)?"""
    return isinstance(exc, UNAVAILABLE) or (
        isinstance(exc, DatabaseError) and isinstance(exc.__cause__, UNAVAILABLE)
    )


@requires_csrf_token
def server_error(request, template_name="500.html"):
    if not database_unavailable(sys.exc_info()[1]):
        return django_server_error(request, template_name)
    try:
        body = loader.get_template("503.html").render()
    except Exception:  # noqa: BLE001 - the page itself must never fail
        body = "<h1>503 Service unavailable</h1>"
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # A failure in an outer middleware (the session, the user) returns from there,
    # before django-csp's middleware could add the policy: add it here.
    response.setdefault("Content-Security-Policy", build_policy())
    return response
