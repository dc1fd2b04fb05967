"""Who must study what, by when, and who has: org units, cadres, modules,
assignments and completions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from expositions.models import StudyUnit


class OrgUnitQuerySet(MP_NodeQuerySet):
    def managed_by(self, user):
        """The org units a user manages, and everything below them (one query)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        roots = managed_paths(user)
        if not roots:
            return self.none()
        return self.filter(subtree_q("path", roots))

    visible_to = managed_by


class OrgUnitManager(MP_NodeManager.from_queryset(OrgUnitQuerySet)):
    def get_queryset(self):
        return OrgUnitQuerySet(self.model, using=self._db).order_by("path")


def managed_paths(user):
    """Paths of the org units a trainer manages directly (the roots of their scope)."""
    return list(user.managed_org_units.values_list("path", flat=True))


def subtree_q(field, paths):
    """Q for rows whose materialised path starts with any of ``paths``."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def ancestor_paths(path, steplen):
    """Every ancestor's path of a materialised path, the path itself included (no query)."""
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


class OrgUnit(MP_Node):
    """A node of the hierarchy province → city → county/district → township/street.

    A materialised path (django-treebeard's MP_Node): every node below ``path`` has a
    path that starts with it, so a whole subtree, and every cadre in it, comes from
    one indexed prefix query, and a node's ancestors are read off its own path.
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        CITY = 2, _("City")
        COUNTY = 3, _("County / district")
        TOWNSHIP = 4, _("Township / street")

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    code = models.CharField(_("code"), max_length=32, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_org_units",
        verbose_name=_("trainers"),
        help_text=_("Trainers who manage this org unit and everything under it."),
    )

    node_order_by = ["code"]
    objects = OrgUnitManager()

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        indexes = [
            # LIKE 'prefix%' on PostgreSQL uses an index only with pattern ops.
            models.Index(
                fields=["path"], name="orgunit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        language = (get_language() or "").lower()
        if not language.startswith("zh") and self.name_en:
            return self.name_en
        return self.name

    def ancestor_paths(self):
        return ancestor_paths(self.path, self.steplen)


class CadreQuerySet(models.QuerySet):
    def in_subtree(self, *org_units):
        return self.filter(subtree_q("org_unit__path", [o.path for o in org_units]))

    def visible_to(self, user):
        """Trainers see cadres in the org units they manage and below; a cadre sees
        only themself; editors and everybody else, nobody (superusers: all)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        roots = managed_paths(user)
        q = Q(user=user)
        if roots:
            q |= subtree_q("org_unit__path", roots)
        return self.filter(q)


class Cadre(models.Model):
    """A civil-affairs official who studies: a profile one-to-one with the user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cadre",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="cadres", verbose_name=_("org unit")
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class ModuleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Module.Status.ACTIVE)

    def editable_by(self, user):
        if user.has_perm("training.change_module") and user.is_staff:
            return self.all()
        return self.filter(created_by=user)


class Module(models.Model):
    """An ordered list of study units that a trainer assigns as one piece of training."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    units = models.ManyToManyField(
        StudyUnit, through="ModuleUnit", related_name="modules", verbose_name=_("study units")
    )
    study_hours = models.DecimalField(
        _("study hours"),
        max_digits=5,
        decimal_places=1,
        default=0,
        help_text=_("学时 credited when the module is finished."),
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


class ModuleUnit(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="module_units")
    unit = models.ForeignKey(StudyUnit, on_delete=models.PROTECT, related_name="module_units")
    position = models.PositiveIntegerField(_("position"))

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
        return f"{self.module} #{self.position}: {self.unit}"


class AssignmentQuerySet(models.QuerySet):
    def for_cadre(self, cadre):
        """Assignments that reach a cadre: to them, to their org unit or to any unit above it."""
        paths = ancestor_paths(cadre.org_unit.path, OrgUnit.steplen)
        return self.filter(Q(cadre=cadre) | Q(org_unit__path__in=paths))

    def visible_to(self, user):
        """Assignments whose target lies in the org units the user manages."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        roots = managed_paths(user)
        if not roots:
            return self.none()
        return self.filter(
            subtree_q("org_unit__path", roots) | subtree_q("cadre__org_unit__path", roots)
        )


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
