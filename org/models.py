"""The organisation: org units (province → city → county/district → township/street),
the cadres who work in them, and who may see whom.

Tables keep the names they had in the ``training`` app (``training_orgunit``,
``training_cadre``): the models moved, the data did not (migration org 0001).
"""

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet


def scope_paths(user):
    """The roots of what ``user`` manages, as paths: None for everything (a superuser),
    else the paths of the org units they manage directly (none for most users)."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return None
    return list(user.managed_org_units.values_list("path", flat=True))


def in_scope(queryset, user, *fields):
    """``queryset`` narrowed to rows whose org-unit path (any of ``fields``) lies in the
    subtrees ``user`` manages: all rows for a superuser, none for a non-trainer."""
    roots = scope_paths(user)
    if roots is None:
        return queryset
    if not roots:
        return queryset.none()
    q = Q(pk__in=[])
    for field in fields:
        q |= subtree_q(field, roots)
    return queryset.filter(q)


def subtree_q(field, paths):
    """Q for rows whose materialised path starts with any of ``paths``."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def updated_at_field():
    """When a row last changed, for the API's incremental pulls (``?updated_since=``):
    set by every save (auto_now), by the database where rows are written around the
    ORM (COPY, INSERT … SELECT: db_default), and by hand in each ``update()`` of the
    fields the API shows. Ordered with the id by an index of exactly (updated_at, id)."""
    return models.DateTimeField(_("updated"), auto_now=True, db_default=Now())


def touched():
    """``updated_at`` for a ``QuerySet.update()`` of fields the API shows."""
    return {"updated_at": Now()}


def ancestor_paths(path, steplen):
    """Every ancestor's path of a materialised path, the path itself included (no query)."""
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def outermost(units):
    """Those of ``units`` (org units) that lie in no other's subtree: the ones whose
    subtrees hold all the others' (no query)."""
    return [u for u in units if not any(u.path.startswith(o.path) for o in units if o != u)]


# Codes go into file names and headers of downloads: nothing that could break them.
CODE_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9._-]+$", _("Use letters, digits, dot, hyphen and underscore only.")
)

# A phone number as people write it: digits, spaces, + - ( ) and an extension's "转".
PHONE_VALIDATOR = RegexValidator(r"^[0-9+() \-转]{5,32}$", _("Digits, spaces and + - ( ) only."))


class OrgUnitQuerySet(MP_NodeQuerySet):
    def managed_by(self, user):
        """The org units a user manages, and everything below them (one query)."""
        return in_scope(self, user, "path")

    def in_subtree(self, *org_units):
        """These org units and everything below them (an API token's scope)."""
        return self.filter(subtree_q("path", [o.path for o in org_units]))

    def scope_roots(self, user):
        """The top org units of a user's scope: those they manage (every root for a
        superuser), in tree order."""
        if user.is_superuser:
            return self.filter(depth=1)
        return self.filter(trainers=user)


class OrgUnitManager(MP_NodeManager.from_queryset(OrgUnitQuerySet)):
    def get_queryset(self):
        return OrgUnitQuerySet(self.model, using=self._db).order_by("path")


