"""Double submission across processes: 24 identical POSTs at once, through gunicorn
with 3 worker processes of 4 threads, for one completion and for one assignment →
exactly one row each, and every answer an ordinary redirect (no error shown).

Runs on the database of this test run: a fresh SQLite file, or a fresh PostgreSQL
database when DATABASE_URL points at PostgreSQL.
"""

import json
import os
import secrets
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.servers import ROOT, clean_env, gunicorn

N = 24

SETUP = """
import json
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from training import services
from training.models import Cadre, Module, OrgUnit
from training.roles import CADRE, TRAINER, ensure_groups
from expositions.models import StudyUnit

call_command("load_exposition", verbosity=0)
groups = ensure_groups()
root = OrgUnit.objects.add_root({"code": "P", "level": 1, "name": "省"})
town = OrgUnit.objects.add_child(root, {"code": "P-T", "level": 4, "name": "镇"})
User = get_user_model()
trainer = User.objects.create_user("trainer", password="x" * 20)
trainer.groups.add(groups[TRAINER])
root.trainers.add(trainer)
user = User.objects.create_user("cadre", password="x" * 20)
user.groups.add(groups[CADRE])
Cadre.objects.create(user=user, org_unit=town, name="干部")
units = list(StudyUnit.objects.order_by("pk")[:2])
module = Module.objects.create(title="M", status="active", created_by=trainer)
services.module_set_units(module=module, units=units)


def session(u):
    s = SessionStore()
    s["_auth_user_id"] = str(u.pk)
    s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    s["_auth_user_hash"] = u.get_session_auth_hash()
    s.create()
    return s.session_key


print(json.dumps({
    "cadre": session(user), "trainer": session(trainer), "unit": units[0].slug,
    "module": module.pk, "org": town.pk,
}))
"""

COUNT = """
import json
from training.models import Assignment, Completion
print(json.dumps({"completions": Completion.objects.count(),
                  "assignments": Assignment.objects.count()}))
"""


@pytest.fixture
def database(tmp_path):
    """Environment for a server on a database of its own, migrated."""
    url = os.environ.get("DATABASE_URL", "")
    env = clean_env(DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_LOG_LEVEL="ERROR")
    name = None
    if url.startswith("postgres"):
        import psycopg2

        name = f"portal_concurrency_{os.getpid()}"
        admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
        admin.autocommit = True
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {name}")
        admin.cursor().execute(f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    else:
        env["SQLITE_PATH"] = str(tmp_path / "portal.sqlite3")
    manage(env, "migrate", "--noinput", "-v0")
    yield env
    if name:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def manage(env, *args):
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def post_all_at_once(url, session, data):
    """N identical POSTs released together; returns their statuses."""
    csrf = "c" * 32
    body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": csrf}).encode()
    headers = {
        "Cookie": f"sessionid={session}; csrftoken={csrf}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": url,
    }
    barrier = threading.Barrier(N)
    statuses = []

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def send():
        request = urllib.request.Request(url, body, headers)  # noqa: S310 - http://127.0.0.1
        barrier.wait()
        try:
            with opener.open(request, timeout=60) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [threading.Thread(target=send) for _ in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_double_submissions_across_processes_leave_one_row(database):
    ids = json.loads(manage(database, "shell", "-c", SETUP).strip().splitlines()[-1])
    with gunicorn(database, workers=3, threads=4) as base:
        mark = post_all_at_once(f"{base}/training/units/{ids['unit']}/complete/", ids["cadre"], {})
        due = (timezone.localdate() + timedelta(days=7)).isoformat()
        assign = post_all_at_once(
            f"{base}/training/modules/{ids['module']}/assign/",
            ids["trainer"],
            {"org_unit": ids["org"], "due_on": due, "confirm": "yes"},
        )
    assert mark == [302] * N
    assert assign == [302] * N
    counts = json.loads(manage(database, "shell", "-c", COUNT).strip().splitlines()[-1])
    assert counts == {"completions": 1, "assignments": 1}
