"""Who may reach a page, for views of every app: trainers (they manage an org unit)
and cadres (they have an active cadre profile). A miss is a 404, never a 403, so
nobody can probe for modules, cadres or org units they may not see.

Not a views module: views, template tags and context processors all use it.
"""

from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404

from .backends import with_roles


def is_trainer(user):
    """Does ``user`` manage any org unit (or is a superuser)? Asked at most once."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "manages_org_units"):
        user.manages_org_units = user.managed_org_units.exists()
    return user.manages_org_units


def _load_roles(request):
    """Both of the user's roles: whether they manage an org unit, and their active cadre
    profile with its org unit (None when they have none). Already read with the user
    when the session's backend is RolesModelBackend; else one query."""
    user = request.user
    if hasattr(user, "manages"):  # loaded with them (org.backends.RolesModelBackend)
        found = user
    else:
        found = with_roles(get_user_model().objects.filter(pk=user.pk)).first()
    user.manages_org_units = bool(found and found.manages)
    cadre = getattr(found, "cadre", None) if found is not None else None
    request._cadre_of = cadre if cadre is not None and cadre.active else None


def cadre_of(request):
    """The signed-in user's active cadre profile (with its org unit), or None: read once
    per request, with the user's trainer role, and shared by the view, the navigation
    and the completion panel."""
    if not hasattr(request, "_cadre_of"):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            request._cadre_of = None
        else:
            _load_roles(request)
    return request._cadre_of


def request_is_trainer(request):
    """Is the signed-in user a trainer? Read with their cadre profile (one query)."""
    cadre_of(request)
    return is_trainer(request.user)


def trainer_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request_is_trainer(request):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def cadre_required(view):
    """The signed-in user's own cadre profile, as ``request.cadre``; 404 without one."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        cadre = cadre_of(request)
        if cadre is None:
            raise Http404
        request.cadre = cadre
        return view(request, *args, **kwargs)

    return wrapped
