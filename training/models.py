"""Who must study what, by when, and who has: modules, assignments, completions and
the progress totals kept from them. The people and the org tree are in ``org``."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from expositions.models import Bilingual, StudyUnit, UnitLink, readable
from org.models import Cadre, OrgUnit, ancestor_paths, in_scope, scope_paths

HOURS = models.DecimalField(max_digits=7, decimal_places=2)


def count_of(qs):
    """A scalar subquery counting the rows of ``qs`` (0 when there are none)."""
    counted = qs.order_by().annotate(_one=Value(1)).values("_one").annotate(n=Count("*"))
    return Coalesce(Subquery(counted.values("n")[:1], output_field=IntegerField()), 0)


class ModuleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What a trainer may open: every active module, and their own whatever its status."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(status=Module.Status.ACTIVE) | Q(created_by=user))

    def editable_by(self, user):
        if user.has_perm("training.change_module") and user.is_staff:
            return self.all()
        return self.filter(created_by=user)

    def with_hours(self):
        """Each module's 学时 as ``study_hours``: the sum of what its units credit
        (StudyUnit.credit_hours), counting the units readers can see, since only those
        can be completed. A unit in two modules counts in each module's sum, and once in
        a cadre's hours."""
        return self.annotate(
            study_hours=Coalesce(
                Sum("module_units__unit__credit_hours", filter=readable("module_units__unit__")),
                Value(Decimal("0")),
                output_field=HOURS,
            )
        )

    def for_cadre(self, cadre, *, containing=None, next_units=True):
        """The active modules assigned to ``cadre`` (directly, or to their org unit or
        any unit above it), each with ``due_on`` (the earliest of those assignments),
        ``stored_done`` and ``last_completed_at`` (the cadre's stored Progress row),
        ``unit_count``, and ``total`` and ``study_hours`` of the units readers can see;
        with ``next_units``, the link to the first readable unit in the module's order
        that the cadre has not completed (``next_*``, ``UnitLink.from_columns``).
        ``containing``: only the modules holding that unit. One query."""
        reaching = Assignment.objects.reaching(cadre).filter(module=OuterRef("pk"))
        entries = ModuleUnit.objects.filter(module=OuterRef("pk"))
        readable_entries = entries.filter(readable("unit__"))
        stored = Progress.objects.filter(module=OuterRef("pk"), cadre=cadre)
        hours = readable_entries.order_by().values("module").annotate(h=Sum("unit__credit_hours"))
        modules = self.filter(Exists(reaching), status=Module.Status.ACTIVE)
        if containing is not None:
            modules = modules.filter(Exists(entries.filter(unit=containing)))
        modules = modules.annotate(
            due_on=Subquery(reaching.order_by("due_on").values("due_on")[:1]),
            stored_done=Subquery(stored.values("done")[:1]),
            last_completed_at=Subquery(stored.values("last_completed_at")[:1]),
            unit_count=count_of(entries),
            total=count_of(readable_entries),
            study_hours=Coalesce(
                Subquery(hours.values("h")[:1], output_field=HOURS),
                Value(Decimal("0")),
                output_field=HOURS,
            ),
        )
        if next_units:
            done = Completion.objects.filter(cadre=cadre, unit=OuterRef("unit"))
            todo = readable_entries.filter(~Exists(done)).order_by("position")
            modules = modules.annotate(**UnitLink.annotations(todo, "next", through="unit__"))
        return modules


