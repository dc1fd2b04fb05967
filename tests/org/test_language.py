"""A cadre's language, kept for what the portal writes to them (email reminders): the
one they chose with the switcher, else the one they signed in with."""

import pytest
from django.urls import reverse

from org.models import Cadre

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(org, make_cadre):
    return make_cadre(org.township_a, username="me")


def test_a_cadre_starts_in_chinese(me):
    assert me.language == "zh-hans"


def test_switching_the_language_keeps_it_for_the_cadre(client, me):
    client.force_login(me.user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert Cadre.objects.get(pk=me.pk).language == "en"


def test_a_language_the_portal_does_not_speak_is_not_kept(client, me):
    client.force_login(me.user)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert Cadre.objects.get(pk=me.pk).language == "zh-hans"


def test_signing_in_keeps_the_browsers_language(client, me):
    client.post(
        reverse("login"),
        {"username": "me", "password": "a-long-test-password-2026"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert Cadre.objects.get(pk=me.pk).language == "en"


def test_switching_signed_out_changes_nobody(client, me):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert Cadre.objects.get(pk=me.pk).language == "zh-hans"
