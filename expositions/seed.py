"""The shipped exposition: validate the data file, then load it idempotently.

The data file (``expositions/data/civil-affairs-exposition.json``) and the source
text beside it are content the project owns. Loading them a second time changes
nothing, and a unit an editor has changed since the last load is left alone.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_noop

from portal.serial import one_at_a_time

from . import seed_questions, services
from .history import TAG_RENAMED
from .models import Exposition, StudyUnit, Tag, Theme

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_DATA_FILE = DATA_DIR / "civil-affairs-exposition.json"

CJK_RE = re.compile(r"[\u3400-\u9fff]")


class SeedError(ValueError):
    """The data file is not valid; nothing was written."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)
    tags_removed: list[str] = field(default_factory=list)
    questions_loaded: list[str] = field(default_factory=list)
    questions_kept_edited: list[str] = field(default_factory=list)


def read_seed(path=DEFAULT_DATA_FILE):
    """Read and validate the data file and its source text.

    Raises SeedError listing every problem found.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SeedError([f"{path.name}: cannot read: {exc}"]) from exc

    errors = []
    expo = data.get("exposition") or {}
    for key in ("slug", "title", "title_zh", "author", "source_file"):
        if not expo.get(key):
            errors.append(f"exposition: '{key}' is missing")
    source = ""
    if expo.get("source_file"):
        try:
            source = (path.parent / expo["source_file"]).read_text(encoding="utf-8")
        except OSError as exc:
            errors.append(f"exposition: cannot read source file: {exc}")

    theme_slugs = set()
    for i, theme in enumerate(data.get("themes") or [], start=1):
        for key in ("slug", "name_en", "name_zh"):
            if not theme.get(key):
                errors.append(f"theme {i}: '{key}' is missing")
        theme_slugs.add(theme.get("slug"))
    if not theme_slugs:
        errors.append("no themes")

    seen = set()
    units = data.get("units") or []
    if not units:
        errors.append("no units")
    for i, unit in enumerate(units, start=1):
        where = f"unit {i} ({unit.get('slug', '?')})"
        # Both languages, everywhere a reader looks: the English text and its Chinese.
        for key in ("slug", "theme", "title", "summary", "body", "passages"):
            if not unit.get(key):
                errors.append(f"{where}: '{key}' is missing")
        for key in ("title_zh", "summary_zh", "body_zh", "passages_zh"):
            if not unit.get(key):
                errors.append(f"{where}: '{key}' (Chinese) is missing")
            elif key != "passages_zh" and not CJK_RE.search(unit[key]):
                errors.append(f"{where}: '{key}' is not written in Chinese")
        if len(unit.get("key_points_zh") or []) != len(unit.get("key_points") or []):
            errors.append(f"{where}: needs as many Chinese key points as English ones")
        if len(unit.get("passages_zh") or []) != len(unit.get("passages") or []):
            errors.append(f"{where}: needs one Chinese translation (译文) per source passage")
        for j, pair in enumerate(unit.get("tags") or [], start=1):
            if not (isinstance(pair, list) and len(pair) == 2 and all(pair)):
                errors.append(f"{where}: tag {j} must be a [Chinese, English] pair")
        if unit.get("slug") in seen:
            errors.append(f"{where}: slug is used twice")
        seen.add(unit.get("slug"))
        if unit.get("theme") and unit["theme"] not in theme_slugs:
            errors.append(f"{where}: unknown theme '{unit['theme']}'")
        if not 3 <= len(unit.get("key_points") or []) <= 5:
            errors.append(f"{where}: needs 3 to 5 key points")
        for j, passage in enumerate(unit.get("passages") or [], start=1):
            if source and passage not in source:
                errors.append(f"{where}: passage {j} is not verbatim in the source text")
    if errors:
        raise SeedError(errors)
    return data, source


def _unit_values(unit):
    return {
        "title_en": unit["title"],
        "title_zh_hans": unit["title_zh"],
        "summary_en": unit["summary"],
        "summary_zh_hans": unit["summary_zh"],
        "body_en": unit["body"],
        "body_zh_hans": unit["body_zh"],
        "key_points_en": "\n".join(unit["key_points"]),
        "key_points_zh_hans": "\n".join(unit["key_points_zh"]),
        "source_passage": "\n\n".join(unit["passages"]),
        "source_translation": "\n\n".join(unit["passages_zh"]),
        "order": unit.get("order", 0),
    }


def _tag_names(unit):
    """The unit's tags as the loader writes them: one per idea, by its Chinese name."""
    return [zh for zh, _en in unit.get("tags", [])]


