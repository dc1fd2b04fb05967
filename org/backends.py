"""Signing in, and the user a request is made by."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef

from .models import OrgUnit


class RoleAwareBackend(ModelBackend):
    """Django's ModelBackend, whose ``get_user`` (once per request, for the session's
    user) also brings the user's cadre profile with its org unit and whether they
    manage any org unit: the navigation, the cadre's pages and the trainer's checks
    (org.access) then ask the database nothing more. One query, as before."""

    def get_user(self, user_id):
        User = get_user_model()
        manages = OrgUnit.trainers.through.objects.filter(user_id=OuterRef("pk"))
        user = (
            User._default_manager.select_related("cadre__org_unit")
            .annotate(manages_org_units=Exists(manages))
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
