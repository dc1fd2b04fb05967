"""Content written before the two-language columns migrates forward: its English text
lands in the English columns, and the loader then adds the shipped Chinese to a unit
nobody edited, while a unit an editor changed is left alone."""

import hashlib
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from expositions.models import Exposition, StudyUnit, Theme
from expositions.seed import load_exposition, read_seed

BEFORE = [
    ("expositions", "0005_search_tags_sorted"),
    ("training", "0004_module_hours_not_negative"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _old_checksum(spec, theme_slug, tags):
    """StudyUnit.content_checksum as the portal computed it before this change."""
    data = {
        "theme": theme_slug,
        "title": spec["title"],
        "summary": spec["summary"],
        "body": spec["body"],
        "key_points": "\n".join(spec["key_points"]),
        "source_passage": "\n\n".join(spec["passages"]),
        "order": spec.get("order", 0),
        "status": "published",
        "tags": sorted(t.lower() for t in tags),
    }
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()


@pytest.mark.long
@pytest.mark.django_db(transaction=True)
def test_english_content_migrates_and_the_loader_adds_the_chinese():
    data, source = read_seed()
    _migrate(BEFORE)
    old = MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps
    meta = data["exposition"]
    exposition = old.get_model("expositions", "Exposition").objects.create(
        slug=meta["slug"],
        title=meta["title"],
        title_zh=meta["title_zh"],
        author=meta["author"],
        organisation=meta["organisation"],
        source_text=source,
    )
    theme_spec = data["themes"][0]
    theme = old.get_model("expositions", "Theme").objects.create(
        slug=theme_spec["slug"], name_en=theme_spec["name_en"], name_zh=theme_spec["name_zh"]
    )
    OldUnit = old.get_model("expositions", "StudyUnit")
    OldTag = old.get_model("taggit", "Tag")
    Tagged = old.get_model("expositions", "TaggedStudyUnit")
    specs = [u for u in data["units"] if u["theme"] == theme_spec["slug"]][:2]
    for i, spec in enumerate(specs):
        tags = [name for pair in spec["tags"] for name in pair]  # the old seed: both strings
        unit = OldUnit.objects.create(
            exposition=exposition,
            theme=theme,
            slug=spec["slug"],
            title=spec["title"],
            summary=spec["summary"],
            body=spec["body"] if i == 0 else "Rewritten by an editor.",
            key_points="\n".join(spec["key_points"]),
            source_passage="\n\n".join(spec["passages"]),
            order=spec.get("order", 0),
            status="published",
            seed_checksum=_old_checksum(spec, theme.slug, tags),
        )
        for name in tags:
            tag, _ = OldTag.objects.get_or_create(name=name, defaults={"slug": name})
            Tagged.objects.create(content_object=unit, tag=tag)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    untouched, edited = (StudyUnit.objects.get(slug=s["slug"]) for s in specs)
    assert untouched.title_en == specs[0]["title"]
    assert untouched.title_zh_hans is None
    assert Theme.objects.get().name_zh_hans == theme_spec["name_zh"]
    assert Exposition.objects.get().title_zh_hans == meta["title_zh"]

    report = load_exposition()
    assert specs[0]["slug"] in report.updated
    assert report.kept_edited == [specs[1]["slug"]]
    untouched.refresh_from_db()
    assert untouched.title_zh_hans == specs[0]["title_zh"]
    assert untouched.source_translation.startswith(specs[0]["passages_zh"][0])
    edited.refresh_from_db()
    assert edited.body_en == "Rewritten by an editor."
    # No Chinese added to a unit an editor changed (its self-check questions are loaded
    # through unit_save, which keeps an absent title as empty text).
    assert not edited.title_zh_hans
