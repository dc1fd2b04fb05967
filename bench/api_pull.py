"""Benchmark: the province's system pulls every 学时 record through the API (issue #36).

  .venv/bin/python bench/api_pull.py [--cadres 50000] [--completions N] [--page-size 1000]
                                     [--workers 2] [--fresh] [--database api_bench_province]
                                     [--scope CODE]

On a generated province (PostgreSQL; 11 cities, 120 counties, 1,400 townships, the
cadres, 2.5 million completions at 50,000 cadres; made on first use, ~2 min), with a
read token scoped at the province, against gunicorn on 127.0.0.1 (production
settings), one client over HTTP:

1. the whole pull: every completion, every 学时 row (cadre, year) and every certificate,
   following ``next`` at --page-size; the time of it all, and p50/p95/worst per page
   (the client's clock: request, response, JSON parsed);
2. baseline, in the same run: the same rows read straight from the database by the ORM
   (values_list in (updated_at, id) order, in chunks), with no HTTP, no JSON, no
   scope: the ratio is what the API costs over reading the rows;
3. 100 changes, made through the services as the portal makes them: 50 new
   completions, 49 undone (one of them counted in an annual certificate, which it
   revokes); then an ``?updated_since=`` pull of completions, deletions and
   certificates must return exactly those 100 records, and one of 学时 exactly the
   (cadre, year) rows they touched.

The rate limit is raised for the run (DJANGO_API_RATE_LIMIT): this measures the API,
not its limit (3,000 a minute by default: a pull at this speed stays under it).
"""

import argparse
import http.client
import json
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _province  # noqa: E402

RECORDS = ("completions", "hours", "certificates")


def get(url, secret):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    conn.request(
        "GET",
        parts.path + ("?" + parts.query if parts.query else ""),
        headers={"Authorization": f"Bearer {secret}", "Accept": "application/json"},
    )
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status == 429:
        time.sleep(int(response.getheader("Retry-After", "1")))
        return get(url, secret)
    if response.status != 200:
        sys.exit(f"GET {url}: {response.status} {body[:300]!r}")
    return json.loads(body)


def pull(base, secret, resource, **params):
    """Every record of a list: (records, [seconds per page])."""
    url = f"{base}/api/v1/{resource}/?{urlencode(params)}"
    records, pages = [], []
    while url:
        started = time.perf_counter()
        page = get(url, secret)
        pages.append(time.perf_counter() - started)
        records += page["results"]
        url = page["next"]
    return records, pages


def baseline(scope):
    """The same rows as the pull (the cadres of the org unit ``scope``), read by the
    ORM in (updated_at, id) order."""
    from training.models import Certificate, Completion, HoursYear

    started = time.perf_counter()
    rows = 0
    for model, fields in (
        (Completion, ("id", "cadre_id", "unit_id", "unit__slug", "completed_at", "credit_hours")),
        (HoursYear, ("id", "cadre_id", "year", "online", "training")),
        (Certificate, ("id", "code", "cadre_id", "hours", "revoked_at")),
    ):
        query = model.objects.filter(cadre__org_unit__path__startswith=scope.path)
        query = query.order_by("updated_at", "id").values_list(*fields, "updated_at")
        rows += sum(1 for _ in query.iterator(chunk_size=1000))
    return time.perf_counter() - started, rows


def token(scope):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from api.models import ApiToken

    user, _ = get_user_model().objects.get_or_create(username="bench-province-system")
    made = ApiToken(
        name="bench: province pull",
        user=user,
        org_unit=scope,
        expires_at=timezone.now() + timedelta(days=1),
    )
    secret = made.issue()
    made.save()
    return secret


