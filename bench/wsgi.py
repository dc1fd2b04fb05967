"""The portal's WSGI application plus two signed-in views for the page benchmarks:
/bench/trivial/, the baseline they divide by (same gunicorn, same middleware, same
session lookup, no work), and /bench/base/, the portal's base template with an
empty page (what every page pays before its own content)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.urls import path  # noqa: E402

application = get_wsgi_application()

from portal import urls  # noqa: E402


@login_required
def trivial(request):
    return HttpResponse(f"ok {request.user.pk}")


EMPTY_PAGE = engines["django"].from_string('{% extends "base.html" %}')


@login_required
def base(request):
    return HttpResponse(EMPTY_PAGE.render({}, request))


urls.urlpatterns += [path("bench/trivial/", trivial), path("bench/base/", base)]
