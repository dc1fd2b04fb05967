"""Read-your-writes across a primary and a streaming replica (issue #37).

With a `replica` database (DJANGO_REPLICA_URL), the reads that may lag go to it: the
pages whose views say so with ``@reads_may_lag`` (trainers' progress and exports, the
hours page, My study and the unit page: most of the traffic, none of it a write). A
replica is behind the primary by its lag, so a person who just wrote must not read it:

- a request that writes (any POST/PUT/PATCH/DELETE, or a write through the ORM in a
  GET) reads the primary for the rest of the request, and its answer carries a signed
  cookie; while the cookie is fresh (REPLICA_PIN_SECONDS), the same browser's requests
  read the primary too. This is django-multidb-router's "pinning" (its
  PinningRouterMiddleware), with the cookie signed and its age checked on the server;
- sessions, sign-in (auth, axes), the admin's log, the task queue and its jobs, and
  notices are always read from the primary: a stale session signs a person out, a
  worker must see the task it was given, a notice dismissed must stay dismissed;
- a read inside a transaction on the primary stays on the primary (a service reads
  what it is about to write);
- every write goes to the primary, and nothing is migrated on the replica.

Without a replica (REPLICA_DATABASE is None) nothing of this runs: one database.
"""

import contextvars
from functools import wraps

from django.conf import settings
from django.core import signing
from django.db import connections

PRIMARY = "default"
PIN_COOKIE = "portal_primary"
_PIN_SALT = "portal.replica.pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Read from the primary always, whatever the page (see the module's docstring).
ALWAYS_PRIMARY_APPS = frozenset(
    {
        "sessions",
        "auth",
        "contenttypes",
        "admin",
        "axes",
        "django_tasks_database",
        "jobs",
        "reminders",
    }
)


class _Request:
    """What the router knows of the request in hand: may its reads lag (the
    middleware's say), and has it written (the router's own note)."""

    __slots__ = ("may_lag", "wrote")

    def __init__(self, may_lag):
        self.may_lag = may_lag
        self.wrote = False


# Context variables (a thread's or a task's own). The request's state is an object
# that the router changes in place, so that a note made in a view run in another
# context (a sync view under ASGI) reaches the middleware. Outside a request (the task
# worker, a command) there is none: everything reads the primary.
_request = contextvars.ContextVar("replica_request", default=None)
_view_may_lag = contextvars.ContextVar("view_may_lag", default=False)


def replica_alias():
    """The replica's alias, or None when reads all go to the primary."""
    return getattr(settings, "REPLICA_DATABASE", None)


def reads_may_lag(view):
    """Mark a view whose reads may come from the replica (put it next to `def`, so that
    the permission checks around it read the primary: a role just granted counts)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        token = _view_may_lag.set(True)
        try:
            response = view(request, *args, **kwargs)
        finally:
            _view_may_lag.reset(token)
        return _streamed_with(response, _view_may_lag, True)

    return wrapped


def _streamed_with(response, variable, value):
    """A streamed answer (a CSV export) reads the database while the server sends it,
    after the view and the middleware have returned: it reads under the same rules."""
    if not getattr(response, "streaming", False) or response.is_async:
        return response
    content = response.streaming_content

    def chunks():
        token = variable.set(value)
        try:
            yield from content
        finally:
            variable.reset(token)

    response.streaming_content = chunks()
    return response


def _pinned_by_cookie(request):
    seconds = getattr(settings, "REPLICA_PIN_SECONDS", 0)
    if not seconds or PIN_COOKIE not in request.COOKIES:
        return False
    try:
        request.get_signed_cookie(PIN_COOKIE, salt=_PIN_SALT, max_age=seconds)
    except (signing.BadSignature, KeyError):  # expired, forged, or not ours
        return False
    return True


def _primary_in_transaction():
    return connections[PRIMARY].in_atomic_block


class ReadYourWritesMiddleware:
    """Decides whether a request may read the replica, and pins the browser to the
    primary for REPLICA_PIN_SECONDS after a request that wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if replica_alias() is None:
            return self.get_response(request)
        state = _Request(request.method in SAFE_METHODS and not _pinned_by_cookie(request))
        token = _request.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        wrote = state.wrote or request.method not in SAFE_METHODS
        response = _streamed_with(response, _request, state)
        seconds = getattr(settings, "REPLICA_PIN_SECONDS", 0)
        if wrote and seconds:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=_PIN_SALT,
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


class ReadYourWritesRouter:
    """Django's database router for the pair (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model, **hints):
        alias = replica_alias()
        state = _request.get()
        if (
            alias is None
            or state is None
            or not (state.may_lag and _view_may_lag.get())
            or state.wrote
            or model._meta.app_label in ALWAYS_PRIMARY_APPS
            or _primary_in_transaction()
        ):
            return PRIMARY
        return alias

    def db_for_write(self, model, **hints):
        # A session stamped or a job queued does not pin: they are read from the
        # primary anyway. Anything else written is read back from the primary.
        state = _request.get()
        if state is not None and model._meta.app_label not in ALWAYS_PRIMARY_APPS:
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, **hints):
        if db == replica_alias():
            return False
        return None
