"""Completions (the fact that a cadre completed a unit) and the totals kept from them:
progress per module and cadre, completions per org unit and week, 学时 per cadre and year.
Written by training.progress_store only."""

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from expositions.models import StudyUnit
from org.models import Cadre, OrgUnit, updated_at_field


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
        db_index=False,  # the (unit, completed_at) index below serves lookups by unit
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
        db_index=False,  # the (org_unit, unit, completed_at) index below leads with it
    )
    updated_at = updated_at_field()

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        ordering = ["-completed_at"]
        constraints = [
            models.UniqueConstraint(fields=["cadre", "unit"], name="unique_completion"),
        ]
        indexes = [
            # Completions of a module's units in a time range: what was done before an
            # assignment (training.progress), and the recent weeks of the activity chart.
            models.Index(fields=["unit", "completed_at"], name="completion_unit_time"),
            # Completions made in an org unit, of some units, in a time range: the weekly
            # chart less a module's hidden units. With the (unit, completed_at) index
            # alone PostgreSQL intersected a county's rows with every completion of the
            # unit in the province: 35 ms for a county (bench/RESULTS.md).
            models.Index(
                fields=["org_unit", "unit", "completed_at"], name="completion_place_unit_time"
            ),
            # The API's pages in (updated_at, id) order, the cadre carried so that a
            # province's keys are found in the index alone (api.pagination: one completion
            # in 31 of the nation's is a province's, on average). SQLite: the key.
            models.Index(fields=["updated_at", "id"], include=["cadre"], name="completion_updated"),
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


class ProgressQuerySet(models.QuerySet):
    def starting_or_finished(self, cadre, unit):
        """The cadre's progress in the modules holding ``unit`` that a completion of it,
        just counted, may have started (a count of 1) or finished (as many as the
        module has units readers can see): the only changes of a module that change
        what the cadre is told about it (training.reminders.notices). A module whose
        earlier completions were all of units hidden since is not found: what it is
        told about it catches up within the notice count's few minutes."""
        readable = (
            StudyUnit.objects.published()
            .filter(module_units__module=OuterRef("module"))
            .order_by()
            .values("module_units__module")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.filter(cadre=cadre, module__module_units__unit=unit).filter(
            Q(done__lte=1) | Q(done__gte=Subquery(readable))
        )


class Progress(models.Model):
    """How many of a module's units a cadre has completed (whatever their publication
    state: the pages take away the hidden ones when they read), and when the first and
    the latest: kept here so that the province roll-up reads one row per cadre instead
    of counting completions.

    Written only by training.progress_store (a completion added or removed, a module's
    units changed); `manage.py rebuild_progress` recomputes it from the completions,
    and `manage.py verify_progress` and the totals state machine check the two agree.
    """

    module = models.ForeignKey(
        "training.Module", on_delete=models.CASCADE, related_name="progress_rows"
    )
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="progress")
    done = models.PositiveIntegerField(default=0)
    # The cadre's earliest and latest completion of the module's units: "studied before
    # the assignment" on the progress pages, and "last completion" in the cadre list.
    first_completed_at = models.DateTimeField(null=True, blank=True)
    last_completed_at = models.DateTimeField(null=True, blank=True)

    objects = ProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress")
        verbose_name_plural = _("progress")
        constraints = [
            models.UniqueConstraint(fields=["module", "cadre"], name="unique_progress"),
        ]
        # The roll-ups, the cadre list and the note on studying before the assignment
        # read (done, first and last completed) of a county's cadres for one module:
        # from this index alone on PostgreSQL (an index-only scan), a few pages where a
        # county's cadres are numbered together, instead of a heap page per cadre (rows
        # written as completions came, in no county's order): at a million cadres,
        # 1,805 pages read cold for a county of 1,902 (bench/RESULTS.md, "A million
        # cadres"). SQLite keeps only the key columns.
        indexes = [
            models.Index(
                fields=["module", "cadre"],
                include=["done", "first_completed_at", "last_completed_at"],
                name="progress_module_cadre_done",
            ),
        ]

    def __str__(self):
        return f"{self.cadre} · {self.module}: {self.done}"


class ProgressWeek(models.Model):
    """Completions of a module's published units per org unit (where the cadre worked
    when they completed) and week (Monday, local time): the weekly activity chart
    sums a few thousand of these rows instead of counting up to a million completions.
    Kept in step by training.progress_store, like Progress."""

    module = models.ForeignKey("training.Module", on_delete=models.CASCADE, related_name="+")
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
    updated_at = updated_at_field()

    class Meta:
        verbose_name = _("study hours of a year")
        verbose_name_plural = _("study hours of a year")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "year"], name="unique_hours_year"),
            models.CheckConstraint(
                condition=Q(online__gte=0) & Q(training__gte=0), name="hours_year_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["updated_at", "id"], name="hours_year_updated")]

    def __str__(self):
        return f"{self.cadre} · {self.year}: {self.online} + {self.training}"
