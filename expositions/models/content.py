"""Sources and themes: the exposition units are drawn from, the themes they belong
to, and what both share (``Bilingual``: text held in two languages)."""

import re
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

WORDS_PER_MINUTE = 200  # English reading speed
CJK_CHARS_PER_MINUTE = 400  # Chinese reading speed, characters


def hours_for_minutes(minutes):
    """学时 credited for a unit of this reading length, by the rule provincial cadre
    academies use for online courses (Yunnan): 30 minutes or more is 1 学时 (each whole
    30 minutes one), 15 to 30 minutes 0.5, under 15 minutes 0.25. A remainder of 15 to
    29 minutes after whole half hours adds 0.5; a shorter one adds nothing."""
    minutes = max(0, int(minutes or 0))
    if minutes < 15:
        return Decimal("0.25")
    if minutes < 30:
        return Decimal("0.5")
    whole, rest = divmod(minutes, 30)
    return Decimal(whole) + (Decimal("0.5") if rest >= 15 else Decimal("0"))


class Bilingual:
    """Content held in Simplified Chinese and English (django-modeltranslation adds a
    column per language: ``title_zh_hans``, ``title_en``; ``title`` reads the reader's
    language and falls back to the other). ``TRANSLATED`` names the fields a reader
    must have in their language; ``missing_language`` says when one is not yet written,
    so that pages can mark the fallback instead of hiding it."""

    TRANSLATED: tuple[str, ...] = ()

    def text_in(self, field, language):
        return getattr(self, build_localized_fieldname(field, language.replace("-", "_"))) or ""

    @property
    def missing_language(self):
        """True when a field the reader sees is not written in the reader's language."""
        language = get_language() or settings.LANGUAGE_CODE
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        return any(not self.text_in(field, language) for field in self.TRANSLATED)


def split_paragraphs(text):
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


class Exposition(Bilingual, models.Model):
    """A source text that study units are drawn from."""

    TRANSLATED = ("title",)

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    author = models.CharField(_("author"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    published_on = models.DateField(_("date"), null=True, blank=True)
    source_text = models.TextField(_("full source text"))

    class Meta:
        verbose_name = _("exposition")
        verbose_name_plural = _("expositions")
        ordering = ["title"]

    def __str__(self):
        return self.title


class Theme(Bilingual, models.Model):
    """One of the themes a study unit belongs to (exactly one per unit)."""

    TRANSLATED = ("name", "description")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["order", "slug"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("expositions:theme_detail", kwargs={"slug": self.slug})
