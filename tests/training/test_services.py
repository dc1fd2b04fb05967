from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import override

from expositions.models import StudyUnit
from org.models import Cadre
from tests.servers import at_once
from training import services
from training.models import Assignment, Completion, Module
from training.my_study import completion_of, my_modules, place_in_module
from training.progress import ModuleProgress

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


def _module_ids(cadre):
    return {m.pk for m in my_modules(cadre)}


# --- reach -----------------------------------------------------------------------


def test_direct_assignment_reaches_the_cadre(org, make_cadre, make_module, assign):
    cadre, other = make_cadre(org.township_a), make_cadre(org.township_a)
    module = make_module()
    assign(module, cadre)
    assert _module_ids(cadre) == {module.pk}
    assert _module_ids(other) == set()


def test_org_assignment_reaches_cadres_of_that_unit(org, make_cadre, make_module, assign):
    cadre = make_cadre(org.township_a)
    module = make_module()
    assign(module, org.township_a)
    assert _module_ids(cadre) == {module.pk}
    assert _module_ids(make_cadre(org.township_b)) == set()


def test_assignment_to_an_ancestor_reaches_the_whole_subtree(org, make_cadre, make_module, assign):
    module = make_module()
    assign(module, org.city)
    for unit in (org.city, org.county, org.township_a, org.other_county):
        assert _module_ids(make_cadre(unit)) == {module.pk}
    assert _module_ids(make_cadre(org.province)) == set()


def test_a_cadre_who_moves_in_is_reached_and_one_who_moves_out_is_not(
    org, make_cadre, make_module, assign
):
    module = make_module()
    assign(module, org.county)
    cadre = make_cadre(org.other_county)
    assert _module_ids(cadre) == set()
    services.cadre_move(cadre=cadre, org_unit=org.township_b)
    assert _module_ids(Cadre.objects.get(pk=cadre.pk)) == {module.pk}
    services.cadre_move(cadre=cadre, org_unit=org.other_county)
    assert _module_ids(Cadre.objects.get(pk=cadre.pk)) == set()


def test_a_cadre_joining_later_is_reached(org, make_cadre, make_module, assign):
    module = make_module()
    assign(module, org.county)
    assert _module_ids(make_cadre(org.township_a)) == {module.pk}


def test_reach_counts_active_cadres_of_the_subtree(org, make_cadre):
    make_cadre(org.county)
    make_cadre(org.township_a)
    make_cadre(org.township_b, active=False)
    make_cadre(org.other_county)
    assert services.assignment_reach(org_unit=org.county) == 2
    assert services.assignment_reach(org_unit=org.city) == 3


def test_earliest_due_date_wins_when_two_assignments_reach(org, make_cadre, make_module, assign):
    cadre = make_cadre(org.township_a)
    module = make_module()
    assign(module, org.county, days=30)
    assign(module, cadre, days=3)
    (mine,) = my_modules(cadre)
    assert mine.due_on == timezone.localdate() + timedelta(days=3)


def test_subtree_is_one_query(org, make_cadre, django_assert_num_queries):
    for unit in (org.county, org.township_a, org.township_b, org.other_county):
        make_cadre(unit)
    with django_assert_num_queries(1):
        assert len(list(Cadre.objects.in_subtree(org.county))) == 3


# --- assignment_create -------------------------------------------------------------


def test_assignment_create_and_repeat(org, make_trainer, make_module):
    trainer = make_trainer(org.county)
    module = make_module()
    due = timezone.localdate() + timedelta(days=10)
    first, created = services.assignment_create(
        module=module, org_unit=org.township_a, due_on=due, by=trainer
    )
    again, created_again = services.assignment_create(
        module=module, org_unit=org.township_a, due_on=due + timedelta(days=1), by=trainer
    )
    assert created and not created_again
    assert first == again
    assert Assignment.objects.get().due_on == due
    assert first.assigned_by == trainer


@pytest.mark.parametrize(
    ("days", "target", "message"),
    [
        (-1, "township_a", "today or later"),
        (5, "other_county", "within the org units you manage"),
        (5, "city", "within the org units you manage"),
    ],
)
def test_assignment_create_refuses(org, make_trainer, make_module, days, target, message):
    trainer = make_trainer(org.county)
    with pytest.raises(ValidationError, match=message):
        services.assignment_create(
            module=make_module(),
            org_unit=getattr(org, target),
            due_on=timezone.localdate() + timedelta(days=days),
            by=trainer,
        )
    assert not Assignment.objects.exists()


