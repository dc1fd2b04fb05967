"""The published schema (/api/v1/schema/), its readers served from our own static
files, and Schemathesis against it: generated requests to every operation, with a
read-write token, get no 5xx and no answer the schema does not describe."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.models import ApiToken
from org.models import OrgUnit

from .conftest import issue


def test_the_schema_is_published_for_anyone_and_describes_every_endpoint(client, db):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    paths = set(schema["paths"])
    for resource in ("org-units", "cadres", "modules", "assignments", "completions"):
        assert {f"/api/v1/{resource}/", f"/api/v1/{resource}/{{id}}/"} <= paths
    assert {"/api/v1/hours/", "/api/v1/certificates/", "/api/v1/deletions/"} <= paths
    cadre = schema["components"]["schemas"]["Cadre"]["properties"]
    # Every field described in both languages: Chinese, then English.
    for name, field in cadre.items():
        text = field.get("description", "")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), name
        assert any("a" <= ch.lower() <= "z" for ch in text.split("。")[-1]), name


@pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_readers_load_nothing_from_elsewhere(client, db, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-eval" not in policy
    assert "<script>" not in html  # no inline script: the split view serves its own


@pytest.fixture
def one_connection():
    """Requests through the WSGI application keep the test's connection (and its
    transaction), as Django's test client does: no closing at a request's end."""
    from django.core import signals
    from django.db import close_old_connections

    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api_world(db, one_connection, make_cadre, make_module, assign):
    """A county with a cadre who studied, and a read-write token for it."""
    from tests.conftest import org_tree, user_maker
    from training import services

    org = org_tree()
    cadre = make_cadre(org.township_a)
    module = make_module()
    assign(module, org.township_a)
    services.completion_record(cadre=cadre, unit=module.units.first())
    user = user_maker()("schema-system")
    _token, secret = issue(
        user, OrgUnit.objects.get(pk=org.county.pk), access=ApiToken.Access.READ_WRITE
    )
    return secret


# Read as a client reads it, from the portal's own address (it needs no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@pytest.mark.long
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@override_settings(API_RATE_LIMIT="100000/minute", API_WRITE_RATE_LIMIT="100000/minute")
def test_generated_requests_get_answers_the_schema_describes(case, api_world):
    # Where valid-looking data is rightly turned down, for what no schema can say: a
    # cursor the API did not give, and roster items naming org units and accounts
    # that are not there (the import's checks: a 400 listing each item's problems).
    made_up = bool((case.query or {}).get("cursor")) or case.method == "POST"
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_world}"},
        excluded_checks=[positive_data_acceptance] if made_up else [],
    )
