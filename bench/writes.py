"""Benchmark 4: 64 cadres marking units complete at once, through gunicorn.

  .venv/bin/python bench/writes.py [--seconds 30] [--clients 64] [--only postgresql|sqlite]
                                   [--cadres 50000] [--check]

Each client is one cadre with their own session and keep-alive connection, posting
"mark complete" for unit after unit until the time is up (bounded: the run stops by
itself). gunicorn: 2 workers x 8 threads, production settings. Reported:
completions/s, median and p99 latency, the POSTs that failed, and afterwards, counted
in the database: rows lost (a 302 without a row), rows duplicated. Then every client
undoes what it completed, for half as long, and at the end every stored total of the
database must equal a recount (``manage.py verify_progress``; the script exits 1 if not).
Baseline, same run: the trivial signed-in view (bench/wsgi.py) under the same
clients, requests/s.

PostgreSQL: the generated province (bench/progress.py). SQLite: a generated
province of 2,000 cadres (or --cadres, when fewer) in a temporary file.

--check is CI's use (.ci/run): the writes, the undos and the recount, without the
baseline and its warm-up (8 s a database), which only a measurement needs, on
provinces of 100 study units (PostgreSQL's named portal_check_writes_<cadres>).
"""

import argparse
import http.client
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _province  # noqa: E402
from progress import scaled_sizes  # noqa: E402

CSRF = "b" * 32


