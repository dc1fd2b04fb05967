"""Reading numbers and text from requests: one way, everywhere.

``str.isdigit()`` accepts "²" and "٣", which ``int()`` then refuses or reads as
another number; and PostgreSQL refuses text holding a NUL character. Both reached
the database as 500s (issue #13).
"""

import re

from csp.utils import build_policy
from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string

ID = re.compile(r"[0-9]{1,18}")  # ASCII digits, and within a 64-bit key


def parse_id(value):
    """``value`` as a positive whole number of ASCII digits, or None."""
    if value is None or not ID.fullmatch(value):
        return None
    return int(value)


class RefuseNulMiddleware:
    """A NUL character in the path or a query parameter: 400, before any view runs.

    The answer is the site's 400 page in the reader's language (LocaleMiddleware has
    run), drawn without the request's context: nothing here may ask the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            response = HttpResponseBadRequest(render_to_string("400.html"))
            # Returned before django-csp's middleware, which would add the policy.
            response.setdefault("Content-Security-Policy", build_policy())
            return response
        return self.get_response(request)
