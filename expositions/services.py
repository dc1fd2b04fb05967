"""The writes of study content: the one path of each value derived from a unit.

Each function is atomic and names, in its docstring, the derived values it writes. The
admin (unit, tag and exposition pages, the revert page), the loader (seed.py),
devtools' generator and the tests' factories call these; ``StudyUnit.save`` only saves.

Derived values of a unit and their writers:

- ``body_html_*``, line ends of the text fields, ``reading_minutes`` (when 0),
  ``credit_hours``, ``published_at`` (when published without one): ``unit_save``.
- The four search columns (``search.DERIVED_FIELDS``): ``unit_save``,
  ``unit_tags_set``, ``tags_merge``, ``tag_rename``, ``tag_delete`` (through
  ``units_reindex``).
- The version's tags (``history_tags``, expositions.history): ``unit_save`` (the version
  its save writes, dropped when it records no change), and ``units_reindex`` for tags
  changed without a save (a version for each unit whose tags changed).
- The unit's self-check questions and the version's copy of them (``history_questions``):
  ``unit_save`` (``questions=``); the versions ``units_reindex`` writes copy them.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from . import history, search, self_check
from .models import StudyUnit, Tag, TaggedStudyUnit, tag_search_names


@transaction.atomic
def unit_save(*, unit, tags=None, questions=None, reason=None):
    """Save ``unit`` with everything readers see derived from its typed fields, and set
    its tags when ``tags`` (names or Tag objects) is given and its self-check questions
    when ``questions`` is (a list in ``expositions.self_check``'s shape, [] for none):
    the one write path of a unit and its questions.

    Refuses questions that break ``self_check.problems`` (ValidationError listing them,
    nothing written). Writes: the text fields with one kind of line end, ``body_html``
    in each language, ``reading_minutes`` (when 0), ``credit_hours``, ``published_at``
    (when published without one), the four search columns, the questions (in place by
    their order, numbered from 1), and the version the save writes (its
    ``history_tags`` and ``history_questions``; the version is dropped when it records
    no change). ``reason`` is the version's change reason. Returns the unit."""
    if questions is not None:
        found = self_check.all_problems(questions)
        if found:
            raise ValidationError(found)
        questions = self_check.normalised(questions)
    unit.prepare_for_readers()
    if unit.status == StudyUnit.Status.PUBLISHED and unit.published_at is None:
        # Whole seconds: the admin's date/time fields cannot show microseconds.
        unit.published_at = timezone.now().replace(microsecond=0)
    if tags is None:
        # The tags stay: the search columns are written with the unit, in one UPDATE.
        names = tag_search_names(unit.tags.all()) if unit.pk else []
        _set_search_columns(unit, names)
    if reason:
        unit._change_reason = reason
    unit.save()
    if tags is not None:
        unit.tags.set(list(tags))
        _set_search_columns(unit, tag_search_names(unit.tags.all()))
        StudyUnit.objects.filter(pk=unit.pk).update(
            **{name: getattr(unit, name) for name in search.DERIVED_FIELDS}
        )
    if questions is not None:
        self_check.write(unit, questions)
    history.complete_version(unit)
    return unit


def _set_search_columns(unit, tag_names):
    for name, value in search.document(unit, tag_names).items():
        setattr(unit, name, value)


@transaction.atomic
def unit_tags_set(*, unit, tags, reason=None):
    """Set ``unit``'s tags (names or Tag objects) in code, without editing the unit.

    Writes: the unit's four search columns and, when its tags changed, a version of it
    holding them (``history_tags``), with ``reason``. Returns the unit."""
    unit.tags.set(list(tags))
    units_reindex(units=StudyUnit.objects.filter(pk=unit.pk), reason=reason or "")
    unit.refresh_from_db(fields=search.DERIVED_FIELDS)
    return unit


@transaction.atomic
def units_reindex(*, units, reason=None):
    """After the tags of ``units`` (a queryset) changed outside ``unit_save``.

    Writes: their four search columns; unless ``reason`` is None, a version of each
    unit whose tags differ from its latest version's (``history_tags``), with
    ``reason`` ("" for none). Returns how many units were reindexed."""
    count = units.reindex_search()
    if reason is not None:
        history.record_tag_change(units, reason or None)
    return count


@transaction.atomic
def tags_merge(*, tags):
    """Merge several tags into one idea: the one on most units is kept (the first made,
    on a tie), takes an English name from the others when it has none, and gets their
    units; the others are deleted. Returns the kept tag (None when none is given).

    Writes: the units' links, the kept tag's English name, the units' four search
    columns and a version of each unit whose tags changed (``history_tags``)."""
    tags = list(
        Tag.objects.filter(pk__in=[t.pk for t in tags])
        .annotate(units=models.Count("tagged_units"))
        .order_by("-units", "pk")
    )
    if len(tags) < 2:
        return tags[0] if tags else None
    kept, others = tags[0], tags[1:]
    unit_ids = set(
        TaggedStudyUnit.objects.filter(tag__in=tags).values_list("content_object_id", flat=True)
    )
    has_kept = set(kept.tagged_units.values_list("content_object_id", flat=True))
    TaggedStudyUnit.objects.bulk_create(
        TaggedStudyUnit(tag=kept, content_object_id=unit_id) for unit_id in unit_ids - has_kept
    )
    if not kept.name_en:
        kept.name_en = next((t.name_en for t in others if t.name_en), "")
    Tag.objects.filter(pk__in=[t.pk for t in others]).delete()  # their links go with them
    Tag.objects.filter(pk=kept.pk).update(name_en=kept.name_en)
    units_reindex(units=StudyUnit.objects.filter(pk__in=unit_ids), reason=history.TAGS_MERGED)
    return kept


@transaction.atomic
def tag_rename(*, tag, name=None, name_en=None):
    """Save ``tag`` with the names given (None keeps a name; the tag admin passes the
    form's, with the rest of its fields already on ``tag``). Returns the tag.

    Writes: the tag, the four search columns of the units it is on, and a version of
    each of those units whose tags changed (``history_tags``)."""
    if name is not None:
        tag.name = name
    if name_en is not None:
        tag.name_en = name_en
    tag.save()
    units_reindex(units=StudyUnit.objects.filter(tagged_items__tag=tag), reason=history.TAG_RENAMED)
    return tag


@transaction.atomic
def tag_delete(*, tag):
    """Delete ``tag`` (its links go with it).

    Writes: the four search columns of the units it was on, and a version of each of
    them without it (``history_tags``)."""
    unit_ids = list(StudyUnit.objects.filter(tagged_items__tag=tag).values_list("pk", flat=True))
    tag.delete()
    units_reindex(units=StudyUnit.objects.filter(pk__in=unit_ids), reason=history.TAG_DELETED)
