"""Small factory fixtures shared by the whole suite."""

import io
import itertools
import os
import secrets

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from pytest_django.fixtures import validate_django_db

from expositions.models import Exposition, StudyUnit, Theme
from expositions.services import unit_save
from org.roles import CADRE, EDITOR, ensure_groups
from tests.snapshot import Snapshot

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the unit page caches its content part)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _private_media(tmp_path_factory):
    """Uploaded files (training claims) go to the run's temporary folder, for the
    module-scoped worlds too."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """No JIT compilation on the PostgreSQL test databases.

    The search page plans its queries with ``SET LOCAL enable_seqscan = off``
    (expositions/search.py), which lasts until the outermost transaction ends: in a test
    that is the test's own (a module's, for a module-scoped world), so every later query
    that still reads a small table sequentially is costed at 10^10, above
    ``jit_above_cost``, and PostgreSQL spends 10-100 ms compiling it. The Chinese-page
    sweep ran 3x slower on PostgreSQL than on SQLite for that alone. JIT changes no
    result, only how a plan runs."""
    from django.conf import settings

    for database in settings.DATABASES.values():
        if database["ENGINE"].endswith("postgresql"):
            options = database.setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c jit=off".strip()


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete_on_postgresql():
    """After a test that commits (``transaction=True``, the live server of the browser
    tests), pytest-django empties every table with ``manage.py flush``: on PostgreSQL a
    TRUNCATE of all of them, which makes new files for each table and index and took
    0.4-1.0 s here each time, against 0.02 s for a DELETE of the few rows a test leaves.
    Both leave the tables empty and the sequences where they were (``reset_sequences``
    still truncates); foreign keys are deferred to the commit on PostgreSQL, so the order
    does not matter. Nothing but the tests' teardown flushes (``git grep sql_flush``)."""
    from unittest import mock

    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences:
            return truncate(self, style, tables, reset_sequences=True, allow_cascade=allow_cascade)
        return [f"DELETE FROM {self.quote_name(table)};" for table in tables]  # noqa: S608  # table names from Django

    with mock.patch.object(DatabaseOperations, "sql_flush", sql_flush):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _load_seed():
    call_command("load_exposition", stdout=io.StringIO())


def _load_demo():
    _load_seed()
    call_command("load_demo", stdout=io.StringIO())


# Loaded for real once per test process, then put back (tests/snapshot.py).
SEED = Snapshot(_load_seed)
DEMO = Snapshot(_load_demo)


@pytest.fixture
def seeded(db):
    """The seed exposition, as `manage.py load_exposition` loads it."""
    SEED()


@pytest.fixture
def demo(db):
    """The demo the README's `make run` loads: the seed exposition and demo accounts."""
    DEMO()


# --- factories: plain functions, so that module-scoped worlds can use them too --------


def new_exposition():
    return Exposition.objects.create(
        slug="test-exposition",
        title="A test exposition",
        author="Test Author",
        organisation="Test Centre",
        source_text="First passage. Second passage.",
    )


def new_theme():
    return Theme.objects.create(
        slug="livelihood-guarantee",
        name_en="Livelihood guarantee",
        name_zh_hans="民生保障",
        order=2,
        description_en="Holding the bottom line.",
        description_zh_hans="兜牢民生底线。",
    )


@pytest.fixture
def other_theme(db):
    return Theme.objects.create(
        slug="political-standing", name_en="Political standing", name_zh_hans="政治站位", order=1
    )


def unit_maker(exposition, theme):
    def make(**kwargs):
        n = next(_seq)
        tags = kwargs.pop("tags", [])
        values = {
            "exposition": exposition,
            "theme": theme,
            "title": f"Unit {n}",
            "slug": f"unit-{n}",
            "summary": f"Summary of unit {n}.",
            "body": f"Body of **unit {n}**.",
            "key_points": "One\nTwo\nThree",
            "source_passage": "First passage.",
            "order": n,
            "status": StudyUnit.Status.PUBLISHED,
        }
        values.update(kwargs)
        return unit_save(unit=StudyUnit(**values), tags=tags or None)

    return make


def user_maker():
    def make(username=None, role=None, **kwargs):
        groups = ensure_groups()
        username = username or f"user{next(_seq)}"
        user = get_user_model().objects.create_user(
            username=username, password="a-long-test-password-2026", **kwargs
        )
        if role:
            user.groups.add(groups[role])
        return user

    return make


@pytest.fixture
def exposition(db):
    return new_exposition()


@pytest.fixture
def theme(db):
    return new_theme()


