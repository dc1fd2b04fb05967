"""A province, or a nation of provinces, of generated data for benchmarks:
`manage.py generate_demo_data` (``--nation`` for a nation).

Deterministic for a given ``seed``. Bulk inserts only, in bounded memory: org units
with their materialised paths computed here; users, cadres, claims and completions
streamed chunk by chunk (devtools.bulk: COPY on PostgreSQL, bulk_create on SQLite);
per cadre only a few compact arrays are kept. Never for a production database: every
generated account but the bench sign-ins has an unusable password.
"""

import random
import time
from array import array
from dataclasses import dataclass, fields
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from expositions.models import Exposition, StudyUnit, Theme
from expositions.services import unit_save
from org.models import Cadre, OrgUnit
from org.roles import CADRE, TRAINER, ensure_groups
from training import progress_store
from training.models import Assignment, Module, ModuleUnit, Progress, ProgressWeek

from . import bulk
from .generate_activity import Activity

# Known on purpose: the sign-in of generated benchmark data, refused outside debug mode.
BENCH_PASSWORD = "bench-password-2026"  # noqa: S105  # nosec B105
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力斌宇浩凯鹏飞"
POSITIONS = ["科员", "副科长", "科长", "社工", "民政助理员", "主任", "副主任", ""]
# Codes have two digits a level below the province (three for townships).
MOST_CHILDREN = {1: 99, 2: 99, 3: 999}


@dataclass
class Sizes:
    """Totals over the whole tree (cities, counties and townships of every province)."""

    provinces: int = 1
    cities: int = 11
    counties: int = 120
    townships: int = 1400
    cadres: int = 50_000
    units: int = 400
    modules: int = 20
    max_module_units: int = 100
    completions: int = 2_500_000

    @classmethod
    def nation(cls, cadres=1_000_000, **given):
        """A nation of 31 provinces, scaled with ``cadres``: a county of about 2,000
        cadres (the trainer's county view of issue #37), four counties a city, twelve
        townships a county, fifty completions a cadre, as in the province. ``given``
        sizes are kept as they are."""
        provinces = given.get("provinces") or 31
        counties = given.get("counties") or max(provinces, round(cadres / 2000))
        derived = {
            "provinces": provinces,
            "cities": max(provinces, min(counties, round(counties / 4))),
            "counties": counties,
            "townships": 12 * counties,
            "completions": 50 * cadres,
        }
        derived.update({k: v for k, v in given.items() if v is not None})
        return cls(cadres=cadres, **derived)

    @classmethod
    def names(cls):
        return [f.name for f in fields(cls)]


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


