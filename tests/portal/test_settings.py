import os
import secrets
import shutil
import subprocess
import sys

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from tests.servers import ROOT, at_once, clean_env


def _run(args, **env):
    """Run a Python command in a fresh process, with only the given DJANGO_* settings."""
    return subprocess.run(  # noqa: S603 - the tests' own fixed commands
        [sys.executable, *args],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )


def _import_settings(**env):
    return _run(
        ["-c", "import portal.settings as s; print(s.DATABASES['default']['ENGINE'])"], **env
    )


def _manage_in_production(tmp_path, *args):
    return _run(
        ["manage.py", *args],
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        SQLITE_PATH=str(tmp_path / "db"),
    )


def test_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = _import_settings(DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_starts_with_a_real_secret_key():
    result = _import_settings(DJANGO_DEBUG="false", DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stderr


def test_production_settings_refuse_to_create_demo_accounts(tmp_path):
    result = _manage_in_production(tmp_path, "load_demo")
    assert result.returncode != 0
    assert "known passwords" in result.stderr


def test_database_url_selects_postgresql():
    result = _import_settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal")
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_default_is_sqlite_with_immediate_transactions():
    result = _import_settings()
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_database_options():
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert db["OPTIONS"]["timeout"] >= 5
    else:
        assert db["CONN_MAX_AGE"] > 0
        assert db["CONN_HEALTH_CHECKS"] is True


def test_whitenoise_follows_security_middleware():
    middleware = settings.MIDDLEWARE
    assert middleware[0] == "django.middleware.security.SecurityMiddleware"
    assert middleware[1] == "whitenoise.middleware.WhiteNoiseMiddleware"


@pytest.mark.django_db
def test_demo_data_is_idempotent(django_user_model):
    from org.models import Cadre, OrgUnit
    from training.models import Assignment, Completion, Module

    call_command("load_exposition", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    counts = [
        m.objects.count()
        for m in (django_user_model, OrgUnit, Cadre, Module, Assignment, Completion)
    ]
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert [
        m.objects.count()
        for m in (django_user_model, OrgUnit, Cadre, Module, Assignment, Completion)
    ] == counts
    assert counts[1] == 10 and counts[3] == 4 and counts[4] == 4
    editor = django_user_model.objects.get(username="editor")
    assert editor.is_staff
    assert editor.has_perm("expositions.change_studyunit")
    assert editor.has_perm("org.change_orgunit")
    assert not django_user_model.objects.get(username="cadre").has_perm(
        "expositions.change_studyunit"
    )
    trainer = django_user_model.objects.get(username="trainer-county")
    assert list(trainer.managed_org_units.values_list("code", flat=True)) == ["140105"]
    assert Assignment.objects.filter(due_on__lt=timezone.localdate()).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_demo_loads_at_once_make_one_demo(django_user_model):
    """``make run`` twice at once, say in two terminals: one demo, not two."""
    from devtools import demo
    from expositions.models import StudyUnit
    from org.models import Cadre, OrgUnit
    from org.roles import CADRE
    from training import progress_verify
    from training.models import Assignment, Completion, Module, TrainingClaim

    call_command("load_exposition", stdout=open(os.devnull, "w"))  # noqa: SIM115
    _results, errors = at_once([demo.load_demo, demo.load_demo])
    assert errors == []
    in_theme = {
        slug: StudyUnit.objects.published().filter(theme__slug=slug).count()
        for slug, *_rest in demo.MODULES
    }
    completions = sum(
        min(count, in_theme[slug])
        for done in demo.COMPLETIONS.values()
        for slug, count in done.items()
    )
    assert [
        m.objects.count()
        for m in (django_user_model, OrgUnit, Cadre, Module, Assignment, Completion, TrainingClaim)
    ] == [
        len(demo.DEMO_ACCOUNTS) + len(demo.OTHER_CADRES),
        len(demo.ORG_TREE),
        sum(1 for _u, _p, role, *_rest in demo.DEMO_ACCOUNTS if role == CADRE)
        + len(demo.OTHER_CADRES),
        len(demo.MODULES),
        len(demo.MODULES),
        completions,
        len(demo.DEMO_CLAIMS),
    ]
    assert progress_verify.verify() == []


@pytest.mark.parametrize("domain", ["django", "djangojs"])  # djangojs: the admin's script
def test_chinese_catalogue_is_complete_and_compiled(domain):
    po = polib.pofile(str(ROOT / f"locale/zh_Hans/LC_MESSAGES/{domain}.po"))
    mo = polib.mofile(str(ROOT / f"locale/zh_Hans/LC_MESSAGES/{domain}.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    for entry in po.translated_entries():
        assert compiled[(entry.msgctxt, entry.msgid)] == (entry.msgstr, entry.msgstr_plural), (
            f"{entry.msgid!r}: run make messages"
        )


def test_the_chinese_catalogue_holds_every_string_the_code_marks(tmp_path):
    """makemessages on a copy of the sources adds no entry the committed catalogue lacks."""
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "node_modules",
            "test-artifacts",
            "staticfiles",
            "bench",
            "tests",
            "*.sqlite3*",
            "__pycache__",
            ".*cache",
            ".hypothesis",
        ),
    )
    result = subprocess.run(  # noqa: S603 - the tests' own fixed command
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=source,
        env=clean_env(SQLITE_PATH=str(tmp_path / "db")),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    catalogue = "locale/zh_Hans/LC_MESSAGES/django.po"
    committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(ROOT / catalogue))}
    marked = {(e.msgctxt, e.msgid) for e in polib.pofile(str(source / catalogue))}
    assert sorted(marked - committed, key=str) == [], "run make messages and translate them"


def test_production_settings_pass_checks_before_collectstatic(tmp_path):
    result = _manage_in_production(tmp_path, "check")
    assert result.returncode == 0, result.stderr


def test_favicon_ico_redirects_to_the_svg(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _manage_in_production(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr


def test_refuses_a_weak_secret_key():
    result = _import_settings(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="a" * 60)
    assert result.returncode != 0


def _email_backend(**env):
    return _run(
        ["-c", "import portal.settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT)"],
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        **env,
    ).stdout.split()


def test_mails_are_printed_in_debug_mode_without_a_mail_server():
    assert _email_backend()[0] == "django.core.mail.backends.console.EmailBackend"


def test_mails_go_to_the_mail_server_from_the_environment():
    backend, host, port = _email_backend(EMAIL_HOST="smtp.example.gov.cn", EMAIL_PORT="587")
    assert (backend, host, port) == (
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.gov.cn",
        "587",
    )


def test_production_without_a_mail_server_does_not_pretend_to_send():
    backend, host, _port = _email_backend(DJANGO_DEBUG="false")
    assert (backend, host) == ("django.core.mail.backends.smtp.EmailBackend", "localhost")