@pytest.fixture
def make_unit(exposition, theme):
    return unit_maker(exposition, theme)


@pytest.fixture
def make_user(db):
    return user_maker()


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """One transaction held open for a whole test module, rolled back after it: rows a
    module-scoped fixture makes in it are shared by the module's tests (each of which
    still rolls back its own writes, in a savepoint) instead of being made again for
    every test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def cadre_user(make_user):
    return make_user("cadre1", role=CADRE)


@pytest.fixture
def editor_user(make_user):
    return make_user("editor1", role=EDITOR, is_staff=True)


@pytest.fixture
def cadre_client(client, cadre_user):
    client.force_login(cadre_user)
    return client


@pytest.fixture
def editor_client(client, editor_user):
    client.force_login(editor_user)
    return client


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI a skipped test is a failure: a skip there means a missing install step."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"Skipped under CI (CI=true), which counts as a failure: {reason}"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "postgresql_only: runs only when DATABASE_URL points at PostgreSQL"
    )
    config.addinivalue_line("markers", "sqlite_only: runs only when DATABASE_URL is not set")
    config.addinivalue_line(
        "markers", "long: takes ten seconds or more; runs first (see pytest_collection_modifyitems)"
    )
    config.addinivalue_line(
        "markers", "browser: drives Chromium (every test under tests/browser/, marked by path)"
    )


def pytest_itemcollected(item):
    """Every test under tests/browser/ is marked ``browser``, new files included, so
    that ``-m "not browser"`` (make test-fast, CI's SQLite run) leaves them all out."""
    if "browser" in item.path.relative_to(item.config.rootpath).parts[:2]:
        item.add_marker(pytest.mark.browser)


def pytest_collection_modifyitems(config, items):
    """Deselect (not skip) tests for the other database: each CI run covers its own.

    Within each of pytest-django's groups (tests in a rolled-back transaction, then
    tests that commit, which flush the database after them, then tests without one),
    tests marked ``long`` go first: pytest-xdist hands tests out in this order, so one
    worker starts each long test while the others share the rest, instead of the run
    ending with one worker on a long test and the others idle. The groups keep their
    order: a test that commits empties tables migrations filled (the shipped
    requirements), which tests of the first group rely on."""
    items.sort(key=lambda item: (_django_group(item), item.get_closest_marker("long") is None))
    on_postgresql = os.environ.get("DATABASE_URL", "").startswith("postgres")
    other = "sqlite_only" if on_postgresql else "postgresql_only"
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker(other) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _django_group(item):
    """pytest-django's order (it sorts the items first): 0 in a rolled-back transaction,
    1 committing (``transaction`` or ``reset_sequences``), 2 no database. The marker is
    read by pytest-django's own reader, positional arguments included."""
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", []))
    if marker:
        transaction_, reset_sequences, *_ = validate_django_db(marker)
        if transaction_ or reset_sequences:
            return 1
    if {"transactional_db", "live_server"} & fixtures:
        return 1
    return 0 if marker or "db" in fixtures else 2


# --- training ------------------------------------------------------------------


def org_tree():
    """A small tree: province > city > (county > township A, township B), other county."""
    from org.models import OrgUnit

    def add(parent, code, level, name):
        fields = {"code": code, "level": level, "name": name, "name_en": f"{name} (en)"}
        if parent is None:
            return OrgUnit.objects.add_root(fields)
        return OrgUnit.objects.add_child(OrgUnit.objects.get(pk=parent.pk), fields)

    province = add(None, "P", 1, "省")
    city = add(province, "P-C", 2, "市")
    county = add(city, "P-C-K", 3, "县")
    township_a = add(county, "P-C-K-A", 4, "甲镇")
    township_b = add(county, "P-C-K-B", 4, "乙镇")
    other_county = add(city, "P-C-O", 3, "别县")
    from types import SimpleNamespace

    return SimpleNamespace(
        province=OrgUnit.objects.get(pk=province.pk),
        city=OrgUnit.objects.get(pk=city.pk),
        county=OrgUnit.objects.get(pk=county.pk),
        township_a=OrgUnit.objects.get(pk=township_a.pk),
        township_b=OrgUnit.objects.get(pk=township_b.pk),
        other_county=OrgUnit.objects.get(pk=other_county.pk),
    )


@pytest.fixture
def org(db):
    return org_tree()


def cadre_maker(make_user):
    from org.models import Cadre

    def make(org_unit, name=None, username=None, **kwargs):
        user = make_user(username, role=CADRE)
        return Cadre.objects.create(
            user=user, org_unit=org_unit, name=name or f"干部{user.username}", **kwargs
        )

    return make


@pytest.fixture
def make_cadre(make_user):
    return cadre_maker(make_user)


def trainer_maker(make_user):
    from org.roles import TRAINER

    def make(*org_units, username=None):
        user = make_user(username, role=TRAINER)
        for unit in org_units:
            unit.trainers.add(user)
        return user

    return make


@pytest.fixture
def make_trainer(make_user):
    return trainer_maker(make_user)


def module_maker(make_unit):
    from training.models import Module
    from training.services import module_set_units

    def make(units=None, n_units=3, title=None, **kwargs):
        units = units if units is not None else [make_unit() for _ in range(n_units)]
        module = Module.objects.create(title=title or f"Module {next(_seq)}", **kwargs)
        module_set_units(module=module, units=units)
        return module

    return make


@pytest.fixture
def make_module(make_unit):
    return module_maker(make_unit)


@pytest.fixture
def assign():
    """Write an assignment directly (any due date, no scope check)."""
    import datetime

    from django.utils import timezone

    from training.models import Assignment

    def make(module, target, days=7):
        field = "org_unit" if target.__class__.__name__ == "OrgUnit" else "cadre"
        return Assignment.objects.create(
            module=module,
            due_on=timezone.localdate() + datetime.timedelta(days=days),
            **{field: target},
        )

    return make


def new_claim(cadre, *, status="pending", kind="training", hours="8", end_on=None):
    """A training claim (学时申报) of ``cadre`` for training that ended ``end_on`` (today
    by default), written directly; it lasts as many days as its hours need at 8 a day."""
    import math
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from training.models import HOURS_PER_DAY, TrainingClaim

    end_on = end_on or timezone.localdate()
    days = max(1, math.ceil(Decimal(hours) / HOURS_PER_DAY))
    return TrainingClaim.objects.create(
        cadre=cadre,
        course="培训班",
        organiser="省民政厅",
        kind=kind,
        start_on=end_on - timedelta(days=days - 1),
        end_on=end_on,
        hours=Decimal(hours),
        status=status,
    )


@pytest.fixture
def make_claim(db):
    return new_claim


# --- a server in another process ---------------------------------------------------


@pytest.fixture(scope="session")
def _server_template(tmp_path_factory):
    """A database migrated once per test process, made on first use, which each
    ``database`` copies: a SQLite file, or a PostgreSQL template database (dropped at
    the end). Migrating from nothing in a fresh process took 8-17 s each time."""
    from tests.servers import clean_env, manage

    url = os.environ.get("DATABASE_URL", "")
    env = clean_env(DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_LOG_LEVEL="ERROR")
    if not url.startswith("postgres"):
        env["SQLITE_PATH"] = str(tmp_path_factory.mktemp("server") / "template.sqlite3")
        manage(env, "migrate", "--noinput", "-v0")
        yield {"sqlite": env["SQLITE_PATH"]}
        return
    import psycopg2

    name = f"portal_server_template_{os.getpid()}"
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    admin.cursor().execute(f"DROP DATABASE IF EXISTS {name}")
    admin.cursor().execute(f"CREATE DATABASE {name}")
    env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    manage(env, "migrate", "--noinput", "-v0")
    yield {"postgres": name, "admin": admin}
    admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


@pytest.fixture
def database(tmp_path, _server_template):
    """Environment for a server in another process (tests/servers.py) on a database of
    its own, migrated (a copy of ``_server_template``): a SQLite file, or a PostgreSQL
    database when DATABASE_URL points at PostgreSQL (dropped afterwards)."""
    import shutil

    from tests.servers import clean_env

    url = os.environ.get("DATABASE_URL", "")
    env = clean_env(DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_LOG_LEVEL="ERROR")
    if "sqlite" in _server_template:
        env["SQLITE_PATH"] = str(tmp_path / "portal.sqlite3")
        for suffix in ("", "-wal"):  # the write-ahead log, if the migration left one
            if os.path.exists(_server_template["sqlite"] + suffix):
                shutil.copyfile(_server_template["sqlite"] + suffix, env["SQLITE_PATH"] + suffix)
        yield env
        return
    name, admin = f"portal_server_{os.getpid()}", _server_template["admin"]
    admin.cursor().execute(f"DROP DATABASE IF EXISTS {name}")
    admin.cursor().execute(f"CREATE DATABASE {name} TEMPLATE {_server_template['postgres']}")
    env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    yield env
    admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
