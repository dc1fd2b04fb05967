"""One-time passwords: for cadres a trainer imported (who start with no password), and
for every account made in the admin (org.services.create_account).

The trainer issues them from /org/passwords/: each is shown once, on the page that
answers the request (printable), and is kept only as a hash. A cadre signing in with
one is asked for a password of their own before anything else
(org.middleware.PasswordChangeRequired).

A password is 12 characters from 31 that cannot be mistaken for one another when
printed or read aloud (no 0/o, 1/l/i), in three groups: about 59 random bits. It is
hashed with a tenth of the default PBKDF2 iterations (measured here: 22 ms a password
instead of 215 ms, so a county's 500 cadres take 11 s rather than 107 s); a random
59-bit secret needs no slow hash to be safe, and Django re-hashes it at full strength
when it is used to sign in.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.db import transaction
from django.utils.translation import gettext as _

from portal import audit

from .models import Cadre, PasswordChangeRequired

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GROUPS, GROUP_LENGTH = 3, 4
ONE_TIME_ITERATIONS = 100_000


def one_time_password():
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)
    )


def hash_one_time(password):
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(password, hasher.salt(), iterations=ONE_TIME_ITERATIONS)
    return make_password(password)


def issue(cadres, by):
    """Give each cadre a new one-time password, in one transaction; returns
    [(cadre, password)] in the order given. The previous one-time password of a cadre
    who has not used it stops working. Each issue is in the audit log (never the
    password)."""
    cadres = list(cadres)
    issued = [(cadre, one_time_password()) for cadre in cadres]
    User = get_user_model()
    with transaction.atomic():
        users = User.objects.select_for_update().in_bulk([c.user_id for c in cadres])
        for cadre, password in issued:
            users[cadre.user_id].password = hash_one_time(password)
        User.objects.bulk_update(users.values(), ["password"])
        Cadre.objects.filter(pk__in=[c.pk for c in cadres]).update(must_change_password=True)
        if cadres:
            audit.LogEntry.objects.log_actions(
                by.pk, cadres, audit.CHANGE, _("One-time password issued")
            )
    return issued


def require_change(user):
    """``user`` holds a password somebody else chose: asked for their own at the next
    sign-in (org.middleware)."""
    PasswordChangeRequired.objects.get_or_create(user=user)


def password_changed(user):
    """They chose their own password: they are no longer asked to."""
    Cadre.objects.filter(user=user, must_change_password=True).update(must_change_password=False)
    PasswordChangeRequired.objects.filter(user=user).delete()
