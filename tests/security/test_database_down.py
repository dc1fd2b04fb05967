"""Database down: a 503 page with Retry-After, nothing half-written, and recovery by
itself when the database returns (a real gunicorn behind a TCP proxy we cut)."""

import contextlib
import secrets
import socket
import threading
import urllib.error
import urllib.request

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import IntegrityError, OperationalError, ProgrammingError, connection
from django.test import Client
from django.urls import reverse

from portal.failure import database_unavailable
from tests.servers import clean_env, gunicorn
from training.models import Module, ModuleUnit


@pytest.fixture
def failing_client(cadre_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(cadre_user)
    client.raise_request_exception = False
    return client


@pytest.mark.django_db
def test_a_lost_database_gives_503_with_retry_after(failing_client, monkeypatch):
    def refuse(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(SessionStore, "load", refuse)
    response = failing_client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "暂时无法使用" in response.content.decode()
    # The session failed before django-csp's middleware had its turn: the page sets
    # the policy itself.
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_bug_is_still_a_500(failing_client, monkeypatch):
    def broken(self):
        raise ZeroDivisionError

    monkeypatch.setattr(SessionStore, "load", broken)
    response = failing_client.get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.parametrize(
    ("exc", "unavailable"),
    [
        (OperationalError("server closed the connection unexpectedly"), True),
        (IntegrityError("duplicate key"), False),
        (ProgrammingError("syntax error"), False),
        (ValueError("x"), False),
    ],
)
def test_what_counts_as_the_database_being_unavailable(exc, unavailable):
    assert database_unavailable(exc) is unavailable


@pytest.mark.django_db
def test_a_connection_lost_mid_write_leaves_nothing_half_written(
    client, org, make_trainer, make_module, make_unit
):
    """A module's title and units are saved in one transaction: the connection
    dropping after the title and the old units were written over leaves both whole."""
    trainer = make_trainer(org.county, username="trainer")
    module = make_module(created_by=trainer, n_units=2)
    before = list(ModuleUnit.objects.filter(module=module).values_list("unit_id", "position"))
    new_units = [make_unit(), make_unit(), make_unit()]
    client.force_login(trainer)
    client.raise_request_exception = False
    inserts = []

    def drop_at_the_units_insert(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and "training_moduleunit" in sql:
            inserts.append(sql)  # by now the title is updated and the old units deleted
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    data = {
        "title": "A new title",
        "description": "",
        "study_hours": "2",
        "status": module.status,
        "units": [u.pk for u in new_units],
        **{f"position_{u.pk}": i for i, u in enumerate(new_units, 1)},
    }
    with connection.execute_wrapper(drop_at_the_units_insert):
        response = client.post(reverse("training:module_edit", args=[module.pk]), data)
    assert inserts, "the edit never reached the database: the test proves nothing"
    assert response.status_code == 503
    after = list(ModuleUnit.objects.filter(module=module).values_list("unit_id", "position"))
    assert after == before
    assert Module.objects.get(pk=module.pk).title == module.title


class Proxy:
    """A TCP forwarder to PostgreSQL that can be cut (listener and live connections)."""

    def __init__(self, target=("127.0.0.1", 5432)):
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener = None
        self.sockets = []

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self):
        # shutdown() wakes the thread blocked in accept(); close() alone would not.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.sockets = []


def _get(url, cookie):
    headers = {"Cookie": cookie, "Accept-Language": "en"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http://127.0.0.1
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_portal_answers_503_while_the_database_is_down_and_recovers(cadre_user):
    client = Client()
    client.force_login(cadre_user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    proxy = Proxy()
    proxy.start()
    db = connection.settings_dict
    env = clean_env(
        DATABASE_URL=f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}",
        DJANGO_DEBUG="false",
        DJANGO_TESTING="true",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="CRITICAL",
    )
    try:
        with gunicorn(env) as base:
            assert _get(base + "/", cookie)[0] == 200
            assert _get(base + "/healthz", cookie)[0] == 200

            proxy.stop()  # the database goes away, connections and all
            status, headers, body = _get(base + "/", cookie)
            assert status == 503
            assert headers["Retry-After"] == "30"
            assert "briefly unavailable" in body
            assert _get(base + "/healthz", cookie)[0] == 503

            proxy.start()  # it comes back: the next request works, nobody restarted anything
            assert _get(base + "/", cookie)[0] == 200
            assert _get(base + "/healthz", cookie)[0] == 200
    finally:
        proxy.stop()
