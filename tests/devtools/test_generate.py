"""manage.py generate_demo_data: the shape asked for, deterministic, progress in step."""

import io

import pytest
from django.core.management import CommandError, call_command

from expositions.models import StudyUnit
from org.models import Cadre, OrgUnit
from training.models import Assignment, Completion, Module, Progress, ProgressWeek

pytestmark = pytest.mark.django_db
SMALL = {
    "cities": 2,
    "counties": 4,
    "townships": 12,
    "cadres": 300,
    "units": 30,
    "modules": 5,
    "max_module_units": 10,
    "completions": 2000,
}


def generate(seed=7):
    call_command("generate_demo_data", seed=seed, stdout=io.StringIO(), **SMALL)
    return {
        "levels": sorted(OrgUnit.objects.values_list("level", flat=True)),
        "cadres": Cadre.objects.count(),
        "modules": Module.objects.count(),
        "assignments": Assignment.objects.count(),
        "completions": Completion.objects.count(),
        "names": list(Cadre.objects.order_by("user__username").values_list("name", flat=True)),
    }


def test_the_province_has_the_shape_asked_for():
    got = generate()
    assert got["levels"].count(1) == 1
    assert (got["levels"].count(2), got["levels"].count(3), got["levels"].count(4)) == (2, 4, 12)
    assert got["cadres"] == 300 and got["modules"] == 5
    assert 1500 <= got["completions"] <= 3000
    root = OrgUnit.objects.get(depth=1)
    assert OrgUnit.objects.get_descendant_count(root) == 18  # the paths are sound
    kinds = {
        ("cadre" if a.cadre_id else a.org_unit.level)
        for a in Assignment.objects.select_related("org_unit")
    }
    assert kinds == {"cadre", 1, 2, 3, 4}  # assignments at every level


def test_the_same_seed_gives_the_same_province(django_db_blocker):
    first = generate(seed=7)
    Completion.objects.all().delete()
    for model in (Assignment, Module, Cadre):
        model.objects.all().delete()
    OrgUnit.objects.all().delete()
    StudyUnit.objects.filter(slug__startswith="generated-").delete()
    from django.contrib.auth import get_user_model

    get_user_model().objects.all().delete()
    assert generate(seed=7) == first


def test_progress_is_in_step_with_the_completions():
    generate()
    from training import progress_verify

    assert progress_verify.verify() == []
    assert Progress.objects.exists() and ProgressWeek.objects.exists()


def test_it_refuses_a_database_with_data(org):
    with pytest.raises(CommandError, match="empty database"):
        call_command("generate_demo_data", stdout=io.StringIO(), **SMALL)