def _name_ideas(units, english_replaces=None):
    """Each tag of the data file is one idea with a Chinese and an English name: create
    the ones missing, and give an English name to one that has none yet or still has the
    one an earlier data file gave it (``english_replaces``); an editor's English name is
    kept. Returns the tags renamed."""
    english_replaces = english_replaces or {}
    pairs = dict(pair for unit in units for pair in unit.get("tags", []))
    existing = {t.name: t for t in Tag.objects.filter(name__in=pairs)}
    renamed = []
    for zh, en in pairs.items():
        tag = existing.get(zh)
        if tag is None:
            tag = Tag(name=zh, name_en=en)
            tag.save()  # TagBase.save makes the slug
        elif not tag.name_en or (tag.name_en != en and tag.name_en in english_replaces.get(zh, [])):
            # Not services.tag_rename: it would write a version of each unit now, and
            # the loader's units get theirs below, with the new name in it.
            Tag.objects.filter(pk=tag.pk).update(name_en=en)
            if tag.name_en:
                renamed.append(tag)
    return renamed


def load_exposition(path=DEFAULT_DATA_FILE, questions_path=None) -> LoadReport:
    """Load the shipped exposition, its themes and units, and their self-check questions
    (``questions_path``, by default ``self-check.json`` beside the data file when there
    is one: expositions.seed_questions); safe to run again.

    Everything is validated before anything is written, and the whole load is
    one transaction, one at a time: a second load that starts meanwhile waits for it.
    """
    data, source = read_seed(path)
    questions, errors = seed_questions.read_questions(
        questions_path or Path(path).parent / seed_questions.FILE_NAME,
        data["units"],
        required=questions_path is not None,
    )
    if errors:
        raise SeedError(errors)
    report = LoadReport()
    with transaction.atomic():
        # Two loads at once: the second waits, then finds everything loaded.
        one_at_a_time("expositions.load_exposition")
        meta = data["exposition"]
        exposition, _ = Exposition.objects.get_or_create(
            slug=meta["slug"],
            defaults={
                "title_en": meta["title"],
                "title_zh_hans": meta["title_zh"],
                "author_en": meta["author"],
                "author_zh_hans": meta.get("author_zh", ""),
                "organisation_en": meta.get("organisation", ""),
                "organisation_zh_hans": meta.get("organisation_zh", ""),
                "source_text": source,
            },
        )
        # Filled in where an earlier version of the portal left them empty, and
        # rewritten where they still hold what an earlier data file said ("replaces").
        _bring_up_to_date(
            exposition,
            meta.get("replaces", {}),
            (
                ("title_en", "title", meta["title"]),
                ("title_zh_hans", "title_zh", meta["title_zh"]),
                ("author_en", "author", meta["author"]),
                ("author_zh_hans", "author_zh", meta.get("author_zh", "")),
                ("organisation_zh_hans", "organisation_zh", meta.get("organisation_zh", "")),
            ),
        )
        themes = {}
        for t in data["themes"]:
            themes[t["slug"]], _ = Theme.objects.get_or_create(
                slug=t["slug"],
                defaults={
                    "name_en": t["name_en"],
                    "name_zh_hans": t["name_zh"],
                    "description_en": t.get("description_en", ""),
                    "description_zh_hans": t.get("description_zh", ""),
                    "order": t.get("order", 0),
                },
            )
            _bring_up_to_date(
                themes[t["slug"]],
                t.get("replaces", {}),
                (
                    ("description_en", "description_en", t.get("description_en", "")),
                    ("description_zh_hans", "description_zh", t.get("description_zh", "")),
                ),
            )
        renamed = _name_ideas(data["units"], data.get("tag_english_replaces", {}))
        existing = {
            u.slug: u
            for u in StudyUnit.objects.filter(slug__in=[u["slug"] for u in data["units"]])
            .select_related("theme")
            .prefetch_related("tags")
        }
        reason = data.get("update_reason") or UPDATED
        for spec in data["units"]:
            _load_unit(
                spec,
                exposition,
                themes[spec["theme"]],
                existing.get(spec["slug"]),
                report,
                reason,
                questions.get(spec["slug"]),
            )
        _after_tag_renames(renamed)
        report.tags_removed = _remove_retired_tags(data.get("retired_tags", []))
    return report


