"""学时 beyond completions: what a category of cadres owes (requirements), training taken
elsewhere (claims), and the certificates that state it."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from expositions.models import Bilingual
from org.models import Cadre, updated_at_field


class Requirement(Bilingual, models.Model):
    """A study-hour requirement (学时要求), kept by editors in the admin: how many 学时
    of which kind a category of cadres owes in a period. Years are calendar years in
    Beijing time; "five years" ends with the year shown."""

    TRANSLATED = ("name",)
    EVERY_CADRE = "all"

    class Kind(models.TextChoices):
        ONLINE = "online", _("Online self-study")
        TRAINING = "training", _("Approved training")
        TOTAL = "total", _("All study and training")

    class Period(models.TextChoices):
        YEAR = "year", _("Each calendar year")
        FIVE_YEARS = "five_years", _("Five years ending with the current one")

    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(
        _("applies to"),
        max_length=16,
        choices=[(EVERY_CADRE, _("Every cadre")), *Cadre.Category.choices],
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    hours = models.DecimalField(
        _("study hours"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    period = models.CharField(_("period"), max_length=12, choices=Period.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("study-hour requirement")
        verbose_name_plural = _("study-hour requirements")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name

    @classmethod
    def applying_to(cls, cadre):
        return cls.objects.filter(category__in=[cls.EVERY_CADRE, cadre.category])

    def years(self, year):
        """The calendar years this requirement counts when shown for ``year``."""
        if self.period == self.Period.FIVE_YEARS:
            return list(range(year - 4, year + 1))
        return [year]


class ClaimQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A cadre sees their own claims; a trainer those of the cadres they manage."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(cadre__user=user) | Q(cadre__in=Cadre.objects.managed_by(user)))

    def decidable_by(self, user):
        """Claims ``user`` may approve or reject: of cadres they manage (never their own:
        ``Cadre.objects.managed_by`` leaves the trainer out)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(cadre__in=Cadre.objects.managed_by(user))

    def approved(self):
        return self.filter(status=TrainingClaim.Status.APPROVED)

    def standing(self):
        """Claims that count or may come to count: pending and approved ones."""
        return self.filter(status__in=[TrainingClaim.Status.PENDING, TrainingClaim.Status.APPROVED])

    def clashing_with(self, *, cadre_id, start_on, end_on, exclude_pk=None):
        """The cadre's other pending or approved claims whose dates overlap these."""
        clashing = self.standing().filter(
            cadre_id=cadre_id, start_on__lte=end_on, end_on__gte=start_on
        )
        return clashing.exclude(pk=exclude_pk) if exclude_pk else clashing

    def with_flags(self):
        """Each claim with ``has_duplicate`` (another pending or approved claim of its
        cadre for the same course on the same dates) and ``has_overlap`` (one whose
        dates overlap): what the trainer's list and the claim page flag."""
        others = (
            TrainingClaim.objects.standing()
            .filter(
                cadre_id=OuterRef("cadre_id"),
                start_on__lte=OuterRef("end_on"),
                end_on__gte=OuterRef("start_on"),
            )
            .exclude(pk=OuterRef("pk"))
        )
        same = others.filter(
            course=OuterRef("course"), start_on=OuterRef("start_on"), end_on=OuterRef("end_on")
        )
        return self.annotate(has_duplicate=Exists(same), has_overlap=Exists(others))


HOURS_PER_DAY = 8  # the most 学时 a day of training credits without a trainer's reason