def client_loop(port, session, paths, deadline, results, method="POST"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": CSRF})
    headers = {
        "Cookie": f"sessionid={session}; csrftoken={CSRF}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"http://127.0.0.1:{port}/",
    }
    for path in paths:
        if time.perf_counter() >= deadline:
            break
        started = time.perf_counter()
        try:
            if method == "POST":
                conn.request("POST", path, body, headers)
            else:
                conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            status = 0
        results.append((path, status, (time.perf_counter() - started) * 1000))
    conn.close()


def run_clients(port, sessions, plans, seconds, method="POST"):
    results = [[] for _ in sessions]
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    threads = [
        threading.Thread(target=client_loop, args=(port, s, p, deadline, r, method))
        for s, p, r in zip(sessions, plans, results, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


def measure(env, clients, seconds, label, check=False):
    from django.db import connection
    from django.db.models import Exists, OuterRef

    from expositions.models import StudyUnit
    from org.models import Cadre
    from training.models import Completion

    # Cadres who have completed nothing yet, so that every run starts alike (a run
    # leaves its completions behind; the generated province has 10,000 such cadres).
    started = Completion.objects.filter(cadre=OuterRef("pk"))
    fresh = Cadre.objects.filter(~Exists(started), active=True)
    cadres = list(fresh.order_by("pk")[:clients])
    if len(cadres) < clients:
        sys.exit("too few cadres without completions left: drop the province database")
    units = list(StudyUnit.objects.published().order_by("pk").values_list("pk", "slug"))
    sessions, plans = [], []
    for cadre in cadres:
        done = set(Completion.objects.filter(cadre=cadre).values_list("unit_id", flat=True))
        sessions.append(_province.session_for(cadre.user.username))
        plans.append([f"/training/units/{slug}/complete/" for pk, slug in units if pk not in done])
    before = Completion.objects.filter(cadre__in=cadres).count()
    connection.close()
    with _province.Gunicorn(env, workers=2, threads=8) as server:
        status = _province.get_status(f"{server.url}/bench/trivial/", sessions[0])
        if status != 200:
            sys.exit(f"the signed-in baseline answered {status}: sessions are not valid")
        if not check:
            run_clients(server.port, sessions, [["/bench/trivial/"] * 50] * len(sessions), 3, "GET")
            trivial, trivial_time = run_clients(
                server.port, sessions, [["/bench/trivial/"] * 100_000] * len(sessions), 5, "GET"
            )
        results, elapsed = run_clients(server.port, sessions, plans, seconds)
        after = Completion.objects.filter(cadre__in=cadres).count()
        distinct = (
            Completion.objects.filter(cadre__in=cadres)
            .values("cadre_id", "unit_id")
            .distinct()
            .count()
        )
        connection.close()
        undo_plans = [
            [p.replace("/complete/", "/undo/") for p, status, _ms in rs if status == 302]
            for rs in results
        ]
        undos, undo_time = run_clients(server.port, sessions, undo_plans, max(1, seconds // 2))
    flat = [r for rs in results for r in rs]
    ok = [r for r in flat if r[1] == 302]
    failed = len(flat) - len(ok)
    latencies = sorted(r[2] for r in flat)
    from training import progress_verify

    drift = progress_verify.verify()
    print(f"{label}: {len(cadres)} clients for {seconds} s (gunicorn 2 workers x 8 threads)")
    ratio = ""
    if not check:
        trivial_rate = sum(len(r) for r in trivial) / trivial_time
        print(f"  trivial signed-in view: {trivial_rate:8.1f} req/s (baseline)")
        ratio = f"(ratio {len(ok) / elapsed / trivial_rate:.2f}), "
    print(
        f"  mark complete:          {len(ok) / elapsed:8.1f} completions/s "
        f"{ratio}median "
        f"{statistics.median(latencies):.1f} ms, p99 "
        f"{latencies[int(len(latencies) * 0.99) - 1]:.1f} ms, failed {failed}"
    )
    print(
        f"  rows: {after - before:,} new for {len(ok):,} successful POSTs -> lost "
        f"{len(ok) - (after - before)}, duplicated {after - distinct}"
    )
    undone = [r for rs in undos for r in rs if r[1] == 302]
    print(
        f"  undo:                   {len(undone) / undo_time:8.1f} undos/s, failed "
        f"{sum(len(rs) for rs in undos) - len(undone)}; stored totals equal a recount: "
        f"{'yes' if not drift else 'NO'}"
    )
    if drift:
        sys.exit("stored totals differ from a recount:\n  " + "\n  ".join(drift))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--cadres", type=int, default=50_000)
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    parser.add_argument(
        "--check", action="store_true", help="CI: no baseline, only writes, undos, recount"
    )
    args = parser.parse_args()
    # A check needs few units (16 clients complete about 16 each in 4 s): 100, not 400,
    # and a database of its own name, so that no benchmark's province is taken for it.
    units = ["--units", "100"] if args.check else []
    name = "portal_check_writes" if args.check else "portal_bench_province"
    if args.only != "sqlite":
        url = _province.province_database(
            f"{name}_{args.cadres}", args.cadres, sizes=[*scaled_sizes(args.cadres), *units]
        )
        if args.only == "postgresql":
            _province.setup_django(url)
            env = _province.server_env(url)
            measure(env, args.clients, args.seconds, "PostgreSQL", args.check)
            return
    # Each database in its own process: Django binds one database per process.
    import subprocess

    for backend in ("postgresql", "sqlite") if args.only is None else ("sqlite",):
        if backend == "postgresql":
            subprocess.run(  # noqa: S603 - this script again
                [
                    sys.executable,
                    __file__,
                    "--only",
                    "postgresql",
                    "--seconds",
                    str(args.seconds),
                    "--clients",
                    str(args.clients),
                    "--cadres",
                    str(args.cadres),
                    *(["--check"] if args.check else []),
                ],
                check=True,
            )
            continue
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "writes.sqlite3"
            env = _province.server_env(sqlite_path=path)
            _province.manage(env, "migrate", "--noinput", "-v0")
            cadres = min(args.cadres, 2000)
            _province.manage(
                env, "generate_demo_data", "--cadres", str(cadres), *scaled_sizes(cadres), *units
            )
            import os

            os.environ["SQLITE_PATH"] = str(path)
            os.environ["DJANGO_SECRET_KEY"] = _province.SECRET_KEY
            os.environ.pop("DATABASE_URL", None)
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
            sys.path.insert(0, str(_province.ROOT))
            import django

            django.setup()
            measure(env, args.clients, args.seconds, "SQLite", args.check)


if __name__ == "__main__":
    main()