def _bring_up_to_date(obj, replaces, columns):
    """Set each (column, key, value) where the column is empty or still holds one of
    the values an earlier data file wrote (``replaces[key]``); an editor's text stays."""
    changed = []
    for column, key, value in columns:
        current = getattr(obj, column) or ""
        if value and current != value and (not current or current in replaces.get(key, [])):
            setattr(obj, column, value)
            changed.append(column)
    if changed:
        obj.save(update_fields=changed)


def _after_tag_renames(tags):
    """Units the loader did not rewrite (an editor's) that carry a tag whose English
    name changed: their search columns and a version of each, as for a rename in the
    tag admin. The loader's own units already hold the new names in their version."""
    if not tags:
        return
    units = StudyUnit.objects.filter(tagged_items__tag__in=tags).distinct()
    services.units_reindex(units=units, reason=TAG_RENAMED)


def _remove_retired_tags(names):
    """Tags an earlier data file used and this one no longer does: deleted when no unit
    carries them (an editor's unit that still does keeps its tag). A version that held
    one gets it back on a revert (the revert recreates deleted tags)."""
    unused = Tag.objects.filter(name__in=names, tagged_units__isnull=True)
    removed = sorted(unused.values_list("name", flat=True))
    unused.delete()
    return removed


# Reasons stored in English and shown in the reader's language (the history page
# translates a stored reason it knows).
LOADED = gettext_noop("Loaded from the shipped exposition")
UPDATED = gettext_noop("Updated from the shipped exposition")
# The reason the data file gives for its latest changes (``update_reason``), here so
# that the catalogue holds it and the history shows it in Chinese.
EDITORIAL_PASS = gettext_noop(
    "Editorial pass: names, published wordings, reserved terms, tags (issue 32)"
)


def _load_unit(spec, exposition, theme, unit, report, reason=UPDATED, wanted=None):
    """One unit of the data file, with its questions (``wanted``: None when the questions
    file has none for it): in one version when both change."""
    values = _unit_values(spec)
    tags = _tag_names(spec)
    if unit is None:
        unit = StudyUnit(
            slug=spec["slug"],
            exposition=exposition,
            theme=theme,
            status=StudyUnit.Status.PUBLISHED,
            reading_minutes=spec.get("reading_minutes", 0),
            **values,
        )
        services.unit_save(unit=unit, tags=tags, questions=wanted, reason=LOADED)
        unit.seed_checksum = unit.content_checksum(tags)
        StudyUnit.objects.filter(pk=unit.pk).update(seed_checksum=unit.seed_checksum)
        report.created.append(unit.slug)
        _questions_written(unit, wanted, report)
        return

    questions, kept = seed_questions.plan(unit, wanted)
    if kept:
        report.questions_kept_edited.append(unit.slug)
    if unit.content_checksum() != unit.seed_checksum:
        report.kept_edited.append(unit.slug)
        _questions_alone(unit, questions, report)
        return
    for key, value in values.items():
        setattr(unit, key, value)
    unit.theme = theme
    unit.status = StudyUnit.Status.PUBLISHED
    new_checksum = unit.content_checksum(tags)
    if new_checksum == unit.seed_checksum:
        report.unchanged.append(unit.slug)
        _questions_alone(unit, questions, report)
        return
    unit.seed_checksum = new_checksum
    services.unit_save(unit=unit, tags=tags, questions=questions, reason=reason)
    report.updated.append(unit.slug)
    _questions_written(unit, questions, report)


def _questions_alone(unit, questions, report):
    """The unit's questions changed in the file, and nothing else of it (or the rest of
    it is an editor's): a version for them."""
    if questions is not None:
        services.unit_save(unit=unit, questions=questions, reason=seed_questions.QUESTIONS_LOADED)
        _questions_written(unit, questions, report)


def _questions_written(unit, questions, report):
    if questions is not None:
        seed_questions.written(unit, questions)
        report.questions_loaded.append(unit.slug)
