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


def nudge(*, cadres, module, by, today=None):
    """A trainer's "remind now" about ``module`` for each of ``cadres`` not reminded by
    a trainer today (Beijing time), whoever asked and about whatever module: one row
    each (who asked, when), in one transaction. Returns the cadres reminded now."""
    today = today or timezone.localdate()
    cadres = list(cadres)
    with transaction.atomic():
        already = set(
            Nudge.objects.filter(cadre__in=cadres, on_day=today).values_list("cadre_id", flat=True)
        )
        fresh = [c for c in cadres if c.pk not in already]
        Nudge.objects.bulk_create(
            [Nudge(cadre=c, module=module, by=by, on_day=today) for c in fresh],
            ignore_conflicts=True,
        )
        # Those a second request reminded meanwhile are not counted twice.
        mine = set(
            Nudge.objects.filter(cadre__in=fresh, on_day=today, module=module, by=by).values_list(
                "cadre_id", flat=True
            )
        )
    return [c for c in fresh if c.pk in mine]
