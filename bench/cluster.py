"""The national deployment rehearsed on one machine (issue #37): `make rehearsal`.

  .venv/bin/pip install -c requirements.lock -e '.[bench]'   # Locust, once
  apt-get install -y pgbouncer redis-server gcc               # once (gcc: bench/_delay.c)
  sudo .venv/bin/python bench/cluster.py [--cadres 20000] [--completions 1000000]
       [--sequences 1000] [--users 80] [--seconds 60] [--warmup-seconds 60] [--lag 5]
       [--pool pgbouncer|direct|both]
       [--drills] [--limit-minutes 40]

Linux network namespaces stand for hosts on one bridge (10.237.0.0/24, named cl-*):

  cl-db1   PostgreSQL 15 primary (initdb in a temporary directory)
  cl-db2   its streaming replica (pg_basebackup -R), held --lag seconds behind
           (recovery_min_apply_delay)
  cl-pool  PgBouncer, transaction mode, in front of both (--pool pgbouncer)
  cl-cache Redis, the shared cache
  cl-app1, cl-app2  gunicorn (production settings, --workers sync workers each)
  cl-work  the task worker (manage.py run_worker)

Each host's traffic to the others is delayed --latency-ms each way: by tc netem where the
kernel has it, else by a relay in each app host's, the worker's and the pooler's namespace
(bench/_delay.c), whose added round trip is measured and reported. The driver (this
script, Locust) runs outside, as the users' side of a load balancer, without delay.
Then, in order:

1. read-your-writes: --sequences cadres each open My study, open the next unit,
   mark it complete, and reload the unit page and My study; counted: the reloads that
   show the completion. Then the same with DJANGO_REPLICA_PIN_SECONDS=0 (no sticky
   cookie) on fresh cadres: the control, which should show the replica's lag.
2. the mixed load (bench/cluster_locust.py: cadres and trainers on both app hosts),
   after --warmup-seconds of it on the app hosts just started (reported apart: the
   workers' first requests and the replica's cold buffers are not what a deployment
   serves all day), sampling pg_stat_activity on the primary and the replica for the peak of
   connections; with --pool both, once through PgBouncer and once with Django's
   persistent connections straight to the databases.
3. --drills: the load again, and during it app host 1's gunicorn killed (SIGKILL),
   the replica restarted, the pooler filled (every server connection held by a
   sleeping transaction); errors counted by window, then every confirmed completion
   looked up in the database, duplicates counted, `manage.py verify_progress` run.

It stops by itself (--limit-minutes, then SIGALRM) and on SIGINT/SIGTERM/SIGHUP, and
removes everything it made: processes, databases, namespaces, the bridge, the temporary
directory (bench/_hosts.py). The figures go to stdout and, as JSON, to --out.
"""

import argparse
import json
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _cluster_run  # noqa: E402
import _hosts  # noqa: E402

HOSTS = {"db1": 11, "db2": 12, "pool": 13, "cache": 14, "app1": 21, "app2": 22, "work": 23}


def _stop(signum, frame):
    raise SystemExit(f"stopped by signal {signal.Signals(signum).name}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cadres", type=int, default=20_000)
    parser.add_argument("--completions", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per app host")
    parser.add_argument("--sequences", type=int, default=1000)
    parser.add_argument("--control-sequences", type=int, default=None)
    parser.add_argument("--users", type=int, default=80)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--warmup-seconds",
        type=int,
        default=60,
        help="the same load first, on the app hosts just started, reported apart",
    )
    parser.add_argument("--lag", type=float, default=5.0, help="replica apply delay, s")
    parser.add_argument("--pin-seconds", type=int, default=15)
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.5,
        help="each way: tc netem where the kernel has it, else relays (bench/_delay.c)",
    )
    parser.add_argument("--pool", choices=["pgbouncer", "direct", "both"], default="pgbouncer")
    parser.add_argument("--rounds", type=int, default=1, help="of the load, each pool mode")
    parser.add_argument("--pool-size", type=int, default=20, help="PgBouncer per database")
    parser.add_argument("--drills", action="store_true")
    parser.add_argument(
        "--no-feedback", dest="feedback", action="store_false", help="hot_standby_feedback off"
    )
    parser.add_argument(
        "--from-database",
        help="copy this database of the machine's own PostgreSQL (127.0.0.1:5432) instead "
        "of generating one, e.g. portal_bench_nation (make nation); --cadres is then unused",
    )
    parser.add_argument(
        "--national-seconds",
        type=int,
        default=0,
        help="read the national roll-up every 5 s for this long (a generated nation)",
    )
    parser.add_argument(
        "--snapshot-seconds",
        type=int,
        default=60,
        help="DJANGO_PROGRESS_SNAPSHOT_SECONDS: how often the stored roll-ups are recounted",
    )
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--limit-minutes", type=float, default=40)
    parser.add_argument("--out", default="bench/cluster-results.json")
    args = parser.parse_args(argv)
    if args.control_sequences is None:
        args.control_sequences = args.sequences

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGALRM):
        signal.signal(signum, _stop)
    signal.alarm(int(args.limit_minutes * 60))
    hosts = _hosts.Hosts(HOSTS, latency_ms=args.latency_ms)
    results = {"args": vars(args), "started": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())}
    results["commit"] = _hosts.sh("git", "rev-parse", "--short", "HEAD", check=False).stdout.strip()
    try:
        _cluster_run.Rehearsal(hosts, args, results).run()
    finally:
        signal.alarm(0)
        hosts.down()
        results["left_behind"] = _hosts.ours()
        Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False))
        print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
