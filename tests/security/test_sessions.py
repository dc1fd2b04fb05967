"""Sessions: a new id at sign-in; sign-out, deactivation and a password change end
them; an idle spell and a working day's length end them too."""

import time

import pytest
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from portal import sessions

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-2026"
PAGE = "/"  # any signed-in page (the themes)


def sign_in(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def signed_in(client):
    response = client.get(PAGE)
    return response.status_code == 200


def test_sign_in_gives_a_new_session_id(client, cadre_user):
    client.get(reverse("login"))
    client.session.save()  # an anonymous session, as a visitor (or attacker) would have
    before = client.cookies["sessionid"].value
    response = sign_in(client, cadre_user)
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert signed_in(client)


def test_sign_out_ends_the_session(client, cadre_user):
    sign_in(client, cadre_user)
    key = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    # The old cookie, replayed, is worth nothing.
    replay = Client()
    replay.cookies["sessionid"] = key
    assert replay.get(PAGE).status_code == 302


def test_deactivation_ends_the_session(client, cadre_user):
    sign_in(client, cadre_user)
    assert signed_in(client)
    cadre_user.is_active = False
    cadre_user.save()
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_password_change_ends_other_sessions(cadre_user):
    phone, desktop = Client(), Client()
    sign_in(phone, cadre_user)
    sign_in(desktop, cadre_user)
    cadre_user.set_password("another-long-password-2026")
    cadre_user.save()
    assert not signed_in(phone)
    assert not signed_in(desktop)


def test_a_password_changed_in_the_admin_ends_the_users_sessions(client, cadre_user, editor_user):
    sign_in(client, cadre_user)
    editor = Client()
    editor.force_login(editor_user)
    editor_user.user_permissions.add(*Permission.objects.filter(codename="change_user"))
    url = reverse("admin:auth_user_password_change", args=[cadre_user.pk])
    new = "a-brand-new-password-2026"
    response = editor.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 302, response.content[:2000]
    assert not signed_in(client)


def _age_session(client, seconds, key=sessions.LAST_SEEN):
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_ends(client, cadre_user, settings):
    settings.SESSION_IDLE_SECONDS = 1800
    sign_in(client, cadre_user)
    assert signed_in(client)
    _age_session(client, 1801)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    page = client.get(response["Location"])
    assert "sign in again" in page.content.decode().lower() or "请重新登录" in page.content.decode()


def test_a_session_in_use_stays_open(client, cadre_user, settings):
    settings.SESSION_IDLE_SECONDS = 1800
    sign_in(client, cadre_user)
    _age_session(client, 1700)
    assert signed_in(client)  # this request resets the idle clock
    _age_session(client, 1700, key=sessions.SIGNED_IN_AT)
    assert signed_in(client)


def test_a_session_ends_after_a_working_day_even_in_use(client, cadre_user, settings):
    settings.SESSION_COOKIE_AGE = 12 * 3600
    sign_in(client, cadre_user)
    assert signed_in(client)
    _age_session(client, 12 * 3600 + 1, key=sessions.SIGNED_IN_AT)
    assert not signed_in(client)


def test_the_idle_stamp_is_written_at_most_once_a_minute(client, cadre_user):
    """Reading pages does not write the session on every request."""
    sign_in(client, cadre_user)
    signed_in(client)
    row = Session.objects.get(session_key=client.cookies["sessionid"].value)
    for _ in range(3):
        signed_in(client)
    row_after = Session.objects.get(pk=row.pk)
    assert (row_after.expire_date, row_after.session_data) == (row.expire_date, row.session_data)
