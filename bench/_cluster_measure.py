"""The rehearsal's measurements (bench/cluster.py): read-your-writes sequences, the
mixed load with the peak of PostgreSQL connections, the failure drills."""

import csv
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import _province
import psycopg2
import requests

ROOT = _province.ROOT
NEXT_UNIT = re.compile(r'href="(/units/[^"/]+/)\?module=(\d+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Plan:
    """Sessions for the load's cadres and trainers, and for the sequences' cadres (each
    used once), written as JSON for bench/cluster_locust.py."""

    def __init__(self, rehearsal, load_cadres, ryw_cadres):
        from django.contrib.auth import get_user_model
        from django.db import connections
        from django.utils import timezone

        from org.models import Cadre
        from training.models import Module

        self.rehearsal = rehearsal
        names = list(
            Cadre.objects.filter(active=True)
            .order_by("?")
            .values_list("user__username", flat=True)[: load_cadres + ryw_cadres]
        )
        # A first sign-in is sent to change its password (org.passwords): not these.
        get_user_model().objects.filter(username__in=names).update(last_login=timezone.now())
        pairs = [(name, _province.session_for(name)) for name in names]
        self.ryw_cadres, self.load_cadres = pairs[:ryw_cadres], pairs[ryw_cadres:]
        county = get_user_model().objects.get(username="bench-trainer-county")
        self.trainers = [_province.session_for(county.username) for _ in range(8)]
        self.modules = list(
            Module.objects.visible_to(county).order_by("pk").values_list("pk", flat=True)[:5]
        )
        connections.close_all()  # not counted among the load's connections

    def write(self, label):
        tmp = self.rehearsal.tmp
        plan = {
            "hosts": self.rehearsal.app_urls(),
            "cadres": self.load_cadres,
            "trainers": self.trainers,
            "modules": self.modules,
            "log": str(tmp / f"{label}-requests"),
            "completions": str(tmp / f"{label}-done"),
        }
        path = tmp / f"{label}-plan.json"
        path.write_text(json.dumps(plan))
        return path, plan


def replica_lag(rehearsal):
    """Seconds from a commit on the primary to its row on the replica (measured)."""
    rehearsal.psql("db1", "CREATE TABLE IF NOT EXISTS cl_lag (n int)")
    marker = int(time.time() * 1000) % 1_000_000_000
    started = time.perf_counter()
    rehearsal.psql("db1", f"INSERT INTO cl_lag VALUES ({marker})")  # noqa: S608 - an int
    while time.perf_counter() - started < 60:
        query = f"SELECT count(*) FROM cl_lag WHERE n = {marker}"  # noqa: S608 - an int
        seen = rehearsal.psql("db2", query, check=False)
        if seen.returncode == 0 and seen.stdout.strip() == "1":
            return round(time.perf_counter() - started, 2)
        time.sleep(0.1)
    return None


def _sequence(host, username, session_key):
    """Open My study and the next unit, mark it complete, reload the unit page and My
    study: does each reload show the completion?"""
    s = requests.Session()
    s.cookies.set("sessionid", session_key)
    s.headers["Accept-Language"] = "zh-hans"
    page = s.get(f"{host}/training/my-study/", timeout=30)
    if page.status_code != 200:
        return {"outcome": f"My study answered {page.status_code}"}
    for path, module in NEXT_UNIT.findall(page.text):
        unit = s.get(f"{host}{path}?module={module}", timeout=30)
        if unit.status_code != 200:
            return {"outcome": f"the unit page answered {unit.status_code}"}
        if f"/training{path}complete/" in unit.text:
            break
    else:
        return {"outcome": "no unit to complete"}
    token = CSRF.search(unit.text).group(1)
    posted = s.post(
        f"{host}/training{path}complete/",
        {"csrfmiddlewaretoken": token, "module": module},
        headers={"Referer": f"{host}{path}"},
        allow_redirects=False,
        timeout=30,
    )
    if posted.status_code != 302:
        return {"outcome": f"POST answered {posted.status_code}"}
    started = time.perf_counter()
    reloaded = s.get(host + posted.headers["Location"], timeout=30)
    study = s.get(f"{host}/training/my-study/", timeout=30)
    if reloaded.status_code != 200 or study.status_code != 200:
        return {"outcome": f"a reload answered {reloaded.status_code}/{study.status_code}"}
    return {
        "outcome": "done",
        "unit_page": "is-complete" in reloaded.text,
        "my_study": f'href="{path}?module={module}"' not in study.text,
        "reload_ms": (time.perf_counter() - started) * 1000,
        "pinned": "portal_primary" in posted.cookies,
    }


def sequences(rehearsal, cadres, label, wanted, threads=4):
    """``wanted`` sequences, by as many of ``cadres`` as it takes (some have nothing
    assigned, or only units that ask for a self-check or a reflection first)."""
    hosts = rehearsal.app_urls()
    started = time.perf_counter()
    count, lock = [0], threading.Lock()

    def one(i_cadre):
        i, cadre = i_cadre
        with lock:
            if count[0] >= wanted:
                return {"outcome": "not needed"}
        run = _safe(_sequence, hosts[i % 2], *cadre)
        with lock:
            if run["outcome"] == "done":
                if count[0] >= wanted:
                    return {"outcome": "not needed"}
                count[0] += 1
        return run

    with ThreadPoolExecutor(threads) as pool:
        runs = list(pool.map(one, enumerate(cadres)))
    done = [r for r in runs if r["outcome"] == "done"]
    result = {
        "label": label,
        "sequences": len(done),
        "unit_page_shows_it": sum(r["unit_page"] for r in done),
        "my_study_shows_it": sum(r["my_study"] for r in done),
        "both_show_it": sum(r["unit_page"] and r["my_study"] for r in done),
        "pinned": sum(r["pinned"] for r in done),
        "not_run": {o: sum(r["outcome"] == o for r in runs) for o in {r["outcome"] for r in runs}}
        | {"done": len(done)},
        "reload_p50_ms": round(statistics.median([r["reload_ms"] for r in done]), 1)
        if done
        else None,
        "seconds": round(time.perf_counter() - started),
    }
    rehearsal.say(f"read-your-writes, {label}: {result}")
    return result


def _safe(fn, *args):
    try:
        return fn(*args)
    except Exception as exc:  # one failed sequence is counted, not fatal
        return {"outcome": f"error: {type(exc).__name__}"}


class Sampler(threading.Thread):
    """Runs ``sample(host, cursor)`` on each of ``hosts`` (rehearsal hosts running
    PostgreSQL) every ``every`` seconds until ``stop()``, reconnecting after an error
    (a replica restarted by the drills)."""

    def __init__(self, rehearsal, hosts, dbname, every):
        super().__init__(daemon=True)
        self.rehearsal, self.stopping = rehearsal, threading.Event()
        self.hosts, self.dbname, self.every = hosts, dbname, every

    def sample(self, host, cursor):
        raise NotImplementedError

    def run(self):
        conns = {}
        while not self.stopping.wait(self.every):
            for host in self.hosts:
                try:
                    if host not in conns or conns[host].closed:
                        conns[host] = psycopg2.connect(
                            host=self.rehearsal.hosts.ip(host), user="postgres", dbname=self.dbname
                        )
                        conns[host].autocommit = True
                    with conns[host].cursor() as cur:
                        self.sample(host, cur)
                except psycopg2.Error:
                    conns.pop(host, None)
        for conn in conns.values():
            conn.close()

    def stop(self):
        self.stopping.set()
        self.join()


class Connections(Sampler):
    """The peak of client connections on the primary and the replica (pg_stat_activity,
    client backends, this sampler's own left out), every 0.25 s."""

    def __init__(self, rehearsal):
        super().__init__(rehearsal, ("db1", "db2"), "postgres", 0.25)
        self.peak = {"db1": 0, "db2": 0}
        self.samples = {"db1": [], "db2": []}

    def sample(self, host, cursor):
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = "
            "'client backend' AND pid <> pg_backend_pid()"
        )
        n = cursor.fetchone()[0]
        self.peak[host] = max(self.peak[host], n)
        self.samples[host].append(n)

    def stop(self):
        super().stop()
        return {
            "primary_peak": self.peak["db1"],
            "replica_peak": self.peak["db2"],
            "primary_median": statistics.median(self.samples["db1"] or [0]),
            "replica_median": statistics.median(self.samples["db2"] or [0]),
        }


