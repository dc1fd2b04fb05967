"""Tombstones: every deletion of a row the API lists becomes a ``Deletion``, written in
the deleting transaction, so that an incremental pull (``?updated_since=``) hears of an
undone completion as it hears of a new one.

Receivers (post_delete), not calls from the services, and why: rows the API lists are
deleted by the services (``completion_undo``, the one way a completion is undone), but
also by cascades no caller of ours sees (an account or a cadre deleted in the admin
takes their completions, 学时 rows and certificates; a study unit deleted takes its
completions; treebeard deletes a subtree), and a tombstone must follow each of them.
The receiver runs inside the delete's own transaction; a rolled-back delete leaves no
tombstone. One sent twice for one row (Django sends post_delete for a row another
transaction had already deleted) says "deleted" twice, which is harmless.
"""

from django.db.models.signals import post_delete

from org.models import Cadre, OrgUnit
from training.models import Assignment, Certificate, Completion, HoursYear, Module

from .models import Deletion

# The resource name of each model, as the API's URLs and /deletions/ say it.
RESOURCES = {
    OrgUnit: "org-units",
    Cadre: "cadres",
    Module: "modules",
    Assignment: "assignments",
    Completion: "completions",
    HoursYear: "hours",
    Certificate: "certificates",
}


def _org_path(org_unit_id):
    if org_unit_id is None:
        return ""
    return OrgUnit.objects.filter(pk=org_unit_id).values_list("path", flat=True).first() or ""


def _cadre_path(cadre_id):
    return Cadre.objects.filter(pk=cadre_id).values_list("org_unit__path", flat=True).first() or ""


def org_path_of(instance):
    """Where a deleted row was in the org tree: what decides which tokens hear of it."""
    if isinstance(instance, OrgUnit):
        return instance.path
    if isinstance(instance, Cadre):
        return _org_path(instance.org_unit_id)
    if isinstance(instance, Module):
        return ""  # the province's: every token hears of it
    if isinstance(instance, Assignment) and instance.org_unit_id is not None:
        return _org_path(instance.org_unit_id)
    return _cadre_path(instance.cadre_id)


def _deleted(sender, instance, **kwargs):
    Deletion.objects.create(
        resource=RESOURCES[sender], object_id=instance.pk, org_path=org_path_of(instance)
    )


def connect():
    for model in RESOURCES:
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"api.deletions.{model.__name__}")
