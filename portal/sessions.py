"""Session lifetime: an idle timeout and an absolute one.

Django ends a session at sign-out, and on the next request after the user is
deactivated or changes their password (the session auth hash). What it lacks
is an idle timeout that does not write the session on every request: this
middleware stamps the session at most once a minute.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

LAST_SEEN = "_portal_last_seen"
SIGNED_IN_AT = "_portal_signed_in_at"
STAMP_EVERY = 60  # seconds: the idle clock's resolution


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request, int(time.time()))
        return self.get_response(request)

    def _check(self, request, now):
        session = request.session
        last_seen = session.get(LAST_SEEN, now)
        signed_in_at = session.get(SIGNED_IN_AT, now)
        idle = now - last_seen > settings.SESSION_IDLE_SECONDS
        too_old = now - signed_in_at > settings.SESSION_COOKIE_AGE
        if idle or too_old:
            logout(request)
            messages.info(
                request, _("You were signed out to keep your account safe. Please sign in again.")
            )
            return
        if LAST_SEEN not in session or now - last_seen >= STAMP_EVERY:
            session[LAST_SEEN] = now
        if SIGNED_IN_AT not in session:
            session[SIGNED_IN_AT] = now
