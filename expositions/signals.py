"""Keep the search columns current when tags change (tags are saved after the unit)."""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from taggit.models import Tag

from . import search
from .models import StudyUnit, TaggedStudyUnit


@receiver(m2m_changed, sender=TaggedStudyUnit)
def reindex_after_tag_change(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, StudyUnit):
        search.reindex([instance.pk])
    elif pk_set:
        search.reindex(pk_set)


@receiver(post_save, sender=Tag)
def reindex_after_tag_rename(sender, instance, created, **kwargs):
    if not created:
        search.reindex(
            TaggedStudyUnit.objects.filter(tag=instance).values_list("content_object_id", flat=True)
        )
