"""Signing in, and reading the signed-in user on every request, with their roles."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef

from .models import OrgUnit


def with_roles(users):
    """Users with both of their roles, in the same query: ``manages`` (whether they
    train an org unit) and their cadre profile with its org unit (``select_related``)."""
    manages = OrgUnit.trainers.through.objects.filter(user_id=OuterRef("pk"))
    return users.annotate(manages=Exists(manages)).select_related("cadre__org_unit")


class RolesModelBackend(ModelBackend):
    """Django's ModelBackend, but the user it loads from the session on each request
    comes with their roles (``with_roles``): one query on every signed-in page where
    there were two (org.access reads the roles from it)."""

    def get_user(self, user_id):
        try:
            user = with_roles(get_user_model()._default_manager).get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
