"""The text size a reader chooses: three sizes, kept in a cookie, drawn by the server."""

import pytest
from django.urls import reverse

from portal.reading import COOKIE

pytestmark = pytest.mark.django_db


def test_choosing_a_size_remembers_it_and_goes_back(client):
    response = client.post(reverse("set_text_size"), {"size": "large", "next": "/tags/"})
    assert response.status_code == 302
    assert response.url == "/tags/"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "large"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_the_page_is_drawn_at_the_size_chosen(client):
    client.cookies[COOKIE] = "larger"
    html = client.get(reverse("login")).content.decode()
    assert 'data-text-size="larger"' in html
    assert 'value="larger" class="text-size-button size-larger" aria-pressed="true"' in html


@pytest.mark.parametrize("value", ["huge", "", "larger; x=1", "<script>"])
def test_an_odd_cookie_draws_the_normal_size(client, value):
    client.cookies[COOKIE] = value
    assert 'data-text-size="normal"' in client.get(reverse("login")).content.decode()


def test_an_odd_size_changes_nothing(client):
    response = client.post(reverse("set_text_size"), {"size": "huge", "next": "/"})
    assert response.status_code == 302
    assert COOKIE not in response.cookies


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", ""])
def test_it_only_goes_back_to_this_site(client, target):
    response = client.post(reverse("set_text_size"), {"size": "large", "next": target})
    assert response.url == "/"


def test_it_needs_post(client):
    assert client.get(reverse("set_text_size")).status_code == 405


def test_it_needs_csrf(client):
    client = client.__class__(enforce_csrf_checks=True)
    assert client.post(reverse("set_text_size"), {"size": "large"}).status_code == 403
