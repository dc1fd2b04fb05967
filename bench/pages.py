"""Benchmark 1: a cadre's pages under load, as a ratio to a trivial signed-in view.

  .venv/bin/python bench/pages.py [--cadres 50000] [--seconds 10] [--connections 32]

gunicorn (2 sync workers, production settings, persistent PostgreSQL connections)
serves the generated province (see bench/progress.py); wrk (Debian package `wrk`)
loads it from 127.0.0.1 with the bench cadre's session cookie. Each page is run
twice, interleaved with the baseline, /bench/trivial/ (bench/wsgi.py: the same
middleware and session lookup, no work); the ratio is page requests/s divided by
the baseline's. Goal: >= 0.5. /bench/base/ (the base template, nothing in it) is
there to show what every page pays before its own content.

Two gunicorns, one after the other: one renders every page (the page cache off: what
a cadre's first view of a page costs), one caches pages per cadre in Redis on
127.0.0.1:6379, database 9, emptied before and after (portal/page_cache.py: what a
repeat view costs; wrk asks for the same page again and again). Before loading the
second, the script checks that a cached page is the rendered page, byte for byte
but for its CSRF tokens.
"""

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import urllib.request
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


REDIS_URL = "redis://127.0.0.1:6379/9"  # a database of its own, emptied first
PLACEHOLDER = re.compile(rb"csrf-[0-9a-f]{32}")
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def fetch(url, cookie):
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return response.read()


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
    base = statistics.median(r[0] for r in runs["trivial"])
    for name, results in runs.items():
        rate = statistics.median(r[0] for r in results)
        p99 = max(r[1] for r in results)
        errors = sum(r[2] for r in results)
        print(
            f"  {name:<11} {rate:8.1f} req/s  p99 {p99:7.1f} ms  non-2xx {errors}  "
            f"ratio {rate / base:.2f}"
        )


def check_cached_pages(server, cookie, pages):
    """A cached page is the page: the same bytes as the first, but for its CSRF tokens."""
    for name in ("unit page", "my study"):
        first, again = (fetch(server.url + pages[name], cookie) for _ in range(2))
        if PLACEHOLDER.search(again) or TOKEN.sub(b"", first) != TOKEN.sub(b"", again):
            sys.exit(f"the cached {name} differs from the page: nothing would be measured")


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
    import redis

    from expositions.models import StudyUnit

    cookie = _province.session_for("bench-cadre")
    unit = StudyUnit.objects.published().order_by("pk").first()
    pages = {
        "trivial": "/bench/trivial/",
        "base page": "/bench/base/",
        "unit page": unit.get_absolute_url(),
        "my study": "/training/my-study/",
    }
    setups = {
        "every page rendered (DJANGO_PAGE_CACHE=false)": {"DJANGO_PAGE_CACHE": "false"},
        "pages cached per cadre, Redis (REDIS_URL)": {"REDIS_URL": REDIS_URL},
    }
    print(f"gunicorn 2 sync workers, wrk -c{args.connections} -d{args.seconds}s, 2 rounds")
    for title, extra in setups.items():
        redis.Redis.from_url(REDIS_URL).flushdb()
        with _province.Gunicorn(_province.server_env(url, **extra), workers=2) as server:
            if "REDIS_URL" in extra:
                check_cached_pages(server, cookie, pages)
            print(title)
            measure(server, cookie, pages, args.seconds, args.connections)
    redis.Redis.from_url(REDIS_URL).flushdb()


if __name__ == "__main__":
    main()
