"""The stored Progress rows always equal a recount of the completions, and the pages
show what the completions say, after every kind of change that can move them."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from expositions.models import StudyUnit
from expositions.services import unit_save
from tests.servers import at_once
from training import progress_store, progress_verify, services
from training.models import (
    Completion,
    HoursYear,
    Module,
    ModuleUnit,
    Progress,
    ProgressWeek,
)
from training.progress import ModuleProgress


def expected():
    """{(module, cadre): (done, last completed)} as readers count it, from scratch in
    Python: only units readers can see."""
    published = set(StudyUnit.objects.published().values_list("pk", flat=True))
    modules_of = {}
    for module_id, unit_id in ModuleUnit.objects.values_list("module_id", "unit_id"):
        modules_of.setdefault(unit_id, []).append(module_id)
    result = {}
    for cadre_id, unit_id, at in Completion.objects.values_list(
        "cadre_id", "unit_id", "completed_at"
    ):
        if unit_id not in published:
            continue
        for module_id in modules_of.get(unit_id, []):
            done, last = result.get((module_id, cadre_id), (0, None))
            result[(module_id, cadre_id)] = (done + 1, max(last, at) if last else at)
    return result


def shown():
    """{(module, cadre): (done, last completed)} as the progress pages read it from the
    stored totals (every module is assigned to the whole tree in ``world``)."""
    result = {}
    for module in Module.objects.all():
        progress = ModuleProgress(module, list(module.assignments.select_related("org_unit")))
        for cadre in progress.cadres().filter(done__gt=0):
            result[(module.pk, cadre.pk)] = (cadre.done, cadre.last_completed_at)
    return result


@pytest.fixture
def world(org, make_cadre, make_unit, make_module, assign):
    units = [make_unit() for _ in range(5)]
    first = make_module(units=units[:3])
    second = make_module(units=units[2:])  # units[2] is in both
    for module in (first, second):
        assign(module, org.province)
    cadres = [make_cadre(org.township_a), make_cadre(org.township_b)]
    return units, first, second, cadres


@pytest.mark.django_db
def test_it_follows_every_kind_of_change(world, client, editor_user):
    units, first, second, (a, b) = world
    steps = [
        lambda: services.completion_record(cadre=a, unit=units[0]),
        lambda: services.completion_record(cadre=a, unit=units[2]),  # counts in both modules
        lambda: services.completion_record(cadre=b, unit=units[2]),
        lambda: services.completion_record(cadre=a, unit=units[2]),  # again: nothing new
        lambda: services.completion_undo(cadre=a, unit=units[0]),
        lambda: services.completion_record(cadre=b, unit=units[4]),
        lambda: services.module_set_units(module=first, units=[units[4], units[0], units[1]]),
        lambda: _set_status(units[2], StudyUnit.Status.DRAFT),  # unpublished: stops counting
        lambda: _set_status(units[2], StudyUnit.Status.PUBLISHED),  # and counts again
        lambda: _reschedule(units[2], days=3),  # published, but from a later date: not yet
        lambda: _reschedule(units[2], days=-1),
        lambda: services.completion_undo(cadre=b, unit=units[4]),
        lambda: services.completion_undo(cadre=b, unit=units[4]),  # again: nothing to undo
        lambda: services.completion_record(cadre=b, unit=units[3]),
        lambda: services.module_set_units(module=second, units=[units[2]]),
        lambda: StudyUnit.objects.get(pk=units[3].pk).delete(),  # in no module now
        lambda: services.cadre_move(cadre=a, org_unit=b.org_unit),  # history stays put
        lambda: services.completion_record(cadre=a, unit=units[1]),  # counted where a is now
        lambda: b.delete(),
    ]
    for i, step in enumerate(steps):
        step()
        assert progress_verify.verify() == [], f"after step {i}"
        assert shown() == expected(), f"after step {i}"
    assert Progress.objects.exists() and ProgressWeek.objects.exists()


def _reschedule(unit, days):
    unit = StudyUnit.objects.get(pk=unit.pk)
    unit.published_at = timezone.now() + timedelta(days=days)
    unit_save(unit=unit)


def _set_status(unit, status):
    unit = StudyUnit.objects.get(pk=unit.pk)
    unit.status = status
    unit_save(unit=unit)


@pytest.mark.django_db
def test_an_admin_edit_of_a_modules_units_recomputes(world, editor_user, client):
    units, first, _second, (a, _b) = world
    services.completion_record(cadre=a, unit=units[3])
    client.force_login(editor_user)
    url = reverse("admin:training_module_change", args=[first.pk])
    rows = list(ModuleUnit.objects.filter(module=first).order_by("position"))
    data = {
        "title": first.title,
        "description": "",
        "study_hours": "1",
        "status": first.status,
        "evidence": first.evidence,
        "module_units-TOTAL_FORMS": str(len(rows) + 1),
        "module_units-INITIAL_FORMS": str(len(rows)),
        "module_units-MIN_NUM_FORMS": "0",
        "module_units-MAX_NUM_FORMS": "1000",
    }
    for i, mu in enumerate(rows):
        data |= {
            f"module_units-{i}-id": mu.pk,
            f"module_units-{i}-module": first.pk,
            f"module_units-{i}-unit": mu.unit_id,
            f"module_units-{i}-position": mu.position,
        }
    n = len(rows)
    data |= {f"module_units-{n}-module": first.pk, f"module_units-{n}-unit": units[3].pk}
    data[f"module_units-{n}-position"] = n + 1
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ModuleUnit.objects.filter(module=first, unit=units[3]).exists()
    assert progress_verify.verify() == []


@pytest.mark.django_db
def test_rebuild_gives_the_same_rows(world):
    units, _first, _second, (a, b) = world
    for unit in units:
        services.completion_record(cadre=a, unit=unit)
    services.completion_record(cadre=b, unit=units[1])
    before = progress_verify.stored_progress()
    Progress.objects.all().delete()
    call_command("rebuild_progress", stdout=open("/dev/null", "w"))  # noqa: SIM115
    weeks = progress_verify.stored_weeks()
    assert progress_verify.stored_progress() == before
    ProgressWeek.objects.all().delete()
    progress_store.rebuild()
    assert progress_verify.stored_weeks() == weeks
    assert progress_verify.verify() == []


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_completions_of_one_module_all_count(org, make_cadre, make_unit, make_module):
    """16 units of one module completed at once by one cadre: done ends at 16."""
    units = [make_unit() for _ in range(16)]
    module = make_module(units=units)
    cadre = make_cadre(org.county)
    _results, errors = at_once(
        [lambda u=u: services.completion_record(cadre=cadre, unit=u) for u in units]
    )
    assert connection.vendor == "postgresql"
    assert errors == []
    assert Progress.objects.get(module=module, cadre=cadre).done == 16


def test_recompute_of_no_modules_does_nothing(db):
    progress_store.recompute([])
    assert Progress.objects.count() == 0


@pytest.mark.django_db
def test_the_weekly_chart_counts_one_by_one_assignments_once(
    org, make_cadre, make_unit, make_module, assign
):
    from training.progress import ModuleProgress

    units = [make_unit() for _ in range(3)]
    module = make_module(units=units)
    in_town = make_cadre(org.township_a)  # reached by the township's assignment
    alone = make_cadre(org.township_b)  # reached only by an assignment of their own
    assign(module, org.township_a)
    assign(module, in_town)  # also assigned one by one: still counted once
    assign(module, alone)
    for unit in units:
        services.completion_record(cadre=in_town, unit=unit)
    services.completion_record(cadre=alone, unit=units[0])
    bystander = make_cadre(org.township_b)  # not reached at all
    services.completion_record(cadre=bystander, unit=units[1])
    progress = ModuleProgress(module, list(module.assignments.select_related("org_unit")))
    weeks = progress.completions_by_week(org.county)
    assert sum(n for _week, n in weeks) == 4
    assert sum(n for _week, n in progress.completions_by_week(org.township_b)) == 1


@pytest.mark.django_db
def test_the_weekly_chart_of_a_node_assigned_from_above_reads_the_stored_weeks_alone(
    org, make_cadre, make_unit, make_module, assign, django_assert_num_queries
):
    """Under an assignment to the county every completion in a township is counted by
    the stored weeks: one query, and a cadre also assigned one by one counts once."""
    from training.progress import ModuleProgress

    units = [make_unit() for _ in range(2)]
    module = make_module(units=units)
    both, other = make_cadre(org.township_a), make_cadre(org.township_a)
    assign(module, org.county)
    assign(module, both)  # and one by one: the module has single cadres
    for unit in units:
        services.completion_record(cadre=both, unit=unit)
    services.completion_record(cadre=other, unit=units[0])
    progress = ModuleProgress(module, list(module.assignments.select_related("org_unit")))
    with django_assert_num_queries(1):
        weeks = progress.completions_by_week(org.township_a)
    assert sum(n for _week, n in weeks) == 3


@pytest.mark.parametrize(
    "statement",
    ["PROGRESS_ADD", "WEEK_ADD", "HOURS_ADD", "PROGRESS_RECOUNT", "WEEK_RECOUNT"],
)
def test_the_written_out_statements_name_only_the_models_tables(statement):
    """The SQL statements spell the table names out: a model whose table is renamed
    fails here rather than in production."""
    tables = {m._meta.db_table for m in (Completion, ModuleUnit, Progress, ProgressWeek, HoursYear)}
    named = set(re.findall(r"\b(?:INTO|FROM|JOIN)\s+(\w+)", getattr(progress_store, statement)))
    named |= set(re.findall(r"\b(training_\w+)\.", getattr(progress_store, statement)))
    assert named and named <= tables
