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


# Usernames compared per query. SQLite parses a chain of ORs as a tree and refuses one
# deeper than 1,000 ("Expression tree is too large"): an import of 10,000 new cadres
# failed there with a server error.
SIMILAR_PER_QUERY = 500


def similar_accounts(usernames):
    """Canonical forms of the accounts whose usernames match any of ``usernames`` but
    for case (a query per 500 usernames; NFKC forms are stored as typed, so case is what
    differs)."""
    usernames = list(usernames)
    found = set()
    for start in range(0, len(usernames), SIMILAR_PER_QUERY):
        q = Q(pk__in=[])
        for username in usernames[start : start + SIMILAR_PER_QUERY]:
            q |= Q(username__iexact=unicodedata.normalize("NFKC", username))
        found.update(get_user_model().objects.filter(q).values_list("username", flat=True))
    return {canonical(u) for u in found}
