"""Capacity: how much mixed cadre and trainer traffic one machine holds at p95 < 300 ms.

  .venv/bin/pip install -c requirements.lock -e '.[bench]'   # Locust, once
  .venv/bin/python bench/load.py [--cadres 50000] [--steps 20,40,80,160,320]
                                 [--step-seconds 60] [--workers 3]

A generated province on PostgreSQL (portal_bench_province_<cadres>, see bench/progress.py)
served by gunicorn (production settings, sync workers) on 127.0.0.1, loaded by Locust
(bench/locustfile.py) from the same machine, step by step with more users each time:

- cadres (20 in 21 users): a session each (1 in 10 signs in with a password instead),
  My study, then the next unit of a module, read for 2-6 s, marked complete, and again;
- trainers (1 in 21): the module list, a county module's progress, the hours page,
  3-10 s apart;
- one export a minute: a county module's progress as Excel.

For each step, counted once every user has started (the ramp left out): requests/s,
p50/p95/p99 in ms and failures (any answer but 200 is one).
The capacity is the busiest step with p95 < 300 ms and no failure. Locust itself runs
on the same two cores, as the trivial view's throughput beside it shows (the machine's
yardstick, measured in the same run: /bench/trivial/, 20 users without pauses). Every
request goes to 127.0.0.1; each step stops after --step-seconds, the run by itself.

--with-zip runs a task worker beside the server (at nice 10, as the systemd unit does)
that makes a trainer's zip of up to 200 certificates again and again through each
step: the readers' p95 with and without it says whether background work slows them.
--alternate (with --with-zip) turns the zips on and off from step to step, in the order
on, off, off, on, on, off, ... (so that a drift of the machine's load falls on both
alike), waiting for the last zip to finish before an "off" step; give the same number
of users at every step (--steps 20,20,20,20,20,20,20,20). It ends with the readers'
median p95 over the "on" steps and over the "off" steps, and their ratio.
--worker-cpu N (with --with-zip) puts the worker alone on CPU N and everything else
(this script, gunicorn, Locust, PostgreSQL's processes) on the other CPUs, as when the
workers run on machines of their own; PostgreSQL gets every CPU back at the end.
--database names the generated database (default portal_bench_province_<cadres>).

Cadres complete units as they go: a second run on the same database finds fewer units
left (--fresh generates it again).
"""

import argparse
import contextlib
import csv
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _province  # noqa: E402
import _zips  # noqa: E402
from progress import scaled_sizes  # noqa: E402

HERE = Path(__file__).resolve().parent
P95_GOAL_MS = 300
# What cadres read (bench/locustfile.py's names): the pages a background job must not slow.
READER_PAGES = ("my study", "unit page (from a module)")