class Module(Bilingual, models.Model):
    """An ordered list of study units that a trainer assigns as one piece of training."""

    TRANSLATED = ("title",)

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    units = models.ManyToManyField(
        StudyUnit, through="ModuleUnit", related_name="modules", verbose_name=_("study units")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_modules",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ModuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("training:module_detail", kwargs={"pk": self.pk})


class ModuleUnitQuerySet(models.QuerySet):
    def place_of(self, module_id, unit, *, drafts):
        """Where ``unit`` stands in module ``module_id`` among the units readers may read
        (all of them when ``drafts``: an editor): a dict of ``units_before``,
        ``units_count`` and the links of the units before and after it (``previous_*``,
        ``next_*``), or None when the module does not hold it. One query."""
        entries = ModuleUnit.objects.filter(module=OuterRef("module"))
        if not drafts:
            entries = entries.filter(readable("unit__"))
        before = entries.filter(position__lt=OuterRef("position")).order_by("-position")
        after = entries.filter(position__gt=OuterRef("position")).order_by("position")
        links = {
            **UnitLink.annotations(before, "previous", through="unit__"),
            **UnitLink.annotations(after, "next", through="unit__"),
        }
        return (
            self.filter(module_id=module_id, unit=unit)
            .annotate(units_before=count_of(before), units_count=count_of(entries), **links)
            .values("units_before", "units_count", *links)
            .first()
        )


class ModuleUnit(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="module_units")
    unit = models.ForeignKey(StudyUnit, on_delete=models.PROTECT, related_name="module_units")
    position = models.PositiveIntegerField(_("position"))

    objects = ModuleUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit in module")
        verbose_name_plural = _("units in module")
        ordering = ["module", "position"]
        constraints = [
            models.UniqueConstraint(fields=["module", "unit"], name="unique_unit_per_module"),
            models.UniqueConstraint(
                fields=["module", "position"], name="unique_position_per_module"
            ),
        ]

    def __str__(self):
        return gettext("%(module)s #%(position)s: %(unit)s") % {
            "module": self.module,
            "position": self.position,
            "unit": self.unit,
        }


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Assignments whose target lies in the org units the user manages."""
        return in_scope(self, user, "org_unit__path", "cadre__org_unit__path")

    def from_above(self, user):
        """Assignments made to an org unit above the user's scope: they reach every
        cadre the user manages, though the user cannot change them."""
        roots = scope_paths(user)
        if not roots:  # a superuser's scope has nothing above it; a non-trainer none
            return self.none()
        above = {p for root in roots for p in ancestor_paths(root, OrgUnit.steplen)} - set(roots)
        return self.filter(org_unit__path__in=above)

    def covering(self, *, cadre=None, org_unit=None):
        """Assignments that already reach everyone a new assignment to this target would:
        made to the same org unit or one above it (or, for a cadre, any reaching them)."""
        if cadre is not None:
            return self.reaching(cadre)
        return self.filter(org_unit__path__in=org_unit.ancestor_paths())

    def reaching(self, cadre):
        """Assignments that reach ``cadre``: made to them, or to their org unit or any
        unit above it. The earliest due date of those for one module is the cadre's."""
        return self.filter(Q(cadre=cadre) | Q(org_unit__path__in=cadre.org_unit.ancestor_paths()))


class Assignment(models.Model):
    """A module given to one cadre, or to an org unit: every cadre in it and below it,
    including cadres who join or move in later."""

    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("module")
    )
    cadre = models.ForeignKey(
        Cadre,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("cadre"),
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("org unit"),
    )
    due_on = models.DateField(_("due date"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(cadre__isnull=False, org_unit__isnull=True)
                    | Q(cadre__isnull=True, org_unit__isnull=False)
                ),
                name="assignment_has_one_target",
            ),
            models.UniqueConstraint(
                fields=["module", "cadre"],
                condition=Q(cadre__isnull=False),
                name="unique_assignment_per_cadre",
            ),
            models.UniqueConstraint(
                fields=["module", "org_unit"],
                condition=Q(org_unit__isnull=False),
                name="unique_assignment_per_org_unit",
            ),
        ]

    def __str__(self):
        return f"{self.module} → {self.target} ({self.due_on})"

    def get_absolute_url(self):
        return reverse("training:assignment_progress", kwargs={"pk": self.pk})

    @property
    def target(self):
        return self.cadre or self.org_unit

    @property
    def assigned_by_name(self):
        """Who assigned it, as people know them: full name, else username; "" when the
        account is gone (or the assignment was written by a script)."""
        user = self.assigned_by
        return (user.get_full_name() or user.get_username()) if user else ""


