import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "We could not find that page"), ("zh-hans", "找不到这个页面")],
)
def test_404_is_friendly_in_both_languages(cadre_client, language, text):
    response = cadre_client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    html = response.content.decode()
    assert text in html
    assert f'<html lang="{language}" ' in html


def test_404_for_a_signed_out_visitor(client):
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "You cannot do that here"), ("zh-hans", "无法在这里进行这项操作")],
)
def test_403_csrf_failure_is_friendly(language, text, cadre_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cadre_user)
    response = client.post("/i18n/setlang/", {"language": "en"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    assert text in response.content.decode()


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Something went wrong on our side"), ("zh-hans", "我们这边出了问题")],
)
def test_500_is_friendly_in_both_languages(language, text):
    request = RequestFactory().get("/")
    with translation.override(language):
        response = server_error(request)
    assert response.status_code == 500
    assert text in response.content.decode()


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "The address could not be read"), ("zh-hans", "无法读取这个地址")],
)
def test_a_nul_in_the_query_gets_the_site_s_400_page(client, language, text):
    response = client.get("/search/", {"q": "a\x00b"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    html = response.content.decode()
    assert text in html
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html
    assert "Content-Security-Policy" in response
