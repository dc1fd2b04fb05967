"""Accounts are managed by account managers, not editors, and nobody but a superuser
makes anyone more than they are (issue #13, item 2)."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from org.roles import ACCOUNT_MANAGER, EDITOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_user(make_user):
    return make_user("account-manager", role=ACCOUNT_MANAGER, is_staff=True)


@pytest.fixture
def editor(manager_user):
    """An account manager: staff, with the account permissions and nothing more."""
    client = Client()
    client.force_login(manager_user)
    return client


def test_an_editor_no_longer_manages_accounts(editor_client, cadre_user):
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    url = reverse("admin:auth_user_password_change", args=[cadre_user.pk])
    assert editor_client.get(url).status_code == 403


def test_an_account_manager_does_not_edit_content(editor):
    assert editor.get(reverse("admin:auth_user_changelist")).status_code == 200
    assert editor.get(reverse("admin:expositions_studyunit_changelist")).status_code == 403


def _change(client, user, **extra):
    data = {
        "username": user.username,
        "date_joined_0": "2026-11-01",
        "date_joined_1": "10:00:00",
        "is_active": "on",
        **extra,
    }
    return client.post(reverse("admin:auth_user_change", args=[user.pk]), data)


def test_an_account_manager_cannot_grant_superuser_or_staff_status(editor, cadre_user):
    _change(editor, cadre_user, is_superuser="on", is_staff="on")
    cadre_user.refresh_from_db()
    assert not cadre_user.is_superuser and not cadre_user.is_staff


def test_an_account_manager_cannot_grant_a_role(editor, cadre_user):
    editors = Group.objects.get(name=EDITOR)
    _change(editor, cadre_user, groups=[editors.pk])
    assert not cadre_user.groups.filter(name=EDITOR).exists()


def test_an_account_manager_cannot_make_themself_superuser(editor, manager_user):
    _change(editor, manager_user, is_superuser="on")
    manager_user.refresh_from_db()
    assert not manager_user.is_superuser


def test_an_account_manager_cannot_set_a_staff_accounts_password(editor, make_user):
    other = make_user("another-editor", role=EDITOR, is_staff=True)
    url = reverse("admin:auth_user_password_change", args=[other.pk])
    response = editor.post(
        url, {"password1": "x-new-password-2026", "password2": "x-new-password-2026"}
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.check_password("a-long-test-password-2026")


def test_an_account_manager_sets_a_cadres_password(editor, cadre_user):
    url = reverse("admin:auth_user_password_change", args=[cadre_user.pk])
    data = {"password1": "x-new-password-2026", "password2": "x-new-password-2026"}
    assert editor.post(url, data).status_code == 302
    cadre_user.refresh_from_db()
    assert cadre_user.check_password("x-new-password-2026")


def test_a_superuser_grants_staff_status(client, django_user_model, cadre_user):
    root = django_user_model.objects.create_superuser("root", password="a-long-root-password-2026")
    client.force_login(root)
    _change(client, cadre_user, is_staff="on")
    cadre_user.refresh_from_db()
    assert cadre_user.is_staff