def plan(users, sign_in_share=0.1):
    """Sessions for ``users`` cadres chosen at random, password sign-ins
    for a share of them, trainers' sessions and the county's modules."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from devtools.generate import BENCH_PASSWORD
    from org.models import Cadre
    from training.models import Module

    wanted = users * 2  # some finish during a run; cycle through twice as many
    cadres = list(
        Cadre.objects.filter(active=True)
        .order_by("?")
        .values_list("user__username", flat=True)[:wanted]
    )
    sign_ins = cadres[: max(1, round(len(cadres) * sign_in_share))]
    # One hash for all: they sign in as people do (the full PBKDF2 cost per sign-in).
    # A last sign-in, so none is sent to change a first password.
    get_user_model().objects.filter(username__in=sign_ins).update(
        password=make_password(BENCH_PASSWORD), last_login=timezone.now()
    )
    county = get_user_model().objects.get(username="bench-trainer-county")
    modules = list(Module.objects.visible_to(county).order_by("pk").values_list("pk", flat=True))
    return {
        "cadres": [_province.session_for(u) for u in cadres[len(sign_ins) :]],
        "sign_ins": sign_ins,
        "password": BENCH_PASSWORD,
        "sign_in_share": sign_in_share,
        "trainers": [_province.session_for("bench-trainer-county") for _ in range(8)],
        "modules": modules[:5],
    }


def locust(host, plan_file, users, seconds, out, locustfile, user_classes=()):
    """One Locust run; the aggregated row of its statistics."""
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(locustfile),
        "--headless",
        "--host",
        host,
        "-u",
        str(users),
        "-r",
        str(max(1, users // 5)),
        "-t",
        f"{seconds}s",
        "--csv",
        str(out),
        "--only-summary",
        # Statistics from the moment every user has started: a step measures the load it
        # holds, not its ramp (where the users who sign in all do so at once).
        "--reset-stats",
        "--loglevel",
        "ERROR",
        *user_classes,
    ]
    env = {**_province.server_env(), "LOAD_PLAN": str(plan_file)}
    subprocess.run(command, cwd=_province.ROOT, env=env, check=False, capture_output=True)
    with open(f"{out}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
        "pages": {
            r["Name"]: float(r["95%"])
            for r in rows
            if r["Name"] not in ("Aggregated", "") and r["95%"] != "N/A"
        },
    }


TRIVIAL_LOCUSTFILE = """
import json, os
from locust import HttpUser, task
PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())
class Trivial(HttpUser):
    def on_start(self):
        self.client.cookies.set("sessionid", PLAN["cadres"][0])
    @task
    def trivial(self):
        self.client.get("/bench/trivial/", name="trivial")
"""


def compare_readers(results):
    """--alternate: each reader page's median p95 over the steps with zips and without."""
    for name in READER_PAGES:
        on = [r["pages"][name] for _u, r, z in results if z and name in r["pages"]]
        off = [r["pages"][name] for _u, r, z in results if not z and name in r["pages"]]
        if on and off:
            with_zip, without = statistics.median(on), statistics.median(off)
            print(
                f"{name}: p95 median {with_zip:.0f} ms with zips ({len(on)} steps), "
                f"{without:.0f} ms without ({len(off)} steps): ratio {with_zip / without:.2f}"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=50_000)
    parser.add_argument("--steps", default="20,40,80,160,320", help="users at each step")
    parser.add_argument("--step-seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--fresh", action="store_true", help="generate the database again")
    parser.add_argument("--database", help="default: portal_bench_province_<cadres>")
    parser.add_argument(
        "--with-zip",
        action="store_true",
        help="a task worker makes certificate zips (up to 200) all through each step",
    )
    parser.add_argument(
        "--zip-priority",
        choices=["idle", "nice"],
        default="idle",
        help="the worker's CPU priority: SCHED_IDLE (default) or nice 10",
    )
    parser.add_argument(
        "--worker-cpu",
        type=int,
        help="with --with-zip: the worker alone on this CPU, the rest (gunicorn, "
        "PostgreSQL, Locust) on the others",
    )
    parser.add_argument(
        "--alternate",
        action="store_true",
        help="with --with-zip: zips on and off from step to step (on, off, off, on, ...)",
    )
    args = parser.parse_args()
    if (args.alternate or args.worker_cpu is not None) and not args.with_zip:
        parser.error("--alternate and --worker-cpu need --with-zip")
    if shutil.which("locust") is None and not (Path(sys.executable).parent / "locust").exists():
        sys.exit("Locust is needed: .venv/bin/pip install -c requirements.lock -e '.[bench]'")
    steps = [int(s) for s in args.steps.split(",")]
    url = _province.province_database(
        args.database or f"portal_bench_province_{args.cadres}",
        args.cadres,
        fresh=args.fresh,
        sizes=scaled_sizes(args.cadres),
    )
    _province.setup_django(url)
    work = Path(tempfile.mkdtemp(prefix="portal-load-"))
    plan_file = work / "plan.json"
    plan_file.write_text(json.dumps(plan(max(steps))), encoding="utf-8")
    trivial_file = work / "trivial_locustfile.py"
    trivial_file.write_text(TRIVIAL_LOCUSTFILE, encoding="utf-8")
    print(
        f"gunicorn {args.workers} sync workers, PostgreSQL, {args.cadres:,} cadres; "
        f"Locust on the same machine, {args.step_seconds} s a step"
    )
    # Plain HTTP on loopback: cookies without the Secure flag, or no CSRF cookie comes back.
    env = _province.server_env(url, DJANGO_SECURE_COOKIES="false")
    zips = contextlib.nullcontext()
    apart = contextlib.nullcontext()
    if args.worker_cpu is not None:
        apart = _zips.cpus_apart(args.worker_cpu)
        print(f"CPUs: the worker on {args.worker_cpu}; gunicorn, PostgreSQL, Locust on the rest")
    with apart:
        if args.with_zip:
            module_pk, county_pk, finished = _zips.target()
            print(f"zips: module {module_pk}, org unit {county_pk}: {finished} certificates each")
            zips = _zips.Zips(
                url, module_pk, county_pk, args.zip_priority, args.alternate, args.worker_cpu
            )
        run_steps(args, steps, env, zips, plan_file, trivial_file, work)


