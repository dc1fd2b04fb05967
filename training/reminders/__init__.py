"""Reminders: notices in the portal, email digests by stage, and the trainer's chase
list (issue 34). ``send_due_reminders`` is what cron and the periodic task call."""


def send_due_reminders(now=None, **kwargs):
    """Send every due digest (training.reminders.digests.send_due_reminders)."""
    from .digests import send_due_reminders as send

    return send(now=now, **kwargs)
