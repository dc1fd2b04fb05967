"""What the generated cadres did (devtools.generate): training claims and completions,
streamed chunk by chunk to the database (devtools.bulk), never held whole."""

from array import array
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from training.models import Completion, TrainingClaim

from . import bulk

COURSES = [
    "社会救助业务培训班",
    "养老服务专题培训",
    "基层政权建设轮训",
    "婚姻登记业务培训",
    "儿童福利专题培训",
]
ORGANISERS = ["省民政厅", "市民政局", "县民政局", "省委党校", "干部网络学院"]
STUDY_SECONDS = 84 * 24 * 3600  # completions fall in the last twelve weeks


class Activity:
    """Claims and completions of the cadres ``Generator.people`` made: cadre number
    ``i`` (1 to ``sizes.cadres``) is ``cadre_base + i``, works at ``places[place[i-1]]``
    and is active if ``active[i-1]``."""

    # --- training claims (学时申报) ----------------------------------------------------------
    def claims(self):
        """About half the cadres recorded training taken elsewhere this year (mostly
        approved, some waiting, a few rejected), and some in the four years before."""
        rng = self.rng
        today = timezone.localdate()
        start_of_year = date(today.year, 1, 1)
        made = 0

        def rows():
            nonlocal made
            for i, active in enumerate(self.active, 1):
                if not active:
                    continue
                cadre_id = self.cadre_base + i
                for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
                    end_on = start_of_year + timedelta(
                        days=rng.randint(0, (today - start_of_year).days)
                    )
                    made += 1
                    yield self._claim(cadre_id, end_on)
                if rng.random() < 0.3:
                    year = today.year - rng.randint(1, 4)
                    made += 1
                    yield self._claim(cadre_id, date(year, rng.randint(1, 12), 15))

        bulk.save_objects(TrainingClaim, rows())
        self.say(f"{made:,} training claims")

    def _claim(self, cadre_id, end_on):
        rng = self.rng
        roll = rng.random()
        status = "approved" if roll < 0.8 else "pending" if roll < 0.95 else "rejected"
        return TrainingClaim(
            cadre_id=cadre_id,
            course=rng.choice(COURSES),
            organiser=rng.choice(ORGANISERS),
            kind="training" if rng.random() < 0.85 else "online",
            start_on=end_on - timedelta(days=rng.randint(0, 4)),
            end_on=end_on,
            hours=Decimal(rng.choice((4, 8, 12, 16, 24, 40))),
            status=status,
            decided_by_id=self.trainer_id if status != "pending" else None,
            decided_at=timezone.now() if status != "pending" else None,
            reason="材料不全" if status == "rejected" else "",
        )

    # --- completions ---------------------------------------------------------------------
    def study_plans(self):
        """Per cadre, the units of every module that reaches them (in module order, each
        once) and the share of them they finished: the units as a few shared tuples, one
        per set of modules (``self.plan_units``), indexed by ``self.plan``; the shares in
        ``self.share``. Returns the scale that brings the partway cadres to the target."""
        rng = self.rng
        by_path = [(path, m) for m, path, _number in self.reach if path]
        by_cadre = {}
        for m, _path, number in self.reach:
            if number:
                by_cadre.setdefault(number, []).append(m)
        place_modules = [
            frozenset(m for prefix, m in by_path if path.startswith(prefix)) for path in self.places
        ]
        keys = {}
        self.plan_units, self.plan, self.share = [], array("I"), array("d")
        wanted = full = 0.0
        for i, where in enumerate(self.place, 1):
            modules = place_modules[where]
            if i in by_cadre:
                modules = modules | frozenset(by_cadre[i])
            if modules not in keys:
                keys[modules] = len(self.plan_units)
                self.plan_units.append(
                    tuple(dict.fromkeys(u for m in sorted(modules) for u in self.module_units[m]))
                )
            key = keys[modules]
            roll = rng.random()
            share = 0.0 if roll < 0.2 else 1.0 if roll < 0.35 else rng.uniform(0.05, 0.95)
            self.plan.append(key)
            self.share.append(share)
            count = len(self.plan_units[key])
            wanted += share * count
            if share == 1.0:
                full += count
        # Finished cadres finish everything; the partway ones are scaled to the target.
        partial = wanted - full
        return min(1.0, max(0.0, self.sizes.completions - full) / partial) if partial else 0

    def completion_rows(self, scale):
        """(cadre, unit, completed at, org unit, 学时) of every completion, one cadre
        after another: a generator, so only the chunk being written is in memory."""
        rng, now = self.rng, timezone.now()
        org_of = [self.orgs[path] for path in self.places]
        credit = self.credit
        plans = zip(self.plan, self.share, self.place, strict=True)
        for i, (key, share, where) in enumerate(plans, 1):
            units = self.plan_units[key]
            k = round(len(units) * (1.0 if share == 1.0 else share * scale))
            cadre_id, org_id = self.cadre_base + i, org_of[where]
            for unit_id in units[:k]:
                at = now - timedelta(seconds=int(rng.random() * STUDY_SECONDS))
                yield cadre_id, unit_id, at, org_id, credit[unit_id]

    def completions(self):
        """Written without the table's secondary indexes and constraints on PostgreSQL
        (made again after, devtools.bulk.without_indexes); one per cadre and unit, by
        construction, which the unique constraint checks when it is made again."""
        rows = self.completion_rows(self.study_plans())
        table = Completion._meta.db_table
        columns = ["cadre_id", "unit_id", "completed_at", "org_unit_id", "credit_hours"]
        with bulk.without_indexes(table):
            if connection.vendor == "postgresql":
                bulk.copy_rows(table, columns, rows)
            else:  # SQLite (a small province): the ORM's bulk insert, chunk by chunk
                completions = (Completion(**dict(zip(columns, row, strict=True))) for row in rows)
                bulk.save_objects(Completion, completions)
        self.say(f"{Completion.objects.count():,} completions (indexes made)")
        if connection.vendor == "postgresql":
            # VACUUM too, when it can (outside a transaction: not in a test): the
            # visibility map lets reads of a few columns use the indexes alone, as
            # autovacuum would let them some minutes later, in the middle of a run.
            vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            with connection.cursor() as cursor:
                cursor.execute(f"{vacuum} {table}")
            self.say(f"completions: {vacuum}")