def test_assignment_create_refuses_a_cadre_outside_scope(
    org, make_trainer, make_cadre, make_module
):
    trainer = make_trainer(org.county)
    with pytest.raises(ValidationError):
        services.assignment_create(
            module=make_module(),
            cadre=make_cadre(org.other_county),
            due_on=timezone.localdate(),
            by=trainer,
        )
    assert not Assignment.objects.exists()


def test_assignment_create_refuses_an_inactive_module(org, make_trainer, make_module):
    with pytest.raises(ValidationError, match="active"):
        services.assignment_create(
            module=make_module(status=Module.Status.DRAFT),
            org_unit=org.county,
            due_on=timezone.localdate(),
            by=make_trainer(org.county),
        )


# --- completions -------------------------------------------------------------------


def test_completion_record_is_idempotent(org, make_cadre, make_unit):
    cadre, unit = make_cadre(org.county), make_unit()
    first, created = services.completion_record(cadre=cadre, unit=unit)
    second, created_again = services.completion_record(cadre=cadre, unit=unit)
    assert created and not created_again
    assert first == second
    assert Completion.objects.count() == 1


def test_completion_of_a_draft_is_refused(org, make_cadre, make_unit):
    with pytest.raises(ValidationError):
        services.completion_record(
            cadre=make_cadre(org.county), unit=make_unit(status=StudyUnit.Status.DRAFT)
        )
    assert not Completion.objects.exists()


def test_completion_undo(org, make_cadre, make_unit):
    cadre, unit = make_cadre(org.county), make_unit()
    services.completion_record(cadre=cadre, unit=unit)
    assert services.completion_undo(cadre=cadre, unit=unit) is True
    assert services.completion_undo(cadre=cadre, unit=unit) is False
    assert not Completion.objects.exists()


def test_a_completion_counts_toward_every_module_with_the_unit(
    org, make_cadre, make_unit, make_module, assign
):
    cadre = make_cadre(org.township_a)
    shared = make_unit()
    first = make_module(units=[shared, make_unit()])
    second = make_module(units=[make_unit(), shared, make_unit()])
    assign(first, cadre)
    assign(second, org.county)
    services.completion_record(cadre=cadre, unit=shared)
    progress = {m.pk: (m.done, m.total) for m in my_modules(cadre)}
    assert progress == {first.pk: (1, 2), second.pk: (1, 3)}


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_completions_leave_one_row(org, make_cadre, make_unit):
    cadre, unit = make_cadre(org.county), make_unit()
    outcomes, errors = at_once(
        [lambda: services.completion_record(cadre=cadre, unit=unit) for _ in range(16)]
    )
    results = [created for _completion, created in outcomes]
    assert connection.vendor == "postgresql"
    assert errors == []
    assert results.count(True) == 1
    assert Completion.objects.filter(cadre=cadre, unit=unit).count() == 1


# --- progress arithmetic -------------------------------------------------------------


def test_module_progress_statuses_and_rollup(org, make_cadre, make_module, make_unit, assign):
    units = [make_unit() for _ in range(4)]
    module = make_module(units=units)
    late = assign(module, org.township_a, days=-2)
    assign(module, org.township_b, days=5)
    done_all = make_cadre(org.township_a, name="全部")
    partway = make_cadre(org.township_a, name="部分")
    make_cadre(org.township_b, name="未开始")
    make_cadre(org.other_county, name="不在范围")
    for unit in units:
        services.completion_record(cadre=done_all, unit=unit)
    services.completion_record(cadre=partway, unit=units[0])

    progress = ModuleProgress(module, list(module.assignments.select_related("org_unit")))
    cadres = {c.name: c for c in progress.cadres(Cadre.objects.in_subtree(org.county))}
    assert set(cadres) == {"全部", "部分", "未开始"}
    assert (cadres["全部"].status, cadres["全部"].overdue) == ("complete", False)
    assert (cadres["部分"].status, cadres["部分"].overdue, cadres["部分"].done) == (
        "in_progress",
        True,
        1,
    )
    assert (cadres["未开始"].status, cadres["未开始"].overdue) == ("not_started", False)
    assert cadres["部分"].due_on == late.due_on

    rows = progress.rollup(org.county, progress.cadres(Cadre.objects.in_subtree(org.county)))
    by_code = {r["org_unit"].code: r for r in rows}
    assert {
        k: by_code["P-C-K-A"][k]
        for k in (
            "cadre_count",
            "completed",
            "in_progress",
            "not_started",
            "overdue_count",
            "percent",
        )
    } == {
        "cadre_count": 2,
        "completed": 1,
        "in_progress": 1,
        "not_started": 0,
        "overdue_count": 1,
        "percent": 50,
    }
    assert by_code["P-C-K-B"]["not_started"] == 1
    totals = progress.totals(rows)
    assert (totals["cadre_count"], totals["completed"], totals["percent"]) == (3, 1, 33)