def run_steps(args, steps, env, zips, plan_file, trivial_file, work):
    """The yardstick, then each step's Locust run; the capacity, or with --alternate the
    readers' p95 with zips and without."""
    results = []
    with _province.Gunicorn(env, workers=args.workers) as server, zips:
        yardstick = locust(server.url, plan_file, 20, 15, work / "trivial", trivial_file)
        print(f"yardstick: the trivial view, 20 users without pauses: {yardstick['rps']:.0f} req/s")
        print(f"{'users':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'failed':>7}")
        for i, users in enumerate(steps):
            zipping = args.with_zip and (not args.alternate or i % 4 in (0, 3))
            if args.alternate:
                zips.resume() if zipping else zips.pause()
            r = locust(
                server.url,
                plan_file,
                users,
                args.step_seconds,
                work / f"step_{users}",
                HERE / "locustfile.py",
            )
            results.append((users, r, zipping))
            if args.alternate:
                print(f"  zips {'on' if zipping else 'off'}:")
            print(
                f"{users:>6} {r['rps']:>7.1f} {r['p50']:>6.0f} {r['p95']:>6.0f} "
                f"{r['p99']:>6.0f} {r['failures']:>4}/{r['requests']}"
            )
            slowest = sorted(r["pages"].items(), key=lambda kv: -kv[1])[:3]
            print("        slowest p95: " + ", ".join(f"{n} {ms:.0f} ms" for n, ms in slowest))
            readers = {n: ms for n, ms in r["pages"].items() if n in READER_PAGES}
            print(
                "        readers' p95: "
                + ", ".join(f"{n} {ms:.0f} ms" for n, ms in readers.items())
            )
            if args.with_zip:
                print(f"        zip jobs finished so far (state, certificates, s): {zips.done}")
                print(f"        zip job now (state, done, total): {zips.progress()}")
            if r["p95"] >= P95_GOAL_MS * 2 and not args.alternate:
                break  # well past the goal: a bigger step only queues
    if args.alternate:
        compare_readers(results)
        return
    held = [(u, r) for u, r, _z in results if r["p95"] < P95_GOAL_MS and r["failures"] == 0]
    if held:
        users, r = held[-1]
        print(
            f"capacity: {users} users, {r['rps']:.1f} req/s at p95 {r['p95']:.0f} ms, no failure; "
            f"{r['rps'] / yardstick['rps']:.2f} of the trivial view's throughput"
        )
        # A campaign evening: 50,000 cadres, a fifth reading five units each in two hours.
        # Per unit read: the unit page and the completion, and My study about once per unit.
        needed = 50_000 / 5 * 5 * 3 / 7200
        print(
            f"a province's campaign evening needs about {needed:.0f} req/s: "
            f"{r['rps'] / needed:.1f}x that is held"
        )
    else:
        print("capacity: no step held p95 < 300 ms without failures")


if __name__ == "__main__":
    main()
