"""Who may reach a page, for views of every app: trainers (they manage an org unit)
and cadres (they have an active cadre profile). A miss is a 404, never a 403, so
nobody can probe for modules, cadres or org units they may not see.

Not a views module: views, template tags and context processors all use it.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from .models import Cadre


def is_trainer(user):
    """Does ``user`` manage any org unit (or is a superuser)? Known without a query for
    the user of a request (org.backends); asked once otherwise."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "manages_org_units"):
        user.manages_org_units = user.managed_org_units.exists()
    return user.manages_org_units


def trainer_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_trainer(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def cadre_of(request):
    """The signed-in user's active cadre profile (with its org unit), or None: loaded
    with the user (org.backends), or by one query, shared by the view, the navigation
    and the completion panel."""
    if not hasattr(request, "_cadre_of"):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            cadre = None
        elif hasattr(user, "manages_org_units"):  # loaded with the user
            cadre = getattr(user, "cadre", None)  # None when the user has no profile
            cadre = cadre if cadre is not None and cadre.active else None
        else:
            cadre = Cadre.objects.of_user(user).first()
        request._cadre_of = cadre
    return request._cadre_of


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
