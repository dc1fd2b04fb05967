"""Which content fields are held in both languages (django-modeltranslation), and the
history of study units (django-simple-history).

History is registered here, after the language columns are added, so that each version
of a unit holds its text in both languages and a revert restores both: a model's
``HistoricalRecords`` declared in models.py would be built before modeltranslation adds
the columns, and would silently keep only the column of whichever language was active.
"""

import simple_history
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import TranslationOptions, register

from .history import QuestionsInHistory, TagsInHistory
from .models import Exposition, SelfCheckOption, SelfCheckQuestion, StudyUnit, Theme


@register(Exposition)
class ExpositionTranslation(TranslationOptions):
    fields = ("title", "author", "organisation")


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name", "description")


@register(StudyUnit)
class StudyUnitTranslation(TranslationOptions):
    fields = ("title", "summary", "key_points", "body", "body_html")


@register(SelfCheckQuestion)
class SelfCheckQuestionTranslation(TranslationOptions):
    fields = ("text", "explanation")


@register(SelfCheckOption)
class SelfCheckOptionTranslation(TranslationOptions):
    fields = ("text",)


simple_history.register(
    StudyUnit,
    app="expositions",
    # Each version also holds the unit's tags and self-check questions (expositions.history).
    bases=[TagsInHistory, QuestionsInHistory],
    verbose_name=_("study unit version"),
    verbose_name_plural=_("study unit versions"),
    excluded_fields=[
        "body_html",
        "body_html_zh_hans",
        "body_html_en",
        "seed_checksum",
        "credit_hours",  # derived from study_hours and reading_minutes, both versioned
        "search_text",
        "search_title",
        "search_tokens",
        "search_title_tokens",
        "questions_checksum",
    ],
)
