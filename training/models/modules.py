"""Modules (ordered lists of study units) and assignments: who must study what, by when."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from expositions.models import Bilingual, StudyUnit, UnitLink, readable
from org.models import (
    Cadre,
    OrgUnit,
    ancestor_paths,
    in_scope,
    scope_paths,
    subtree_q,
    updated_at_field,
)

from .completions import Completion

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

    def flag_units_to_study(self):
        """Each module says whether readers can see any of its units
        (``has_units_to_study``): one EXISTS in the same query."""
        units = ModuleUnit.objects.filter(module=OuterRef("pk")).filter(readable("unit__"))
        return self.annotate(has_units_to_study=Exists(units))

    def for_cadre(self, cadre, *, containing=None):
        """The active modules assigned to ``cadre`` (directly, or to their org unit or
        any unit above it), each with ``due_on``, the earliest due date of those
        assignments, and ``first_assigned``, when the first of them was made (a notice
        calls a module new for a while: training.reminders). ``containing``: only the
        modules holding that unit. One query."""
        modules = self.filter(
            status=Module.Status.ACTIVE, assignments__in=Assignment.objects.reaching(cadre)
        )
        if containing is not None:
            modules = modules.filter(module_units__unit=containing)
        return modules.annotate(
            due_on=Min("assignments__due_on"), first_assigned=Min("assignments__created_at")
        )


class Module(Bilingual, models.Model):
    """An ordered list of study units that a trainer assigns as one piece of training."""

    TRANSLATED = ("title",)

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    class Evidence(models.TextChoices):
        # What a cadre gives before a unit of the module counts (training.evidence).
        NOTHING = "nothing", _("Nothing: the cadre marks the unit complete")
        SELF_CHECK = "self_check", _("The unit's self-check passed")
        REFLECTION = "reflection", _("A reflection (学习心得) on the unit")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    units = models.ManyToManyField(
        StudyUnit, through="ModuleUnit", related_name="modules", verbose_name=_("study units")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    evidence = models.CharField(
        _("evidence of study"),
        max_length=12,
        choices=Evidence.choices,
        default=Evidence.NOTHING,
        help_text=_(
            "What a cadre gives before a unit of this module counts: all answers of its "
            "self-check right (retried at once, with the explanations), or a reflection of "
            "50 to 2,000 characters that you read. A unit without self-check questions "
            "counts with the button. Completions made before a change stay."
        ),
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
    # auto_now alone (no db_default): modules are written through the ORM only, and an
    # unsaved module (the admin's add page) must not show a database default as its time.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ModuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["updated_at", "id"], name="module_updated")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("training:module_detail", kwargs={"pk": self.pk})


class ModuleUnitQuerySet(models.QuerySet):
    def entries_for(self, cadre, module_ids, *, links=False):
        """The units of these modules, each module's in its order, as rows of (module
        id, unit id, 学时 the unit credits, readable by readers, completed by
        ``cadre``), followed by the unit's ``UnitLink`` fields (slug, titles) when
        ``links``. One query of at most a hundred rows a module: what a cadre's modules
        need to count their units, their 学时 and the next unit to read."""
        done = Completion.objects.filter(cadre=cadre, unit=OuterRef("unit"))
        rows = (
            self.filter(module_id__in=module_ids)
            .order_by("module_id", "position")
            .annotate(
                is_readable=ExpressionWrapper(readable("unit__"), output_field=BooleanField()),
                is_done=Exists(done),
            )
        )
        fields = ["module_id", "unit_id", "unit__credit_hours", "is_readable", "is_done"]
        if links:
            fields += [f"unit__{name}" for name in UnitLink.fields()[1:]]
        return rows.values_list(*fields)

    def links_in_order(self, module_id, *, drafts):
        """The ``UnitLink`` of each unit of module ``module_id`` that readers may read
        (every unit when ``drafts``: an editor), in the module's order: one query of at
        most a hundred short rows, which is cheaper to build and to run than counting
        and walking the module's positions in subqueries."""
        entries = self.filter(module_id=module_id)
        if not drafts:
            entries = entries.filter(readable("unit__"))
        fields = [f"unit__{name}" for name in UnitLink.fields()]
        return [UnitLink(*row) for row in entries.order_by("position").values_list(*fields)]


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

    def in_subtree(self, *org_units):
        """Assignments whose target lies in these org units or below (an API token's)."""
        paths = [o.path for o in org_units]
        return self.filter(
            subtree_q("org_unit__path", paths) | subtree_q("cadre__org_unit__path", paths)
        )

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
        unit above it. The earliest due date of those for one module is the cadre's.
        Each condition its own query, joined by UNION, as in ``meeting``: OR-ed in one
        WHERE, PostgreSQL read all 26,871 assignments of the generated nation twice
        (6.0 ms, on every unit page and completion); by UNION, two index lookups (1.0 ms).
        (Before that, with the join to the org units OR-ed in, 17.7 ms.)"""
        above = OrgUnit.objects.filter(path__in=cadre.org_unit.ancestor_paths()).values("pk")
        direct = self.filter(cadre=cadre).order_by().values("pk")
        to_units = self.filter(org_unit__in=above).order_by().values("pk")
        return self.filter(pk__in=direct.union(to_units))

    def flag_module_singles(self, module):
        """Each row says whether ``module`` is given to single cadres anywhere
        (``module_has_singles``): one subquery, not correlated, run once."""
        singles = self.model.objects.filter(module=module, cadre__isnull=False)
        return self.annotate(module_has_singles=Exists(singles))

    def meeting(self, *nodes):
        """Assignments that can reach cadres in the subtree of any of ``nodes``: to a
        cadre placed there, to the node or a unit above it, or to a unit below it. A
        county's page of a module given to 6,000 cadres one by one loads its own few,
        not 6,000 objects (the page 309-321 -> 115-137 ms at a nation's size,
        bench/county_modules.py)."""
        ancestors = [path for node in nodes for path in node.ancestor_paths()]
        below = [node.path for node in nodes]
        units = OrgUnit.objects.filter(Q(path__in=ancestors) | subtree_q("path", below))
        # Each condition its own query, joined by UNION: ORed in one WHERE, the database
        # joined every assignment of the module to its cadre before testing either (a
        # county's reminder overview: 145 ms of 26,871 assignments), and with the cadres
        # as a subquery instead, a nation's million did not fit a hashed subplan (6 min).
        placed = self.filter(subtree_q("cadre__org_unit__path", below))
        to_units = self.filter(org_unit__in=units.values("pk"))
        keys = placed.order_by().values("pk").union(to_units.order_by().values("pk"))
        return self.filter(pk__in=keys)


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
    updated_at = updated_at_field()

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
        indexes = [models.Index(fields=["updated_at", "id"], name="assignment_updated")]

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
