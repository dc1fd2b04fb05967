"""Who calls: ``Authorization: Bearer csp_<prefix>_<secret>``, one of the portal's API
tokens (api.models.ApiToken), checked on every request: its hash, that it is neither
revoked nor expired, and that its account is still active (a deactivated account's
tokens stop at once, unlike simplejwt's)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from .models import ApiToken, split_token

INVALID = _("This token is not valid.")


class TokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != self.keyword or len(header) != 2:
            raise AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        text = header[1].decode("ascii", errors="replace")
        parts = split_token(text)
        if parts is None:
            raise AuthenticationFailed(INVALID)
        token = ApiToken.objects.select_related("user", "org_unit").filter(prefix=parts[0]).first()
        if token is None or not token.matches(text):
            raise AuthenticationFailed(INVALID)
        if token.revoked_at is not None:
            raise AuthenticationFailed(_("This token was revoked."))
        if token.expires_at <= timezone.now():
            raise AuthenticationFailed(_("This token has expired."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("This token's account is deactivated."))
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
