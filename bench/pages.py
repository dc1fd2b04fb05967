"""Benchmark 1: a cadre's pages under load, as ratios measured in one run.

  .venv/bin/python bench/pages.py [--cadres 50000] [--seconds 10] [--connections 32]

gunicorn (2 sync workers, production settings, persistent PostgreSQL connections)
serves the generated province (see bench/progress.py); wrk (Debian package `wrk`)
loads it from 127.0.0.1 with the bench cadre's session cookie. Every page is
rendered for every request (the portal caches no whole pages). Each page runs
twice, interleaved with the others. Reported, as requests/s ratios:

- the empty base page (/bench/base/: the base template, navigation and all, with
  nothing in it) against the trivial signed-in view (/bench/trivial/: the same
  middleware and session lookup, no work; bench/wsgi.py). Goal: >= 0.5.
- the unit page and My study against the empty base page. Goal: >= 0.8. Also the
  unit page as a cadre reaches it from My study ("from module": ``?module=``, with
  the module's place and links), which the goal does not name.

Where the time goes inside a page: bench/profile_pages.py.
"""

import argparse
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _province  # noqa: E402
from progress import scaled_sizes  # noqa: E402


def wrk(url, cookie, seconds, connections):
    out = subprocess.run(  # noqa: S603 - wrk on loopback
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Cookie: sessionid={cookie}",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, float(p99.group(1)) * scale, int(errors.group(1)) if errors else 0


def measure(server, cookie, pages, seconds, connections):
    for name, path in pages.items():
        status = _province.get_status(server.url + path, cookie)
        if status != 200:
            sys.exit(f"{name} answered {status}, not 200: the load would measure nothing")
    for path in pages.values():  # warm every worker and connection
        wrk(server.url + path, cookie, 2, connections)
    runs = {name: [] for name in pages}
    for _round in range(2):
        for name, path in pages.items():
            runs[name].append(wrk(server.url + path, cookie, seconds, connections))
    rates = {name: statistics.median(r[0] for r in results) for name, results in runs.items()}
    against = {"trivial": "trivial", "base page": "trivial"}
    for name, results in runs.items():
        p99 = max(r[1] for r in results)
        errors = sum(r[2] for r in results)
        base = against.get(name, "base page")
        print(
            f"  {name:<11} {rates[name]:8.1f} req/s  p99 {p99:7.1f} ms  non-2xx {errors}  "
            f"ratio {rates[name] / rates[base]:.2f} of {base}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=50_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    url = _province.province_database(
        f"portal_bench_province_{args.cadres}", args.cadres, sizes=scaled_sizes(args.cadres)
    )
    _province.setup_django(url)
    from expositions.models import StudyUnit

    cookie = _province.session_for("bench-cadre")
    unit = StudyUnit.objects.published().order_by("pk").first()
    pages = {
        "trivial": "/bench/trivial/",
        "base page": "/bench/base/",
        "unit page": unit.get_absolute_url(),
        "from module": _province.module_unit_path(),
        "my study": "/training/my-study/",
    }
    print(f"gunicorn 2 sync workers, wrk -c{args.connections} -d{args.seconds}s, 2 rounds")
    with _province.Gunicorn(_province.server_env(url), workers=2) as server:
        measure(server, cookie, pages, args.seconds, args.connections)


if __name__ == "__main__":
    main()
