"""An account manager makes a working cadre in one form, and every new account chooses
its own password at first sign-in (issue #31, item 5)."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from org.models import Cadre, PasswordChangeRequired
from org.roles import ACCOUNT_MANAGER, CADRE, TRAINER

pytestmark = pytest.mark.django_db

ADD = reverse("admin:auth_user_add")
CHANGE = reverse("org:password_change")


@pytest.fixture
def manager(make_user):
    return make_user("accounts", role=ACCOUNT_MANAGER, is_staff=True)


@pytest.fixture
def manager_client(manager):
    client = Client()
    client.force_login(manager)
    return client


def _shown_password(response):
    match = re.search(r'<code class="password">([^<]+)</code>', response.content.decode())
    return match and match.group(1)


def _create(client, **extra):
    data = {"username": "zhao.li", "category": "other", **extra}
    return client.post(ADD, data)


def test_an_account_manager_makes_a_cadre_in_one_form(manager_client, manager, org):
    response = _create(manager_client, name="赵丽", org_unit=org.township_a.pk, position="民政助理")
    assert response.status_code == 200
    password = _shown_password(response)
    assert password
    cadre = Cadre.objects.get(user__username="zhao.li")
    assert (cadre.name, cadre.org_unit, cadre.position) == ("赵丽", org.township_a, "民政助理")
    assert cadre.user.check_password(password)
    assert cadre.user.groups.filter(name=CADRE).exists()
    assert not cadre.user.is_staff and not cadre.user.groups.exclude(name=CADRE).exists()
    # Audited, as the admin's own additions are, without the password.
    entries = LogEntry.objects.filter(user=manager)
    assert {e.content_type.model for e in entries} == {"user", "cadre"}
    assert not any(password in e.change_message for e in entries)


def test_the_password_is_shown_once(manager_client, org):
    response = _create(manager_client, name="赵丽", org_unit=org.township_a.pk)
    password = _shown_password(response)
    user = get_user_model().objects.get(username="zhao.li")
    page = manager_client.get(reverse("admin:auth_user_change", args=[user.pk]))
    assert password not in page.content.decode()


def test_a_cadre_without_a_name_or_org_unit_is_refused_whole(manager_client, org):
    response = _create(manager_client, name="赵丽", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "org_unit" in response.context["adminform"].form.errors
    response = _create(manager_client, org_unit=org.township_a.pk)
    assert "name" in response.context["adminform"].form.errors
    assert not get_user_model().objects.filter(username="zhao.li").exists()


def test_the_new_cadre_changes_the_password_then_lands_on_my_study(manager_client, org):
    password = _shown_password(_create(manager_client, name="赵丽", org_unit=org.township_a.pk))
    cadre = Client()
    response = cadre.post(
        reverse("login"), {"username": "zhao.li", "password": password}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(CHANGE)
    assert cadre.get(reverse("training:my_study"))["Location"].startswith(CHANGE)
    response = cadre.post(
        CHANGE,
        {
            "old_password": password,
            "new_password1": "Minzheng-2026-study",
            "new_password2": "Minzheng-2026-study",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("training:my_study")
    assert response.status_code == 200
    assert not PasswordChangeRequired.objects.filter(user__username="zhao.li").exists()
    assert not Cadre.objects.get(user__username="zhao.li").must_change_password


def test_a_superuser_s_account_that_is_not_a_cadre_changes_its_password_too(client, org):
    root = get_user_model().objects.create_superuser("root", password="a-long-root-password")
    client.force_login(root)
    response = _create(client)
    password = _shown_password(response)
    assert not Cadre.objects.filter(user__username="zhao.li").exists()
    new = Client()
    response = new.post(
        reverse("login"), {"username": "zhao.li", "password": password}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(CHANGE)


def test_a_password_an_account_manager_sets_is_changed_at_next_sign_in(manager_client, cadre_user):
    url = reverse("admin:auth_user_password_change", args=[cadre_user.pk])
    data = {"password1": "x-new-password-2026", "password2": "x-new-password-2026"}
    assert manager_client.post(url, data).status_code == 302
    client = Client()
    response = client.post(
        reverse("login"),
        {"username": cadre_user.username, "password": "x-new-password-2026"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(CHANGE)


def test_the_org_unit_s_trainer_picker_lists_trainers_only(
    editor_client, org, make_user, make_trainer
):
    trainer = make_trainer(org.county, username="county-trainer")
    other_trainer = make_user("city-trainer", role=TRAINER)
    make_user("a-cadre", role=CADRE)
    make_user("an-editor", role="editor", is_staff=True)
    page = editor_client.get(reverse("admin:org_orgunit_change", args=[org.township_a.pk]))
    choices = {u.username for u in page.context["adminform"].form.fields["trainers"].queryset}
    assert {trainer.username, other_trainer.username} <= choices
    assert not choices & {"a-cadre", "an-editor"}


def test_the_admin_import_page_says_who_gives_new_cadres_a_password(editor_client):
    page = editor_client.get(reverse("admin:org_cadre_import"), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "editors set one" not in text
    assert "account manager" in text


def test_the_trainer_import_page_says_the_trainer_issues_passwords(client, org, make_trainer):
    client.force_login(make_trainer(org.county, username="county-trainer"))
    text = client.get(reverse("org:import_upload"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "editors set one" not in text
    assert "you issue" in text


def test_groups_are_untouched_by_the_account_form(manager_client, org):
    editors = Group.objects.get_or_create(name="editor")[0]
    _create(manager_client, name="赵丽", org_unit=org.township_a.pk, groups=[editors.pk])
    assert not get_user_model().objects.get(username="zhao.li").groups.filter(name="editor")
