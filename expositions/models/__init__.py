"""The models of study content, by topic: ``content`` (expositions, themes, text in
two languages), ``tags`` (tags as ideas with two names), ``units`` (study units,
who may read them, links to them) and ``questions`` (a unit's self-check questions).
``from expositions.models import X`` reads them all from here."""

from .content import (
    CJK_CHARS_PER_MINUTE,
    WORDS_PER_MINUTE,
    Bilingual,
    Exposition,
    Theme,
    hours_for_minutes,
    split_paragraphs,
)
from .questions import SelfCheckOption, SelfCheckQuestion, SelfCheckQuestionQuerySet
from .tags import Tag, TaggedStudyUnit, in_reading_order, tag_search_names
from .units import (
    StudyUnit,
    StudyUnitQuerySet,
    UnitLink,
    UnitPage,
    readable,
    sees_drafts,
)

__all__ = [
    "CJK_CHARS_PER_MINUTE",
    "WORDS_PER_MINUTE",
    "Bilingual",
    "Exposition",
    "SelfCheckOption",
    "SelfCheckQuestion",
    "SelfCheckQuestionQuerySet",
    "StudyUnit",
    "StudyUnitQuerySet",
    "Tag",
    "TaggedStudyUnit",
    "Theme",
    "UnitLink",
    "UnitPage",
    "hours_for_minutes",
    "in_reading_order",
    "readable",
    "sees_drafts",
    "split_paragraphs",
    "tag_search_names",
]
