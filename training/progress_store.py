"""Keeps the pre-computed Progress table (done per module and cadre) in step.

Why: at province scale (50,000 cadres, 3.4 million completions) counting each
cadre's completions on the fly took 15-17 s for the province roll-up and about
350 ms for a county (bench/RESULTS.md); reading one Progress row per cadre is what
makes the goal (300 ms, 100 ms) reachable.

How it stays correct: a completion added adds 1 for every module holding its unit
(one INSERT ... ON CONFLICT DO UPDATE, atomic under concurrency); a completion
removed takes 1 away and re-reads the last completion time; a module's units
changing, or a unit being published, unpublished or deleted, recomputes the
modules concerned from the completions. Only published units count, as in the
rest of training.progress. Cadre moves and assignments do not touch it: reach is
computed when read. `rebuild()` recomputes everything.
"""

from datetime import timedelta

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from expositions.models import StudyUnit

from .models import Completion, ModuleUnit, Progress, ProgressWeek

# The SQL below is formatted with these table names (from the models' _meta) and with
# placeholder lists only; every value goes in as a query parameter (hence the nosec).
P = Progress._meta.db_table
W = ProgressWeek._meta.db_table
C = Completion._meta.db_table
MU = ModuleUnit._meta.db_table
SU = StudyUnit._meta.db_table
PUBLISHED = StudyUnit.Status.PUBLISHED.value


# "A unit readers can see" (as StudyUnit.objects.published()), joined as ``su`` on the
# unit column named; its parameters come from _visible().
VISIBLE = f"JOIN {SU} su ON su.id = {{unit}} AND su.status = %s AND su.published_at <= %s"


def _visible():
    return [PUBLISHED, timezone.now()]


def _modules_showing(unit_id):
    """SQL for the modules holding ``unit_id`` while readers can see it, and its parameters.
    A hidden unit selects no module, so its completions move nothing."""
    visible = VISIBLE.format(unit="mu.unit_id")
    sql = f"SELECT mu.module_id FROM {MU} mu {visible} WHERE mu.unit_id = %s"  # noqa: S608  # nosec B608
    return sql, [*_visible(), unit_id]


def _greatest(a, b):
    if connection.vendor == "postgresql":
        return f"GREATEST({a}, {b})"
    return f"MAX(COALESCE({a}, {b}), {b})"


def completion_added(completion):
    modules, params = _modules_showing(completion.unit_id)
    last = _greatest(f"{P}.last_completed_at", "excluded.last_completed_at")
    with connection.cursor() as cursor:
        # "WHERE true": SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT.
        cursor.execute(
            f"INSERT INTO {P} (module_id, cadre_id, done, last_completed_at) "  # noqa: S608  # nosec B608
            f"SELECT m.module_id, %s, 1, %s FROM ({modules}) m WHERE true "
            f"ON CONFLICT (module_id, cadre_id) DO UPDATE "
            f"SET done = {P}.done + 1, last_completed_at = {last}",
            [completion.cadre_id, completion.completed_at, *params],
        )
        if completion.org_unit_id is not None:
            cursor.execute(
                f"INSERT INTO {W} (module_id, org_unit_id, week, count) "  # noqa: S608  # nosec B608
                f"SELECT m.module_id, %s, %s, 1 FROM ({modules}) m WHERE true "
                f"ON CONFLICT (module_id, org_unit_id, week) DO UPDATE SET count = {W}.count + 1",
                [completion.org_unit_id, week_of(completion.completed_at), *params],
            )


def week_of(moment):
    """The Monday (local date) of the week ``moment`` falls in."""
    day = timezone.localtime(moment).date()
    return day - timedelta(days=day.weekday())


def completion_removed(completion):
    modules, params = _modules_showing(completion.unit_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {P} SET done = done - 1, last_completed_at = ("  # noqa: S608  # nosec B608
            f"  SELECT MAX(c.completed_at) FROM {C} c"
            f"  JOIN {MU} mu ON mu.unit_id = c.unit_id {VISIBLE.format(unit='c.unit_id')}"
            f"  WHERE c.cadre_id = {P}.cadre_id AND mu.module_id = {P}.module_id)"
            f" WHERE cadre_id = %s AND done > 0 AND module_id IN ({modules})",
            [*_visible(), completion.cadre_id, *params],
        )
        if completion.org_unit_id is not None:
            cursor.execute(
                f"UPDATE {W} SET count = count - 1 WHERE org_unit_id = %s AND week = %s"  # noqa: S608  # nosec B608
                f" AND count > 0 AND module_id IN ({modules})",
                [completion.org_unit_id, week_of(completion.completed_at), *params],
            )


def recompute(module_ids=None):
    """Recompute both tables for these modules (all modules when None) from the
    completions, in one transaction."""
    if module_ids is not None:
        module_ids = list(module_ids)
        if not module_ids:
            return
    with transaction.atomic():
        _recompute_progress(module_ids)
        _recompute_weeks(module_ids)


def _in_modules(module_ids, column):
    """An SQL condition (and its parameters) for rows of these modules; none for all."""
    if module_ids is None:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(module_ids))})", module_ids


