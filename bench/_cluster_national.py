"""The rehearsal's national roll-up (bench/cluster.py --national-seconds): the national
trainer's page of the module assigned to the whole nation, read through an app host
(a trainer's roll-up reads the replica), every few seconds across several of the
periodic recount's intervals, with the age of the stored roll-up that the replica
holds at that moment."""

import statistics
import time
from collections import Counter

import _cluster_measure as measure
import _province
import requests


class ExclusiveLocks(measure.Sampler):
    """Samples the replica every 0.2 s for ACCESS EXCLUSIVE locks (held by its startup
    process while it replays one taken on the primary, e.g. by VACUUM truncating a
    table): the times each relation was seen locked."""

    def __init__(self, rehearsal):
        super().__init__(rehearsal, ("db2",), "portal", 0.2)
        self.seen = []

    def sample(self, host, cursor):
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_locks l JOIN pg_class c "
            "ON c.oid = l.relation WHERE l.mode = 'AccessExclusiveLock'"
        )
        now = time.monotonic()
        self.seen += [(now, name) for (name,) in cursor.fetchall()]


def national(rehearsal, seconds, every=5.0):
    """None when the database has no national org unit (a generated province)."""
    from django.db import connections

    from org.models import OrgUnit
    from training.models import Assignment

    nation = OrgUnit.objects.filter(level=OrgUnit.Level.NATION).first()
    if nation is None:
        return None
    module = Assignment.objects.filter(org_unit=nation).order_by("pk").first().module_id
    session = _province.session_for("bench-trainer-nation")
    connections.close_all()
    url = f"{rehearsal.app_urls()[0]}/training/modules/{module}/progress/"
    age_sql = (
        "SELECT coalesce(extract(epoch FROM now() - max(counted_at)), -1) FROM "  # noqa: S608
        f"training_rolluprow WHERE module_id = {int(module)} AND node_id = {int(nation.pk)}"
    )
    views, ages, stored, failures, slow = [], [], 0, 0, []
    locks = ExclusiveLocks(rehearsal)
    locks.start()
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        began = time.perf_counter()
        try:
            r = requests.get(url, cookies={"sessionid": session}, timeout=60)
        except requests.RequestException:
            failures += 1
            continue
        views.append((time.perf_counter() - began) * 1000)
        if views[-1] > 1000:  # over the goal: when, and what the replica held locked
            ended = time.monotonic()
            during = {n for t, n in locks.seen if ended - views[-1] / 1000 - 0.2 <= t <= ended}
            slow.append((round(ended - started, 1), round(views[-1]), sorted(during)))
        failures += r.status_code != 200
        stored += 'id="counted-at"' in r.text
        age = rehearsal.psql("db2", age_sql, db="portal", check=False).stdout.strip()
        if age and float(age) >= 0:
            ages.append(float(age))
        time.sleep(max(0.0, every - (time.perf_counter() - began)))
    locks.stop()
    # The first view is the app host's first request since it started (apps() starts
    # the hosts afresh before this): reported apart.
    first, rest = (views[0], sorted(views[1:])) if views else (None, [])
    views.sort()
    result = {
        "views": len(views),
        "first_view_ms": round(first) if first is not None else None,
        "page_worst_after_the_first_ms": round(rest[-1]) if rest else None,
        "from_stored": stored,
        "failures": failures,
        "page_p50_ms": round(statistics.median(views)) if views else None,
        "page_p95_ms": round(views[max(0, round(0.95 * len(views)) - 1)]) if views else None,
        "page_worst_ms": round(views[-1]) if views else None,
        "stored_age_on_replica_max_s": round(max(ages), 1) if ages else None,
        "stored_age_on_replica_median_s": round(statistics.median(ages), 1) if ages else None,
        # Views over 1 s: (seconds into the run, ms, relations locked ACCESS EXCLUSIVE
        # on the replica meanwhile); and every relation seen so locked, how often.
        "views_over_1s": slow,
        "replica_exclusive_locks": dict(Counter(n for _t, n in locks.seen)),
    }
    rehearsal.say(f"national roll-up: {result}")
    return result
