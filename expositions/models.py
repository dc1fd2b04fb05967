import hashlib
import json
import math
import re

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

from . import search
from .markdown import render_markdown

WORDS_PER_MINUTE = 200  # English reading speed
CJK_CHARS_PER_MINUTE = 400  # Chinese reading speed, characters


def in_language(en: str, zh: str) -> str:
    """Pick the Chinese or the English text for the active language."""
    language = (get_language() or "").lower()
    return zh if language.startswith("zh") and zh else en


class Exposition(models.Model):
    """A source text that study units are drawn from."""

    title = models.CharField(_("title"), max_length=300)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
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

    @property
    def display_title(self):
        return in_language(self.title, self.title_zh)


class Theme(models.Model):
    """One of the themes a study unit belongs to (exactly one per unit)."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["order", "slug"]

    def __str__(self):
        return f"{self.name_zh} / {self.name_en}"

    def get_absolute_url(self):
        return reverse("expositions:theme_detail", kwargs={"slug": self.slug})

    @property
    def name(self):
        return in_language(self.name_en, self.name_zh)

    @property
    def description(self):
        return in_language(self.description_en, self.description_zh)


class TaggedStudyUnit(TaggedItemBase):
    """Tag links with a real foreign key (django-taggit's custom through model)."""

    content_object = models.ForeignKey(
        "StudyUnit", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("tagged study unit")
        verbose_name_plural = _("tagged study units")
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_tag_per_study_unit"
            )
        ]


class StudyUnitQuerySet(models.QuerySet):
    def published(self):
        """Units a reader may see: published, with a publication time not in the future."""
        return self.filter(status=StudyUnit.Status.PUBLISHED, published_at__lte=timezone.now())

    def visible_to(self, user):
        """Editors see drafts too; everybody else sees published units only."""
        # Editors are staff: nobody else pays for the permission lookup (two queries).
        if (
            user.is_authenticated
            and user.is_staff
            and user.has_perm("expositions.change_studyunit")
        ):
            return self.all()
        return self.published()

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
            for name, value in search.document(unit, [t.name for t in unit.tags.all()]).items():
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


class StudyUnit(models.Model):
    """One readable piece of study, resting on a passage of an exposition."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
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
    reading_minutes = models.PositiveSmallIntegerField(
        _("reading minutes"), default=0, help_text=_("Leave 0 to estimate from the text.")
    )
    order = models.PositiveIntegerField(_("order within theme"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Fingerprint of the shipped content the loader last wrote. When the unit's
    # current content no longer matches it, an editor has changed the unit and
    # the loader leaves it alone.
    seed_checksum = models.CharField(max_length=64, blank=True, editable=False)
    # Derived search columns (expositions/search.py), kept current on every save
    # and tag change; `manage.py rebuild_search_index` rebuilds them.
    search_text = models.TextField(blank=True, editable=False)
    search_title = models.TextField(blank=True, editable=False)
    search_tokens = models.TextField(blank=True, editable=False)
    search_title_tokens = models.TextField(blank=True, editable=False)

    tags = TaggableManager(through=TaggedStudyUnit, blank=True, verbose_name=_("tags"))
    history = HistoricalRecords(
        excluded_fields=[
            "body_html",
            "seed_checksum",
            "search_text",
            "search_title",
            "search_tokens",
            "search_title_tokens",
        ]
    )

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
        # Browsers submit textareas with CRLF line ends; keep one form so that
        # history diffs and the loader's checksum see only real changes.
        for name in ("body", "key_points", "source_passage", "summary"):
            setattr(self, name, getattr(self, name).replace("\r\n", "\n").replace("\r", "\n"))
        # Rendered once here, not per request: see bench/RESULTS.md.
        self.body_html = render_markdown(self.body)
        tag_names = [t.name for t in self.tags.all()] if self.pk else []
        for name, value in search.document(self, tag_names).items():
            setattr(self, name, value)
        if not self.reading_minutes:
            self.reading_minutes = self.estimate_reading_minutes()
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            # Whole seconds: the admin's date/time fields cannot show microseconds.
            self.published_at = timezone.now().replace(microsecond=0)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = (
                set(update_fields)
                | set(search.DERIVED_FIELDS)
                | {
                    "body_html",
                    "reading_minutes",
                    "published_at",
                }
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("expositions:unit_detail", kwargs={"slug": self.slug})

    @property
    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def key_point_list(self):
        return [line.strip(" -*\t") for line in self.key_points.splitlines() if line.strip()]

    @property
    def passages(self):
        return [p.strip() for p in re.split(r"\n\s*\n", self.source_passage) if p.strip()]

    def estimate_reading_minutes(self):
        text = " ".join([self.summary, self.key_points, self.body, self.source_passage])
        cjk = len(re.findall(r"[\u3400-\u9fff]", text))
        words = len(re.findall(r"[A-Za-z0-9'’-]+", text))
        return max(1, math.ceil(words / WORDS_PER_MINUTE + cjk / CJK_CHARS_PER_MINUTE))

    def content_checksum(self, tag_names=None):
        """A fingerprint of what the loader owns, to tell an editor's change apart."""
        if tag_names is None:
            tag_names = [t.name for t in self.tags.all()]
        data = {
            "theme": self.theme.slug,
            "title": self.title,
            "summary": self.summary,
            "body": self.body,
            "key_points": self.key_points,
            "source_passage": self.source_passage,
            "order": self.order,
            "status": self.status,
            "tags": sorted(n.lower() for n in tag_names),
        }
        raw = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()
