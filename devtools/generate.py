"""A province of generated data for benchmarks: `manage.py generate_demo_data`.

Deterministic for a given ``seed``. Bulk inserts only: org units with their
materialised paths computed here, users and cadres by bulk_create, completions by
PostgreSQL's COPY (executemany on SQLite). Never for a production database: every
generated account but the three bench sign-ins has an unusable password.
"""

import csv
import io
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from expositions.models import Exposition, StudyUnit, Theme
from expositions.services import unit_save
from org.models import Cadre, OrgUnit
from org.roles import CADRE, TRAINER, ensure_groups
from training import progress_store
from training.models import Assignment, Completion, Module, ModuleUnit, TrainingClaim

# Known on purpose: the sign-in of generated benchmark data, refused outside debug mode.
BENCH_PASSWORD = "bench-password-2026"  # noqa: S105  # nosec B105
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力斌宇浩凯鹏飞"
POSITIONS = ["科员", "副科长", "科长", "社工", "民政助理员", "主任", "副主任", ""]
COURSES = [
    "社会救助业务培训班",
    "养老服务专题培训",
    "基层政权建设轮训",
    "婚姻登记业务培训",
    "儿童福利专题培训",
]
ORGANISERS = ["省民政厅", "市民政局", "县民政局", "省委党校", "干部网络学院"]


@dataclass
class Sizes:
    cities: int = 11
    counties: int = 120
    townships: int = 1400
    cadres: int = 50_000
    units: int = 400
    modules: int = 20
    max_module_units: int = 100
    completions: int = 2_500_000


def _step(i):
    """treebeard's path step: base 36, four characters."""
    alphabet = OrgUnit.alphabet
    digits = ""
    while i:
        i, r = divmod(i, len(alphabet))
        digits = alphabet[r] + digits
    return digits.rjust(OrgUnit.steplen, "0")


