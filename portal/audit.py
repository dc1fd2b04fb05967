"""The audit trail: who assigned, imported, changed or deleted what, and when.

One log for the whole portal: Django's admin log (``LogEntry``), which the admin
already writes for every change and deletion made there. The portal's own pages
and imports write to it through ``record``; editors read it in the admin
("Audit log"), where nobody can edit or delete an entry.
"""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.admin.utils import construct_change_message

__all__ = ["ADDITION", "CHANGE", "DELETION", "record", "record_form"]


def record(user, obj, action, message=""):
    """Log ``action`` (ADDITION, CHANGE or DELETION) on ``obj`` by ``user``.

    ``message`` is plain text, or a list in the admin's change-message format
    (``[{"changed": {"fields": [...]}}]``), which the admin shows translated.
    """
    return LogEntry.objects.log_actions(user.pk, [obj], action, message, single_object=True)


def record_form(user, obj, form, created, extra_changed=()):
    """Log a form's save the way the admin does: "Added." or "Changed title and …".

    ``extra_changed`` names further changed fields (untranslated verbose names; the
    admin translates them when it shows the entry)."""
    message = construct_change_message(form, None, created)
    if extra_changed and not created:
        if not message:
            message = [{"changed": {"fields": []}}]
        message[0]["changed"]["fields"] += list(extra_changed)
    return record(user, obj, ADDITION if created else CHANGE, message)
