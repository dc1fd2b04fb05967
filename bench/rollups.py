"""The stored roll-ups of big org units (issue #37) at province scale, on PostgreSQL.

  .venv/bin/python bench/rollups.py --database snap_province [--repeat 9] [--json]

On a copy of a generated province (made with `createdb -T portal_bench_province_50000`
and migrated; the copy is changed: its stored roll-ups are written and deleted), signed
in as the province trainer, on the module assigned to the whole province:

- which nodes are big (settings.PROGRESS_SNAPSHOT_CADRES) and the recount's time
  (``manage.py recount_rollups``, what the periodic task runs);
- the province's progress page counted live (no stored roll-up: what every node
  showed before) and read from the stored roll-up, with its cadre list waiting for a
  name; the same with a name searched for; a county's page (counted live in both).
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _province  # noqa: E402


def page(trainer, url, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert trainer.get(url).status_code == 200
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        trainer.get(url)
    query_count = len(queries)  # before the next request clears the log
    median, worst = _province.timed(lambda: trainer.get(url), repeat)
    return {"median_ms": round(median, 1), "worst_ms": round(worst, 1), "queries": query_count}


def measure(repeat):
    import time

    from django.test import Client

    from org.models import OrgUnit
    from training import rollup_snapshots
    from training.models import Assignment, RollupRow

    trainer = Client()
    trainer.cookies["sessionid"] = _province.session_for("bench-trainer-province")
    module = Assignment.objects.filter(org_unit__depth=1).order_by("pk").first().module
    province = OrgUnit.objects.get(depth=1)
    county = OrgUnit.objects.filter(depth=3).order_by("path").first()
    base = f"/training/modules/{module.pk}/progress/"
    result = {"big_nodes": [n.code for n in rollup_snapshots.big_nodes()]}
    RollupRow.objects.all().delete()
    result["province, live"] = page(trainer, f"{base}?org={province.pk}", repeat)
    result["county, live"] = page(trainer, f"{base}?org={county.pk}", repeat)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        done = rollup_snapshots.recount()
        times.append(round((time.perf_counter() - started) * 1000))
    result["recount"] = {"rollups": done["rollups"], "ms": times}
    result["province, stored"] = page(trainer, f"{base}?org={province.pk}", repeat)
    result["province, stored, a name"] = page(trainer, f"{base}?org={province.pk}&q=王", repeat)
    result["county, after"] = page(trainer, f"{base}?org={county.pk}", repeat)
    RollupRow.objects.all().delete()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a migrated copy of a province")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    _province.setup_django(_province.PG + args.database)
    result = measure(args.repeat)
    if args.json:
        print(json.dumps(result))
        return
    print(f"big nodes: {result.pop('big_nodes')}; recount: {result.pop('recount')}")
    print_pages(result)


def print_pages(result, width=26):
    """One line per page of ``result``: {label: page()'s figures}."""
    for label, r in result.items():
        print(
            f"  {label:<{width}}: median {r['median_ms']:7.1f} ms, worst {r['worst_ms']:7.1f} ms, "
            f"{r['queries']} queries"
        )


if __name__ == "__main__":
    main()