def make_changes(scope):
    """50 new completions and 49 undone, one of which revokes an annual certificate
    issued before: the 100 records (completion ids, deletion object ids, certificate
    ids) a client must hear of, and the (cadre, year) 学时 rows they touch."""
    from django.utils import timezone

    from expositions.models import StudyUnit
    from org.models import Cadre
    from training import services
    from training.hours import certificates
    from training.models import Completion

    year = timezone.localdate().year
    done = Completion.objects.filter(
        completed_at__year=year, cadre__org_unit__path__startswith=scope.path
    ).select_related("cadre__org_unit")
    undo = list(done.order_by("?")[:49])
    holder = undo[0].cadre
    certificate = certificates.annual_certificate(holder, year)
    since = timezone.now()
    time.sleep(0.01)
    units = list(StudyUnit.objects.published())
    cadres = Cadre.objects.filter(active=True).in_subtree(scope).select_related("org_unit")
    cadres = list(cadres.order_by("?")[:200])
    new, touched = [], set()
    for completion in undo:
        services.completion_undo(cadre=completion.cadre, unit=completion.unit)
        touched.add((completion.cadre_id, timezone.localtime(completion.completed_at).year))
    for cadre in cadres:
        if len(new) == 50:
            break
        have = set(Completion.objects.filter(cadre=cadre).values_list("unit_id", flat=True))
        unit = next((u for u in units if u.pk not in have), None)
        if unit is not None:
            made, created = services.completion_record(cadre=cadre, unit=unit)
            if created:
                new.append(made.pk)
                touched.add((cadre.pk, year))
    expected = (
        {("completions", pk) for pk in new}
        | {("deletions", c.pk) for c in undo}
        | {("certificates", certificate.pk)}
    )
    return since, expected, touched


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=50_000)
    parser.add_argument("--completions", type=int, help="default: the generator's 2,500,000")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default="api_bench_province")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument(
        "--scope",
        help="the code of the org unit the token reads (default: the top one); a "
        "province's, e.g. 11, on the generated nation (make nation)",
    )
    args = parser.parse_args()

    sizes = ("--completions", str(args.completions)) if args.completions else ()
    url = _province.province_database(
        args.database, cadres=args.cadres, fresh=args.fresh, sizes=sizes
    )
    env = _province.server_env(url)
    _province.manage(env, "migrate", "--noinput", "-v0")
    _province.setup_django(url)
    from org.models import OrgUnit

    scope = OrgUnit.objects.get(code=args.scope) if args.scope else OrgUnit.objects.get(depth=1)
    secret = token(scope)
    env = _province.server_env(url, DJANGO_API_RATE_LIMIT="1000000/minute")
    with _province.Gunicorn(env, workers=args.workers) as server:
        get(f"{server.url}/api/v1/cadres/?page_size=1", secret)  # warm the workers
        started = time.perf_counter()
        counts, pages = {}, []
        for resource in RECORDS:
            records, times = pull(server.url, secret, resource, page_size=args.page_size)
            counts[resource] = len(records)
            pages += times
        whole = time.perf_counter() - started
        base, base_rows = baseline(scope)

        since, expected, touched = make_changes(scope)
        moment = since.isoformat()
        got = set()
        for resource in ("completions", "deletions", "certificates"):
            records, _times = pull(server.url, secret, resource, updated_since=moment)
            key = "object_id" if resource == "deletions" else "id"
            got |= {(resource, record[key]) for record in records}
        hours, _times = pull(server.url, secret, "hours", updated_since=moment)
        got_hours = {(record["cadre"], record["year"]) for record in hours}

    ms = sorted(t * 1000 for t in pages)
    p95 = ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]
    print(f"scope: {scope.code} {scope.name}")
    print(f"records pulled: {counts} ({sum(counts.values()):,}) in {len(ms):,} pages")
    print(f"whole pull: {whole:.1f} s; per page p50 {statistics.median(ms):.0f} ms, ", end="")
    print(f"p95 {p95:.0f} ms, worst {ms[-1]:.0f} ms (page size {args.page_size})")
    print(f"baseline (ORM read of the same {base_rows:,} rows): {base:.1f} s; ", end="")
    print(f"ratio {whole / base:.1f}")
    print(
        f"updated_since after 100 changes: {len(got)} records, exactly the 100: {got == expected}"
    )
    print(f"  学时 rows: {len(got_hours)}, exactly those touched: {got_hours == touched}")
    if got != expected or got_hours != touched:
        print(f"  missing {sorted(expected - got)[:10]}, extra {sorted(got - expected)[:10]}")
        sys.exit(1)


if __name__ == "__main__":
    main()
