"""The signal receivers the portal keeps, all of them, and why each is one.

A receiver is for a change that no caller of ours makes, so that no service can write
the totals it affects. The ones left:

- ``_cadre_deleting`` (pre_delete, Cadre): deleting a user (the admin's user pages) or a
  cadre deletes the cadre's completions by cascade; their Progress rows go in the same
  cascade, but the weekly counts of the org units where they worked must be taken down
  first.
- ``_unit_deleting`` / ``_unit_deleted`` (pre_delete / post_delete, StudyUnit): an editor
  who deletes a unit in the admin deletes its completions by cascade; the stored 学时
  of the cadres who completed it are recomputed (``expositions`` cannot call
  ``training``).

``expositions`` keeps none: every change of a unit or its tags goes through
``expositions.services`` (``unit_save``, ``unit_tags_set``, ``tags_merge``,
``tag_rename``, ``tag_delete``), which write the search columns and the version with
its tags. The m2m_changed receiver on a unit's tags went because its one unknown caller,
the admin's tag field (``form.save_m2m``, after the unit), is now the service's own
``tags`` argument: ``StudyUnitAdmin.save_model`` passes the form's tags and the form
saves no m2m. The tag receivers (post_save, pre/post_delete on Tag) went because the tag
admin calls ``tag_rename`` and ``tag_delete`` (one by one for a bulk delete too), and
the loader renames through ``units_reindex`` and deletes only tags no unit carries.

Editing a unit's 学时 needs none: a completion keeps the 学时 it credited when it was
made (``Completion.credit_hours``), so the edit changes later completions only.
Everything else that changes a stored total is written by the code that makes the
change (training.progress_store names them).
"""

from django.db.models.signals import post_delete, pre_delete

from expositions.models import StudyUnit
from org.models import Cadre

from . import progress_store
from .models import Completion


def _cadre_deleting(sender, instance, **kwargs):
    progress_store.cadre_deleted(instance.pk)


def _unit_deleting(sender, instance, **kwargs):
    # Its completions go in the same cascade: note whose they were.
    instance._completed_by = list(
        Completion.objects.filter(unit=instance).values_list("cadre_id", flat=True)
    )


def _unit_deleted(sender, instance, **kwargs):
    progress_store.recompute_hours(getattr(instance, "_completed_by", []))


def connect():
    pre_delete.connect(_cadre_deleting, sender=Cadre, dispatch_uid="training.cascades.cadre")
    pre_delete.connect(_unit_deleting, sender=StudyUnit, dispatch_uid="training.cascades.unit_del")
    post_delete.connect(_unit_deleted, sender=StudyUnit, dispatch_uid="training.cascades.unit_gone")