def _spread(total, parts, rng):
    """``total`` items over ``parts`` buckets, each at least one, unevenly."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % parts] += 1
    return counts


class Generator:
    def __init__(self, sizes: Sizes, seed: int, out=None):
        # Deterministic made-up data, not secrets: a seeded PRNG is the point.
        self.sizes, self.rng, self.out = sizes, random.Random(seed), out  # noqa: S311  # nosec B311
        self.started = time.perf_counter()

    def say(self, message):
        if self.out:
            self.out.write(f"[{time.perf_counter() - self.started:6.1f} s] {message}")

    def run(self):
        if OrgUnit.objects.exists() or Cadre.objects.exists():
            raise ValueError("generate_demo_data needs an empty database (migrated, no org units).")
        call_command("load_exposition", verbosity=0)
        with transaction.atomic():
            self.groups = ensure_groups()
            self.org_tree()
            self.people()
            self.units()
            self.modules()
            self.assignments()
            self.claims()
        self.completions()
        progress_store.rebuild()  # COPY wrote around the ORM's signals
        self.say("progress rows rebuilt")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.say("done")

    # --- org units ---------------------------------------------------------------
    def org_tree(self):
        s, rng = self.sizes, self.rng
        nodes = []

        def node(path, code, level, name, name_en, numchild):
            nodes.append(
                OrgUnit(
                    path=path,
                    depth=len(path) // OrgUnit.steplen,
                    numchild=numchild,
                    code=code,
                    level=level,
                    name=name,
                    name_en=name_en,
                )
            )

        counties_per_city = _spread(s.counties, s.cities, rng)
        townships_per_county = _spread(s.townships, s.counties, rng)
        root = _step(1)
        node(root, "14", 1, "山西省", "Shanxi Province", s.cities)
        county_index = 0
        self.township_paths, self.county_paths = [], []
        for c in range(1, s.cities + 1):
            city_path, city_code = root + _step(c), f"14{c:02d}"
            node(city_path, city_code, 2, f"第{c}市", f"City {c}", counties_per_city[c - 1])
            for k in range(1, counties_per_city[c - 1] + 1):
                county_path, county_code = city_path + _step(k), f"{city_code}{k:02d}"
                n_town = townships_per_county[county_index]
                county_index += 1
                node(county_path, county_code, 3, f"第{c}市第{k}县", f"County {c}-{k}", n_town)
                self.county_paths.append(county_path)
                for t in range(1, n_town + 1):
                    path = county_path + _step(t)
                    node(path, f"{county_code}{t:03d}", 4, f"{k}县第{t}镇", f"Town {c}-{k}-{t}", 0)
                    self.township_paths.append(path)
        OrgUnit.objects.bulk_create(nodes, batch_size=2000)
        self.orgs = {o.path: o for o in OrgUnit.objects.all()}
        self.say(f"{len(nodes):,} org units")

    # --- users, cadres, trainers -----------------------------------------------------
    def people(self):
        s, rng = self.sizes, self.rng
        User = get_user_model()
        unusable = (
            "!generated-demo-account"  # fails every password check, like set_unusable_password
        )
        bench_hash = make_password(BENCH_PASSWORD)
        users = [User(username=f"c{i:06d}", password=unusable) for i in range(1, s.cadres + 1)]
        users[0].username, users[0].password = "bench-cadre", bench_hash
        trainers = [
            User(username="bench-trainer-province", password=bench_hash),
            User(username="bench-trainer-county", password=bench_hash),
        ]
        User.objects.bulk_create(users + trainers, batch_size=5000)
        ids = dict(User.objects.values_list("username", "pk"))
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=ids[u.username], group_id=self.groups[CADRE].pk) for u in users]
            + [
                through(user_id=ids[t.username], group_id=self.groups[TRAINER].pk) for t in trainers
            ],
            batch_size=10_000,
        )
        root = self.orgs[_step(1)]
        county = self.orgs[self.county_paths[0]]
        root.trainers.add(ids["bench-trainer-province"])
        county.trainers.add(ids["bench-trainer-county"])
        self.trainer_id = ids["bench-trainer-province"]
        # Most cadres work in a township; some in a county office.
        county_set = set(self.county_paths)
        cadres = []
        for u in users:
            where = (
                rng.choice(self.county_paths)
                if rng.random() < 0.08
                else rng.choice(self.township_paths)
            )
            if u.username == "bench-cadre":
                where = self.township_paths[0]
            # Leaders sit in the county offices; most township cadres are 乡科级及以下.
            in_county = where in county_set
            category = rng.choices(
                ["county_up", "township_down", "other"],
                weights=[30, 55, 15] if in_county else [2, 88, 10],
            )[0]
            cadres.append(
                Cadre(
                    user_id=ids[u.username],
                    name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                    org_unit_id=self.orgs[where].pk,
                    position=rng.choice(POSITIONS),
                    active=rng.random() > 0.02 or u.username == "bench-cadre",
                    category=category,
                )
            )
        Cadre.objects.bulk_create(cadres, batch_size=5000)
        self.cadres = list(Cadre.objects.values_list("pk", "org_unit__path", "active"))
        self.say(f"{len(users):,} cadres, 2 trainers")

    # --- content and modules ---------------------------------------------------------
    def units(self):
        s, rng = self.sizes, self.rng
        exposition = Exposition.objects.get()
        themes = list(Theme.objects.order_by("order"))
        seeded = list(
            StudyUnit.objects.published().exclude(slug__startswith="generated-").order_by("pk")
        )
        sources = [u.body_en for u in seeded]
        sources_zh = [u.body_zh_hans or u.body_en for u in seeded]
        for i in range(len(seeded), s.units):
            theme = themes[i % len(themes)]
            unit = StudyUnit(
                exposition=exposition,
                theme=theme,
                title_zh_hans=f"{theme.name_zh_hans} 专题学习 {i + 1}",
                title_en=f"{theme.name_en} study {i + 1}",
                slug=f"generated-{i + 1}",
                summary_zh_hans="生成的学习单元，用于性能测试。",
                summary_en="A generated study unit, for performance tests.",
                body_zh_hans=rng.choice(sources_zh),
                body_en=rng.choice(sources),
                key_points_zh_hans="要点一\n要点二\n要点三",
                key_points_en="Point one\nPoint two\nPoint three",
                source_passage="(generated content)",
                source_translation="（生成内容）",
                order=1000 + i,
                status=StudyUnit.Status.PUBLISHED,
            )
            unit_save(unit=unit)
        self.credit = dict(
            StudyUnit.objects.published().order_by("pk").values_list("pk", "credit_hours")
        )
        self.unit_ids = list(self.credit)
        self.say(f"{len(self.unit_ids):,} study units")

    def modules(self):
        s, rng = self.sizes, self.rng
        self.module_units = {}
        links = []
        for m in range(1, s.modules + 1):
            module = Module.objects.create(
                title=f"专题模块 {m}",
                status=Module.Status.ACTIVE,
                created_by_id=self.trainer_id,
            )
            n = rng.randint(max(10, s.max_module_units // 5), s.max_module_units)
            chosen = rng.sample(self.unit_ids, min(n, len(self.unit_ids)))
            self.module_units[module.pk] = chosen
            links += [
                ModuleUnit(module=module, unit_id=u, position=p) for p, u in enumerate(chosen, 1)
            ]
        ModuleUnit.objects.bulk_create(links, batch_size=5000)
        self.say(f"{s.modules} modules, {len(links):,} module units")

    def assignments(self):
        """Assignments at every level: the province, cities, counties, townships and
        single cadres; some due dates passed."""
        rng, today = self.rng, timezone.localdate()
        cities = [p for p in self.orgs if len(p) == 2 * OrgUnit.steplen]
        rows, self.reach = [], []  # reach: (module, path prefix or cadre id)
        for i, module_id in enumerate(self.module_units):
            due = today + timedelta(days=rng.randint(-30, 60))
            kind = i % 5
            if kind == 0:
                targets = [_step(1)]
            elif kind == 1:
                targets = rng.sample(cities, min(2, len(cities)))
            elif kind == 2:
                targets = rng.sample(self.county_paths, min(12, len(self.county_paths) // 2 or 1))
            elif kind == 3:
                targets = rng.sample(
                    self.township_paths, min(150, len(self.township_paths) // 2 or 1)
                )
            else:
                for cadre_id, _path, _active in rng.sample(
                    self.cadres, min(300, len(self.cadres) // 4)
                ):
                    rows.append(
                        Assignment(
                            module_id=module_id,
                            cadre_id=cadre_id,
                            due_on=due,
                            assigned_by_id=self.trainer_id,
                        )
                    )
                    self.reach.append((module_id, None, cadre_id))
                continue
            for path in targets:
                rows.append(
                    Assignment(
                        module_id=module_id,
                        org_unit_id=self.orgs[path].pk,
                        due_on=due,
                        assigned_by_id=self.trainer_id,
                    )
                )
                self.reach.append((module_id, path, None))
        # The bench cadre has something of everything.
        bench = self.cadres[0][0]
        for module_id in list(self.module_units)[:3]:
            rows.append(
                Assignment(
                    module_id=module_id,
                    cadre_id=bench,
                    due_on=today + timedelta(days=14),
                    assigned_by_id=self.trainer_id,
                )
            )
            self.reach.append((module_id, None, bench))
        Assignment.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
        # Each module's campaign began 60 to 84 days ago, as the completions do (below):
        # most study follows the assignment; some units were studied before it.
        now = timezone.now()
        for module_id in self.module_units:
            began = now - timedelta(days=rng.randint(60, 84))
            Assignment.objects.filter(module_id=module_id).update(created_at=began)
        self.say(f"{len(rows):,} assignments")

    # --- training claims (学时申报) ----------------------------------------------------------
    def claims(self):
        """About half the cadres recorded training taken elsewhere this year (mostly
        approved, some waiting, a few rejected), and some in the four years before."""
        rng = self.rng
        today = timezone.localdate()
        start_of_year = date(today.year, 1, 1)
        rows = []
        for cadre_id, _path, active in self.cadres:
            if not active:
                continue
            for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
                end_on = start_of_year + timedelta(
                    days=rng.randint(0, (today - start_of_year).days)
                )
                rows.append(self._claim(cadre_id, end_on, today))
            if rng.random() < 0.3:
                year = today.year - rng.randint(1, 4)
                rows.append(self._claim(cadre_id, date(year, rng.randint(1, 12), 15), today))
        TrainingClaim.objects.bulk_create(rows, batch_size=5000)
        self.say(f"{len(rows):,} training claims")

    def _claim(self, cadre_id, end_on, today):
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
    def completions(self):
        s, rng = self.sizes, self.rng
        by_path = [(path, m) for m, path, c in self.reach if path]
        by_cadre = {}
        for m, _p, c in self.reach:
            if c:
                by_cadre.setdefault(c, []).append(m)
        plans, wanted = [], 0.0
        for cadre_id, path, _active in self.cadres:
            modules = {m for prefix, m in by_path if path.startswith(prefix)}
            modules.update(by_cadre.get(cadre_id, ()))
            units = list(dict.fromkeys(u for m in sorted(modules) for u in self.module_units[m]))
            roll = rng.random()
            share = 0.0 if roll < 0.2 else 1.0 if roll < 0.35 else rng.uniform(0.05, 0.95)
            plans.append((cadre_id, units, share))
            wanted += share * len(units)
        # Finished cadres finish everything; the partway ones are scaled to the target.
        full = sum(len(units) for _c, units, share in plans if share == 1.0)
        partial = wanted - full
        scale = min(1.0, max(0.0, s.completions - full) / partial) if partial else 0
        now = timezone.now()
        batch, total = [], 0

        def flush():
            nonlocal batch, total
            self._write_completions(batch)
            total += len(batch)
            batch = []

        org_of = {cadre_id: self.orgs[path].pk for cadre_id, path, _active in self.cadres}
        for cadre_id, units, share in plans:
            k = round(len(units) * (1.0 if share == 1.0 else share * scale))
            for unit_id in units[:k]:
                seconds = rng.randint(0, 84 * 24 * 3600)
                at = now - timedelta(seconds=seconds)
                batch.append((cadre_id, unit_id, at, org_of[cadre_id], self.credit[unit_id]))
            if len(batch) >= 200_000:
                flush()
        flush()
        self.say(f"{total:,} completions")

    def _write_completions(self, rows):
        if not rows:
            return
        table = Completion._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                buffer = io.StringIO()
                writer = csv.writer(buffer)
                for cadre_id, unit_id, at, org_id, credit in rows:
                    writer.writerow((cadre_id, unit_id, at.isoformat(), org_id, credit))
                buffer.seek(0)
                columns = "cadre_id, unit_id, completed_at, org_unit_id, credit_hours"
                cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH CSV", buffer)
            else:  # SQLite (a small province): the ORM's bulk insert is fast enough
                Completion.objects.bulk_create(
                    (
                        Completion(
                            cadre_id=cadre_id,
                            unit_id=unit_id,
                            completed_at=at,
                            org_unit_id=org_id,
                            credit_hours=credit,
                        )
                        for cadre_id, unit_id, at, org_id, credit in rows
                    ),
                    batch_size=5000,
                )
