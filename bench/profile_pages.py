"""Where a page's time goes: in this process, through Django's test client (all the
middleware, the view, the template), with production settings, on the generated
province (bench/progress.py).

  .venv/bin/python bench/profile_pages.py [--cadres 50000] [--repeat 200] [--top 12]

For the trivial signed-in view, the empty base page, the unit page (also as reached
from a module, ``?module=``) and My study:
the median time of --repeat requests, its queries (how many, and their time), and a
cProfile of the same requests split into what the database driver took, template
rendering, and the rest (middleware, URL resolution, the view's own Python). Then
the functions that cost the most in each page, beyond the trivial view.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _province  # noqa: E402
from progress import scaled_sizes  # noqa: E402


def pages():
    from expositions.models import StudyUnit

    unit = StudyUnit.objects.published().order_by("pk").first()
    return {
        "trivial": "/bench/trivial/",
        "base page": "/bench/base/",
        "unit page": unit.get_absolute_url(),
        "from module": _province.module_unit_path(),
        "my study": "/training/my-study/",
    }


def cumulative(stats, predicate):
    """Seconds spent in the outermost calls of functions matching ``predicate``."""
    total = 0.0
    for func, (_cc, _nc, _tt, ct, callers) in stats.stats.items():
        if predicate(func) and not any(predicate(caller) for caller in callers):
            total += ct
    return total


def is_db(func):
    """The database driver's own calls (cProfile names C methods by their repr)."""
    return "psycopg2" in func[2] or "sqlite3.Cursor" in func[2]


def is_template(func):
    return func[0].endswith("django/template/base.py") and func[2] == "render"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    url = _province.province_database(
        f"portal_bench_province_{args.cadres}", args.cadres, sizes=scaled_sizes(args.cadres)
    )
    os.environ.update({"DJANGO_DEBUG": "false", "DJANGO_TESTING": "true"})
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    _province.setup_django(url)
    from django.db import connection
    from django.test import Client

    import bench.wsgi  # noqa: F401 - adds the two bench views to the URLs

    client = Client()
    client.cookies["sessionid"] = _province.session_for("bench-cadre")
    results = {}
    for name, path in pages().items():
        for _ in range(20):
            assert client.get(path).status_code == 200, path
        queries = []

        def timed(execute, sql, params, many, context, queries=queries):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries.append(time.perf_counter() - started)

        times = []
        with connection.execute_wrapper(timed):
            for _ in range(args.repeat):
                started = time.perf_counter()
                client.get(path)
                times.append(time.perf_counter() - started)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.repeat):
            client.get(path)
        profile.disable()
        stats = pstats.Stats(profile)
        total = sum(v[3] for k, v in stats.stats.items() if k[2] == "get" and "test/client" in k[0])
        results[name] = {
            "median_ms": statistics.median(times) * 1000,
            "queries": len(queries) / args.repeat,
            "query_ms": sum(queries) * 1000 / args.repeat,
            "db_share": cumulative(stats, is_db) / total,
            "template_share": cumulative(stats, is_template) / total,
            "stats": stats,
        }
    base = results["trivial"]["median_ms"]
    print(f"in-process, {args.repeat} requests each, production settings (DEBUG off)")
    print(
        f"{'page':<10} {'median':>8} {'vs trivial':>10} {'queries':>8} {'query ms':>9} "
        f"{'db':>5} {'templates':>9}"
    )
    for name, r in results.items():
        print(
            f"{name:<10} {r['median_ms']:7.2f}ms {r['median_ms'] / base:9.2f}x "
            f"{r['queries']:8.1f} {r['query_ms']:8.2f} {r['db_share']:5.0%} "
            f"{r['template_share']:8.0%}"
        )
    for name in ("base page", "unit page", "from module", "my study"):
        print(f"\n{name}: where the time is spent (own time, per request; profiled)")
        stats = results[name]["stats"]
        rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)
        for (file, line, func), (_cc, nc, tt, _ct, _callers) in rows[: args.top]:
            where = file.split("site-packages/")[-1].replace(str(_province.ROOT) + "/", "")
            print(
                f"  {tt * 1000 / args.repeat:7.3f} ms  {nc / args.repeat:7.1f} calls  "
                f"{where}:{line} {func}"
            )
        by_package = {}
        for (file, _line, _func), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():
            part = file.split("site-packages/")[-1].split("/")
            key = "/".join(part[:3]) if part[0] == "django" else part[0]
            by_package[key] = by_package.get(key, 0) + tt
        total = sum(by_package.values())
        top = sorted(by_package.items(), key=lambda kv: kv[1], reverse=True)[: args.top]
        print("  by package: " + ", ".join(f"{k} {v / total:.0%}" for k, v in top))


if __name__ == "__main__":
    main()
