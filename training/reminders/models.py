"""What reminders keep: which reminder stage went out to whom, notices a cadre
dismissed, a trainer's "remind now", and who turned email reminders off. The notices
themselves are never stored: they are read from assignments, progress and claims
(training.reminders.notices), so they cannot go stale."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from org.models import Cadre
from training.models import Assignment, Module


class SentStage(models.Model):
    """One reminder stage of one assignment, sent to one cadre by email: written in the
    transaction that decides to send it and sends it, so a stage goes out once, and a
    send that failed leaves no row and is tried again by the next run."""

    # assigned, due7, due1, overdue0, overdue1, ... (training.reminders.stages)
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(_("stage"), max_length=16)
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "assignment", "stage"], name="one_reminder_per_stage"
            )
        ]
        indexes = [models.Index(fields=["assignment", "cadre"], name="sentstage_assignment")]

    def __str__(self):
        return f"{self.cadre_id} · {self.assignment_id} · {self.stage}"


class Dismissal(models.Model):
    """A notice the cadre dismissed, by its key (training.reminders.notices.Notice):
    the key names the state it was about, so a later state (due soon, then overdue)
    is a new notice."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    dismissed_at = models.DateTimeField(_("dismissed"), auto_now_add=True)

    class Meta:
        verbose_name = _("dismissed notice")
        verbose_name_plural = _("dismissed notices")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "key"], name="one_dismissal_per_notice")
        ]

    def __str__(self):
        return self.key


class Nudge(models.Model):
    """A trainer's "remind now" for a cadre about a module: a notice at once, and an
    email with the next digest. At most one per cadre and day (Beijing time), whoever
    asks and about whichever module."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    on_day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("reminded"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("trainer's reminder")
        verbose_name_plural = _("trainer's reminders")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "on_day"], name="one_nudge_per_cadre_and_day")
        ]
        indexes = [models.Index(fields=["module", "cadre"], name="nudge_module_cadre")]

    def __str__(self):
        return f"{self.cadre_id} · {self.module_id} · {self.on_day}"


class EmailOptOut(models.Model):
    """A cadre who turned email reminders off (the signed link in every mail)."""

    cadre = models.OneToOneField(
        Cadre, on_delete=models.CASCADE, primary_key=True, related_name="email_opt_out"
    )
    at = models.DateTimeField(_("turned off"), auto_now_add=True)

    class Meta:
        verbose_name = _("email reminders turned off")
        verbose_name_plural = _("email reminders turned off")

    def __str__(self):
        return str(self.cadre_id)
