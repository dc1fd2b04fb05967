"""The whole history of a study unit: every version holds what a reader sees, tags and
self-check questions included, and a version is kept only when something in it changed.

django-simple-history writes a version when the unit is saved, before its tags and
questions are set; ``complete_version`` then writes them into that version and drops it
when nothing differs from the version before (a save with no change). Both are done by
``expositions.services.unit_save``; the services that change tags without a save
(``unit_tags_set``, merge, rename, delete) call ``record_tag_change``. ``diff`` compares two
versions field by field, marking the changes inside each field: by character for
Chinese, by word for English.
"""

import difflib
import re

from django.db import models
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.utils import get_history_manager_for_model

from . import self_check

# Fields a version records and compares, in the order the history shows them. Each is
# (field name, language of its text: "zh", "en" or None for a value shown whole).
COMPARED = (
    ("title_zh_hans", "zh"),
    ("title_en", "en"),
    ("summary_zh_hans", "zh"),
    ("summary_en", "en"),
    ("key_points_zh_hans", "zh"),
    ("key_points_en", "en"),
    ("body_zh_hans", "zh"),
    ("body_en", "en"),
    ("source_passage", "en"),
    ("source_translation", "zh"),
    ("tags", None),
    ("questions", None),
    ("theme", None),
    ("exposition", None),
    ("status", None),
    ("published_at", None),
    ("order", None),
    ("slug", None),
    ("reading_minutes", None),
    ("study_hours", None),
)
LANGUAGE_LABELS = {"zh_hans": _("Chinese"), "en": _("English")}


class TagsInHistory(models.Model):
    """What the historical study unit adds to the unit's own fields: its tags at that
    version, as [[Chinese name, English name], …] sorted by name. None in versions
    written before tags were recorded: their tags are not known, a revert to them
    leaves the tags as they are, and the history shows no tag change for them."""

    history_tags = models.JSONField(_("tags"), null=True, blank=True, default=None)

    class Meta:
        abstract = True


class QuestionsInHistory(models.Model):
    """And its self-check questions at that version, in the shape of
    ``expositions.self_check`` (a list, [] for none). Every version written before
    questions existed holds [] (migration 0012: no unit had any); None would mean not
    recorded, which a revert leaves as it is, like tags."""

    history_questions = models.JSONField(
        _("self-check questions"), null=True, blank=True, default=None
    )

    class Meta:
        abstract = True


def tag_snapshot(unit):
    return sorted([tag.name, tag.name_en or ""] for tag in unit.tags.all())


def _value(version, name):
    if name == "tags":
        return None if version.history_tags is None else [list(t) for t in version.history_tags]
    if name == "questions":
        return version.history_questions
    if name in ("theme", "exposition"):
        return getattr(version, f"{name}_id")
    value = getattr(version, name)
    if name == "published_at" and value is not None:
        # To the minute, as the history shows it and editors schedule it: a round trip
        # through the admin's date and time boxes is not a change.
        return value.replace(second=0, microsecond=0)
    return value


def changed_fields(older, newer):
    changed = []
    for name, _kind in COMPARED:
        old, new = _value(older, name), _value(newer, name)
        if name in ("tags", "questions") and (old is None or new is None):
            continue  # not recorded on one side: unknown, not a change
        if old != new:
            changed.append(name)
    return changed


def complete_version(unit):
    """After the unit, its tags and its questions are saved: put the tags and the
    questions into the version just written, and drop that version if it records no
    change. Returns the version kept, or None."""
    versions = list(unit.history.order_by("-history_id")[:2])
    if not versions:
        return None
    latest = versions[0]
    latest.history_tags = tag_snapshot(unit)
    latest.history_questions = self_check.snapshot(unit)
    if len(versions) == 2 and not changed_fields(versions[1], latest):
        latest.delete()
        return None
    latest.save(update_fields=["history_tags", "history_questions"])
    return latest


REVERTED = gettext_noop("Reverted to an earlier version")


def is_revert(request):
    """Is ``request`` the admin's revert page (simple-history's "_simple_history")?"""
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name and match.url_name.endswith("_simple_history"))


def change_reason(request, given):
    """What a saved version records as its reason: the one given, else, for a revert,
    that it was one (translated when the history is read), else nothing."""
    if given:
        return given
    return REVERTED if is_revert(request) else None


TAG_RENAMED = gettext_noop("A tag was renamed")
TAG_DELETED = gettext_noop("A tag was deleted")
TAGS_MERGED = gettext_noop("Tags were merged")