class Generator(Activity):
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
        # COPY wrote around the services: every stored total is made from the rows, in
        # SQL (progress and weekly counts by progress_store's recounts, 学时 by
        # devtools.bulk), the work memory raised so that the big GROUP BYs stay in it.
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET work_mem = '256MB'")
            # Without their keys and indexes, made again after in one pass each: else
            # every row's two foreign keys are checked one by one at COMMIT (Django's
            # are deferred). At a million cadres: 27 minutes for these two tables.
            with (
                bulk.without_indexes(Progress._meta.db_table),
                bulk.without_indexes(ProgressWeek._meta.db_table),
            ):
                progress_store.recompute(None)
            self.say("progress rows and weekly counts built")
            bulk.hours_filled()
            self.say("study hours built")
            if connection.vendor == "postgresql":
                cursor.execute("RESET work_mem")
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

        # (A province alone draws no spread of cities: the same seed, the same province.)
        cities_per_province = _spread(s.cities, s.provinces, rng) if s.provinces > 1 else [s.cities]
        counties_per_city = _spread(s.counties, s.cities, rng)
        townships_per_county = _spread(s.townships, s.counties, rng)
        for level, counts in enumerate(
            (cities_per_province, counties_per_city, townships_per_county), 1
        ):
            if max(counts) > MOST_CHILDREN[level]:
                raise ValueError(
                    f"{max(counts)} children for one org unit of level {level}: at most "
                    f"{MOST_CHILDREN[level]} (their codes have a fixed number of digits)."
                )
        city_index = county_index = 0
        self.roots, self.city_paths, self.county_paths, self.township_paths = [], [], [], []
        # A nation has one org unit above its provinces, the ministry's, whose trainer
        # follows the roll-up by province; a province stands alone.
        self.nation = _step(1) if s.provinces > 1 else ""
        if self.nation:
            node(self.nation, "100000", 0, "全国", "Nation", s.provinces)
        for p in range(1, s.provinces + 1):
            root = self.nation + _step(p)
            self.roots.append(root)
            if s.provinces == 1:
                code, name, name_en = "14", "山西省", "Shanxi Province"
            else:  # codes 11, 12, …: in path order, as treebeard's node_order_by wants
                code, name, name_en = f"{10 + p}", f"第{p}省", f"Province {p}"
            n_city = cities_per_province[p - 1]
            node(root, code, 1, name, name_en, n_city)
            for c in range(1, n_city + 1):
                city_path, city_code = root + _step(c), f"{code}{c:02d}"
                n_county = counties_per_city[city_index]
                city_index += 1
                prefix = "" if s.provinces == 1 else f"{p}省"
                node(city_path, city_code, 2, f"{prefix}第{c}市", f"City {p}-{c}", n_county)
                self.city_paths.append(city_path)
                for k in range(1, n_county + 1):
                    county_path, county_code = city_path + _step(k), f"{city_code}{k:02d}"
                    n_town = townships_per_county[county_index]
                    county_index += 1
                    node(county_path, county_code, 3, f"{prefix}第{c}市第{k}县",
                         f"County {p}-{c}-{k}", n_town)  # fmt: skip
                    self.county_paths.append(county_path)
                    for t in range(1, n_town + 1):
                        path = county_path + _step(t)
                        node(path, f"{county_code}{t:03d}", 4, f"{k}县第{t}镇",
                             f"Town {p}-{c}-{k}-{t}", 0)  # fmt: skip
                        self.township_paths.append(path)
        OrgUnit.objects.bulk_create(nodes, batch_size=2000)
        self.orgs = dict(OrgUnit.objects.values_list("path", "pk"))
        self.say(f"{len(nodes):,} org units")

    # --- users, cadres, trainers -----------------------------------------------------
    def people(self):
        """Cadres' users and cadres with ids of our own (so nothing is read back: cadre
        ``i`` is ``self.cadre_base + i``), streamed; per cadre only where they work
        (an index into ``self.places``) and whether they are active are kept."""
        s, rng = self.sizes, self.rng
        User = get_user_model()
        unusable = (
            "!generated-demo-account"  # fails every password check, like set_unusable_password
        )
        bench_hash = make_password(BENCH_PASSWORD)
        user_base = User.objects.aggregate(m=Max("pk"))["m"] or 0
        self.cadre_base = Cadre.objects.aggregate(m=Max("pk"))["m"] or 0

        def user(i):
            if i == 1:
                return User(pk=user_base + 1, username="bench-cadre", password=bench_hash)
            return User(pk=user_base + i, username=f"c{i:06d}", password=unusable)

        bulk.save_objects(User, (user(i) for i in range(1, s.cadres + 1)))
        through = User.groups.through
        cadre_group = self.groups[CADRE].pk
        bulk.save_objects(
            through,
            (through(user_id=user_base + i, group_id=cadre_group) for i in range(1, s.cadres + 1)),
        )
        # Most cadres work in a township; some in a county office.
        self.places = self.township_paths + self.county_paths
        n_towns, n_counties = len(self.township_paths), len(self.county_paths)
        self.place = array("I")
        self.active = bytearray()

        def draw():
            if rng.random() < 0.08:
                return n_towns + rng.randrange(n_counties)
            return rng.randrange(n_towns)

        # Numbered org unit by org unit, as rosters are imported (a county's file, then
        # the next): a county's cadres, and the rows kept per cadre, sit together on disk
        # instead of one in every few hundred (bench/RESULTS.md, "A million cadres").
        # The bench cadre (1) works in the first township.
        wheres = array("I", [0])
        wheres.extend(sorted((draw() for _ in range(s.cadres - 1)), key=self.places.__getitem__))

        def cadre(i):
            where = wheres[i - 1]
            # Leaders sit in the county offices; most township cadres are 乡科级及以下.
            in_county = where >= n_towns
            category = rng.choices(
                ["county_up", "township_down", "other"],
                weights=[30, 55, 15] if in_county else [2, 88, 10],
            )[0]
            active = rng.random() > 0.02 or i == 1
            self.place.append(where)
            self.active.append(active)
            return Cadre(
                pk=self.cadre_base + i,
                user_id=user_base + i,
                name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                org_unit_id=self.orgs[self.places[where]],
                position=rng.choice(POSITIONS),
                active=active,
                category=category,
            )

        bulk.save_objects(Cadre, (cadre(i) for i in range(1, s.cadres + 1)))
        bulk.sequences_reset(User, Cadre)
        self.trainers(User, bench_hash)
        self.say(f"{s.cadres:,} cadres, {len(self.trainer_ids)} trainers")

    def trainers(self, User, bench_hash):
        """The bench's trainers: of the first province, city and county, and with more
        than one province, of the nation (its org unit above the provinces)."""
        managing = {
            "bench-trainer-province": self.roots[:1],
            "bench-trainer-city": self.city_paths[:1],
            "bench-trainer-county": self.county_paths[:1],
        }
        if self.nation:
            managing["bench-trainer-nation"] = [self.nation]
        created = User.objects.bulk_create(
            [User(username=name, password=bench_hash) for name in managing]
        )
        self.trainer_ids = {u.username: u.pk for u in created}
        self.groups[TRAINER].user_set.add(*created)
        for user in created:
            for path in managing[user.username]:
                OrgUnit.objects.get(path=path).trainers.add(user)
        # Who builds the modules and assigns them: the trainer of the whole tree.
        self.trainer_id = self.trainer_ids[
            "bench-trainer-nation" if self.nation else "bench-trainer-province"
        ]

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
        """Assignments at every level: the province (a nation's: the nation), and
        cities, counties, townships and single cadres in the same shares of the tree as
        in one province (2 of 11 cities, a tenth of the counties and townships, 300 of
        50,000 cadres); some due dates passed."""
        rng, today = self.rng, timezone.localdate()
        n = self.sizes.cadres

        def some(paths, share):
            return rng.sample(paths, max(1, round(len(paths) * share)))

        rows, self.reach = [], []  # reach: (module, path prefix or cadre number)
        for i, module_id in enumerate(self.module_units):
            due = today + timedelta(days=rng.randint(-30, 60))
            kind = i % 5
            if kind == 0:
                targets = [self.nation] if self.nation else self.roots
            elif kind == 1:
                targets = some(self.city_paths, 2 / 11)
            elif kind == 2:
                targets = some(self.county_paths, 12 / 120)
            elif kind == 3:
                targets = some(self.township_paths, 150 / 1400)
            else:
                for number in rng.sample(range(1, n + 1), max(1, min(n // 4, n * 300 // 50_000))):
                    rows.append(
                        Assignment(
                            module_id=module_id,
                            cadre_id=self.cadre_base + number,
                            due_on=due,
                            assigned_by_id=self.trainer_id,
                        )
                    )
                    self.reach.append((module_id, None, number))
                continue
            for path in targets:
                rows.append(
                    Assignment(
                        module_id=module_id,
                        org_unit_id=self.orgs[path],
                        due_on=due,
                        assigned_by_id=self.trainer_id,
                    )
                )
                self.reach.append((module_id, path, None))
        # The bench cadre has something of everything.
        for module_id in list(self.module_units)[:3]:
            rows.append(
                Assignment(
                    module_id=module_id,
                    cadre_id=self.cadre_base + 1,
                    due_on=today + timedelta(days=14),
                    assigned_by_id=self.trainer_id,
                )
            )
            self.reach.append((module_id, None, 1))
        Assignment.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
        # Each module's campaign began 60 to 84 days ago, as the completions do (below):
        # most study follows the assignment; some units were studied before it.
        now = timezone.now()
        for module_id in self.module_units:
            began = now - timedelta(days=rng.randint(60, 84))
            Assignment.objects.filter(module_id=module_id).update(created_at=began)
        self.say(f"{len(rows):,} assignments")
