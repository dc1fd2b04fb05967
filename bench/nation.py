"""The nation's pages at a million cadres (issue #37), in process, on PostgreSQL.

  make nation                                   # 1,000,000 cadres, 50,000,000 completions
  .venv/bin/python bench/nation.py [--database portal_bench_nation] [--repeat 9] [--json]

On the generated nation (`make nation`: a national org unit, 31 provinces, counties of
about 2,000 cadres), through Django's test client (server time: middleware, queries,
template; bench/load.py measures the same pages under load), on the module assigned
to the whole nation:

- which org units are big (settings.PROGRESS_SNAPSHOT_CADRES) and the time of
  ``rollup_snapshots.recount()``, what the periodic task runs every
  PROGRESS_SNAPSHOT_SECONDS: the stored roll-ups are as old as it takes, at most;
- the national trainer's page, the roll-up by province, read from the stored
  roll-up (its cadre list waiting for a name), and with a name searched for;
- the first province's page (stored) and the county trainer's county (about 2,000
  cadres, counted live, as every node under the threshold is);
- My study for one cadre (bench-cadre);
- the national page counted live, once (no stored roll-up): what it would cost
  without them.

The database is changed: its stored roll-ups are written (and left, counted now).
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _province  # noqa: E402
from rollups import page, print_pages  # noqa: E402


def client_for(username):
    from django.test import Client

    client = Client()
    client.cookies["sessionid"] = _province.session_for(username)
    return client


def measure(repeat):
    from org.models import Cadre, OrgUnit
    from training import rollup_snapshots
    from training.models import Assignment, RollupRow

    nation = OrgUnit.objects.get(depth=1)
    module = Assignment.objects.filter(org_unit=nation).order_by("pk").first().module
    province = OrgUnit.objects.filter(depth=2).order_by("path").first()
    county_trainer = client_for("bench-trainer-county")
    county = OrgUnit.objects.get(trainers__username="bench-trainer-county")
    national = client_for("bench-trainer-nation")
    base = f"/training/modules/{module.pk}/progress/"
    nodes = rollup_snapshots.big_nodes()
    result = {
        "module": module.pk,
        "big_nodes": len(nodes),
        "big_node_levels": sorted({n.level for n in nodes}),
    }
    times = []
    for _ in range(3):
        started = time.perf_counter()
        done = rollup_snapshots.recount()
        times.append(round(time.perf_counter() - started, 1))
    result["recount"] = {"rollups": done["rollups"], "seconds": times}
    pages = {
        "nation, stored": (national, base),
        "nation, stored, a name": (national, f"{base}?q=王"),
        "a province, stored": (national, f"{base}?org={province.pk}"),
        f"a county ({Cadre.objects.in_subtree(county).count():,} cadres), live": (
            county_trainer,
            base,
        ),
    }
    for label, (client, url) in pages.items():
        result[label] = page(client, url, repeat)
    result["my study"] = page(client_for("bench-cadre"), "/training/my-study/", repeat)
    RollupRow.objects.filter(node=nation).delete()
    started = time.perf_counter()
    assert national.get(base).status_code == 200
    result["nation, live (once)"] = round((time.perf_counter() - started) * 1000)
    rollup_snapshots.recount()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="portal_bench_nation")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    _province.setup_django(_province.PG + args.database)
    result = measure(args.repeat)
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"module {result.pop('module')}; big nodes: {result.pop('big_nodes')} "
        f"(levels {result.pop('big_node_levels')}); recount: {result.pop('recount')}"
    )
    print(f"  nation, live (once): {result.pop('nation, live (once)')} ms")
    print_pages(result, width=34)


if __name__ == "__main__":
    main()