class OrgUnit(MP_Node):
    """A node of the hierarchy province → city → county/district → township/street,
    with, in a national deployment, one national org unit (the ministry) above the
    provinces, whose trainers follow the roll-up by province.

    A materialised path (django-treebeard's MP_Node): every node below ``path`` has a
    path that starts with it, so a whole subtree, and every cadre in it, comes from
    one indexed prefix query, and a node's ancestors are read off its own path.
    """

    class Level(models.IntegerChoices):
        NATION = 0, _("Nation")
        PROVINCE = 1, _("Province")
        CITY = 2, _("City")
        COUNTY = 3, _("County / district")
        TOWNSHIP = 4, _("Township / street")

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[CODE_VALIDATOR],
        help_text=_("Letters, digits, dot, hyphen and underscore."),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    # In both languages (org/translation.py): printed at the head of certificates.
    issuing_organ = models.CharField(
        _("issuing organ"),
        max_length=200,
        blank=True,
        help_text=_(
            "The civil-affairs department that issues this org unit's certificates, "
            "e.g. 山西省民政厅 or 小店区民政局. Left empty, the nearest org unit above "
            "that has one issues them; set the province's as the default."
        ),
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_org_units",
        verbose_name=_("trainers"),
        help_text=_("Trainers who manage this org unit and everything under it."),
        db_table="training_orgunit_trainers",
    )
    updated_at = updated_at_field()

    node_order_by = ["code"]
    objects = OrgUnitManager()

    class Meta:
        db_table = "training_orgunit"
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        indexes = [
            # LIKE 'prefix%' on PostgreSQL uses an index only with pattern ops.
            models.Index(
                fields=["path"], name="orgunit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["updated_at", "id"], name="orgunit_updated"),
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

    def meets(self, other):
        """Whether either of the two org units lies in the other's subtree."""
        return self.path.startswith(other.path) or other.path.startswith(self.path)

    def issuing_organ_in_force(self):
        """(Chinese, English) name of the organ that issues certificates here: this org
        unit's own, else that of the nearest one above that has one (the province's
        is the default), one query. With none set anywhere above, the name of the top
        org unit below the nation's (a place, as certificates said before organs were
        kept): the province, not 全国."""
        nearest = (
            OrgUnit.objects.filter(path__in=self.ancestor_paths())
            .filter(Q(issuing_organ_zh_hans__gt="") | Q(issuing_organ_en__gt=""))
            .order_by("-depth")
            .values_list("issuing_organ_zh_hans", "issuing_organ_en")
            .first()
        )
        if nearest is not None:
            zh, en = nearest
            return zh or en, en or zh
        root = (
            OrgUnit.objects.filter(path__in=self.ancestor_paths(), level__gt=self.Level.NATION)
            .order_by("depth")
            .first()
            or self
        )
        return root.name, root.name_en or root.name


class CadreQuerySet(models.QuerySet):
    def in_subtree(self, *org_units):
        return self.filter(subtree_q("org_unit__path", [o.path for o in org_units]))

    def visible_to(self, user):
        """Trainers see cadres in the org units they manage and below; a cadre sees
        only themself; editors and everybody else, nobody (superusers: all)."""
        if not user.is_authenticated:
            return self.none()
        roots = scope_paths(user)
        if roots is None:
            return self.all()
        return self.filter(Q(user=user) | subtree_q("org_unit__path", roots))

    def managed_by(self, user):
        """Cadres a trainer manages: in their org units and below, never themself.

        Not ``visible_to`` less the trainer: its "or themself" made the planner scan
        every cadre instead of reading the subtree through the org-unit index (a county
        trainer's pending claims counted over a nation's million cadres: 140 ms)."""
        return in_scope(self, user, "org_unit__path").exclude(user=user)

    def matching(self, words):
        """Cadres whose name holds ``words`` or whose username starts with them: what a
        trainer types into the cadre picker (张, 张敏, zhang.m)."""
        words = words.strip()
        if not words:
            return self.none()
        return self.filter(Q(name__icontains=words) | Q(user__username__istartswith=words))

    def awaiting_password(self, trainer):
        """Cadres ``trainer`` imported into their tree who have never signed in and have
        no password of their own yet: no usable password, or an unused one-time one. A
        cadre who has signed in once is never given a password by a trainer again."""
        return (
            self.managed_by(trainer)
            .filter(active=True, imported_by=trainer, user__last_login__isnull=True)
            .filter(
                Q(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
                | Q(must_change_password=True)
            )
        )


class Cadre(models.Model):
    """A civil-affairs official who studies: a profile one-to-one with the user."""

    class Category(models.TextChoices):
        # What the 干部教育培训工作条例 asks of a cadre depends on it (training.Requirement).
        COUNTY_AND_ABOVE = "county_up", _("County/division level leading cadre and above")
        TOWNSHIP_AND_BELOW = "township_down", _("Township/section level and below")
        OTHER = "other", _("Other")

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
    category = models.CharField(
        _("category"),
        max_length=16,
        choices=Category.choices,
        default=Category.OTHER,
        help_text=_("Decides which study-hour requirements apply."),
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Holds a one-time password: asked for a new one at the next sign-in."),
    )
    # For a trainer's call about overdue study (training.reminders); optional.
    phone = models.CharField(
        _("phone"),
        max_length=32,
        blank=True,
        validators=[PHONE_VALIDATOR],
        help_text=_("Optional: a number a trainer may call about overdue study."),
    )
    # What the portal writes to the cadre in (email reminders): the language they last
    # chose with the switcher, else the one they signed in with.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    updated_at = updated_at_field()

    objects = CadreQuerySet.as_manager()

    class Meta:
        db_table = "training_cadre"
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["updated_at", "id"], name="cadre_updated")]

    def __str__(self):
        return self.name


class PasswordChangeRequired(models.Model):
    """An account whose password someone else chose: made in the admin with a one-time
    password, or given a password there by an account manager. Its holder chooses their
    own at the next sign-in before anything else (org.middleware); the row goes then."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="password_change_required",
        verbose_name=_("user"),
    )
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        verbose_name = _("password change required")
        verbose_name_plural = _("password changes required")

    def __str__(self):
        return self.user.get_username()
