"""Someone who signed in with a password somebody else chose (a cadre's one-time
password from a trainer, any account made in the admin, a password an account manager
set) chooses their own before anything else: every other page redirects to the
password change page until then."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

SESSION_KEY = "org_must_change_password"  # the user id it was checked for, and the answer


def _must_change(request):
    """Asked once per sign-in (one query), then read from the session."""
    user = request.user
    checked = request.session.get(SESSION_KEY)
    if checked is None or checked[0] != user.pk:
        must = (
            get_user_model()
            .objects.filter(pk=user.pk)
            .filter(Q(cadre__must_change_password=True) | Q(password_change_required__isnull=False))
            .exists()
        )
        checked = [user.pk, must]
        request.session[SESSION_KEY] = checked
    return checked[1]


def password_changed(request):
    request.session[SESSION_KEY] = [request.user.pk, False]


class PasswordChangeRequired:
    # Pages one may open before choosing a password: the change page itself,
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
