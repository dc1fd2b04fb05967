"""Search columns and history follow tag changes that no caller of ours makes:
django-taggit writes a unit's tags after the unit is saved (the admin's tag field),
and the tag admin renames and deletes tags. Every other write to a unit recomputes its
columns in ``StudyUnit.save``; the unit admin completes the unit's version itself
(expositions.history.complete_version), and ``merge_tags`` records its own."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from . import history
from .models import StudyUnit, Tag, TaggedStudyUnit


def _units_tagged(tag):
    return StudyUnit.objects.filter(tagged_items__tag=tag)


@receiver(m2m_changed, sender=TaggedStudyUnit)
def reindex_after_tag_change(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, StudyUnit):
        StudyUnit.objects.filter(pk=instance.pk).reindex_search()
    elif pk_set:
        StudyUnit.objects.filter(pk__in=pk_set).reindex_search()


@receiver(post_save, sender=Tag)
def reindex_after_tag_rename(sender, instance, created, raw=False, **kwargs):
    if not created and not raw:
        _units_tagged(instance).reindex_search()
        history.record_tag_change(_units_tagged(instance), history.TAG_RENAMED)


@receiver(pre_delete, sender=Tag)
def remember_units_of_deleted_tag(sender, instance, **kwargs):
    # The links go with the tag (a cascade, no m2m_changed): read them first.
    instance._tagged_unit_ids = list(_units_tagged(instance).values_list("pk", flat=True))


@receiver(post_delete, sender=Tag)
def reindex_after_tag_delete(sender, instance, **kwargs):
    unit_ids = getattr(instance, "_tagged_unit_ids", [])
    if unit_ids:
        StudyUnit.objects.filter(pk__in=unit_ids).reindex_search()
        history.record_tag_change(StudyUnit.objects.filter(pk__in=unit_ids), history.TAG_DELETED)
