"""Tags: one idea with a Chinese and an English name (a django-taggit custom tag
model), and the links from units to them. Changes to a unit's tags go through
``expositions.services`` (``unit_tags_set``, ``tags_merge``, ``tag_rename``,
``tag_delete``), which keep the units' search columns and versions current."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from taggit.models import TagBase, TaggedItemBase

from .. import search


class Tag(TagBase):
    """One idea, with its Chinese name (the name editors type in a unit's tag field:
    unique, and what the tag's address is made from) and its English name.

    A django-taggit custom tag model: before, each idea was two tags (低保 and "minimum
    living allowance"), and every tag page and filter listed it twice.
    """

    name_en = models.CharField(_("English name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    @property
    def label(self):
        """The tag's name in the reader's language (the Chinese one when English is missing)."""
        if not (get_language() or "").startswith("zh") and self.name_en:
            return self.name_en
        return self.name

    @property
    def missing_language(self):
        return not (get_language() or "").startswith("zh") and not self.name_en


def in_reading_order(tags):
    """``tags`` in the order of the names the reader sees: by pinyin in Chinese, by
    letter in English, those without a name in the reader's language last."""
    chinese = (get_language() or "").startswith("zh")
    if chinese:
        return sorted(tags, key=lambda t: search.collation_key(t.name))
    return sorted(tags, key=lambda t: (t.missing_language, search.collation_key(t.label)))


def tag_search_names(tags):
    """What a unit's tags add to its search columns: each idea's names in both languages."""
    return [name for tag in tags for name in (tag.name, tag.name_en) if name]


class TaggedStudyUnit(TaggedItemBase):
    """Tag links with a real foreign key (django-taggit's custom through model)."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_units")

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
