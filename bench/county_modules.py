"""The county trainer's progress page of each of their modules, on the generated nation.

  .venv/bin/python bench/county_modules.py [--database portal_bench_nation] [--repeat 5]

In process, through Django's test client (server time: middleware, queries, template),
signed in as bench-trainer-county: the progress page of each of the first five modules
the trainer can see (those the rehearsal's trainers open, bench/cluster_locust.py), at
the trainer's county, median of --repeat after one warm-up; beside it, in the same run,
the portal's empty base page (/bench/base/) as the baseline of any signed-in page, and
each page's ratio to it. Run it from two checkouts one after the other, alternating, to
compare two versions of the code on the same database.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _province  # noqa: E402


def timed(client, url, repeat):
    assert client.get(url).status_code == 200, url
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="portal_bench_nation")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.update({"DJANGO_DEBUG": "false", "DJANGO_TESTING": "true"})
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    _province.setup_django(_province.PG + args.database)
    from django.contrib.auth import get_user_model
    from django.test import Client

    import bench.wsgi  # noqa: F401 - adds the bench views to the URLs
    from training.models import Module

    county = get_user_model().objects.get(username="bench-trainer-county")
    modules = Module.objects.visible_to(county).order_by("pk").values_list("pk", flat=True)
    client = Client()
    client.cookies["sessionid"] = _province.session_for(county.username)
    base = timed(client, "/bench/base/", args.repeat)
    print(f"base page: {base:.1f} ms (median of {args.repeat})")
    for pk in modules[:5]:
        page = timed(client, f"/training/modules/{pk}/progress/", args.repeat)
        print(f"  module {pk}: {page:7.1f} ms, {page / base:5.1f} x the base page")


if __name__ == "__main__":
    main()