def locust(rehearsal, plan, label, seconds, users, reset=True):
    """Start Locust (bench/cluster_locust.py) on both app hosts; the process."""
    plan_file, _plan = plan.write(label)
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "cluster_locust.py"),
        "--headless", "--host", rehearsal.app_urls()[0], "-u", str(users),
        "-r", str(max(1, users // 5)), "-t", f"{seconds}s", "--csv", str(rehearsal.tmp / label),
        "--only-summary", "--loglevel", "ERROR", *(["--reset-stats"] if reset else []),
    ]  # fmt: skip
    env = {**_province.server_env(), "CLUSTER_PLAN": str(plan_file)}
    return rehearsal.hosts.start(None, f"locust-{label}", command, env=env, cwd=ROOT)


def stats(rehearsal, label):
    with open(rehearsal.tmp / f"{label}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    with open(rehearsal.tmp / f"{label}_failures.csv", encoding="utf-8") as handle:
        failures = [
            f"{r['Occurrences']}× {r['Name']}: {r['Error'][:160]}" for r in csv.DictReader(handle)
        ]
    return {
        "failure_kinds": failures,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": round(float(total["Requests/s"]), 1),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
        "pages_p95": {
            r["Name"]: float(r["95%"]) for r in rows if r["Name"] not in ("Aggregated", "")
        },
        # How many requests each p95 stands on (a trainer's page: one trainer in 21 users).
        "pages_requests": {
            r["Name"]: int(r["Request Count"]) for r in rows if r["Name"] not in ("Aggregated", "")
        },
    }


def load(rehearsal, plan, label):
    """The mixed load for --seconds, after --warmup-seconds of the same load on the app
    hosts just started (their workers' first requests, the replica's cold buffers),
    whose figures are kept apart under "warmup": what a deployment serves is warm."""
    args = rehearsal.args
    warmup = None
    if args.warmup_seconds:
        process = locust(rehearsal, plan, f"{label}-warmup", args.warmup_seconds, args.users)
        process.wait(timeout=args.warmup_seconds + 120)
        warmup = {"seconds": args.warmup_seconds, **stats(rehearsal, f"{label}-warmup")}
        warmup["progress_views"] = progress_views(rehearsal, f"{label}-warmup")
    sampler = Connections(rehearsal)
    sampler.start()
    cpu_before = rehearsal.hosts.cpu_seconds()
    process = locust(rehearsal, plan, label, args.seconds, args.users)
    process.wait(timeout=args.seconds + 120)
    cpu = rehearsal.hosts.cpu_between(cpu_before, rehearsal.hosts.cpu_seconds())
    result = {"users": args.users, "seconds": args.seconds, **stats(rehearsal, label)}
    result["progress_views"] = progress_views(rehearsal, label)
    result["warmup"] = warmup
    result["connections"] = sampler.stop()
    result["load_average"] = _load_average()
    # CPU-seconds by host and command during the load: where the two cores went.
    result["cpu_seconds"] = cpu
    rehearsal.say(f"load {label}: {result}")
    return result


def _load_average():
    with open("/proc/loadavg") as handle:
        return handle.read().split()[:3]


def requests_log(rehearsal, label):
    rows = []
    for path in glob.glob(str(rehearsal.tmp / f"{label}-requests.*.csv")):
        with open(path, encoding="utf-8") as handle:
            for t, name, host, status, ms, module in csv.reader(handle):
                rows.append((float(t), name, host, int(status), float(ms), module))
    return sorted(rows)


def _p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(0.95 * len(values)))] if values else None


