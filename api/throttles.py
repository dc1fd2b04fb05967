"""Rate limits per token, counted in the "shared" cache (Redis, or the database's cache
table), so that every process and machine counts alike. Reads and writes have their
own limits (DJANGO_API_RATE_LIMIT, DJANGO_API_WRITE_RATE_LIMIT); a request without a
valid token is counted by its address. Over the limit: 429 with Retry-After."""

from django.conf import settings
from django.core.cache import caches
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    @property
    def cache(self):
        return caches["shared"]

    def get_rate(self):
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken):
            return f"api-{self.scope}-token-{token.pk}"
        return f"api-{self.scope}-address-{self.get_ident(request)}"


class TokenWriteRateThrottle(TokenRateThrottle):
    scope = "api-write"

    def get_rate(self):
        return settings.API_WRITE_RATE_LIMIT

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)
