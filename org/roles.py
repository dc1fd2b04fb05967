"""Roles are Django groups with permissions; this module keeps them in one place.

What a trainer may see is also bounded by the org units they manage (see
``OrgUnit.objects.managed_by``): the permissions say what kind of thing, the org
tree says which ones.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

EDITOR = "editor"
CADRE = "cadre"
TRAINER = "trainer"
# Accounts are a role of their own: editors edit content (issue #13).
ACCOUNT_MANAGER = "account_manager"

# What each role (group) is called in the reader's language: the groups' own names
# are identifiers.
LABELS = {
    EDITOR: _("editor"),
    CADRE: _("cadre"),
    TRAINER: _("trainer"),
    ACCOUNT_MANAGER: _("account manager"),
}

ALL = ("add_", "change_", "delete_", "view_")
ROLE_PERMISSIONS = {
    # app_label -> codename prefixes, or exact codenames
    EDITOR: {
        "expositions": ALL,
        "org": ALL,
        "training": ALL,
        "simple_history": ALL,
        # Lift a sign-in pause (delete the attempt) and read the sign-in logs.
        "axes": ("view_", "delete_accessattempt"),
        # The audit log (the admin's log entries): read only, for everyone's actions.
        "admin": ("view_logentry",),
    },
    TRAINER: {
        "training": (
            "add_module",
            "change_module",
            "view_module",
            "add_assignment",
            "view_assignment",
            "view_completion",
        ),
        "org": ("view_cadre", "view_orgunit"),
    },
    ACCOUNT_MANAGER: {
        "auth": ("add_user", "change_user", "view_user", "view_group"),
        "org": ("view_cadre", "view_orgunit"),
        # API tokens for the province's systems: issued and revoked (never deleted).
        "api": ("add_apitoken", "change_apitoken", "view_apitoken", "view_tokenuse"),
        "admin": ("view_logentry",),
    },
    CADRE: {},
}


def _permissions(spec):
    q = Q(pk__in=[])
    for app_label, prefixes in spec.items():
        for prefix in prefixes:
            q |= Q(content_type__app_label=app_label, codename__startswith=prefix)
    return Permission.objects.filter(q)


def ensure_groups():
    """Create the role groups and give them their permissions; safe to run again."""
    groups = {}
    for name, spec in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(spec))
        groups[name] = group
    return groups
