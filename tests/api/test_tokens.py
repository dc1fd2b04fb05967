"""Tokens: hashed at rest, refused when expired, revoked or of a deactivated account
(401), read-only ones cannot write (403), every use logged under the token's name;
account managers issue (shown once) and revoke them in the admin."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, TokenUse
from org.models import Cadre
from org.roles import ACCOUNT_MANAGER, EDITOR

from .conftest import issue

CADRES = "/api/v1/cadres/"


def test_a_valid_token_reads_and_its_use_is_logged_under_its_name(org, token_for, api):
    token, secret = token_for(org.county, name="省系统夜间同步")
    response = api.get(secret, CADRES)
    assert response.status_code == 200
    assert (
        response["Cache-Control"] == "private, no-store" or "no-store" in response["Cache-Control"]
    )
    use = TokenUse.objects.get()
    assert (use.token, use.token_name, use.method, use.path, use.status) == (
        token,
        "省系统夜间同步",
        "GET",
        CADRES,
        200,
    )


def test_only_a_hash_of_the_token_is_kept(org, token_for):
    token, secret = token_for(org.county)
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert all(secret not in str(value) for value in stored.values())
    assert token.secret_hash != secret and len(token.secret_hash) == 64
    assert token.matches(secret) and not token.matches(secret + "x")


def _assert_401(response):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401 and body["code"] in ("not_authenticated", "authentication_failed")


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer csp_0000_x", "Token abc", "Bearer csp_deadbeef_nothing", "Bearer a b"],
)
def test_no_token_or_a_wrong_one_gets_401(org, token_for, client, header):
    token_for(org.county)
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    _assert_401(client.get(CADRES, **extra))


def test_a_wrong_secret_of_a_real_prefix_gets_401(org, token_for, api):
    token, secret = token_for(org.county)
    _assert_401(api.get(secret[:-2] + "xy", CADRES))
    assert not TokenUse.objects.exists()


def test_an_expired_token_gets_401(org, token_for, api):
    token, secret = token_for(org.county)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _assert_401(api.get(secret, CADRES))


def test_a_revoked_token_gets_401(org, token_for, api):
    token, secret = token_for(org.county)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    response = api.get(secret, CADRES)
    _assert_401(response)
    assert "revoked" in response.json()["detail"] or "撤销" in response.json()["detail"]


def test_a_deactivated_accounts_token_gets_401_at_once(org, token_for, api, api_user):
    _token, secret = token_for(org.county)
    assert api.get(secret, CADRES).status_code == 200
    get_user_model().objects.filter(pk=api_user.pk).update(is_active=False)
    _assert_401(api.get(secret, CADRES))


def test_many_tokens_per_account_revoked_one_by_one(org, token_for, api):
    first, first_secret = token_for(org.county)
    _second, second_secret = token_for(org.city)
    ApiToken.objects.filter(pk=first.pk).update(revoked_at=timezone.now())
    assert api.get(first_secret, CADRES).status_code == 401
    assert api.get(second_secret, CADRES).status_code == 200


def test_a_read_only_token_cannot_write(org, token_for, api):
    _token, secret = token_for(org.county)
    item = {"username": "new.one", "name": "新人", "org_code": org.township_a.code}
    response = api.post(secret, CADRES, {"items": [item]})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Cadre.objects.exists()


# --- the admin ------------------------------------------------------------------------


@pytest.fixture
def manager_client(client, make_user):
    client.force_login(make_user("accounts", role=ACCOUNT_MANAGER, is_staff=True))
    return client


def _add(client, org_unit, user, days=90, access="read"):
    expires = timezone.localtime() + timedelta(days=days) - timedelta(minutes=1)
    return client.post(
        reverse("admin:api_apitoken_add"),
        {
            "name": "省系统",
            "user": user.pk,
            "org_unit": org_unit.pk,
            "access": access,
            "expires_at_0": expires.strftime("%Y-%m-%d"),
            "expires_at_1": expires.strftime("%H:%M:%S"),
        },
    )


def test_an_account_manager_issues_a_token_shown_once(org, manager_client, api_user, client):
    response = _add(manager_client, org.county, api_user)
    assert response.status_code == 200
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret in response.content.decode() and token.matches(secret)
    assert token.created_by.username == "accounts" and token.org_unit == org.county
    # Nowhere else: the list and the token's page show its prefix only.
    for url in (
        reverse("admin:api_apitoken_changelist"),
        reverse("admin:api_apitoken_change", args=[token.pk]),
    ):
        page = manager_client.get(url).content.decode()
        assert token.prefix in page and secret not in page
    client.logout()
    assert client.get(CADRES, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_a_token_lasts_at_most_90_days(org, manager_client, api_user):
    response = _add(manager_client, org.county, api_user, days=91)
    assert response.status_code == 200 and "expires_at" in response.context["adminform"].form.errors
    assert not ApiToken.objects.exists()


def test_an_account_manager_revokes_a_token(org, manager_client, api_user, api):
    token, secret = issue(api_user, org.county)
    response = manager_client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by.username == "accounts"
    assert api.get(secret, CADRES).status_code == 401


def test_tokens_are_never_deleted_and_editors_do_not_manage_them(org, client, make_user, api_user):
    token, _secret = issue(api_user, org.county)
    client.force_login(make_user("su", is_superuser=True, is_staff=True))
    assert client.get(reverse("admin:api_apitoken_delete", args=[token.pk])).status_code == 403
    client.force_login(make_user("ed", role=EDITOR, is_staff=True))
    assert client.get(reverse("admin:api_apitoken_changelist")).status_code == 403
