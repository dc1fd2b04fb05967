"""Benchmark 3: exporting a million completion rows, as a ratio to PostgreSQL's COPY.

  .venv/bin/python bench/export.py [--rows 1000000] [--xlsx-rows 100000]

On the generated province (bench/progress.py), a module is put together (in a
transaction that is rolled back afterwards) from units whose completions add up to
--rows, and assigned to the province. Then, each in a fresh process so that its peak
memory is its own:

- the portal's streamed CSV export of every completion (the progress page's
  "every completion" link), read to the end through Django's test client;
- baseline: `COPY (the same rows) TO STDOUT WITH CSV`, read to the end;
- the Excel export of --xlsx-rows completion rows.

Reported: seconds, rows, ratio CSV/COPY (goal <= 3), and each process's peak
resident memory (goal < 200 MB for the CSV export).
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _province  # noqa: E402
from progress import scaled_sizes  # noqa: E402


class Sink:
    def __init__(self):
        self.bytes = 0
        self.lines = 0

    def write(self, data):
        self.bytes += len(data)
        self.lines += data.count(b"\n" if isinstance(data, bytes) else "\n")


def part(name, rows):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client

    from expositions.models import StudyUnit
    from org.models import OrgUnit
    from training import services
    from training.models import Completion, Module

    province = OrgUnit.objects.get(depth=1)
    counts = (
        Completion.objects.filter(cadre__active=True)  # the export leaves inactive cadres out
        .values("unit_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit_id")
    )
    chosen, total = [], 0
    for row in counts:
        if total >= rows:
            break
        chosen.append(row["unit_id"])
        total += row["n"]
    result = {"part": name}
    with transaction.atomic():
        trainer = get_user_model().objects.get(username="bench-trainer-province")
        module = Module.objects.create(title="bench export", status="active", created_by=trainer)
        units = list(StudyUnit.objects.filter(pk__in=chosen))
        services.module_set_units(module=module, units=units)
        module.assignments.create(org_unit=province, due_on="2099-01-01", assigned_by=trainer)
        started = time.perf_counter()
        if name == "copy":
            # Integers only are formatted in (COPY takes no parameters).
            sql = (
                "COPY (SELECT d.name, u.username, o.name, su.title, c.completed_at "  # noqa: S608
                "FROM training_completion c JOIN training_cadre d ON d.id = c.cadre_id "
                "JOIN auth_user u ON u.id = d.user_id "
                "JOIN training_orgunit o ON o.id = d.org_unit_id "
                "JOIN expositions_studyunit su ON su.id = c.unit_id "
                f"WHERE d.active AND c.unit_id IN ({', '.join(str(int(u)) for u in chosen)}) "
                "ORDER BY c.cadre_id, c.unit_id) TO STDOUT WITH CSV HEADER"
            )
            sink = Sink()
            with connection.cursor() as cursor:
                cursor.copy_expert(sql, sink)
            result["rows"] = sink.lines - 1
        else:
            from training.jobs import work

            # What writing the file costs, whatever its size: above EXCEL_IN_REQUEST_ROWS
            # the page hands it to a background job, which writes it the same way.
            work.EXCEL_IN_REQUEST_ROWS = 10**9
            client = Client()
            client.cookies["sessionid"] = _province.session_for("bench-trainer-province")
            fmt = "xlsx" if name == "xlsx" else "csv"
            url = (
                f"/training/modules/{module.pk}/progress.{fmt}?org={province.pk}&table=completions"
            )
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            sink = Sink()
            for chunk in response.streaming_content:
                sink.write(chunk)
            result["rows"] = sink.lines - 1 if fmt == "csv" else None
            result["bytes"] = sink.bytes
        result["seconds"] = round(time.perf_counter() - started, 2)
        transaction.set_rollback(True)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--cadres", type=int, default=50_000)
    parser.add_argument("--part", choices=["csv", "copy", "xlsx"])
    parser.add_argument("--parts", default="copy,csv,copy,csv,xlsx", help="what to run, in order")
    parser.add_argument("--database", help="default: portal_bench_province_<cadres>")
    args = parser.parse_args()
    database = args.database or f"portal_bench_province_{args.cadres}"
    url = _province.province_database(database, args.cadres, sizes=scaled_sizes(args.cadres))
    if args.part:
        _province.setup_django(url)
        rows = args.xlsx_rows if args.part == "xlsx" else args.rows
        print(json.dumps(part(args.part, rows)))
        return
    results = {}
    for name in args.parts.split(","):
        out = subprocess.run(  # noqa: S603 - this script again, one part per process
            [
                sys.executable,
                __file__,
                "--part",
                name,
                "--rows",
                str(args.rows),
                "--xlsx-rows",
                str(args.xlsx_rows),
                "--cadres",
                str(args.cadres),
                "--database",
                database,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results.setdefault(name, []).append(json.loads(out.strip().splitlines()[-1]))
    best = {name: min(runs, key=lambda r: r["seconds"]) for name, runs in results.items()}
    if "copy" in best:
        copy = best["copy"]
        print(
            f"COPY TO STDOUT : {copy['rows']:>9,} rows in {copy['seconds']:6.2f} s, "
            f"peak RSS {copy['peak_rss_mb']} MB (best of {len(results['copy'])})"
        )
    if "csv" in best:
        csv_ = best["csv"]
        ratio = f" -> ratio {csv_['seconds'] / copy['seconds']:.2f}" if "copy" in best else ""
        print(
            f"portal CSV     : {csv_['rows']:>9,} rows in {csv_['seconds']:6.2f} s, "
            f"peak RSS {csv_['peak_rss_mb']} MB (best of {len(results['csv'])}){ratio}"
        )
    if "xlsx" in best:
        xlsx = best["xlsx"]
        print(
            f"portal Excel   : {args.xlsx_rows:>9,}+ rows in {xlsx['seconds']:6.2f} s, "
            f"{xlsx['bytes']:,} bytes, peak RSS {xlsx['peak_rss_mb']} MB "
            f"(best of {len(results['xlsx'])})"
        )


if __name__ == "__main__":
    main()
