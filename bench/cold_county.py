"""The county trainer's progress page read cold, with and without index-only scans of
the progress table (issue #37), on a generated nation (`make nation`).

  sudo .venv/bin/python bench/cold_county.py [--database portal_bench_nation] [--rounds 3]

Cold means what a page meets when its rows are not in memory (a busy database far
larger than its memory, as the rehearsal's 15 GB primary and replica on one machine):
before each cold read this machine's PostgreSQL is restarted (its shared buffers
emptied) and the kernel's page cache dropped (root). Then the page once (cold: the
process has served it once before, so that Python's own first-request costs are not
counted), and the median of 9 after it (warm). Blocks read from outside PostgreSQL's buffers come
from pg_statio_user_tables and pg_statio_user_indexes (reset after the restart).

Two modes, alternating round by round: index-only scans allowed (the covering index
``progress_module_cadre_done`` read alone), and forbidden on the page's connection
(``-c enable_indexonlyscan=off`` added to its options: the same index, then the
table's row of every cadre), which is how the page read before that index. Each mode
runs in a process of its own.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _province  # noqa: E402

TABLES = ("training_progress", "training_cadre", "training_orgunit", "training_assignment")


def cold_reset(database):
    """PostgreSQL restarted (its buffers emptied), the kernel's page cache dropped,
    the read statistics reset."""
    cluster = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(  # noqa: S603,S607 - this machine's own cluster
        ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"], check=True
    )
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("3\n")
    for _ in range(30):
        ready = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False)  # noqa: S607
        if ready.returncode == 0:
            break
        time.sleep(1)
    _province.psql("SELECT pg_stat_reset()", database=database)


def blocks_read(database):
    """{relation: blocks read from outside shared buffers} of the tables read here and
    their indexes."""
    names = ", ".join(f"'{t}'" for t in TABLES)
    sql = (
        f"SELECT relname, heap_blks_read FROM pg_statio_user_tables WHERE relname IN ({names}) "  # noqa: S608
        f"UNION ALL SELECT indexrelname, idx_blks_read FROM pg_statio_user_indexes "
        f"WHERE relname IN ({names}) AND idx_blks_read > 0"
    )
    out = subprocess.run(  # noqa: S603,S607 - fixed psql call on loopback
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAF", "\t", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = (line.split("\t") for line in out.splitlines() if line.strip())
    return {name: int(n) for name, n in rows if int(n)}


def one_mode(database, options):
    """In this process: the page cold once, then warm; printed as JSON."""
    _province.setup_django(_province.PG + database)
    from django.db import connections

    settings = connections["default"].settings_dict.setdefault("OPTIONS", {})
    settings["options"] = f"{settings.get('options', '')} {options}".strip()
    from django.test import Client

    from org.models import Cadre, OrgUnit
    from training.models import Assignment

    nation = OrgUnit.objects.get(depth=1)
    module = Assignment.objects.filter(org_unit=nation).order_by("pk").first().module_id
    county = OrgUnit.objects.get(trainers__username="bench-trainer-county")
    cadres = Cadre.objects.in_subtree(county).count()
    client = Client()
    client.cookies["sessionid"] = _province.session_for("bench-trainer-county")
    url = f"/training/modules/{module}/progress/"
    assert client.get(url).status_code == 200  # Python's first request: templates, URLs
    connections.close_all()
    cold_reset(database)
    started = time.perf_counter()
    assert client.get(url).status_code == 200
    cold_ms = (time.perf_counter() - started) * 1000
    connections.close_all()  # a session's statistics reach the views when it ends
    time.sleep(1.5)
    read = blocks_read(database)
    warm, _worst = _province.timed(lambda: client.get(url), 9)
    progress = {name: n for name, n in read.items() if "progress" in name}
    result = {"cadres": cadres, "cold_ms": round(cold_ms), "warm_ms": round(warm, 1)}
    print(json.dumps(result | {"blocks_read": sum(read.values()), "progress": progress}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="portal_bench_nation")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one-mode", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_mode is not None:
        one_mode(args.database, args.one_mode)
        return
    if os.geteuid() != 0:
        sys.exit("run as root: it restarts PostgreSQL and drops the page cache")
    modes = {"index-only scans": "", "no index-only scans": "-c enable_indexonlyscan=off"}
    results = {mode: [] for mode in modes}
    for _ in range(args.rounds):
        for mode, options in modes.items():
            out = subprocess.run(  # noqa: S603 - this script again, one mode
                [sys.executable, __file__, "--database", args.database, f"--one-mode={options}"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            result = json.loads(out.strip().splitlines()[-1])
            results[mode].append(result)
            print(f"{mode:<20} {json.dumps(result)}", flush=True)
    for mode, runs in results.items():
        cold = statistics.median(r["cold_ms"] for r in runs)
        warm = statistics.median(r["warm_ms"] for r in runs)
        progress = statistics.median(sum(r["progress"].values()) for r in runs)
        print(
            f"{mode:<20} county of {runs[0]['cadres']:,} cadres: cold {cold:.0f} ms, "
            f"warm {warm:.1f} ms (medians of {len(runs)}); progress table and its "
            f"indexes: {progress:.0f} blocks read cold"
        )


if __name__ == "__main__":
    main()
