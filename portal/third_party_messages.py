"""Words other packages show in the admin without a Chinese translation of their own
(django-axes ships none): named here so that `make messages` puts them in the
portal's catalogue, which Django consults first. Nothing imports this module."""

from django.utils.translation import gettext_noop, ngettext_lazy

AXES = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Locked Out"),
    gettext_noop("Logout Time"),
    gettext_noop("Meta Data"),
    gettext_noop("Not set"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
]

# Django's admin and Django 5.2's reworded messages, and django-treebeard (which ships
# no Chinese): in English on a Chinese admin page until named here (issue #31). The
# admin's script (the trainer picker's two boxes) reads its words from the separate
# djangojs catalogue, locale/zh_Hans/LC_MESSAGES/djangojs.po, kept by hand.
DJANGO_ADMIN = [
    # Reworded in Django 5.2 (was "%(min_length)d"): shown in English until translated.
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
    # The admin's index and navigation: headings read out by screen readers.
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Error:"),  # a page's title when its form was refused
    # The boolean icons' text (portal.apps: Django writes "True" and "False").
    gettext_noop("Yes"),
    gettext_noop("No"),
    gettext_noop("Unknown"),
]

TREEBEARD = [
    gettext_noop("Position"),
    gettext_noop("Relative to"),
    gettext_noop("-- root --"),
    gettext_noop("Child of"),
    gettext_noop("Sibling of"),
    gettext_noop("First child of"),
    gettext_noop("Before"),
    gettext_noop("After"),
    gettext_noop("Invalid form data provided"),
    gettext_noop('Moved node "%(node)s" as child of "%(other)s"'),
    gettext_noop('Moved node "%(node)s" as sibling of "%(other)s"'),
]

# Django's own Chinese says 你 where the portal says 您 (issue #31): the portal's
# catalogue, consulted first, says 您 for what a reader sees when choosing a password.
DJANGO = [
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
]
