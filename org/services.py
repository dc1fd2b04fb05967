"""Writes of the org app that touch several models, for the admin, views and commands
alike: keyword-only, atomic, in the audit log."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from portal import audit

from . import passwords
from .models import Cadre
from .roles import CADRE

# The admin's own "Added." (translated when the log is read), as for any addition there.
ADDED = [{"added": {}}]


def create_account(
    *, username, by, name="", org_unit=None, position="", category=Cadre.Category.OTHER
):
    """A new account with a one-time password its holder must change at first sign-in,
    and, given a name and an org unit, the cadre it belongs to (with the cadre role),
    all in one transaction. Returns (user, cadre or None, password): the password is
    shown once to whoever made the account and kept only as a hash."""
    password = passwords.one_time_password()
    with transaction.atomic():
        user = get_user_model()(username=username, password=passwords.hash_one_time(password))
        user.save()
        passwords.require_change(user)
        audit.record(by, user, audit.ADDITION, ADDED)
        cadre = None
        if org_unit is not None:
            user.groups.add(Group.objects.get_or_create(name=CADRE)[0])
            cadre = Cadre.objects.create(
                user=user,
                name=name,
                org_unit=org_unit,
                position=position,
                category=category,
                must_change_password=True,
            )
            audit.record(by, cadre, audit.ADDITION, ADDED)
    return user, cadre, password
