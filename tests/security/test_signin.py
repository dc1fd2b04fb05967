"""Sign-in: throttled after 5 failures (429 with a clear message), strong passwords,
and no accounts but the ones an operator makes."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-2026"


def attempt(client, username, password, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def test_four_failures_show_the_form_again(client, cadre_user):
    for _ in range(4):
        response = attempt(client, cadre_user.username, "wrong-password")
        assert response.status_code == 200
        assert response.context["form"].errors


def test_the_fifth_failure_pauses_sign_in_with_429(client, cadre_user):
    for _ in range(4):
        attempt(client, cadre_user.username, "wrong-password")
    response = attempt(client, cadre_user.username, "wrong-password")
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    text = response.content.decode()
    assert "15" in text and ("paused" in text or "暂停" in text)


def test_a_paused_account_refuses_even_the_right_password(client, cadre_user):
    for _ in range(5):
        attempt(client, cadre_user.username, "wrong-password")
    response = attempt(client, cadre_user.username, PASSWORD)
    assert response.status_code == 429
    assert client.get("/").status_code == 302  # not signed in


def test_the_lock_is_on_username_and_address_not_the_username_alone(client, cadre_user):
    """A stranger cannot lock a cadre out from elsewhere."""
    for _ in range(5):
        attempt(client, cadre_user.username, "wrong-password")
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    response = attempt(elsewhere, cadre_user.username, PASSWORD)
    assert response.status_code == 302
    assert elsewhere.get("/").status_code == 200


def test_sign_in_works_again_after_the_pause(client, cadre_user):
    for _ in range(5):
        attempt(client, cadre_user.username, "wrong-password")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    response = attempt(client, cadre_user.username, PASSWORD)
    assert response.status_code == 302


def test_a_success_resets_the_count(client, cadre_user):
    for _ in range(4):
        attempt(client, cadre_user.username, "wrong-password")
    attempt(client, cadre_user.username, PASSWORD)
    client.post(reverse("logout"))
    for _ in range(4):
        assert attempt(client, cadre_user.username, "wrong-password").status_code == 200


def test_the_admin_sign_in_is_throttled_too(client, editor_user):
    url = reverse("admin:login")
    for _ in range(5):
        response = attempt(client, editor_user.username, "wrong-password", url=url)
    assert response.status_code == 429


@pytest.mark.parametrize(
    "password",
    ["short-pw-1", "password1234", "123456789012345", "wangxiaoming1"],
    ids=["under-12", "common", "numeric", "like-the-username"],
)
def test_weak_passwords_are_refused(make_user, password):
    user = make_user("wangxiaoming")
    with pytest.raises(ValidationError):
        validate_password(password, user=user)


def test_long_passwords_are_accepted(cadre_user):
    validate_password("黄河之水天上来" * 4 + "x" * 80, user=cadre_user)  # 108 characters


def test_migrations_create_no_accounts():
    assert get_user_model().objects.count() == 0


def test_demo_accounts_are_refused_under_production_settings(settings):
    settings.DEMO_ACCOUNTS_ALLOWED = False  # what DJANGO_DEBUG=false gives
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("load_demo")
    assert get_user_model().objects.count() == 0


def test_one_address_trying_many_usernames_is_paused(client, settings):
    """Password spraying (issue #13): one wrong password on 25 usernames from one
    address. Each username fails once, below its own limit of 5; the address is
    paused at its limit across usernames, and then even a right password is refused."""
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    target = get_user_model().objects.create_user("real.cadre", password=PASSWORD)
    statuses = [attempt(client, f"user{i}", "Winter2026!").status_code for i in range(25)]
    assert statuses[:20] == [200] * 20
    assert statuses[20:] == [429] * 5
    response = attempt(client, target.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_another_address_is_not_paused_by_a_spraying_one(settings, cadre_user):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    sprayer = Client(REMOTE_ADDR="10.0.0.9")
    for i in range(21):
        attempt(sprayer, f"user{i}", "Winter2026!")
    office = Client(REMOTE_ADDR="10.0.0.10")
    assert attempt(office, cadre_user.username, PASSWORD).status_code == 302
