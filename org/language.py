"""The language a cadre reads in, kept for what the portal writes to them when they
are not looking (email reminders): the one they last chose with the switcher, else the
one their browser asked for when they signed in."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in

from .models import Cadre


def remember_language(user, language):
    """Keep ``language`` as ``user``'s cadre's language (one UPDATE, none for anyone
    without a cadre profile or a language the portal does not speak)."""
    if language not in dict(settings.LANGUAGES) or not user.is_authenticated:
        return
    Cadre.objects.filter(user=user).exclude(language=language).update(language=language)


def _signed_in(sender, request, user, **kwargs):
    remember_language(user, getattr(request, "LANGUAGE_CODE", None))


def connect():
    user_logged_in.connect(_signed_in, dispatch_uid="org.language.signed_in")
