"""学时 per unit (issue #17, first part): the reading-length rule, what a completion
credits, a module's sum, and a cadre's hours in a calendar year of Beijing time."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from expositions.models import hours_for_minutes
from training import services
from training.models import Completion
from training.progress import hours_in_year

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [
        (0, "0.25"),
        (14, "0.25"),
        (15, "0.5"),
        (29, "0.5"),
        (30, "1"),
        (44, "1"),
        (45, "1.5"),
        (60, "2"),
        (75, "2.5"),
    ],
)
def test_the_reading_length_rule(minutes, hours):
    assert hours_for_minutes(minutes) == Decimal(hours)


def test_a_unit_credits_what_the_editor_set_or_else_its_reading_length(make_unit):
    by_hand = make_unit(study_hours=Decimal("1.5"))
    by_length = make_unit(reading_minutes=20)
    assert by_hand.credit_hours == Decimal("1.5")
    assert by_length.credit_hours == Decimal("0.5")
    by_length.study_hours = Decimal("2")
    by_length.save()
    assert by_length.credit_hours == Decimal("2")


def test_a_unit_in_two_modules_counts_once(org, make_cadre, make_unit, make_module, assign):
    cadre = make_cadre(org.township_a)
    shared = make_unit(study_hours=Decimal("1"))
    for module in (make_module(units=[shared]), make_module(units=[shared])):
        assign(module, cadre)
    services.completion_record(cadre=cadre, unit=shared)
    assert hours_in_year(cadre, datetime.now().year) == Decimal("1")


def test_the_year_ends_at_midnight_in_beijing(org, make_cadre, make_unit):
    cadre = make_cadre(org.township_a)
    late, early = make_unit(study_hours=Decimal("1")), make_unit(study_hours=Decimal("0.5"))
    for unit in (late, early):
        services.completion_record(cadre=cadre, unit=unit)
    # 23:59 on 12-31 in Beijing, and 00:30 on 01-01 in Beijing (still 12-31 in UTC).
    Completion.objects.filter(unit=late).update(
        completed_at=datetime(2026, 12, 31, 15, 59, tzinfo=UTC)
    )
    Completion.objects.filter(unit=early).update(
        completed_at=datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    )
    assert hours_in_year(cadre, 2026) == Decimal("1")
    assert hours_in_year(cadre, 2027) == Decimal("0.5")


def test_an_undone_unit_credits_nothing(org, make_cadre, make_unit):
    cadre = make_cadre(org.township_a)
    unit = make_unit(study_hours=Decimal("1"))
    services.completion_record(cadre=cadre, unit=unit)
    services.completion_undo(cadre=cadre, unit=unit)
    assert hours_in_year(cadre, datetime.now().year) == Decimal("0")


def test_verify_progress_finds_a_unit_whose_credited_hours_drifted(make_unit):
    from expositions.models import StudyUnit
    from training import progress_store

    unit = make_unit(study_hours=Decimal("1"))
    assert progress_store.verify() == []
    StudyUnit.objects.filter(pk=unit.pk).update(credit_hours=Decimal("3"))  # around save()
    [difference] = progress_store.verify()
    assert f"credited study hours of unit {unit.pk}" in difference
