"""Read-your-writes routing (portal/replica.py, issue #37): which database each kind of
read takes. The replica here is Django's TEST MIRROR of the test database, so lag cannot
be shown (bench/cluster.py shows it, with a replica held 5 s behind): these tests check
the router's decisions. In a test's transaction the mirror's own connection would not
see the test's rows, so ``decisions`` records the router's answer and lets the query
run on the primary; one transactional test runs the replica's connection for real."""

import time
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import replica
from training import services
from training.models import Completion

pytestmark = pytest.mark.django_db

PIN_SECONDS = 15


@pytest.fixture(autouse=True)
def _with_replica(settings):
    settings.REPLICA_DATABASE = "replica"
    settings.REPLICA_PIN_SECONDS = PIN_SECONDS
    # The test's own transaction (and the test module's) is not one the portal opened.
    with mock.patch.object(replica, "_primary_in_transaction", _portal_transaction):
        yield


def _portal_transaction():
    blocks = connections["default"].atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


@pytest.fixture
def decisions():
    """The router's choice for every read, as (app label, alias); the read itself
    goes to the primary, where the test's rows are."""
    seen = []
    choose = replica.ReadYourWritesRouter.db_for_read

    def record(self, model, **hints):
        alias = choose(self, model, **hints)
        seen.append((model._meta.app_label, alias))
        return replica.PRIMARY

    with mock.patch.object(replica.ReadYourWritesRouter, "db_for_read", record):
        yield seen


def aliases(seen, *labels):
    return {alias for label, alias in seen if label in labels}


@pytest.fixture
def me(org, make_cadre, make_module, assign):
    cadre = make_cadre(org.township_a, username="me")
    module = make_module(n_units=2, title="模块")
    assign(module, org.county)
    cadre.module = module
    return cadre


@pytest.fixture
def my_client(client, me):
    client.force_login(me.user)
    return client


@pytest.fixture
def trainer_client(client, org, make_trainer):
    client.force_login(make_trainer(org.county, username="county-trainer"))
    return client


def test_my_study_and_the_unit_page_read_the_replica_but_sessions_and_auth_the_primary(
    my_client, me, decisions
):
    unit = me.module.units.first()
    for url in (reverse("training:my_study"), unit.get_absolute_url()):
        decisions.clear()
        assert my_client.get(url).status_code == 200
        assert aliases(decisions, "training") == {"replica"}, url
        assert aliases(decisions, "sessions", "auth", "reminders") == {"default"}, url
    assert replica.PIN_COOKIE not in my_client.cookies


def test_trainers_progress_export_and_hours_read_the_replica(trainer_client, me, org, decisions):
    pk = me.module.pk
    pages = [
        reverse("training:module_progress", args=[pk]) + f"?node={org.county.pk}",
        reverse("training:module_progress_export", args=[pk, "csv"]),
        reverse("training:hours_overview"),
    ]
    for url in pages:
        decisions.clear()
        assert trainer_client.get(url).status_code == 200, url
        assert "replica" in aliases(decisions, "training", "org"), url
        assert aliases(decisions, "sessions", "auth", "jobs") <= {"default"}, url


def test_pages_not_marked_read_the_primary(trainer_client, decisions):
    assert trainer_client.get(reverse("training:module_list")).status_code == 200
    assert aliases(decisions, "training", "org", "expositions") == {"default"}


def test_a_post_pins_the_browser_to_the_primary_for_n_seconds(my_client, me, decisions):
    unit = me.module.units.first()
    response = my_client.post(reverse("training:completion_mark", args=[unit.slug]))
    assert response.status_code == 302
    cookie = response.cookies[replica.PIN_COOKIE]
    assert cookie["max-age"] == PIN_SECONDS and cookie["httponly"]
    assert aliases(decisions, "training") == {"default"}  # the POST's own reads

    decisions.clear()
    assert my_client.get(unit.get_absolute_url()).status_code == 200
    assert aliases(decisions, "training", "expositions") == {"default"}

    # N seconds later the same browser reads the replica again.
    later = time.time() + PIN_SECONDS + 1
    with mock.patch("django.core.signing.time.time", return_value=later):
        decisions.clear()
        my_client.get(reverse("training:my_study"))
    assert aliases(decisions, "training") == {"replica"}


def test_a_forged_or_unsigned_pin_cookie_does_not_pin(my_client, decisions):
    my_client.cookies[replica.PIN_COOKIE] = "1"
    my_client.get(reverse("training:my_study"))
    assert aliases(decisions, "training") == {"replica"}


