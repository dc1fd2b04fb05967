"""The latency between hosts in bench/cluster.py where the kernel has no ``tc netem``
(this machine's has only the pfifo, tbf and htb queueing disciplines): the relay of
bench/_delay.c, built here, and the round trip it adds, measured here.

  python bench/_delay.py --rtt 127.0.0.1:16432/portal 10.237.0.11:5432/portal

``--rtt`` times ``SELECT 1`` round trips to each PostgreSQL given (the median of 200 on
one connection). The rehearsal runs it in an app host's namespace, through its relays and
straight to the primary, and reports the difference: the delay actually added (timers and
the relays' own work), not the one asked for.
"""

import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "_delay.c"


def build(directory):
    """The relay, compiled into ``directory``; its path."""
    binary = Path(directory) / "relay"
    subprocess.run(  # noqa: S603, S607 - the machine's C compiler on our own source
        ["cc", "-O2", "-pthread", "-o", str(binary), str(SOURCE)], check=True
    )
    return binary


def round_trips(targets, n=200):
    """The median ``SELECT 1`` round trip, in ms, to each ``host:port/database``."""
    import psycopg2

    medians = {}
    for target in targets:
        address, database = target.split("/")
        host, port = address.split(":")
        conn = psycopg2.connect(host=host, port=port, user="postgres", dbname=database)
        with conn.cursor() as cur:
            times = []
            for _ in range(n):
                started = time.perf_counter()
                cur.execute("SELECT 1")
                cur.fetchone()
                times.append(time.perf_counter() - started)
        conn.close()
        medians[target] = round(statistics.median(times) * 1000, 3)
    return medians


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rtt", nargs="+", required=True, help="host:port/database")
    args = parser.parse_args(argv)
    print(json.dumps(round_trips(args.rtt)))


if __name__ == "__main__":
    main()
