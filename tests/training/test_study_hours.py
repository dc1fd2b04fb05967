"""学时 per unit (issue #17, first part): the reading-length rule, what a completion
credits, a module's sum, and a cadre's hours in a calendar year of Beijing time."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from expositions.models import hours_for_minutes
from expositions.services import unit_save
from training import services
from training.hours.ledger import online_hours_by_year
from training.models import Completion

pytestmark = pytest.mark.django_db


def hours_in_year(cadre, year):
    return online_hours_by_year(cadre, year, year)[year]


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
    unit_save(unit=by_length)
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
    from training import progress_verify

    unit = make_unit(study_hours=Decimal("1"))
    assert progress_verify.verify() == []
    StudyUnit.objects.filter(pk=unit.pk).update(credit_hours=Decimal("3"))  # around save()
    [difference] = progress_verify.verify()
    assert f"credited study hours of unit {unit.pk}" in difference


# --- requirements and the ledger --------------------------------------------------


def test_the_three_requirements_of_the_regulations_ship_as_defaults():
    from training.models import Requirement

    shipped = {(r.category, r.kind, r.hours, r.period) for r in Requirement.objects.all()}
    assert shipped == {
        ("county_up", "total", Decimal("550"), "five_years"),
        ("township_down", "training", Decimal("90"), "year"),
        ("all", "online", Decimal("50"), "year"),
    }


def test_the_requirements_that_apply_follow_the_category(org, make_cadre):
    from org.models import Cadre
    from training.hours.ledger import ledger

    county = make_cadre(org.county, category=Cadre.Category.COUNTY_AND_ABOVE)
    township = make_cadre(org.township_a, category=Cadre.Category.TOWNSHIP_AND_BELOW)
    other = make_cadre(org.township_a)
    kinds = {
        c.pk: {line.requirement.kind for line in ledger(c, 2026)[0]}
        for c in (county, township, other)
    }
    assert kinds[county.pk] == {"total", "online"}
    assert kinds[township.pk] == {"training", "online"}
    assert kinds[other.pk] == {"online"}


def test_the_five_year_window_ends_with_the_year_shown(org, make_cadre, make_unit):
    from org.models import Cadre
    from training.hours.ledger import ledger

    cadre = make_cadre(org.county, category=Cadre.Category.COUNTY_AND_ABOVE)
    for year, hours in ((2021, "1"), (2022, "2"), (2026, "4")):
        unit = make_unit(study_hours=Decimal(hours))
        services.completion_record(cadre=cadre, unit=unit)
        Completion.objects.filter(unit=unit).update(completed_at=datetime(year, 6, 1, tzinfo=UTC))
    lines, by_year = ledger(cadre, 2026)
    total = next(line for line in lines if line.requirement.kind == "total")
    online = next(line for line in lines if line.requirement.kind == "online")
    assert total.years == [2022, 2023, 2024, 2025, 2026]
    assert total.earned == Decimal("6")  # 2021 is outside the window
    assert total.missing == Decimal("544")
    assert online.earned == Decimal("4")  # this year only
    assert by_year[2022] == (Decimal("2"), 0) and by_year[2026] == (Decimal("4"), 0)


def test_my_record_shows_each_requirement_with_what_is_still_to_go(
    client, org, make_cadre, make_unit
):
    from django.urls import reverse

    from org.models import Cadre

    cadre = make_cadre(org.township_a, category=Cadre.Category.TOWNSHIP_AND_BELOW)
    services.completion_record(cadre=cadre, unit=make_unit(study_hours=Decimal("1.5")))
    client.force_login(cadre.user)
    html = client.get(
        reverse("training:my_record"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "每年网络自学不少于 50 学时" in html
    assert "每年参加经批准的培训不少于 90 学时" in html
    assert "还差 48.5 学时" in html
    assert "已获 1.5 / 要求 50 学时" in html


@pytest.mark.parametrize(
    ("hours", "english"),
    [
        (Decimal("1"), "1 study hour"),
        (Decimal("1.00"), "1 study hour"),
        (Decimal("2.5"), "2.5 study hours"),
        (Decimal("50.0"), "50 study hours"),
        (Decimal("0"), "0 study hours"),
    ],
)
def test_study_hours_read_with_the_right_plural_and_no_trailing_zero(hours, english):
    from django.template import Context, Template
    from django.utils import translation

    template = Template(
        "{% load i18n training_tags %}{% blocktranslate count n=hours|hours_count "
        "with hours=hours|hours %}{{ hours }} study hour{% plural %}{{ hours }} study hours"
        "{% endblocktranslate %}"
    )
    with translation.override("en"):
        assert template.render(Context({"hours": hours})) == english


def test_a_module_of_one_study_hour_reads_in_the_singular(
    client, org, make_cadre, make_unit, make_module, assign
):
    cadre = make_cadre(org.township_a)
    module = make_module(units=[make_unit(study_hours=Decimal("1"))])
    assign(module, cadre)
    client.force_login(cadre.user)
    html = client.get("/training/my-study/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 study hour" in html
    assert "1 study hours" not in html