def _recompute_progress(module_ids):
    delete_where, delete_params = _in_modules(module_ids, "module_id")
    where, params = _in_modules(module_ids, "mu.module_id")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {P} WHERE 1 = 1{delete_where}", delete_params)  # noqa: S608  # nosec B608
        cursor.execute(
            f"INSERT INTO {P} (module_id, cadre_id, done, last_completed_at) "  # noqa: S608  # nosec B608
            f"SELECT mu.module_id, c.cadre_id, COUNT(*), MAX(c.completed_at) FROM {C} c "
            f"JOIN {MU} mu ON mu.unit_id = c.unit_id {VISIBLE.format(unit='c.unit_id')} "
            f"WHERE 1 = 1{where} GROUP BY mu.module_id, c.cadre_id",
            [*_visible(), *params],
        )


def _recompute_weeks(module_ids):
    rows = ProgressWeek.objects.all()
    if module_ids is not None:
        rows = rows.filter(module_id__in=module_ids)
    rows.delete()
    if connection.vendor == "postgresql":
        where, params = _in_modules(module_ids, "mu.module_id")
        week = "(DATE_TRUNC('week', c.completed_at AT TIME ZONE %s))::date"
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {W} (module_id, org_unit_id, week, count) "  # noqa: S608  # nosec B608
                f"SELECT mu.module_id, c.org_unit_id, {week}, COUNT(*) FROM {C} c "
                f"JOIN {MU} mu ON mu.unit_id = c.unit_id {VISIBLE.format(unit='c.unit_id')} "
                f"WHERE c.org_unit_id IS NOT NULL{where} "
                f"GROUP BY 1, 2, 3",
                [timezone.get_current_timezone_name(), *_visible(), *params],
            )
        return
    # SQLite (development scale): local weeks are simplest to get right in Python.
    counts = {}
    links = ModuleUnit.objects.filter(unit__in=StudyUnit.objects.published())
    if module_ids is not None:
        links = links.filter(module_id__in=module_ids)
    modules_of = {}
    for module_id, unit_id in links.values_list("module_id", "unit_id"):
        modules_of.setdefault(unit_id, []).append(module_id)
    completions = Completion.objects.filter(
        unit_id__in=list(modules_of), org_unit__isnull=False
    ).values_list("unit_id", "org_unit_id", "completed_at")
    for unit_id, org_unit_id, at in completions.iterator():
        for module_id in modules_of[unit_id]:
            key = (module_id, org_unit_id, week_of(at))
            counts[key] = counts.get(key, 0) + 1
    ProgressWeek.objects.bulk_create(
        ProgressWeek(module_id=m, org_unit_id=o, week=w, count=n) for (m, o, w), n in counts.items()
    )


def rebuild():
    recompute(None)


def modules_of_unit(unit_id):
    return list(ModuleUnit.objects.filter(unit_id=unit_id).values_list("module_id", flat=True))


# --- signals ---------------------------------------------------------------------------


def _completion_saved(sender, instance, created, **kwargs):
    if created:
        completion_added(instance)


def _completion_deleted(sender, instance, **kwargs):
    completion_removed(instance)


def _unit_before_save(sender, instance, **kwargs):
    instance._visible_before = (
        StudyUnit.objects.published().filter(pk=instance.pk).exists() if instance.pk else False
    )


def _unit_saved(sender, instance, created, **kwargs):
    was = getattr(instance, "_visible_before", False)
    now = (
        instance.status == PUBLISHED
        and instance.published_at is not None
        and instance.published_at <= timezone.now()
    )
    if not created and was != now:
        recompute(modules_of_unit(instance.pk))


def _unit_before_delete(sender, instance, **kwargs):
    instance._modules_before_delete = modules_of_unit(instance.pk)


def _unit_deleted(sender, instance, **kwargs):
    recompute(getattr(instance, "_modules_before_delete", []))


def connect():
    uid = "training.progress_store."
    post_save.connect(_completion_saved, sender=Completion, dispatch_uid=uid + "c+")
    post_delete.connect(_completion_deleted, sender=Completion, dispatch_uid=uid + "c-")
    pre_save.connect(_unit_before_save, sender=StudyUnit, dispatch_uid=uid + "u0")
    post_save.connect(_unit_saved, sender=StudyUnit, dispatch_uid=uid + "u1")
    pre_delete.connect(_unit_before_delete, sender=StudyUnit, dispatch_uid=uid + "d0")
    post_delete.connect(_unit_deleted, sender=StudyUnit, dispatch_uid=uid + "d1")
