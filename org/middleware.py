"""A cadre who signed in with a one-time password chooses their own before anything
else: every other page redirects to the password change page until then."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .models import Cadre

SESSION_KEY = "org_must_change_password"  # the user id it was checked for, and the answer


def _must_change(request):
    """Asked once per sign-in (one query), then read from the session."""
    user = request.user
    checked = request.session.get(SESSION_KEY)
    if checked is None or checked[0] != user.pk:
        must = Cadre.objects.filter(user=user, must_change_password=True).exists()
        checked = [user.pk, must]
        request.session[SESSION_KEY] = checked
    return checked[1]


def password_changed(request):
    request.session[SESSION_KEY] = [request.user.pk, False]


class PasswordChangeRequired:
    # Pages a cadre may open before choosing a password: the change page itself,
    # signing out, and the language and text-size switches.
    ALLOWED = ("org:password_change", "logout", "set_language", "set_text_size")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and _must_change(request):
            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path not in allowed and not request.path.startswith("/static/"):
                target = reverse("org:password_change")
                if request.method == "GET":
                    target += "?" + urlencode({"next": request.get_full_path()})
                return redirect(target)
        return self.get_response(request)
