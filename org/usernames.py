"""Usernames that cannot pass for someone else's.

Django compares usernames exactly: ``Trainer-Province``, ``EDITOR`` and a ``сadre``
whose first letter is Cyrillic were all accepted beside the accounts they imitate
(issue #13). A new username must differ from every existing one after Unicode
normalisation (NFKC) and case folding, and its letters must come from one script.
"""

import unicodedata

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _


def canonical(username):
    """What two usernames must not share: NFKC, case-folded."""
    return unicodedata.normalize("NFKC", username).casefold()


def scripts(username):
    """The scripts of a username's letters (LATIN, CYRILLIC, GREEK, CJK ...)."""
    found = set()
    for char in unicodedata.normalize("NFKC", username):
        if char.isalpha():
            found.add(unicodedata.name(char, "UNKNOWN").split(" ")[0])
    return found


def problem(username, existing=None):
    """Why ``username`` may not be used for a new account, or None. ``existing``: the
    canonical forms of the accounts to compare with (all accounts when None)."""
    if len(scripts(username)) > 1:
        return _("Letters from one script only: this name mixes alphabets that look alike.")
    if existing is None:
        existing = similar_accounts([username])
    if canonical(username) in existing:
        return _("Too like an existing account's username: choose another.")
    return None


def similar_accounts(usernames):
    """Canonical forms of the accounts whose usernames match any of ``usernames`` but
    for case (one query; NFKC forms are stored as typed, so case is what differs)."""
    q = Q(pk__in=[])
    for username in usernames:
        q |= Q(username__iexact=unicodedata.normalize("NFKC", username))
    return {
        canonical(u) for u in get_user_model().objects.filter(q).values_list("username", flat=True)
    }