class Completion(models.Model):
    """One cadre completed one study unit. At most one per cadre and unit; it counts
    toward every module that contains the unit."""

    cadre = models.ForeignKey(
        Cadre, on_delete=models.CASCADE, related_name="completions", verbose_name=_("cadre")
    )
    unit = models.ForeignKey(
        StudyUnit,
        on_delete=models.CASCADE,
        related_name="completions",
        verbose_name=_("study unit"),
    )
    completed_at = models.DateTimeField(_("completed at"), default=timezone.now)
    # The 学时 this completion credits: the unit's when it was completed. An editor who
    # changes a unit's 学时 later changes what later completions credit, never a ledger
    # (or a certificate) already made, as a record office would.
    credit_hours = models.DecimalField(
        _("study hours credited"), max_digits=4, decimal_places=2, editable=False
    )
    # Where the cadre worked when they completed it: the weekly activity chart counts
    # completions where they happened, whatever moves came later.
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("org unit at completion"),
    )

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        ordering = ["-completed_at"]
        constraints = [
            models.UniqueConstraint(fields=["cadre", "unit"], name="unique_completion"),
        ]

    def __str__(self):
        return f"{self.cadre} ✓ {self.unit}"

    def save(self, *args, **kwargs):
        if self.org_unit_id is None and self.cadre_id is not None:
            self.org_unit_id = Cadre.objects.values_list("org_unit_id", flat=True).get(
                pk=self.cadre_id
            )
        if self.credit_hours is None and self.unit_id is not None:
            self.credit_hours = StudyUnit.objects.values_list("credit_hours", flat=True).get(
                pk=self.unit_id
            )
        super().save(*args, **kwargs)


class Progress(models.Model):
    """How many of a module's published units a cadre has completed: kept here so that
    the province roll-up reads one row per cadre instead of counting completions.

    Written only by training.progress_store (completion added or removed, a module's
    units changed, a unit published, unpublished or deleted); `manage.py
    rebuild_progress` recomputes it from the completions, and a test checks the two
    agree after every kind of change.
    """

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="progress_rows")
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="progress")
    done = models.PositiveIntegerField(default=0)
    last_completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("progress")
        verbose_name_plural = _("progress")
        constraints = [
            models.UniqueConstraint(fields=["module", "cadre"], name="unique_progress"),
        ]

    def __str__(self):
        return f"{self.cadre} · {self.module}: {self.done}"


class ProgressWeek(models.Model):
    """Completions of a module's published units per org unit (where the cadre worked
    when they completed) and week (Monday, local time): the weekly activity chart
    sums a few thousand of these rows instead of counting up to a million completions.
    Kept in step by training.progress_store, like Progress."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="+")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("weekly completions")
        verbose_name_plural = _("weekly completions")
        constraints = [
            models.UniqueConstraint(
                fields=["module", "org_unit", "week"], name="unique_progress_week"
            ),
        ]

    def __str__(self):
        return f"{self.module} · {self.org_unit} · {self.week}: {self.count}"


class HoursYear(models.Model):
    """Stored: a cadre's 学时 of one calendar year (Beijing time), kept so that the
    trainers' shortfall page reads one row per cadre and year instead of summing
    millions of completions (bench/RESULTS.md). ``online``: units completed that year
    and approved claims of online study elsewhere ending that year; ``training``:
    approved training claims ending that year. Written only by training.progress_store,
    recounted by ``manage.py verify_progress``."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="hours_years")
    year = models.PositiveSmallIntegerField()
    online = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    training = models.DecimalField(max_digits=9, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("study hours of a year")
        verbose_name_plural = _("study hours of a year")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "year"], name="unique_hours_year"),
            models.CheckConstraint(
                condition=Q(online__gte=0) & Q(training__gte=0), name="hours_year_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.cadre} · {self.year}: {self.online} + {self.training}"


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
        Module,
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

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["cadre", "kind", "revoked_at"])]

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
