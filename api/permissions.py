"""What a token may do: read with any token; write (the roster) only with a read-write
one. Which rows it reaches is not decided here but in each view's ``get_queryset``
(its org unit's subtree): object permissions do not run on lists."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiToken


class TokenAccess(BasePermission):
    message = _("This token may only read.")

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return False  # no token: 401 (the authenticator names the scheme)
        return request.method in SAFE_METHODS or token.can_write