def claim_file_name(claim, filename):
    """A random name: what the cadre called the file is never used on disk."""
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"claims/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class TrainingClaim(models.Model):
    """Training taken outside the portal (学时申报), recorded by the cadre and approved or
    rejected by a trainer who manages the cadre's org unit. Only approved hours count,
    in the calendar year the training ended."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("Approved training (courses, classes)")
        ONLINE = "online", _("Online study on another platform")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    cadre = models.ForeignKey(
        Cadre, on_delete=models.CASCADE, related_name="claims", verbose_name=_("cadre")
    )
    course = models.CharField(_("course"), max_length=200)
    organiser = models.CharField(_("organiser"), max_length=200)
    start_on = models.DateField(_("first day"))
    end_on = models.DateField(_("last day"))
    hours = models.DecimalField(
        _("study hours"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    attachment = models.FileField(
        _("notice or certificate"), upload_to=claim_file_name, blank=True, max_length=200
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("training claim")
        verbose_name_plural = _("training claims")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["cadre", "status", "end_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gte=models.F("start_on")), name="claim_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="claim_hours_positive"),
        ]

    def __str__(self):
        return f"{self.course} ({self.cadre})"

    @property
    def year(self):
        return self.end_on.year

    @property
    def days(self):
        return (self.end_on - self.start_on).days + 1

    @property
    def max_hours(self):
        """The most a claim of these dates credits without a trainer's reason: at most
        ``HOURS_PER_DAY`` 学时 a day of training."""
        return HOURS_PER_DAY * self.days

    @property
    def over_limit(self):
        return bool(self.start_on and self.end_on and self.hours) and self.hours > self.max_hours

    def clashes(self):
        """The cadre's other pending or approved claims overlapping this one's dates,
        each with ``duplicate`` set when it is the same course on the same dates."""
        clashing = TrainingClaim.objects.clashing_with(
            cadre_id=self.cadre_id, start_on=self.start_on, end_on=self.end_on, exclude_pk=self.pk
        ).order_by("start_on", "pk")
        clashing = list(clashing)
        for other in clashing:
            other.duplicate = self.duplicates(other)
        return clashing

    def duplicates(self, other):
        """Same course (as typed) on the same dates: what ``with_flags`` calls a duplicate."""
        return (other.course, other.start_on, other.end_on) == (
            self.course,
            self.start_on,
            self.end_on,
        )

    def hours_limit_error(self):
        return _(
            "%(days)s day(s) of training give at most %(max)s study hours (%(per_day)s a day). "
            "Check the hours; if the certificate states more, claim %(max)s and ask your "
            "trainer, who can record more with a reason."
        ) % {"days": self.days, "max": self.max_hours, "per_day": HOURS_PER_DAY}

    def approval_needs_reason(self, hours):
        """Why approving this claim with ``hours`` needs a reason ("" if it does not):
        the hours changed, or the claim is flagged (``flags``)."""
        if hours != self.hours:
            return _("Say why the hours are changed: the cadre sees it.")
        flags = self.flags()
        if flags:
            return _("This claim is flagged (%(flags)s): say why you approve it.") % {
                "flags": "; ".join(str(flag) for flag in flags)
            }
        return ""

    def flags(self):
        """What a trainer should look at before approving, as short labels: hours over
        the daily bound, a duplicate, overlapping dates. Reads the annotations of
        ``with_flags()`` where present, else asks the database."""
        if hasattr(self, "has_duplicate"):
            duplicate, overlap = self.has_duplicate, self.has_overlap
        else:
            clashing = self.clashes()
            duplicate = any(other.duplicate for other in clashing)
            overlap = bool(clashing)
        flags = []
        if self.over_limit:
            flags.append(_("More than %(n)s study hours a day") % {"n": HOURS_PER_DAY})
        if duplicate:
            flags.append(_("Duplicate of another claim"))
        elif overlap:
            flags.append(_("Dates overlap another claim"))
        return flags


class CertificateQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(revoked_at__isnull=True)

    def of_module(self, cadre, module):
        """``cadre``'s certificates for finishing ``module``."""
        return self.filter(cadre=cadre, kind=Certificate.Kind.MODULE, module=module)


class Certificate(models.Model):
    """A module certificate (结业证书) or an annual study-hour certificate (学时证明).

    What it states is kept as issued (holder, org unit, subject, hours, dates), so the
    public verification page shows the record a printout must match. ``code`` is 16
    characters of base32: 80 random bits. Undoing a completion or withdrawing the
    approval of a claim it counted revokes it; a new one is issued when asked again."""

    class Kind(models.TextChoices):
        MODULE = "module", _("Module certificate")
        ANNUAL = "annual", _("Annual study-hour certificate")

    class Revocation(models.TextChoices):
        COMPLETION_UNDONE = "completion_undone", _("A study unit it counted was undone")
        CLAIM_REJECTED = "claim_rejected", _("A training claim it counted was rejected")
        CLAIM_CHANGED = "claim_changed", _("A training claim it counted was given fewer hours")

    code = models.CharField(_("code"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    cadre = models.ForeignKey(
        Cadre, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("cadre")
    )
    module = models.ForeignKey(
        "training.Module",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("module"),
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    holder = models.CharField(_("holder"), max_length=100)
    org_unit_name = models.CharField(_("org unit"), max_length=200)
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=200, blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    hours = models.DecimalField(_("study hours"), max_digits=7, decimal_places=2)
    first_on = models.DateField(_("from"))
    last_on = models.DateField(_("to"))
    # The issuing organ as printed, in both languages (OrgUnit.issuing_organ_in_force).
    issuer_zh = models.CharField(_("issuer (Chinese)"), max_length=200)
    issuer_en = models.CharField(_("issuer (English)"), max_length=200, blank=True)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_because = models.CharField(
        _("revoked because"), max_length=20, choices=Revocation.choices, blank=True
    )
    updated_at = updated_at_field()

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(fields=["cadre", "kind", "revoked_at"]),
            models.Index(fields=["updated_at", "id"], name="certificate_updated"),
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("training:certificate", args=[self.code])

    @property
    def formatted_code(self):
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def subject(self):
        if (get_language() or "").startswith("en") and self.subject_en:
            return self.subject_en
        return self.subject_zh or self.subject_en

    @property
    def issuer(self):
        if (get_language() or "").startswith("en") and self.issuer_en:
            return self.issuer_en
        return self.issuer_zh or self.issuer_en

    def get_verify_url(self):
        return reverse("verify", args=[self.code])
