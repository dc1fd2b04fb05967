"""Whole pages cached per signed-in user: the unit page and My study.

Why (bench/RESULTS.md, "Pages under load"): after the query fixes a unit page still
cost five to six times a trivial signed-in view, mostly ORM queries (about 0.8 ms
each) and template rendering, and a cadre reads the same pages again and again
(back to My study, the next unit and back, a reload, another language).

A cached page is keyed on the user, the path, the language, today's date and two
version tokens kept in the cache:

* the user's own token, replaced when one of their completions is added or removed;
* the content token, replaced when anything a page shows may have changed: a save or
  delete of any model of the portal's apps (units, themes, modules and their units,
  assignments, org units, cadres, tags, users and groups) but completions and the
  progress tables, and by the few bulk writes that send no signals
  (``content_changed()``). It also lapses at the next scheduled publication time,
  so a unit appears on the minute it is published.

Tokens are random and never reused: a change deletes the token (at once and again
after its transaction commits) and the next read makes a new one, so a page rendered
from old data can only ever be stored under a token nobody asks for any more. Today's
date in the key handles due dates and "overdue". A request with a query string or
with messages to show is not cached, nor is anything but a 200.

Each page's CSRF tokens are stored as a placeholder and filled in with the
requesting session's token when served.

The tokens must be shared by every process that serves pages, so the cache is on by
default (``settings.PAGE_CACHE``) only with Redis (``REDIS_URL``) or in single-process
debug mode: with per-process memory caches a change handled by one process would not
reach the pages another has cached.
"""

import hashlib
import secrets
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core import checks
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

CONTENT_KEY = "page:content"
# Apps whose every model is shown on (or decides) a cached page.
CONTENT_APPS = {"expositions", "training", "taggit", "auth"}
# Changed by every completion (the user's own token) or derived from completions.
PER_USER_MODELS = {"training.completion", "training.progress", "training.progressweek"}


def _user_key(user_id):
    return f"page:user:{user_id}"


def _forget(key):
    # Now, so that the rest of this transaction sees its own change, and again when it
    # commits: a page rendered meanwhile by another request, from the data as it was
    # before, may have been stored under a token made in between.
    cache.delete(key)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: cache.delete(key))


def content_changed():
    """Forget every cached page."""
    _forget(CONTENT_KEY)


def user_changed(user_id):
    """Forget the cached pages of one user."""
    _forget(_user_key(user_id))


def _next_publication(now):
    from expositions.models import StudyUnit

    return (
        StudyUnit.objects.filter(status=StudyUnit.Status.PUBLISHED, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )


def _tokens(user_id):
    """The content token and the user's token, making new ones where needed."""
    user_key = _user_key(user_id)
    found = cache.get_many([CONTENT_KEY, user_key])
    now = timezone.now()
    content = found.get(CONTENT_KEY)
    if content is None or (content[1] is not None and content[1] <= now):
        if content is not None:
            cache.delete(CONTENT_KEY)
        cache.add(CONTENT_KEY, (secrets.token_hex(8), _next_publication(now)), None)
        content = cache.get(CONTENT_KEY)
    user = found.get(user_key)
    if user is None:
        cache.add(user_key, secrets.token_hex(8), None)
        user = cache.get(user_key)
    if content is None or user is None:  # the cache lost them at once: do not cache
        return None
    return content[0], user


def _serve(entry, request):
    placeholder, content, content_type = entry  # bytes, bytes, str
    if placeholder in content:
        content = content.replace(placeholder, get_token(request).encode())
    return HttpResponse(content, content_type=content_type)


def cached_page(view):
    """Serve ``view``'s page from the cache for a signed-in user (see the module doc)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if (
            not settings.PAGE_CACHE
            or request.method != "GET"
            or request.GET
            or not user.is_authenticated
            or len(get_messages(request))
        ):
            return view(request, *args, **kwargs)
        tokens = _tokens(user.pk)
        if tokens is None:
            return view(request, *args, **kwargs)
        path = hashlib.blake2b(request.path.encode(), digest_size=16).hexdigest()
        key = ":".join(
            [
                "page",
                str(user.pk),
                *tokens,
                translation.get_language() or "",
                timezone.localdate().isoformat(),
                path,
            ]
        )
        entry = cache.get(key)
        if entry is not None:
            return _serve(entry, request)
        placeholder = "csrf-" + secrets.token_hex(16)  # written where the token would be
        request.page_cache_csrf = placeholder
        try:
            response = view(request, *args, **kwargs)
            if response.streaming:
                return response
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        finally:
            del request.page_cache_csrf  # an error page rendered after this gets a real token
        entry = (placeholder.encode(), response.content, response["Content-Type"])
        if response.status_code != 200:
            response.content = _serve(entry, request).content
            return response
        cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        return _serve(entry, request)

    return wrapped


def csrf_placeholder(request):
    """Context processor: while a page is rendered for the cache, its CSRF tokens are
    a placeholder that ``cached_page`` fills in for each request."""
    placeholder = getattr(request, "page_cache_csrf", None)
    return {"csrf_token": placeholder} if placeholder else {}


@checks.register(checks.Tags.caches)
def check_shared_cache(app_configs=None, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if (
        settings.PAGE_CACHE
        and not settings.DEBUG
        and backend.endswith(("LocMemCache", "DummyCache"))
    ):
        return [
            checks.Warning(
                "PAGE_CACHE is on with a cache of each process's own: a change made "
                "through one process would not reach pages cached by another.",
                hint="Set REDIS_URL, or DJANGO_PAGE_CACHE=false.",
                id="portal.W001",
            )
        ]
    return []


def _label(model):
    return model._meta.label_lower


def _on_save(sender, instance, update_fields=None, **kwargs):
    if _label(sender) == "auth.user" and update_fields and set(update_fields) <= {"last_login"}:
        return  # signing in changes nothing a page shows
    content_changed()


def _on_completion(sender, instance, **kwargs):
    cadre = instance._state.fields_cache.get("cadre")
    if cadre is not None:
        user_changed(cadre.user_id)
        return
    from training.models import Cadre

    user_id = Cadre.objects.filter(pk=instance.cadre_id).values_list("user_id", flat=True).first()
    if user_id is not None:  # a cadre deleted with its completions changed the content
        user_changed(user_id)


def _on_m2m(sender, **kwargs):
    if sender._meta.app_label in CONTENT_APPS:
        content_changed()


def connect():
    """Connect the receivers, model by model (a receiver for every sender would stop
    Django's fast deletes of unrelated models)."""
    from django.apps import apps

    for model in apps.get_models():
        label = _label(model)
        if model._meta.app_label not in CONTENT_APPS or label.split(".")[1].startswith(
            "historical"
        ):
            continue
        if label == "training.completion":
            post_save.connect(_on_completion, sender=model, dispatch_uid="page_cache_done")
            post_delete.connect(_on_completion, sender=model, dispatch_uid="page_cache_undone")
        elif label not in PER_USER_MODELS:
            post_save.connect(_on_save, sender=model, dispatch_uid=f"page_cache_save_{label}")
            post_delete.connect(_on_save, sender=model, dispatch_uid=f"page_cache_del_{label}")
    m2m_changed.connect(_on_m2m, dispatch_uid="page_cache_m2m")
