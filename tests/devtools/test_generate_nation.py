"""manage.py generate_demo_data --nation: 31 provinces at a tiny size, the stored totals
equal to their recount, the 学时 each completion credits."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, F
from django.urls import reverse

from devtools.generate import Sizes
from org.models import Cadre, OrgUnit
from training import progress_verify
from training.models import Completion, HoursYear

pytestmark = pytest.mark.django_db
TINY = {"cadres": 2000, "completions": 20_000, "units": 60, "modules": 10, "max_module_units": 30}


@pytest.fixture(scope="module")
def nation(module_db):
    """One tiny nation for the module's tests (each rolls back its own writes): 7-9 s
    to generate, once instead of once per test."""
    call_command("generate_demo_data", nation=True, stdout=io.StringIO(), **TINY)


def test_the_nation_is_scaled_from_its_cadres():
    sizes = Sizes.nation(cadres=1_000_000)
    assert (sizes.provinces, sizes.counties, sizes.completions) == (31, 500, 50_000_000)
    assert sizes.cadres / sizes.counties == 2000  # the trainer's county view of issue #37
    assert sizes.cities >= sizes.provinces and sizes.townships > sizes.counties


def test_a_size_given_is_kept():
    assert Sizes.nation(cadres=100_000, counties=60, units=50).counties == 60
    assert Sizes.nation(cadres=100_000, counties=60, units=50).units == 50


@pytest.mark.long
def test_the_nation_has_31_provinces_and_their_tree(nation):
    levels = dict(OrgUnit.objects.order_by().values_list("level").annotate(n=Count("pk")))
    assert levels[OrgUnit.Level.NATION] == 1
    assert levels[OrgUnit.Level.PROVINCE] == 31
    assert levels[OrgUnit.Level.CITY] >= 31 and levels[OrgUnit.Level.COUNTY] >= 31
    assert levels[OrgUnit.Level.TOWNSHIP] == 12 * levels[OrgUnit.Level.COUNTY]
    assert set(OrgUnit.objects.get_children(OrgUnit.objects.get(depth=1))) == set(
        OrgUnit.objects.filter(level=OrgUnit.Level.PROVINCE)
    )
    for root in OrgUnit.objects.filter(depth__lte=2):  # the paths are sound everywhere
        assert OrgUnit.objects.get_descendant_count(root) == (
            OrgUnit.objects.filter(path__startswith=root.path).count() - 1
        )
    assert Cadre.objects.count() == 2000
    assert 19_000 <= Completion.objects.count() <= 21_000  # the target, give or take rounding


@pytest.mark.long
def test_a_trainer_for_the_nation_and_one_for_each_level(nation):
    managed = {
        name: sorted(
            OrgUnit.objects.filter(trainers__username=name).values_list("level", flat=True)
        )
        for name in (
            "bench-trainer-nation",
            "bench-trainer-province",
            "bench-trainer-city",
            "bench-trainer-county",
        )
    }
    assert managed == {
        "bench-trainer-nation": [OrgUnit.Level.NATION],
        "bench-trainer-province": [OrgUnit.Level.PROVINCE],
        "bench-trainer-city": [OrgUnit.Level.CITY],
        "bench-trainer-county": [OrgUnit.Level.COUNTY],
    }
    assert get_user_model().objects.get(username="bench-cadre").cadre.active


@pytest.mark.long
def test_every_stored_total_equals_its_recount(nation):
    assert progress_verify.verify() == []
    assert HoursYear.objects.count() > 1000


@pytest.mark.long
def test_each_completion_credits_its_units_hours(nation):
    assert not Completion.objects.exclude(credit_hours=F("unit__credit_hours")).exists()
    assert not Completion.objects.exclude(org_unit=F("cadre__org_unit")).exists()


@pytest.mark.long
def test_the_nation_trainer_follows_a_national_module_by_province(nation, client):
    from training.models import Module

    module = Module.objects.filter(assignments__org_unit__level=OrgUnit.Level.NATION).first()
    client.force_login(get_user_model().objects.get(username="bench-trainer-nation"))
    response = client.get(
        reverse("training:module_progress", args=[module.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = response.context["rows"]
    assert response.context["page"].node.level == OrgUnit.Level.NATION
    assert sorted(r["org_unit"].level for r in rows) == [OrgUnit.Level.PROVINCE] * 31
    assert sum(r["cadre_count"] for r in rows) == Cadre.objects.filter(active=True).count()
