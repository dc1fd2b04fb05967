"""Study units: what readers read, the rule of which ones they may see, and links
to them. Everything a reader sees that is derived from a unit's typed fields (the
rendered body, reading time, 学时 credited, search columns, publication time) is
written by ``expositions.services.unit_save``; ``StudyUnit.save`` only saves."""

import hashlib
import json
import math
import re
from collections import namedtuple
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname
from taggit.managers import TaggableManager

from .. import search
from ..markdown import render_markdown
from .content import (
    CJK_CHARS_PER_MINUTE,
    WORDS_PER_MINUTE,
    Bilingual,
    Exposition,
    Theme,
    hours_for_minutes,
    split_paragraphs,
)
from .tags import Tag, TaggedStudyUnit, tag_search_names


def readable(through=""):
    """The one rule of what readers may see: a unit published, with a publication time
    not in the future. ``through`` reaches the unit across a relation (``"unit__"``).
    ``StudyUnitQuerySet.published`` is this rule; everything else that asks which units
    readers see uses one or the other."""
    return Q(
        **{
            f"{through}status": StudyUnit.Status.PUBLISHED,
            f"{through}published_at__lte": timezone.now(),
        }
    )


def sees_drafts(user):
    """May ``user`` read units that are not published (editors)? The rule of
    ``StudyUnitQuerySet.visible_to`` and ``StudyUnit.page``."""
    # Editors are staff: nobody else pays for the permission lookup (two queries).
    return user.is_authenticated and user.is_staff and user.has_perm("expositions.change_studyunit")


class StudyUnitQuerySet(models.QuerySet):
    def published(self):
        """Units a reader may see: published, with a publication time not in the future
        (``readable``)."""
        return self.filter(readable())

    def visible_to(self, user):
        """Editors see drafts too; everybody else sees published units only."""
        return self.all() if sees_drafts(user) else self.published()

    def links_in_reading_order(self):
        """The ``UnitLink`` (pk, slug, titles) of each of these units, in their theme's
        reading order: one query of short rows (a theme holds up to about a hundred)."""
        fields = UnitLink.fields()
        return [UnitLink(*row) for row in self.order_by("order", "pk").values_list(*fields)]

    def for_theme(self, theme):
        return self.filter(theme=theme)

    def for_tag(self, tag_slug):
        return self.filter(tags__slug=tag_slug)

    def tags(self):
        """The tags of these units: a tag only drafts carry is not a reader's tag."""
        return Tag.objects.filter(
            pk__in=TaggedStudyUnit.objects.filter(content_object__in=self).values("tag")
        )

    def reindex_search(self):
        """Recompute the derived search columns of these units from their fields and
        tags (expositions.search); returns how many were written."""
        units = self.prefetch_related("tags").order_by("pk")
        batch, count = [], 0
        for unit in units.iterator(chunk_size=500):
            for name, value in search.document(unit, tag_search_names(unit.tags.all())).items():
                setattr(unit, name, value)
            batch.append(unit)
            if len(batch) >= 500:
                count += StudyUnit.objects.bulk_update(batch, search.DERIVED_FIELDS)
                batch = []
        if batch:
            count += StudyUnit.objects.bulk_update(batch, search.DERIVED_FIELDS)
        return count

    def for_listing(self):
        """What a list of units shows: its theme and its tags, in three queries at most."""
        return (
            self.select_related("theme")
            .prefetch_related("tags")
            .order_by("theme__order", "order", "pk")
        )


