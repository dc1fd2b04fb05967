"""Running the portal elsewhere than in the test's own thread: a clean environment for
a fresh process, a free port, gunicorn on loopback, and calls released at once from
several threads."""

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
