"""Evidence of study that a module may ask for before a unit counts (``Module.evidence``):
a unit's self-check passed, or a reflection (学习心得) on it. Written by training.evidence
only. Nothing here is a score: a self-check is passed or not yet, and a reflection is
read, never ranked."""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from expositions.models import StudyUnit
from org.models import Cadre


class SelfCheckPass(models.Model):
    """A cadre answered every question of a unit's self-check right, once (they may
    have tried before: attempts are not kept)."""

    cadre = models.ForeignKey(
        Cadre, on_delete=models.CASCADE, related_name="self_check_passes", verbose_name=_("cadre")
    )
    unit = models.ForeignKey(
        StudyUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("study unit")
    )
    passed_at = models.DateTimeField(_("passed at"), default=timezone.now)

    class Meta:
        verbose_name = _("self-check passed")
        verbose_name_plural = _("self-checks passed")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "unit"], name="unique_self_check_pass"),
        ]

    def __str__(self):
        return f"{self.cadre} ✓ {self.unit}"


def characters(text):
    """How long a reflection is, as the limits count it: characters other than white
    space (a Chinese character is one; an English word is as many as its letters)."""
    return len(re.sub(r"\s", "", text or ""))


class ReflectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Who may read a reflection: its author, and the trainers who manage the
        author's org unit (or one above it). Nobody else: not editors, not other
        cadres (a superuser manages every org unit)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(cadre__user=user) | Q(cadre__in=Cadre.objects.managed_by(user)))

    def reviewable_by(self, user):
        """The reflections ``user`` reads as a trainer: of the cadres they manage (never
        their own)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(cadre__in=Cadre.objects.managed_by(user))

    def returned_to(self, cadre):
        """``cadre``'s reflections a trainer returned and that wait for a revision
        (what a notice about them would read)."""
        return self.filter(cadre=cadre, status=Reflection.Status.RETURNED)

    def newest_first(self):
        """With their cadre, org unit and unit, latest submission first: what the
        trainers' lists show, in one query."""
        return self.select_related("cadre__org_unit", "cadre__user", "unit").order_by(
            "-submitted_at", "-pk"
        )


class Reflection(models.Model):
    """A cadre's reflection (学习心得) on a study unit: a few sentences of plain text tied
    to their own work. One per cadre and unit; its author may change it until a trainer
    has read it, and again once a trainer returns it with a comment."""

    MIN_CHARACTERS = 50
    MAX_CHARACTERS = 2000

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting to be read")
        READ = "read", _("Read")
        RETURNED = "returned", _("Returned for revision")

    cadre = models.ForeignKey(
        Cadre, on_delete=models.CASCADE, related_name="reflections", verbose_name=_("cadre")
    )
    unit = models.ForeignKey(
        StudyUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("study unit")
    )
    text = models.TextField(_("reflection"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    created_at = models.DateTimeField(_("first submitted"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("read or returned by"),
    )
    reviewed_at = models.DateTimeField(_("read or returned at"), null=True, blank=True)
    comment = models.TextField(_("trainer's comment"), blank=True)

    objects = ReflectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["cadre", "unit"], name="unique_reflection"),
        ]
        indexes = [models.Index(fields=["unit", "-submitted_at"], name="reflection_unit_newest")]

    def __str__(self):
        # Never the text: a reflection's words are for its author and their trainers.
        return f"{self.cadre} · {self.unit}"

    @property
    def editable(self):
        """May its author change it? Until a trainer has read it (a returned one, again)."""
        return self.status != self.Status.READ

    @property
    def revised(self):
        """Submitted again after a trainer returned it."""
        return self.status == self.Status.SUBMITTED and bool(self.comment)
