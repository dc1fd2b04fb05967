"""Shared by the province-scale benchmarks: a generated PostgreSQL database, a Django
set-up inside the script, a gunicorn to load, timing helpers.

Databases are throw-away and named portal_bench_*; they are made with
`manage.py generate_demo_data` and kept between runs unless --fresh is given.
"""

import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = "postgres://postgres@127.0.0.1:5432/"
PYTHON = sys.executable
# One key for this run: sessions made here must be valid in the gunicorn we start.
SECRET_KEY = secrets.token_urlsafe(50)


def server_env(database_url=None, sqlite_path=None, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    if sqlite_path:
        env["SQLITE_PATH"] = str(sqlite_path)
    env.update({"PYTHONPATH": str(ROOT), **extra})
    return env


def manage(env, *args, quiet=True):
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=quiet, text=True
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def psql(sql, database="postgres"):
    subprocess.run(  # noqa: S603 - fixed psql call on loopback
        ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-c", sql],
        check=True,
        capture_output=True,
    )


def province_database(name, cadres=50_000, fresh=False, sizes=()):
    """The URL of a generated province database (generated now if missing)."""
    url = PG + name
    exists = (
        subprocess.run(  # noqa: S603
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", name, "-tAc", "SELECT 1"],
            capture_output=True,
        ).returncode
        == 0
    )
    if exists and not fresh:
        return url
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name}")
    env = server_env(url)
    manage(env, "migrate", "--noinput", "-v0")
    started = time.perf_counter()
    out = manage(env, "generate_demo_data", "--cadres", str(cadres), *sizes)
    print(out.strip())
    print(f"generated {name} in {time.perf_counter() - started:.0f} s")
    return url


def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SECRET_KEY"] = SECRET_KEY
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]


def session_for(username):
    """A session cookie value for ``username`` (a real row in django_session)."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "org.backends.RolesModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def module_unit_path(username="bench-cadre"):
    """The unit page as a cadre reaches it from My study: the next unit of their first
    unfinished module, with ``?module=`` (the module's order, place and links)."""
    from org.models import Cadre
    from training.my_study import my_modules

    cadre = Cadre.objects.select_related("org_unit").get(user__username=username)
    module = next(m for m in my_modules(cadre) if m.next_unit)
    return f"{module.next_unit.get_absolute_url()}?module={module.pk}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn on 127.0.0.1 with production settings, for load from wrk or threads."""

    def __init__(self, env, workers=2, threads=1, app="bench.wsgi:application"):
        self.port = free_port()
        env = {
            **env,
            "DJANGO_DEBUG": "false",
            "DJANGO_TESTING": "true",  # static files by name: no collectstatic needed
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_LOG_LEVEL": "ERROR",
        }
        command = [PYTHON, "-m", "gunicorn", app, "-b", f"127.0.0.1:{self.port}"]
        command += ["-w", str(workers), "--threads", str(threads), "--log-level", "error"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(1.0)  # let every worker boot

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=20)


def get_status(url, cookie):
    """The status of one GET, redirects not followed (a 302 to sign-in is a failure)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request(
        "GET",
        parts.path + ("?" + parts.query if parts.query else ""),
        headers={"Cookie": f"sessionid={cookie}"},
    )
    status = conn.getresponse().status
    conn.close()
    return status


def timed(fn, repeat):
    """Median and worst milliseconds of ``repeat`` calls, after one warm-up."""
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)
