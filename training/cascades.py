"""Deletions that no caller of ours makes, and the totals they would leave behind.

Deleting a user (the admin's user pages) or a cadre deletes the cadre's completions
by cascade; their Progress rows go in the same cascade, but the weekly counts of
the org units where they worked must be taken down first. Everything else that
changes a stored total is written by the code that makes the change
(training.progress_store names them).
"""

from django.db.models.signals import pre_delete

from org.models import Cadre

from . import progress_store


def _cadre_deleting(sender, instance, **kwargs):
    progress_store.cadre_deleted(instance.pk)


def connect():
    pre_delete.connect(_cadre_deleting, sender=Cadre, dispatch_uid="training.cascades.cadre")
