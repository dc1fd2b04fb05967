"""Running the portal elsewhere than in the test's own thread: a clean environment for
a fresh process, a database of its own for a server, ``manage.py`` in a subprocess, a
script that sets up a cadre and a trainer with sessions, a free port, gunicorn on
loopback, and calls released at once from several threads."""

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.db import connections

ROOT = Path(__file__).resolve().parents[1]


def clean_env(**settings):
    """This process's environment without any DJANGO_* setting or DATABASE_URL, plus
    ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    env.update(settings)
    return env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env, workers=1, threads=1):
    """gunicorn serving the portal on 127.0.0.1 with ``env``; yields its base URL."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own server, on loopback
        [sys.executable, "-m", "gunicorn", "portal.wsgi", "-b", f"127.0.0.1:{port}"]
        + ["-w", str(workers), "--threads", str(threads)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def at_once(calls):
    """Run each zero-argument callable in ``calls`` in its own thread, released together;
    returns (results, errors). Each thread closes its database connections."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as exc:  # noqa: BLE001 - any error is the failure we look for
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def manage(env, *args):
    """``manage.py *args`` in a fresh process with ``env``; its standard output."""
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


# For `manage(env, "shell", "-c", SETUP)`: the shipped units, an org tree of two, a trainer
# and a cadre with sessions, a module of two units; prints their ids and session keys.
SETUP = """
import json
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from training import services
from org.models import Cadre, OrgUnit
from training.models import Module
from org.roles import CADRE, TRAINER, ensure_groups
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
    s["_auth_user_backend"] = "org.backends.RolesModelBackend"
    s["_auth_user_hash"] = u.get_session_auth_hash()
    s.create()
    return s.session_key


print(json.dumps({
    "cadre": session(user), "trainer": session(trainer), "unit": units[0].slug,
    "module": module.pk, "org": town.pk,
}))
"""
