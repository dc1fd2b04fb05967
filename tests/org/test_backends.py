"""The user read from the session comes with their roles: no second query for them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(org, make_cadre):
    return make_cadre(org.township_a, name="本人")


@pytest.fixture
def my_client(client, me):
    client.force_login(me.user)
    return client


@pytest.fixture
def trainer_client(client, org, make_trainer):
    client.force_login(make_trainer(org.county))
    return client


def _user_queries(client, url):
    client.get(url)  # the first page after signing in also asks whether a password is due
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return [q["sql"] for q in ctx.captured_queries if 'FROM "auth_user"' in q["sql"]]


def test_a_cadre_s_page_reads_the_user_and_roles_in_one_query(my_client):
    user_reads = _user_queries(my_client, reverse("training:my_study"))
    assert len(user_reads) == 1
    assert "training_cadre" in user_reads[0] and "training_orgunit_trainers" in user_reads[0]


def test_a_trainer_is_known_from_the_same_query(trainer_client):
    assert trainer_client.get(reverse("training:module_list")).status_code == 200
    assert len(_user_queries(trainer_client, reverse("training:module_list"))) == 1


def test_an_inactive_user_s_session_no_longer_signs_them_in(my_client, me):
    me.user.is_active = False
    me.user.save()
    response = my_client.get(reverse("training:my_study"))
    assert response.status_code == 302 and "login" in response["Location"]