def test_with_pin_seconds_zero_no_cookie_is_set(settings, my_client, me):
    settings.REPLICA_PIN_SECONDS = 0  # the rehearsal's control: no stickiness
    unit = me.module.units.first()
    response = my_client.post(reverse("training:completion_mark", args=[unit.slug]))
    assert replica.PIN_COOKIE not in response.cookies


def _middleware_run(write_model, method="GET"):
    """A request through the middleware to a marked view that writes ``write_model``
    and then reads a completion; returns (the read's alias, the response)."""
    router = replica.ReadYourWritesRouter()
    seen = {}

    @replica.reads_may_lag
    def view(request):
        if write_model is not None:
            router.db_for_write(write_model)
        seen["read"] = router.db_for_read(Completion)
        return HttpResponse()

    request = getattr(RequestFactory(), method.lower())("/")
    response = replica.ReadYourWritesMiddleware(view)(request)
    return seen["read"], response


def test_a_write_through_the_orm_in_a_get_pins_the_rest_of_it_and_the_browser():
    read, response = _middleware_run(Completion)
    assert read == "default"
    assert replica.PIN_COOKIE in response.cookies


def test_a_session_stamped_or_a_task_queued_does_not_pin():
    from django_tasks_db.models import DBTaskResult

    for model in (Session, DBTaskResult, None):
        read, response = _middleware_run(model)
        assert read == "replica"
        assert replica.PIN_COOKIE not in response.cookies


def test_reads_inside_a_transaction_stay_on_the_primary():
    @replica.reads_may_lag
    def view(request):
        with transaction.atomic():
            inside = replica.ReadYourWritesRouter().db_for_read(Completion)
        return HttpResponse(inside)

    response = replica.ReadYourWritesMiddleware(view)(RequestFactory().get("/"))
    assert response.content == b"default"


def test_outside_a_request_and_without_a_replica_everything_reads_the_primary(settings):
    router = replica.ReadYourWritesRouter()
    assert router.db_for_read(Completion) == "default"  # the task worker, a command
    settings.REPLICA_DATABASE = None
    read, response = _middleware_run(None)
    assert read == "default"
    read, response = _middleware_run(Completion, method="POST")
    assert replica.PIN_COOKIE not in response.cookies


def test_nothing_is_migrated_on_the_replica():
    router = replica.ReadYourWritesRouter()
    assert router.allow_migrate("replica", "training") is False
    assert router.allow_migrate("default", "training") is None


def test_sign_in_reads_and_writes_the_primary(client, me, decisions):
    response = client.post(
        reverse("login"), {"username": "me", "password": "a-long-test-password-2026"}
    )
    assert response.status_code == 302
    assert aliases(decisions, "auth", "axes", "sessions", "org") == {"default"}


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_page_really_reads_through_the_replicas_connection(client, org, make_cadre, make_unit):
    cadre = make_cadre(org.township_a, username="real")
    client.force_login(cadre.user)
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        assert client.get(reverse("training:my_study")).status_code == 200
    replica_sql = " ".join(q["sql"] for q in on_replica.captured_queries)
    primary_sql = " ".join(q["sql"] for q in on_primary.captured_queries)
    assert "training_" in replica_sql
    assert "django_session" in primary_sql and "django_session" not in replica_sql
    services.completion_record(cadre=cadre, unit=make_unit())
    assert Completion.objects.using("replica").filter(cadre=cadre).count() == 1


def test_a_streamed_export_reads_the_replica_to_its_end(trainer_client, me, org):
    seen = []
    choose = replica.ReadYourWritesRouter.db_for_read

    def record(self, model, **hints):
        seen.append((model._meta.app_label, choose(self, model, **hints)))
        return replica.PRIMARY

    url = reverse("training:module_progress_export", args=[me.module.pk, "csv"])
    with mock.patch.object(replica.ReadYourWritesRouter, "db_for_read", record):
        response = trainer_client.get(url + f"?node={org.county.pk}&table=completions")
        assert response.streaming
        b"".join(response.streaming_content)
    assert aliases(seen, "training") == {"replica"}


def test_rows_read_while_a_streamed_answer_is_sent_follow_the_same_rules():
    from django.http import StreamingHttpResponse

    router = replica.ReadYourWritesRouter()

    @replica.reads_may_lag
    def view(request):
        return StreamingHttpResponse(router.db_for_read(Completion) for _ in range(2))

    for method, expected in (("GET", b"replicareplica"), ("POST", b"defaultdefault")):
        request = getattr(RequestFactory(), method.lower())("/")
        response = replica.ReadYourWritesMiddleware(view)(request)
        assert b"".join(response.streaming_content) == expected  # after both returned
