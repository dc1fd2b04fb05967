"""Who may reach the training pages. A miss is a 404, never a 403, so nobody can
probe for modules, cadres or org units they may not see."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from ..models import Cadre, Module


def is_trainer(user):
    return user.is_authenticated and (user.is_superuser or user.managed_org_units.exists())


def trainer_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_trainer(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def cadre_of(request):
    """The signed-in user's active cadre profile (with its org unit), or None: one
    query per request, shared by the view, the navigation and the completion panel."""
    if not hasattr(request, "_cadre_of"):
        user = getattr(request, "user", None)
        request._cadre_of = (
            Cadre.objects.select_related("org_unit").filter(user=user, active=True).first()
            if user is not None and user.is_authenticated
            else None
        )
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


def modules_for(user):
    """Active modules, and the trainer's own modules whatever their status."""
    return Module.objects.filter(Q(status=Module.Status.ACTIVE) | Q(created_by=user))


def module_or_404(user, pk):
    return get_object_or_404(modules_for(user), pk=pk)
