"""Reading numbers and text from requests: one way, everywhere.

``str.isdigit()`` accepts "²" and "٣", which ``int()`` then refuses or reads as
another number; and PostgreSQL refuses text holding a NUL character. Both reached
the database as 500s (issue #13).
"""

import re

from django.http import HttpResponseBadRequest

ID = re.compile(r"[0-9]{1,18}")  # ASCII digits, and within a 64-bit key


def parse_id(value):
    """``value`` as a positive whole number of ASCII digits, or None."""
    if value is None or not ID.fullmatch(value):
        return None
    return int(value)


class RefuseNulMiddleware:
    """A NUL character in the path or a query parameter: 400, before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest("Bad request.")
        return self.get_response(request)
