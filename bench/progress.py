"""Benchmark 2: the trainer's progress page at province scale, on PostgreSQL.

  .venv/bin/python bench/progress.py [--cadres 50000] [--repeat 9] [--fresh] [--json] [--debug]

A generated province (portal_bench_province_<cadres>: 11 cities, 120 counties,
1,400 townships, the cadres, 2.5 million completions at 50,000 cadres) is made on
first use. Measured in this process through Django's test client (server time:
middleware, queries, template), for the province and for one county, signed in as
the province trainer, on the module assigned to the whole province:

- the roll-up page (median and worst of --repeat) and its query count;
- My study for one cadre (bench-cadre);
- the roll-up counted live: the stored roll-ups (training.rollup_snapshots) are
  deleted first; then the province's page once more after a recount, reading them
  ("stored roll-up"), as a deployment's periodic task keeps them;
- the roll-up again with one of the module's units scheduled for later ("hidden"):
  the stored totals count every unit and the page takes away the completions of
  hidden units when it reads (training.progress_store), so this is what that costs;
- baseline, in the same run: the database's own best on-the-fly answer to the
  roll-up's question, one raw GROUP BY counting completions per child org unit.

The pages run with production settings (DEBUG off), as a deployment serves them and
as bench/progress_split.py and the load tests measure them. Before 2026-12-07 this
script ran with the development default, DEBUG on, which logs every query and keeps
the templates' debug information; --debug measures that way again, for comparison
with the figures of bench/RESULTS.md from before.
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _province  # noqa: E402


def measure(repeat):
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from expositions.models import StudyUnit
    from org.models import Cadre, OrgUnit
    from training import rollup_snapshots
    from training.models import Assignment, Completion, ModuleUnit, RollupRow

    trainer = Client()
    trainer.cookies["sessionid"] = _province.session_for("bench-trainer-province")
    cadre = Client()
    cadre.cookies["sessionid"] = _province.session_for("bench-cadre")
    module = Assignment.objects.filter(org_unit__depth=1).order_by("pk").first().module
    province = OrgUnit.objects.get(depth=1)
    county = OrgUnit.objects.filter(depth=3).order_by("path").first()
    units = list(ModuleUnit.objects.filter(module=module).values_list("unit_id", flat=True))

    def raw_group_by(node):
        sql = (
            "SELECT SUBSTRING(o.path, 1, %s), COUNT(*) FROM training_completion c "
            "JOIN training_cadre d ON d.id = c.cadre_id "
            "JOIN training_orgunit o ON o.id = d.org_unit_id "
            "WHERE o.path LIKE %s AND c.unit_id = ANY(%s) GROUP BY 1"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [len(node.path) + 4, node.path + "%", units])
            return cursor.fetchall()

    result = {
        "cadres": Cadre.objects.count(),
        "completions": Completion.objects.count(),
        "module_units": len(units),
    }
    hidden = units[len(units) // 2]
    published_at = StudyUnit.objects.get(pk=hidden).published_at
    later = timezone.now() + timedelta(days=30)
    scenarios = [("province", province, None), ("county", county, None)]
    scenarios += [("province, one unit hidden", province, later)]
    scenarios += [("county, one unit hidden", county, later)]
    scenarios += [("province, stored roll-up", province, None)]
    # Counted live first: a recount run on this database before (by hand, or a worker)
    # would leave stored roll-ups, which the page of a big org unit reads instead.
    RollupRow.objects.all().delete()
    for label, node, hide_until in scenarios:
        StudyUnit.objects.filter(pk=hidden).update(published_at=hide_until or published_at)
        if label.endswith("stored roll-up"):
            rollup_snapshots.recount()  # as the periodic task keeps them
        url = f"/training/modules/{module.pk}/progress/?org={node.pk}"
        assert trainer.get(url).status_code == 200
        connection.queries_log.clear()  # a full log (9,000 entries) would count nothing
        with CaptureQueriesContext(connection) as queries:
            trainer.get(url)
        query_count = len(queries)  # before the next request clears the log
        median, worst = _province.timed(lambda url=url: trainer.get(url), repeat)
        base_median, base_worst = _province.timed(lambda node=node: raw_group_by(node), repeat)
        result[label] = {
            "cadres": Cadre.objects.filter(org_unit__path__startswith=node.path).count(),
            "median_ms": round(median, 1),
            "worst_ms": round(worst, 1),
            "queries": query_count,
            "raw_group_by_median_ms": round(base_median, 1),
            "ratio_to_raw_group_by": round(median / base_median, 2),
        }
    StudyUnit.objects.filter(pk=hidden).update(published_at=published_at)
    RollupRow.objects.all().delete()  # none left for the pages measured next, nor for a later run
    result.update(measure_hours(trainer, province, county, repeat))
    assert cadre.get("/training/my-study/").status_code == 200
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        cadre.get("/training/my-study/")
    query_count = len(queries)  # before the next request clears the log
    median, worst = _province.timed(lambda: cadre.get("/training/my-study/"), repeat)
    result["my_study"] = {
        "median_ms": round(median, 1),
        "worst_ms": round(worst, 1),
        "queries": query_count,
    }
    return result


def measure_hours(trainer, province, county, repeat):
    """The trainers' study-hour page (/training/hours/) for each shipped requirement, at
    province and county, against the raw aggregate it rests on: one GROUP BY summing
    each cadre's 学时 of the year (units completed plus approved claims)."""
    from datetime import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from expositions.models import StudyUnit
    from org.models import Cadre, OrgUnit
    from training.models import Completion, Requirement, TrainingClaim

    year = timezone.localdate().year
    tables = {
        "org": OrgUnit._meta.db_table,
        "completion": Completion._meta.db_table,
        "unit": StudyUnit._meta.db_table,
        "cadre": Cadre._meta.db_table,
        "claim": TrainingClaim._meta.db_table,
    }

    def raw_aggregate(node, requirement):
        """Each active cadre of ``node``'s subtree who owes the requirement, with their
        学时 toward it: the answer the page turns into its two tables."""
        years = requirement.years(year)
        kinds = {"online": ["online"], "training": ["training"], "total": ["online", "training"]}
        claim_kinds = kinds[requirement.kind]
        online = "0" if requirement.kind == "training" else "COALESCE(o.h, 0)"
        category = "" if requirement.category == "all" else "AND d.category = %s "
        # Only table names from _meta are formatted in; every value is a parameter.
        sql = (
            f"SELECT d.id, {online} + COALESCE(t.h, 0) FROM {tables['cadre']} d "  # noqa: S608
            f"JOIN {tables['org']} g ON g.id = d.org_unit_id "
            f"LEFT JOIN (SELECT c.cadre_id, SUM(u.credit_hours) h FROM {tables['completion']} c "
            f"JOIN {tables['unit']} u ON u.id = c.unit_id WHERE c.completed_at >= %s "
            "AND c.completed_at < %s GROUP BY 1) o ON o.cadre_id = d.id "
            f"LEFT JOIN (SELECT cadre_id, SUM(hours) h FROM {tables['claim']} "
            "WHERE status = 'approved' AND kind = ANY(%s) AND end_on >= %s AND end_on < %s "
            "GROUP BY 1) t ON t.cadre_id = d.id "
            f"WHERE d.active AND g.path LIKE %s {category}"
        )
        first = timezone.make_aware(datetime(years[0], 1, 1))
        after = timezone.make_aware(datetime(years[-1] + 1, 1, 1))
        params = [first, after, claim_kinds, first.date(), after.date(), node.path + "%"]
        if category:
            params.append(requirement.category)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    result = {}
    for requirement in Requirement.objects.order_by("order", "pk"):
        for label, node in (("province", province), ("county", county)):
            url = f"/training/hours/?requirement={requirement.pk}&org={node.pk}&year={year}"
            assert trainer.get(url).status_code == 200
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as queries:
                trainer.get(url)
            query_count = len(queries)  # before the next request clears the log
            median, worst = _province.timed(lambda url=url: trainer.get(url), repeat)
            base, _worst = _province.timed(
                lambda node=node, r=requirement: raw_aggregate(node, r), repeat
            )
            result[f"hours {label}: {requirement.name_en}"] = {
                "median_ms": round(median, 1),
                "worst_ms": round(worst, 1),
                "queries": query_count,
                "raw_aggregate_median_ms": round(base, 1),
                "ratio_to_raw_aggregate": round(median / base, 2),
            }
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--fresh", action="store_true", help="generate the database again")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--debug", action="store_true", help="development settings (DEBUG on), as before 12-07"
    )
    args = parser.parse_args()
    sizes = scaled_sizes(args.cadres)
    url = _province.province_database(
        f"portal_bench_province_{args.cadres}", args.cadres, args.fresh, sizes
    )
    if not args.debug:
        # Production settings; static files from the finders (nothing is collected) and
        # no redirect to HTTPS (the test client speaks plain HTTP).
        os.environ.update({"DJANGO_DEBUG": "false", "DJANGO_TESTING": "true"})
        os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    _province.setup_django(url)
    result = measure(args.repeat)
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{result['cadres']:,} cadres, {result['completions']:,} completions; "
        f"module of {result['module_units']} units assigned to the province"
    )
    for label in [k for k in result if k.startswith(("province", "county"))]:
        r = result[label]
        print(
            f"  {label:<26} ({r['cadres']:>6,} cadres): median {r['median_ms']:7.1f} ms, "
            f"worst {r['worst_ms']:7.1f} ms, {r['queries']} queries; raw GROUP BY "
            f"{r['raw_group_by_median_ms']:.1f} ms -> ratio {r['ratio_to_raw_group_by']}"
        )
    for label in [k for k in result if k.startswith("hours ")]:
        r = result[label]
        print(
            f"  {label[:60]:<60}: median {r['median_ms']:7.1f} ms, worst "
            f"{r['worst_ms']:7.1f} ms, {r['queries']} queries; raw aggregate "
            f"{r['raw_aggregate_median_ms']:.1f} ms -> ratio {r['ratio_to_raw_aggregate']}"
        )
    r = result["my_study"]
    print(
        f"  my study : median {r['median_ms']:.1f} ms, worst {r['worst_ms']:.1f} ms, "
        f"{r['queries']} queries"
    )


def scaled_sizes(cadres):
    """The province's shape scaled to ``cadres`` (50,000 is the full province)."""
    share = cadres / 50_000
    townships = max(12, round(1400 * share))
    counties = max(4, min(120, round(120 * share)))
    cities = max(2, min(11, round(11 * share)))
    return [
        "--cities",
        str(cities),
        "--counties",
        str(counties),
        "--townships",
        str(townships),
        "--completions",
        str(round(2_500_000 * share)),
    ]


if __name__ == "__main__":
    main()
