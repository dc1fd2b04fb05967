"""A progress page reads only the assignments that can reach its node's cadres."""

from datetime import timedelta

import pytest
from django.utils import timezone

from org.models import Cadre
from training import progress_pages, services
from training.progress import ModuleProgress

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer(org, make_trainer):
    return make_trainer(org.county, username="county-trainer")


@pytest.fixture
def spread(org, make_cadre, make_module, make_unit, assign):
    """A module given above, at and below the county, beside it, and to two cadres."""
    units = [make_unit(), make_unit()]
    module = make_module(units=units, title="各处")
    here = make_cadre(org.township_a, name="甲镇的人")
    away = make_cadre(org.other_county, name="别县的人")
    made = {
        "city": assign(module, org.city),
        "county": assign(module, org.county),
        "a": assign(module, org.township_a),
        "b": assign(module, org.township_b),
        "other": assign(module, org.other_county),
        "here": assign(module, here),
        "away": assign(module, away),
    }
    return module, units, made, here, away


def _pks(assignments):
    return {a.pk for a in assignments}


def test_assignments_meeting_a_node_are_those_that_can_reach_its_cadres(org, spread):
    module, _units, made, _here, _away = spread
    meeting = module.assignments.meeting
    expected = {made[k].pk for k in ("city", "county", "a", "here")}
    assert _pks(meeting(org.township_a)) == expected
    assert _pks(meeting(org.county)) == expected | {made["b"].pk}
    assert _pks(meeting(org.other_county)) == {made[k].pk for k in ("city", "other", "away")}
    assert _pks(meeting(org.province)) == _pks(made.values())


def test_assignments_meeting_two_nodes_are_those_meeting_either(org, spread):
    module, _units, made, _here, _away = spread
    both = module.assignments.meeting(org.township_b, org.other_county)
    expected = {made[k].pk for k in ("city", "county", "b", "other", "away")}
    assert _pks(both) == expected


def test_a_cadre_moved_into_a_node_brings_their_own_assignment(org, spread):
    module, _units, made, _here, away = spread
    services.cadre_move(cadre=away, org_unit=org.township_b)
    assert made["away"].pk in _pks(module.assignments.meeting(org.township_b))
    assert made["away"].pk not in _pks(module.assignments.meeting(org.other_county))


def test_a_module_page_at_a_node_loads_only_the_assignments_meeting_it(org, spread, trainer):
    module, _units, made, _here, _away = spread
    page, _none = progress_pages.module_page(trainer, {"org": str(org.township_b.pk)}, module.pk)
    assert _pks(page.progress.assignments) == {made[k].pk for k in ("city", "county", "b")}


def test_a_node_s_roll_up_is_the_same_from_its_own_assignments_and_from_all(
    org, spread, trainer, make_cadre
):
    module, units, _made, here, _away = spread
    make_cadre(org.township_b, name="乙镇的人")
    services.completion_record(cadre=here, unit=units[0])
    everything = ModuleProgress(module, list(module.assignments.select_related("org_unit")))
    for node in (org.county, org.township_a, org.township_b):
        page, _none = progress_pages.module_page(trainer, {"org": str(node.pk)}, module.pk)
        rows = page.progress.rollup(node, page.cadres())
        assert rows == everything.rollup(node, everything.cadres(Cadre.objects.in_subtree(node)))
        assert page.progress.totals(rows)["cadre_count"] == (2 if node == org.county else 1)


def test_the_chart_keeps_a_single_cadre_s_completions_made_here_before_they_moved(
    org, make_cadre, make_module, make_unit, assign, trainer, django_assert_num_queries
):
    units = [make_unit(), make_unit()]
    module = make_module(units=units, title="调走")
    mover = make_cadre(org.township_a, name="调走的人")
    assign(module, mover)
    assign(module, org.township_b)
    services.completion_record(cadre=mover, unit=units[0])
    services.cadre_move(cadre=mover, org_unit=org.other_county)
    services.completion_record(cadre=mover, unit=units[1])
    page, _none = progress_pages.module_page(trainer, {}, module.pk)
    assert [a.org_unit for a in page.progress.assignments] == [org.township_b]
    with django_assert_num_queries(2):  # the weekly counts; the single cadres' completions
        weeks = page.progress.completions_by_week(org.county)
    assert sum(n for _week, n in weeks) == 1
    today = timezone.localdate()
    assert weeks[-1] == (today - timedelta(days=today.weekday()), 1)
