"""Tokens and a small province for the API's tests."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiToken


def issue(user, org_unit, *, access=ApiToken.Access.READ, days=30, name=None):
    """A token as the admin issues one: (the token, the secret shown once)."""
    token = ApiToken(
        name=name or f"system of {org_unit.code}",
        user=user,
        org_unit=org_unit,
        access=access,
        expires_at=timezone.now() + timedelta(days=days),
    )
    secret = token.issue()
    token.save()
    return token, secret


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def api_user(make_user):
    return make_user("province-system")


@pytest.fixture
def token_for(api_user):
    def make(org_unit, **kwargs):
        return issue(api_user, org_unit, **kwargs)

    return make


@pytest.fixture
def api(client):
    """GET/POST with a token: api.get(secret, path, **params)."""

    class Api:
        def get(self, secret, path, data=None, **extra):
            return client.get(path, data or {}, **bearer(secret), **extra)

        def post(self, secret, path, body, **extra):
            return client.post(
                path, body, content_type="application/json", **bearer(secret), **extra
            )

    return Api()