def test_unpublished_units_do_not_count(org, make_cadre, make_module, make_unit, assign):
    live, hidden = make_unit(), make_unit()
    module = make_module(units=[live, hidden])
    cadre = make_cadre(org.township_a)
    assign(module, cadre)
    services.completion_record(cadre=cadre, unit=live)
    StudyUnit.objects.filter(pk=hidden.pk).update(status=StudyUnit.Status.DRAFT)
    (mine,) = my_modules(cadre)
    assert (mine.done, mine.total, mine.finished) == (1, 1, True)


def test_completion_of_is_the_cadre_s_own_completion_of_the_unit(org, make_cadre, make_unit):
    cadre, other = make_cadre(org.township_a), make_cadre(org.township_a)
    unit, elsewhere = make_unit(), make_unit()
    services.completion_record(cadre=other, unit=unit)
    services.completion_record(cadre=cadre, unit=elsewhere)
    assert completion_of(cadre, unit) is None
    services.completion_record(cadre=cadre, unit=unit)
    stored = Completion.objects.get(cadre=cadre, unit=unit)
    found = completion_of(cadre, unit)
    assert (found.pk, found.completed_at) == (stored.pk, stored.completed_at)
    assert found.completed_at.tzinfo is not None


def test_my_modules_order_and_next_unit(org, make_cadre, make_module, make_unit, assign):
    cadre = make_cadre(org.township_a)
    units = [make_unit() for _ in range(3)]
    later = make_module(units=units, title="later")
    overdue = make_module(n_units=2, title="overdue")
    soon = make_module(n_units=2, title="soon")
    finished = make_module(n_units=1, title="finished")
    assign(later, cadre, days=20)
    assign(overdue, cadre, days=-1)
    assign(soon, org.county, days=2)
    assign(finished, cadre, days=-10)
    services.completion_record(cadre=cadre, unit=finished.units.get())
    services.completion_record(cadre=cadre, unit=units[0])
    modules = list(my_modules(cadre))
    assert [m.title for m in modules] == ["overdue", "soon", "later", "finished"]
    assert modules[2].next_unit_id == units[1].pk
    assert modules[3].finished and not modules[3].overdue
    assert modules[0].overdue


def test_place_in_module_agrees_with_the_module_s_readable_units(make_module, make_unit):
    """The written-out query against the ORM's answer, for every unit of a module with
    drafts and scheduled units in it, for readers and for editors."""
    soon = timezone.now() + timedelta(days=1)
    units = [
        make_unit(),
        make_unit(status=StudyUnit.Status.DRAFT),
        make_unit(),
        make_unit(published_at=soon),
        make_unit(),
        make_unit(status=StudyUnit.Status.DRAFT),
    ]
    module = make_module(units=[units[4], units[1], units[0], units[3], units[5], units[2]])
    outside = make_unit()
    for drafts in (False, True):
        shown = StudyUnit.objects.all() if drafts else StudyUnit.objects.published()
        line = list(shown.filter(module_units__module=module).order_by("module_units__position"))
        for here, unit in enumerate(line):
            place = place_in_module(module.pk, unit, drafts=drafts)
            expected = (
                here + 1,
                len(line),
                line[here - 1] if here else None,
                line[here + 1] if here + 1 < len(line) else None,
            )
            assert (place.position, place.count, place.previous, place.next) == expected
        assert place_in_module(module.pk, outside, drafts=drafts) is None
