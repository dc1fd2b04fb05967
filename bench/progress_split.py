"""Where a county's progress page spends its time: the template, the SQL, the rest.

  .venv/bin/python bench/progress_split.py [--hide] [--repeat 20]

On the generated province of bench/progress.py (made on first use), in this process
through Django's test client with production settings, signed in as the province
trainer: the progress page of the module assigned to the whole province, for the first
county (about 500 cadres); with --hide, one of the module's units scheduled for later
(what the page takes away when it reads). Reports the median time of --repeat requests,
the time inside the template's rendering (queries run lazily while rendering included)
and the time of all SQL, per request, and the number of queries; the empty base page
beside it as the floor of any signed-in page.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _province  # noqa: E402
from progress import scaled_sizes  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--hide", action="store_true", help="one of the module's units hidden")
    args = parser.parse_args()
    url = _province.province_database(
        f"portal_bench_province_{args.cadres}", args.cadres, sizes=scaled_sizes(args.cadres)
    )
    os.environ.update({"DJANGO_DEBUG": "false", "DJANGO_TESTING": "true"})
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    _province.setup_django(url)
    from django.db import connection
    from django.template.backends import django as backend
    from django.test import Client
    from django.utils import timezone

    import bench.wsgi  # noqa: F401 - adds the bench views to the URLs
    from expositions.models import StudyUnit
    from org.models import OrgUnit
    from training.models import Assignment, ModuleUnit

    spent = {"render": 0.0, "sql": 0.0, "queries": 0}
    render = backend.Template.render

    def timed_render(self, *a, **k):
        started = time.perf_counter()
        try:
            return render(self, *a, **k)
        finally:
            spent["render"] += time.perf_counter() - started

    def timed_sql(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["sql"] += time.perf_counter() - started
            spent["queries"] += 1

    backend.Template.render = timed_render
    trainer = Client()
    trainer.cookies["sessionid"] = _province.session_for("bench-trainer-province")
    module = Assignment.objects.filter(org_unit__depth=1).order_by("pk").first().module
    county = OrgUnit.objects.filter(depth=3).order_by("path").first()
    units = list(ModuleUnit.objects.filter(module=module).values_list("unit_id", flat=True))
    hidden = units[len(units) // 2]
    published_at = StudyUnit.objects.get(pk=hidden).published_at
    if args.hide:
        later = timezone.now() + timedelta(days=30)
        StudyUnit.objects.filter(pk=hidden).update(published_at=later)
    try:
        pages = {
            "base page": "/bench/base/",
            "county progress": f"/training/modules/{module.pk}/progress/?org={county.pk}",
        }
        print(f"{args.repeat} requests each; per request:" + (" (one unit hidden)" * args.hide))
        for name, path in pages.items():
            for _ in range(3):
                assert trainer.get(path).status_code == 200, path
            spent.update(render=0.0, sql=0.0, queries=0)
            times = []
            with connection.execute_wrapper(timed_sql):
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    trainer.get(path)
                    times.append(time.perf_counter() - started)
            per = {k: v * 1000 / args.repeat for k, v in spent.items() if k != "queries"}
            print(
                f"  {name:<16} median {statistics.median(times) * 1000:6.1f} ms; "
                f"template {per['render']:5.1f} ms, SQL {per['sql']:5.1f} ms, "
                f"{spent['queries'] / args.repeat:.0f} queries"
            )
    finally:
        StudyUnit.objects.filter(pk=hidden).update(published_at=published_at)


if __name__ == "__main__":
    main()
