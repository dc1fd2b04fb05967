"""Reminders' writes: a notice dismissed, email reminders turned off or on, and a
trainer's "remind now"."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Dismissal, EmailOptOut, Nudge


def notice_dismiss(*, cadre, key):
    """The cadre dismissed the notice ``key``: safe to repeat, and to race."""
    try:
        with transaction.atomic():
            Dismissal.objects.get_or_create(cadre=cadre, key=key)
    except IntegrityError:  # the same dismissal, written meanwhile by a second click
        pass


def email_reminders_off(cadre):
    return EmailOptOut.objects.filter(cadre=cadre).exists()


def email_reminders_set(*, cadre, on):
    """Email reminders on (no opt-out row) or off (one row) for ``cadre``; idempotent."""
    if on:
        EmailOptOut.objects.filter(cadre=cadre).delete()
        return
    try:
        with transaction.atomic():
            EmailOptOut.objects.get_or_create(cadre=cadre)
    except IntegrityError:
        pass


def nudge(*, cadre_ids, module, by, today=None):
    """A trainer's "remind now" about ``module`` for each of ``cadre_ids`` not reminded
    by a trainer today (Beijing time), whoever asked and about whatever module: one row
    each (who asked, when), in one transaction, safe to repeat and to race. Returns the
    ids of the cadres reminded now."""
    today = today or timezone.localdate()
    cadre_ids = set(cadre_ids)
    with transaction.atomic():
        already = set(
            Nudge.objects.filter(cadre_id__in=cadre_ids, on_day=today).values_list(
                "cadre_id", flat=True
            )
        )
        fresh = sorted(cadre_ids - already)
        # A cadre reminded meanwhile by another request keeps that reminder (and its
        # one mail: training.reminders.digests marks each reminder emailed once).
        Nudge.objects.bulk_create(
            [Nudge(cadre_id=pk, module=module, by=by, on_day=today) for pk in fresh],
            ignore_conflicts=True,
            batch_size=5000,
        )
    return fresh
