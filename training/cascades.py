"""Changes that no caller of ours makes, and the totals they would leave behind.

Deleting a user (the admin's user pages) or a cadre deletes the cadre's completions
by cascade; their Progress rows go in the same cascade, but the weekly counts of
the org units where they worked must be taken down first. An editor who changes a
study unit (its 学时, or its text and so its reading length) in the admin changes
what the unit credits, and one who deletes a unit deletes its completions: the
stored 学时 of the cadres who completed it are recomputed (``expositions`` cannot
call ``training``). Everything else that changes a stored
total is written by the code that makes the change (training.progress_store names
them).
"""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from expositions.models import StudyUnit
from org.models import Cadre

from . import progress_store
from .models import Completion


def _cadre_deleting(sender, instance, **kwargs):
    progress_store.cadre_deleted(instance.pk)


def _unit_saving(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    before = StudyUnit.objects.filter(pk=instance.pk).values_list("credit_hours", flat=True)
    instance._credit_changed = list(before) != [instance.credit_hours]


def _unit_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw or created or not getattr(instance, "_credit_changed", False):
        return
    instance._credit_changed = False
    cadres = Completion.objects.filter(unit=instance).values_list("cadre_id", flat=True)
    progress_store.recompute_hours(cadres)


def _unit_deleting(sender, instance, **kwargs):
    # Its completions go in the same cascade: note whose they were.
    instance._completed_by = list(
        Completion.objects.filter(unit=instance).values_list("cadre_id", flat=True)
    )


def _unit_deleted(sender, instance, **kwargs):
    progress_store.recompute_hours(getattr(instance, "_completed_by", []))


def connect():
    pre_delete.connect(_cadre_deleting, sender=Cadre, dispatch_uid="training.cascades.cadre")
    pre_save.connect(_unit_saving, sender=StudyUnit, dispatch_uid="training.cascades.unit_pre")
    post_save.connect(_unit_saved, sender=StudyUnit, dispatch_uid="training.cascades.unit_post")
    pre_delete.connect(_unit_deleting, sender=StudyUnit, dispatch_uid="training.cascades.unit_del")
    post_delete.connect(_unit_deleted, sender=StudyUnit, dispatch_uid="training.cascades.unit_gone")
