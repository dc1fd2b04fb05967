"""Every error is a problem (RFC 9457, application/problem+json), in the requester's
language (Chinese unless another is asked for); 429 with Retry-After."""

import pytest
from django.test import override_settings

from api import views
from api.models import ApiToken


def _problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail", "code", "instance"} <= set(body)
    assert body["status"] == status
    return body


def test_an_address_that_names_nothing_is_a_404_problem_in_chinese(org, token_for, api):
    _token, secret = token_for(org.county)
    body = _problem(api.get(secret, "/api/v1/no-such-thing/"), 404)
    assert body["title"] == "未找到" and body["instance"] == "/api/v1/no-such-thing/"
    english = api.get(secret, "/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert _problem(english, 404)["title"] == "Not found"


def test_a_missing_record_in_english(org, token_for, api):
    _token, secret = token_for(org.county)
    body = _problem(api.get(secret, "/api/v1/cadres/9999/", HTTP_ACCEPT_LANGUAGE="en"), 404)
    assert (body["title"], body["code"]) == ("Not found", "not_found")


def test_401_403_405_415(org, token_for, api, client):
    _token, secret = token_for(org.county)
    assert _problem(client.get("/api/v1/cadres/"), 401)["title"] == "未认证"
    writer = token_for(org.county, access=ApiToken.Access.READ_WRITE)[1]
    _problem(api.post(secret, "/api/v1/cadres/", {"items": []}), 403)
    deleting = client.delete("/api/v1/cadres/", HTTP_AUTHORIZATION=f"Bearer {writer}")
    assert _problem(deleting, 405)["code"] == "method_not_allowed"
    posting = client.post(
        "/api/v1/cadres/", "a,b", content_type="text/csv", HTTP_AUTHORIZATION=f"Bearer {writer}"
    )
    assert _problem(posting, 415)["code"] == "unsupported_media_type"
    _problem(api.post(secret, "/api/v1/hours/", {}), 403)


def test_too_many_requests_get_429_with_retry_after(org, token_for, api):
    _token, secret = token_for(org.county)
    other = token_for(org.county)[1]
    with override_settings(API_RATE_LIMIT="3/minute"):
        for _ in range(3):
            assert api.get(secret, "/api/v1/cadres/").status_code == 200
        response = api.get(secret, "/api/v1/cadres/")
        body = _problem(response, 429)
        assert body["code"] == "throttled" and 1 <= int(response["Retry-After"]) <= 60
        assert api.get(other, "/api/v1/cadres/").status_code == 200  # per token


def test_writes_have_their_own_lower_limit(org, token_for, api):
    writer = token_for(org.county, access=ApiToken.Access.READ_WRITE)[1]
    with override_settings(API_WRITE_RATE_LIMIT="1/hour"):
        api.post(writer, "/api/v1/cadres/", {"items": []})
        assert api.post(writer, "/api/v1/cadres/", {"items": []}).status_code == 429
        assert api.get(writer, "/api/v1/cadres/").status_code == 200


def test_a_server_error_is_a_problem_too(org, token_for, api, client, monkeypatch):
    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views.CadreViewSet, "get_queryset", broken)
    _token, secret = token_for(org.county)
    body = _problem(api.get(secret, "/api/v1/cadres/"), 500)
    assert body["code"] == "server_error" and "a bug" not in body["detail"]


@pytest.mark.parametrize("path", ["/api/", "/api/v1/", "/api/v2/cadres/", "/api/v1/cadres/x/"])
def test_every_address_under_api_answers_a_problem(client, path, db):
    _problem(client.get(path), 404)
