"""Benchmark: deciding every cadre's reminder stage at province scale, on PostgreSQL.

  .venv/bin/python bench/reminders.py [--cadres 50000] [--fresh] [--drop] [--send]

A generated province (portal_bench_reminders: 50,000 cadres, 20 modules, 1,863
assignments at every level, 2.5 million completions) is made on first use; every
cadre is given an email address. Each measurement runs in a fresh process (its peak
RSS is its own), through ``training.reminders.stages.plan``, the decision a run of
``manage.py send_reminders`` makes before it sends anything:

- decide for everyone, nothing sent yet (the first run: every cadre is owed a mail);
- the same over the cadres of the first quarter of the ids only: memory that does not
  grow with the province is the same for a quarter and for all;
- with ``--send``: the whole run with Django's dummy mail backend (each cadre's
  transaction, its stage rows, a rendered mail), then deciding again once everything
  is sent (the daily run: almost nothing is owed).

Reported: seconds, digests, items, the process's peak RSS and what it had after
Django's set-up (MB). Then what a cadre's notices cost (bench-cadre, median of 50
after a warm-up, and queries): read alone (a session's first page, for the header's
count) and from what My study reads anyway. ``--drop`` drops the database at the end.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _province  # noqa: E402

NAME = "portal_bench_reminders"


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def measure(kind, quarter):
    """One measurement in this process; prints its figures as JSON."""
    from training.reminders import stages

    if quarter:
        from org.models import Cadre

        ids = Cadre.objects.order_by("pk").values_list("pk", flat=True)
        last = ids[ids.count() // 4]
        everyone = stages.eligible_cadres
        stages.eligible_cadres = lambda: everyone().filter(pk__lt=last)
    before = peak_mb()
    started = time.perf_counter()
    if kind == "send":
        from django.conf import settings

        from training.reminders import send_due_reminders

        settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
        result = send_due_reminders(base="https://study.example.gov.cn")
        figures = {"sent": result.sent, "failed": result.failed}
    else:
        digests = items = 0
        for digest in stages.plan():
            digests += 1
            items += len(digest.items)
        figures = {"digests": digests, "items": items}
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": round(seconds, 1),
                "rss_start": round(before),
                "rss_peak": round(peak_mb()),
                **figures,
            }
        )
    )


def notices_cost():
    """Median milliseconds of reading bench-cadre's notices alone (a session's first
    page, for the header's count), of ``my_modules`` (what My study reads anyway) and
    of the notices from what ``my_modules`` read (what My study adds), with queries."""
    import statistics

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from org.models import Cadre
    from training.my_study import my_modules
    from training.reminders.notices import notices_for

    cadre = Cadre.objects.select_related("org_unit").get(user__username="bench-cadre")
    modules = my_modules(cadre)
    figures = {}
    for name, read in (
        ("notices alone", lambda: notices_for(cadre)),
        ("my_modules", lambda: my_modules(cadre)),
        ("notices from my_modules", lambda: notices_for(cadre, known=modules)),
    ):
        read()
        times = []
        for _ in range(50):
            started = time.perf_counter()
            read()
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            read()
        figures[name] = [round(statistics.median(times), 1), len(queries)]
    figures["notices"] = len(notices_for(cadre))
    print(json.dumps(figures))


def run(url, kind, quarter=False):
    args = [sys.executable, __file__, "--measure", kind, "--url", url]
    out = subprocess.run(  # noqa: S603 - this script, in a fresh process
        args + (["--quarter"] if quarter else []), capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=50_000)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--drop", action="store_true")
    parser.add_argument("--send", action="store_true")
    parser.add_argument("--measure", choices=["decide", "send", "notices"])
    parser.add_argument("--url")
    parser.add_argument("--quarter", action="store_true")
    args = parser.parse_args()
    if args.measure:
        _province.setup_django(args.url)
        notices_cost() if args.measure == "notices" else measure(args.measure, args.quarter)
        return
    url = _province.province_database(NAME, args.cadres, fresh=args.fresh)
    _province.psql(
        "UPDATE auth_user SET email = username || '@example.org' WHERE email = ''"
        " AND id IN (SELECT user_id FROM training_cadre)",
        NAME,
    )
    _province.psql("DELETE FROM reminders_sentstage", NAME)
    rows = [("decide, nothing sent yet", run(url, "decide"))]
    rows.append(("decide, first quarter of the cadres", run(url, "decide", quarter=True)))
    if args.send:
        rows.append(("send everything (dummy mail backend)", run(url, "send")))
        rows.append(("decide, everything sent", run(url, "decide")))
    print(f"{'measurement':40} {'s':>6} {'digests':>8} {'items':>8} {'RSS start':>10} {'peak':>6}")
    for label, r in rows:
        print(
            f"{label:40} {r['seconds']:>6} {r.get('digests', r.get('sent', '')):>8} "
            f"{r.get('items', ''):>8} {r['rss_start']:>10} {r['rss_peak']:>6}"
        )
    cost = run(url, "notices")
    print(f"bench-cadre ({cost.pop('notices')} notices), median ms and queries:")
    for name, (ms, queries) in cost.items():
        print(f"  {name:26} {ms:>6} ms {queries:>3} queries")
    if args.drop:
        _province.psql(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
