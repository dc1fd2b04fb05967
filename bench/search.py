"""Search at 50,000 study units, on PostgreSQL and SQLite.

  .venv/bin/python bench/search.py [--units 50000] [--repeat 15] [--only postgresql|sqlite]
                                   [--keep]

Each backend gets a throw-away database (PostgreSQL: portal_bench_search on
127.0.0.1, dropped first, and after unless --keep; SQLite: a temporary file),
filled with generated units of mixed Chinese and English text. For every query it
times what the search page does (count the hits, fetch the best 20), reports median
and worst, and a ratio to a baseline measured in the same run: fetching 20 units by
primary key.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_search"
QUERIES = [
    "民政",
    "低保",
    "养老",
    "基层治理",
    "临时救助",
    "民政局",
    "社会救助 低保",
    "grassroots governance",
    "ASSISTANCE",
    "elder",
    "推进grassroots",
    "不存在的词",
    "社會救助",
    "dibao",
    "di bao",
    "jiceng zhili",
]
ZH_TERMS = [
    "民政",
    "低保",
    "养老",
    "基层治理",
    "临时救助",
    "社会救助",
    "民政局",
    "民政部门",
    "社区",
    "村委会",
    "残疾人",
    "未成年人",
    "婚姻登记",
    "殡葬",
    "慈善",
    "社会组织",
    "老年人",
    "儿童福利",
    "困难群众",
    "推进",
    "服务",
    "保障",
    "政策",
    "工作",
    "落实",
]
EN_TERMS = [
    "grassroots",
    "governance",
    "assistance",
    "elderly",
    "community",
    "village",
    "allowance",
    "policy",
    "service",
    "reform",
    "minimum",
    "living",
    "temporary",
    "disabled",
    "children",
    "charity",
    "marriage",
    "registration",
]
FILLER = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
    "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
    "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
    "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
    "几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器"
    "压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安"
    "场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集"
    "温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连"
    "断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精"
    "值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属"
    "圆包火住调满县局照参红细引听该铁价严"
)


def generate(n, seed=2026):
    rng = random.Random(seed)

    def zh(k):
        return "".join(rng.choice(FILLER) for _ in range(k))

    def en():
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))

    # Each unit in both languages (issue #14): a Chinese body and an English one.
    for i in range(n):
        zh_words, en_words = [], []
        for _ in range(60):
            r = rng.random()
            zh_words.append(rng.choice(ZH_TERMS) if r < 0.08 else zh(rng.randint(2, 6)))
            en_words.append(rng.choice(EN_TERMS) if r < 0.2 else en())
        titles = (rng.choice(ZH_TERMS) + zh(3), rng.choice(EN_TERMS) + " " + en())
        bodies = ("，".join(zh_words), " ".join(en_words))
        yield i, titles, bodies, [rng.choice(ZH_TERMS), rng.choice(EN_TERMS)]


def run_backend(units, repeat):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from expositions.models import Exposition, StudyUnit, Theme
    from expositions.search import document, document_tokens, pinyin_words, search

    call_command("migrate", verbosity=0)
    expo = Exposition.objects.create(slug="bench", title="bench", author="bench", source_text="")
    theme = Theme.objects.create(slug="bench", name_en="Bench", name_zh_hans="基准")
    start = time.perf_counter()
    batch = []
    doc_s = pinyin_s = 0.0
    tokens = pinyin_tokens = 0
    for i, (title_zh, title_en), (body_zh, body_en), tags in generate(units):
        unit = StudyUnit(
            exposition=expo,
            theme=theme,
            title_zh_hans=title_zh,
            title_en=title_en,
            slug=f"u{i}",
            summary_zh_hans="",
            summary_en="",
            body_zh_hans=body_zh,
            body_en=body_en,
            body_html_zh_hans=f"<p>{body_zh}</p>",
            body_html_en=f"<p>{body_en}</p>",
            source_passage="",
            status="published",
            published_at="2026-01-01T00:00:00Z",
            order=i,
            reading_minutes=1,
        )
        t = time.perf_counter()
        derived = document(unit, tags)
        doc_s += time.perf_counter() - t
        # What pinyin adds: its words for the titles and tags, and their index terms.
        pinyin_words.cache_clear()
        t = time.perf_counter()
        words = pinyin_words(f"{title_zh} {title_en} {' '.join(sorted(tags))}")
        pinyin_s += time.perf_counter() - t
        pinyin_tokens += len(document_tokens(words).split())
        tokens += len(derived["search_tokens"].split())
        for name, value in derived.items():
            setattr(unit, name, value)
        batch.append(unit)
        if len(batch) == 2000:
            StudyUnit.objects.bulk_create(batch)
            batch = []
    StudyUnit.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE expositions_studyunit")
    load_s = time.perf_counter() - start
    size = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_total_relation_size('expositions_studyunit'), "
                "pg_indexes_size('expositions_studyunit')"
            )
            total, indexes = cursor.fetchone()
            size = {"table_mb": round(total / 2**20, 1), "indexes_mb": round(indexes / 2**20, 1)}
    index = {
        "tokens_per_unit": round(tokens / units, 1),
        "pinyin_tokens_per_unit": round(pinyin_tokens / units, 1),
        "document_ms_per_unit": round(doc_s * 1000 / units, 3),
        "pinyin_ms_per_unit": round(pinyin_s * 1000 / units, 3),
        **size,
    }

    def timed(fn):
        fn()  # warm
        samples = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t) * 1000)
        return statistics.median(samples), max(samples)

    published = StudyUnit.objects.published()
    ids = list(published.values_list("pk", flat=True)[:20])
    base_med, base_max = timed(lambda: list(published.filter(pk__in=ids)))
    rows = []
    for q in QUERIES:

        def page(q=q):
            # What the search page does: a capped count, then the best 20.
            results = search(published, q)
            with results.transaction():
                hits = f"{results.count():,}" + ("+" if results.capped else "")
                results[0:20]
            return hits

        hits = page()
        med, worst = timed(page)
        rows.append(
            {
                "query": q,
                "hits": hits,
                "median_ms": round(med, 2),
                "worst_ms": round(worst, 2),
                "ratio": round(med / base_med, 1),
            }
        )
    return {
        "vendor": connection.vendor,
        "units": units,
        "load_s": round(load_s, 1),
        "baseline_median_ms": round(base_med, 3),
        "index": index,
        "rows": rows,
    }


def psql(sql):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)


def child(backend, units, repeat, keep=False):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings")
    env.pop("DATABASE_URL", None)
    if backend == "postgresql":
        psql("DROP DATABASE IF EXISTS portal_bench_search")
        psql("CREATE DATABASE portal_bench_search")
        env["DATABASE_URL"] = PG_URL
    else:
        env["SQLITE_PATH"] = str(Path(tempfile.mkdtemp(prefix="bench-search-")) / "db.sqlite3")
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--units", str(units), "--repeat", str(repeat)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        if backend == "postgresql" and not keep:
            psql("DROP DATABASE IF EXISTS portal_bench_search")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=50000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL database, to look at plans"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        print(json.dumps(run_backend(args.units, args.repeat), ensure_ascii=False))
        return
    for backend in [args.only] if args.only else ["postgresql", "sqlite"]:
        result = child(backend, args.units, args.repeat, keep=args.keep)
        print(
            f"\n{result['vendor']}: {result['units']:,} units (loaded in {result['load_s']} s); "
            f"baseline (20 units by id) {result['baseline_median_ms']} ms"
        )
        print(f"index: {result['index']}")
        print("| query | hits | median ms | worst ms | median / baseline |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for r in result["rows"]:
            print(
                f"| {r['query']} | {r['hits']} | {r['median_ms']} | {r['worst_ms']} | "
                f"{r['ratio']} |"
            )


if __name__ == "__main__":
    main()