def progress_views(rehearsal, label):
    """The trainers' progress page in the request log: its views by module (count,
    median, p95, slowest, in ms) and by minute of the load (count, p95): whether a slow
    p95 is one module's, or the load's first minute (caches still cold)."""
    log = [r for r in requests_log(rehearsal, label) if r[1] == "module progress"]
    if not log:
        return {}
    by_module, by_minute = {}, {}
    for t, _name, _host, _status, ms, module in log:
        by_module.setdefault(module, []).append(ms)
        by_minute.setdefault(int((t - log[0][0]) // 60), []).append(ms)
    return {
        "by_module": {
            m: {"views": len(v), "median": statistics.median(v), "p95": _p95(v), "max": max(v)}
            for m, v in sorted(by_module.items())
        },
        "by_minute": {k: {"views": len(v), "p95": _p95(v)} for k, v in sorted(by_minute.items())},
    }


def completions_log(rehearsal, label):
    confirmed, unsure = set(), set()
    for path in glob.glob(str(rehearsal.tmp / f"{label}-done.*.csv")):
        with open(path, encoding="utf-8") as handle:
            for username, slug, outcome in csv.reader(handle):
                (confirmed if outcome == "ok" else unsure).add((username, slug))
    return confirmed, unsure


def drills(rehearsal, plan):
    """The load, and during it: app host 1 killed (and back 20 s later), the replica
    restarted, the pooler filled for 8 s. Then the errors by window, the completions
    against the database, and verify_progress."""
    from django.db import connections
    from django.db.models import Count
    from django.utils import timezone

    from training.models import Completion

    seconds, label = max(rehearsal.args.seconds, 120), "drills"
    began, t0 = timezone.now(), time.time()
    sampler = Connections(rehearsal)
    sampler.start()
    process = locust(rehearsal, plan, label, seconds, rehearsal.args.users, reset=False)
    events = []

    def at(offset, name, action):
        time.sleep(max(0, t0 + offset - time.time()))
        started = time.time()
        action()
        events.append((name, started, time.time()))
        rehearsal.say(f"drill: {name} ({time.time() - started:.1f} s)")

    def kill_app1():
        rehearsal.hosts.stop("gunicorn-app1", sig=9)

    at(20, "app host 1 killed (SIGKILL)", kill_app1)
    at(40, "app host 1 started again", lambda: rehearsal.app("app1"))
    at(55, "replica restarted", rehearsal.restart_replica)
    at(80, "pooler filled for 8 s", lambda: fill_pooler(rehearsal, 8))
    process.wait(timeout=seconds + 120)
    peak = sampler.stop()
    log = requests_log(rehearsal, label)
    windows = {}
    for name, start, end in events:
        hit = [r for r in log if start - 1 <= r[0] <= end + 5]
        windows[name] = {
            "requests": len(hit),
            "errors": sum(r[3] != 200 for r in hit),
            "errors_by_status": _by_status(hit),
            "seconds": round(end - start + 6, 1),
        }
    inside = {i for i, r in enumerate(log) if any(s - 1 <= r[0] <= e + 5 for _n, s, e in events)}
    outside = [r for i, r in enumerate(log) if i not in inside]
    errors_outside = [
        (round(r[0] - t0, 1), r[1], r[2].rsplit(".", 1)[-1], r[3]) for r in outside if r[3] != 200
    ]
    confirmed, unsure = completions_log(rehearsal, label)
    users = {u for u, _s in confirmed | unsure}
    in_db = set(
        Completion.objects.filter(cadre__user__username__in=users).values_list(
            "cadre__user__username", "unit__slug"
        )
    )
    made_at = {
        (u, slug): at
        for u, slug, at in Completion.objects.filter(
            cadre__user__username__in=users, completed_at__gte=began
        ).values_list("cadre__user__username", "unit__slug", "completed_at")
    }
    made = set(made_at)
    # Made, but not in the driver's log: a POST answered as Locust stopped its users
    # (the run's end) would be one; when each was made says whether that is all.
    never_asked_at = sorted(
        round((made_at[pair] - began).total_seconds(), 1) for pair in made - confirmed - unsure
    )
    duplicates = (
        Completion.objects.values("cadre", "unit").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    connections.close_all()
    verify = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "verify_progress"],
        cwd=ROOT,
        env=rehearsal.app_env(rehearsal.url("db1"), None),
        capture_output=True,
        text=True,
    )
    result = {
        "seconds": seconds,
        "windows": windows,
        "outside_windows": {
            "requests": len(outside),
            "errors": len(errors_outside),
            "first_errors": errors_outside[:40],
        },
        "events_at_seconds": {name: round(start - t0, 1) for name, start, _e in events},
        "completions": {
            "confirmed_by_driver": len(confirmed),
            "unconfirmed_in_flight": len(unsure),
            "confirmed_missing_in_database": len(confirmed - in_db),
            "made_in_database_during_run": len(made),
            "made_but_never_asked": len(made - confirmed - unsure),
            "made_but_never_asked_at_seconds": never_asked_at,
            "duplicate_rows": duplicates,
        },
        "verify_progress": (verify.stdout + verify.stderr).strip().splitlines()[-1:],
        "verify_progress_exit": verify.returncode,
        "connections": peak,
        **{"stats": stats(rehearsal, label)},
    }
    rehearsal.say(f"drills: {result}")
    return result


def _by_status(rows):
    counts = {}
    for row in rows:
        if row[3] != 200:
            counts[row[3]] = counts.get(row[3], 0) + 1
    return counts


def fill_pooler(rehearsal, seconds):
    """Hold every server connection PgBouncer has to the primary (default_pool_size)
    with a sleeping transaction, and one more client than that."""
    size = rehearsal.args.pool_size + 1
    host, port = (
        (rehearsal.hosts.ip("pool"), 6432)
        if rehearsal.pool_mode == "pgbouncer"
        else (rehearsal.hosts.ip("db1"), 5432)
    )

    def hold(_i):
        try:
            conn = psycopg2.connect(host=host, port=port, user="postgres", dbname="portal")
            with conn, conn.cursor() as cur:
                cur.execute("SELECT pg_sleep(%s)", [seconds])
            conn.close()
        except psycopg2.Error:
            pass

    with ThreadPoolExecutor(size) as pool:
        list(pool.map(hold, range(size)))


os.environ.setdefault("PYTHONUNBUFFERED", "1")
