import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_needs_no_sign_in(client):
    assert client.get("/healthz").status_code == 200


def test_healthz_answers_503_with_retry_after_when_the_database_is_down(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def down(self, sql, params=None):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["database"] == "unavailable"