def record_tag_change(units, reason):
    """A version for each of ``units`` (a queryset) whose tags changed without a save of
    the unit: tags set in code, a tag renamed, merged or deleted (expositions.services).
    The user is the one making the request, as for any version."""
    units = list(units.prefetch_related("tags", self_check.prefetch()))
    if not units:
        return
    manager = get_history_manager_for_model(units[0].__class__)
    before = _latest_versions(manager, units)
    # Only the units whose tags differ from their last version (a save of a tag that
    # changed nothing records nothing).
    changed = [
        u for u in units if u.pk not in before or before[u.pk].history_tags != tag_snapshot(u)
    ]
    if not changed:
        return
    manager.bulk_history_create(changed, update=True, default_change_reason=reason)
    after = _latest_versions(manager, changed)
    for unit in changed:
        after[unit.pk].history_tags = tag_snapshot(unit)
        after[unit.pk].history_questions = self_check.snapshot(unit)
    manager.bulk_update(after.values(), ["history_tags", "history_questions"])


def _latest_versions(manager, units):
    latest = {}
    for version in manager.filter(id__in=[u.pk for u in units]).order_by("history_id"):
        latest[version.id] = version
    return latest


# --- showing a change ---------------------------------------------------------------

_WORDS = re.compile(r"\s+|[^\s\w]|\w+")
# Chinese: each character is a word, except runs of Latin letters and digits inside it
# (推进grassroots, 2026年).
_CHINESE = re.compile(r"[A-Za-z0-9]+|\s+|.", re.DOTALL)


def _tokens(text, kind):
    return (_WORDS if kind == "en" else _CHINESE).findall(text)


REWRITTEN = 0.4  # below this share of words in common, a field counts as rewritten


def _word_ratio(old_tokens, new_tokens):
    """The share of words two texts have in common (spaces and punctuation, which any
    two texts share, not counted)."""

    def words(tokens):
        return [t for t in tokens if any(c.isalnum() for c in t)]

    return difflib.SequenceMatcher(a=words(old_tokens), b=words(new_tokens), autojunk=False).ratio()


def inline_diff(old, new, kind):
    """HTML of ``new`` with what was removed in <del> and what was added in <ins>."""
    old_tokens, new_tokens = _tokens(old or "", kind), _tokens(new or "", kind)
    parts = []
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    if old and new and _word_ratio(old_tokens, new_tokens) < REWRITTEN:
        # Mostly rewritten: marks word by word would interleave two texts; show the
        # old one struck through, then the new one.
        return format_html("<del>{}</del> <ins>{}</ins>", old, new)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        removed, added = "".join(old_tokens[a1:a2]), "".join(new_tokens[b1:b2])
        if op == "equal":
            parts.append(escape(added))
            continue
        if removed:
            parts.append(format_html("<del>{}</del>", removed))
        if added:
            parts.append(format_html("<ins>{}</ins>", added))
    return _joined("", parts)


def label(model, name):
    """标题（中文） / title (English): the field's name and its language."""
    for suffix, language in LANGUAGE_LABELS.items():
        if name.endswith("_" + suffix):
            base = model._meta.get_field(name[: -len(suffix) - 1]).verbose_name
            return f"{base}（{language}）"
    if name == "tags":
        return str(_("tags"))
    if name == "questions":
        return str(_("self-check questions"))
    return str(model._meta.get_field(name).verbose_name)


def _shown(version, name):
    value = _value(version, name)
    if name == "tags":
        return "、".join(n for n, _en in value)
    if name == "published_at":
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""
    if name in ("theme", "exposition"):
        related = getattr(version, name, None)
        return str(related) if related is not None else ""
    if name == "status":
        return str(dict(version.instance_type.Status.choices).get(value, value))
    return "" if value is None else str(value)


def diff(older, newer, model):
    """[(label, html)] for each field that changed between two versions: the whole
    field, with the changes marked inside it."""
    rows = []
    kinds = dict(COMPARED)
    for name in changed_fields(older, newer):
        kind = kinds[name]
        if name == "tags":
            html = _tag_diff(_value(older, name), _value(newer, name))
        elif name == "questions":
            old, new = _value(older, name), _value(newer, name)
            html = inline_diff(self_check.as_text(old), self_check.as_text(new), "zh")
        elif kind is None:
            html = _whole(_shown(older, name), _shown(newer, name))
        else:
            html = inline_diff(_shown(older, name), _shown(newer, name), kind)
        rows.append((label(model, name), html))
    return rows


def _whole(old, new):
    """A value that is not text to read (a status, a time, a theme): old, then new."""
    parts = []
    if old:
        parts.append(format_html("<del>{}</del>", old))
    if new:
        parts.append(format_html("<ins>{}</ins>", new))
    return _joined(" ", parts)


def _tag_diff(old, new):
    """Every tag of the newer version, those added in <ins>, those removed in <del>."""
    old_names, new_names = [n for n, _en in old], [n for n, _en in new]
    added = [
        format_html("<ins>{}</ins>", n) if n not in old_names else escape(n) for n in new_names
    ]
    removed = [format_html("<del>{}</del>", n) for n in old_names if n not in new_names]
    return _joined("、", added + removed)


def _joined(separator, parts):
    """Safe HTML pieces (each escaped or built by format_html) joined, still safe."""
    return format_html_join(separator, "{}", ((part,) for part in parts))
