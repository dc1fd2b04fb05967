import pytest


@pytest.fixture
def me(org, make_cadre):
    cadre = make_cadre(org.township_a, name="李干部", username="me")
    cadre.user.email = "li@example.org"
    cadre.user.save(update_fields=["email"])
    return cadre


@pytest.fixture
def my_client(client, me):
    client.force_login(me.user)
    return client
