"""Reading comfort: the text size a reader chose (three sizes), remembered in a cookie
so the page is drawn at that size from the first byte, with or without script."""

from django.conf import settings
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

COOKIE = "text_size"
SIZES = ("normal", "large", "larger")
ONE_YEAR = 365 * 24 * 3600


def text_size(request):
    """The reader's text size for the templates (``normal`` when none or an odd value)."""
    size = request.COOKIES.get(COOKIE)
    return {"text_size": size if size in SIZES else SIZES[0]}


@require_POST
def set_text_size(request):
    """Remember the size posted and go back where the reader was (a page of this site)."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    response = redirect(back)
    size = request.POST.get("size")
    if size in SIZES:
        response.set_cookie(
            COOKIE,
            size,
            max_age=ONE_YEAR,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    return response
