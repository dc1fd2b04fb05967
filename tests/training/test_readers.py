"""training.readers: what training adds to expositions' reading pages, through the
providers named in settings.READER_PROVIDERS (issue #33: one named, tested function
each, instead of template tags that query)."""

import pytest
from django.test import RequestFactory

from expositions import providers
from training import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(org, make_cadre, make_module, make_unit, assign):
    cadre = make_cadre(org.township_a, username="reader")
    units = [make_unit(title=f"课{i}") for i in range(3)]
    module = make_module(units=units, title="基层治理专题")
    assign(module, org.county, days=10)
    return cadre, module, units


def _request(user, **params):
    request = RequestFactory().get("/units/x/", params)
    request.user = user
    return request


def test_a_cadre_s_unit_page_has_the_completion_panel_and_the_module_pager(
    course, django_assert_num_queries
):
    cadre, module, units = course
    services.completion_record(cadre=cadre, unit=units[0])
    request = _request(cadre.user, module=str(module.pk))
    # Roles; the cadre's modules, their progress and units; the completion; the place.
    with django_assert_num_queries(6):
        page = providers.unit_page(request, units[1])
    panel = page["completion_panel"]
    assert panel["completion"] is None and panel["from_module"] == module.pk
    assert [(m.pk, m.done, m.total) for m in panel["modules"]] == [(module.pk, 1, 3)]
    pager = page["in_module"]
    assert (pager["module"].pk, pager["position"], pager["count"]) == (module.pk, 2, 3)
    assert (pager["previous"].pk, pager["next"].pk) == (units[0].pk, units[2].pk)
    done = providers.unit_page(_request(cadre.user), units[0])
    assert done["completion_panel"]["completion"] is not None
    assert done["in_module"] is None


def test_a_trainer_follows_a_module_but_has_no_completion_panel(course, make_trainer, org):
    _cadre, module, units = course
    trainer = make_trainer(org.county)
    page = providers.unit_page(_request(trainer, module=str(module.pk)), units[0])
    assert page["completion_panel"] is None
    assert page["in_module"]["url"] == f"/training/modules/{module.pk}/"


@pytest.mark.parametrize("module", ["", "x", "999999"])
def test_without_a_module_one_may_follow_there_is_no_pager(course, module):
    cadre, _module, units = course
    page = providers.unit_page(_request(cadre.user, module=module), units[0])
    assert page["in_module"] is None and page["completion_panel"] is not None


def test_done_units_are_the_reader_s_own_in_one_query(course, django_assert_num_queries):
    cadre, _module, units = course
    services.completion_record(cadre=cadre, unit=units[2])
    request = _request(cadre.user)
    providers.done_units(request, [])  # the roles, read once per request
    with django_assert_num_queries(1):
        assert providers.done_units(request, units) == {units[2].pk}


def test_someone_who_is_no_cadre_has_done_nothing(course, editor_user):
    _cadre, _module, units = course
    assert providers.done_units(_request(editor_user), units) == set()
