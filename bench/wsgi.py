"""The portal's WSGI application plus one trivial signed-in view, /bench/trivial/:
the baseline the page benchmarks divide by (same gunicorn, same middleware, same
session lookup, no work)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

application = get_wsgi_application()

from portal import urls  # noqa: E402


@login_required
def trivial(request):
    return HttpResponse(f"ok {request.user.pk}")


urls.urlpatterns.append(path("bench/trivial/", trivial))