class StudyUnit(Bilingual, models.Model):
    """One readable piece of study, resting on a passage of an exposition.

    Title, summary, key points and body are held in both languages (translation.py);
    the source passages are verbatim English from the exposition, with their Chinese
    translation (译文) beside them.
    """

    TRANSLATED = ("title", "summary", "key_points", "body")
    # Text fields kept with one kind of line end, per language column.
    TEXT_FIELDS = ("title", "summary", "key_points", "body")

    class Status(models.TextChoices):
        # The workflow: an editor writes a draft, sends it for review, and publishes
        # it (now, or at a later publication time). Only published units are read.
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    exposition = models.ForeignKey(
        Exposition, on_delete=models.PROTECT, related_name="units", verbose_name=_("exposition")
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="units", verbose_name=_("theme")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = models.CharField(_("summary"), max_length=500, help_text=_("One sentence."))
    body = models.TextField(_("body"), help_text=_("Markdown."))
    body_html = models.TextField(_("rendered body"), blank=True, editable=False)
    key_points = models.TextField(
        _("key points"), blank=True, help_text=_("One key point per line; three to five.")
    )
    source_passage = models.TextField(
        _("source passage(s)"),
        help_text=_(
            "Quoted verbatim from the exposition. Separate several passages with a blank line."
        ),
    )
    source_translation = models.TextField(
        _("translation of the source passage(s) (译文)"),
        blank=True,
        help_text=_(
            "Simplified Chinese, one paragraph per passage, in the same order, "
            "separated by a blank line."
        ),
    )
    reading_minutes = models.PositiveSmallIntegerField(
        _("reading minutes"), default=0, help_text=_("Leave 0 to estimate from the text.")
    )
    study_hours = models.DecimalField(
        _("study hours (学时)"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.25"))],
        help_text=_(
            "Credited once to a cadre who completes the unit. Leave empty to credit by "
            "reading length: under 15 minutes 0.25, 15 to 30 minutes 0.5, each 30 minutes 1."
        ),
    )
    # What a completion credits: study_hours, or the reading-length rule when it is
    # empty; written by services.unit_save (prepare_for_readers), so sums are one SQL SUM.
    credit_hours = models.DecimalField(
        _("credited study hours"), max_digits=4, decimal_places=2, default=0, editable=False
    )
    order = models.PositiveIntegerField(_("order within theme"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(
        _("status changed at"), null=True, blank=True, editable=False
    )
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("status changed by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Fingerprint of the shipped content the loader last wrote. When the unit's
    # current content no longer matches it, an editor has changed the unit and
    # the loader leaves it alone.
    seed_checksum = models.CharField(max_length=64, blank=True, editable=False)
    # The same for the self-check questions the loader last wrote (self_check.checksum):
    # questions an editor changed are kept as the editor left them.
    questions_checksum = models.CharField(max_length=64, blank=True, editable=False)
    # Derived search columns (expositions/search.py), written by the services on every
    # save and tag change; `manage.py rebuild_search_index` rebuilds them.
    search_text = models.TextField(blank=True, editable=False)
    search_title = models.TextField(blank=True, editable=False)
    search_tokens = models.TextField(blank=True, editable=False)
    search_title_tokens = models.TextField(blank=True, editable=False)

    tags = TaggableManager(through=TaggedStudyUnit, blank=True, verbose_name=_("tags"))
    # History (django-simple-history) is registered in translation.py, after the
    # language columns exist, so that every version holds both languages.

    objects = StudyUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("study unit")
        verbose_name_plural = _("study units")
        ordering = ["theme__order", "order", "pk"]
        indexes = [
            models.Index(fields=["theme", "status", "order"], name="unit_theme_status_order"),
            models.Index(fields=["status", "-updated_at"], name="unit_status_updated"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """A plain save. What readers see beyond the typed fields is derived by
        ``expositions.services.unit_save``, the one write path of a unit; a unit never
        prepared (``credit_hours`` is at least 0.25 once it is) is refused, so that no
        caller creates one that readers would see without a body or 学时."""
        if not self.credit_hours:
            raise ValueError("Save a study unit with expositions.services.unit_save.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("expositions:unit_detail", kwargs={"slug": self.slug})

    @classmethod
    def page(cls, slug, user):
        """What the unit page needs of the unit at ``slug``, if ``user`` may read it
        (``StudyUnitQuerySet.visible_to``'s rule): a ``UnitPage`` of the unit and the
        units just before and after it in its theme's reading order that ``user`` may
        read (``UnitLink``s, None at an end); None when there is no such unit.

        Two queries: the unit, and the links of its theme's units that ``user`` may
        read (``links_in_reading_order``), 2.9 ms where one query with the neighbours'
        links as eight subqueries took 7.7 (bench/RESULTS.md, 2026-12-06). The unit's
        theme, exposition and tags are read when its cached part is rendered afresh,
        and not otherwise."""
        among = cls.objects.visible_to(user)
        unit = among.filter(slug=slug).first()
        if unit is None:
            return None
        links = among.filter(theme_id=unit.theme_id).links_in_reading_order()
        index = next(i for i, link in enumerate(links) if link.pk == unit.pk)
        previous = links[index - 1] if index > 0 else None
        following = links[index + 1] if index + 1 < len(links) else None
        return UnitPage(unit, previous, following)

    def prepare_for_readers(self):
        """What a reader's page needs beyond the typed fields: one kind of line end
        (browsers submit textareas with CRLF; one form lets history diffs and the
        loader's checksum see only real changes), the body rendered (sanitised) in each
        language, the reading time, the 学时 credited. Done by ``services.unit_save``,
        and by the editors' preview on a unit not saved."""
        columns = [
            build_localized_fieldname(name, code.replace("-", "_"))
            for name in self.TEXT_FIELDS
            for code, _name in settings.LANGUAGES
        ]
        for name in [*columns, "source_passage", "source_translation"]:
            value = getattr(self, name) or ""
            setattr(self, name, value.replace("\r\n", "\n").replace("\r", "\n"))
        # Rendered once here, not per request: see bench/RESULTS.md.
        for code, _name in settings.LANGUAGES:
            suffix = code.replace("-", "_")
            setattr(self, f"body_html_{suffix}", render_markdown(getattr(self, f"body_{suffix}")))
        # (Never assign ``self.body_html``: modeltranslation would write it into the
        # column of whichever language is active.)
        if not self.reading_minutes:
            self.reading_minutes = self.estimate_reading_minutes()
        self.credit_hours = (
            self.study_hours
            if self.study_hours is not None
            else hours_for_minutes(self.reading_minutes)
        )

    @property
    def is_scheduled(self):
        """Published, with a publication time still to come: readers see it then."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @staticmethod
    def _key_point_lines(text):
        return [line.strip(" -*\t") for line in text.splitlines() if line.strip()]

    @property
    def key_point_list(self):
        return self._key_point_lines(self.key_points)

    def key_points_in(self, language):
        return self._key_point_lines(self.text_in("key_points", language))

    @property
    def passages(self):
        return split_paragraphs(self.source_passage)

    @property
    def passages_translated(self):
        """Each source passage with its Chinese translation (empty when not written)."""
        translations = split_paragraphs(self.source_translation)
        return [
            (passage, translations[i] if i < len(translations) else "")
            for i, passage in enumerate(self.passages)
        ]

    def estimate_reading_minutes(self):
        # The reader reads one language: the longer of the two (they are translations).
        texts = [
            " ".join(
                [self.text_in(f, code) for f in ("summary", "key_points", "body")]
                + [self.source_passage]
            )
            for code, _name in settings.LANGUAGES
        ]
        return max(self._minutes(text) for text in texts)

    @staticmethod
    def _minutes(text):
        cjk = len(re.findall(r"[\u3400-\u9fff]", text))
        words = len(re.findall(r"[A-Za-z0-9'’-]+", text))
        return max(1, math.ceil(words / WORDS_PER_MINUTE + cjk / CJK_CHARS_PER_MINUTE))

    def content_checksum(self, tag_names=None):
        """A fingerprint of what the loader owns, to tell an editor's change apart."""
        if tag_names is None:
            tag_names = [t.name for t in self.tags.all()]
        data = {
            "theme": self.theme.slug,
            **{
                f"{name}_{code}": self.text_in(name, code)
                for name in self.TEXT_FIELDS
                for code, _name in settings.LANGUAGES
            },
            "source_passage": self.source_passage,
            "source_translation": self.source_translation,
            "order": self.order,
            "status": self.status,
            "tags": sorted(n.lower() for n in tag_names),
        }
        raw = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()


UnitPage = namedtuple("UnitPage", "unit previous next")


class UnitLink:
    """What a link to a unit shows: its pk, slug and title in each language (in the
    order of ``fields()``), ``title`` read through the unit's own
    django-modeltranslation descriptor (the reader's language, with the fallback), and
    its URL. Not a model instance: making one (forty fields, and the translation
    fields' set-up) cost more than the row (bench/RESULTS.md, 2026-12-02). Made from
    a row of ``values_list(*UnitLink.fields())``."""

    def __init__(self, pk, slug, *titles):
        self.pk = pk
        self.slug = slug
        for name, title in zip(self.fields()[2:], titles, strict=True):
            setattr(self, name, title)

    @staticmethod
    def fields():
        titles = (
            build_localized_fieldname("title", code.replace("-", "_"))
            for code in settings.MODELTRANSLATION_LANGUAGES
        )
        return ["pk", "slug", *titles]

    @property
    def title(self):
        return vars(StudyUnit)["title"].__get__(self, StudyUnit)

    def get_absolute_url(self):
        return reverse("expositions:unit_detail", kwargs={"slug": self.slug})

    def __eq__(self, other):
        """Equal to another link or to the unit itself with the same pk."""
        if isinstance(other, UnitLink | StudyUnit):
            return self.pk == other.pk
        return NotImplemented

    def __hash__(self):
        return hash(("unit", self.pk))

    def __repr__(self):
        return f"<UnitLink {self.pk} {self.slug}>"
