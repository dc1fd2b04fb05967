"""The API's matrix, as tests/security/test_matrix.py is the pages': every list and
detail endpoint against tokens scoped at the province, a city, a county and another
county. No endpoint returns a record outside the token's subtree (a detail answers
404, as for a record that does not exist), and every record inside it is listed."""

import pytest

from api.models import Deletion
from org.models import Cadre, OrgUnit
from training import services
from training.hours import certificates
from training.models import Assignment, Certificate, Completion, HoursYear, Module

from .test_reads import pull

SCOPES = ["province", "city", "county", "other_county"]


@pytest.fixture
def province(org, make_cadre, make_module, assign):
    """Cadres in both townships of the county and in the other county, each with a
    completion, 学时, a certificate and an assignment of their own; assignments to
    org units on both sides; an undone completion on each side (tombstones); a draft
    module nobody may read."""
    module = make_module(status=Module.Status.ACTIVE, n_units=2)
    make_module(status=Module.Status.DRAFT)
    unit, spare = module.units.all()
    for place in (org.township_a, org.township_b, org.other_county):
        cadre = make_cadre(place)
        assign(module, cadre)
        services.completion_record(cadre=cadre, unit=unit)
        services.completion_record(cadre=cadre, unit=spare)
        certificates.module_certificate(cadre, module)
        services.completion_undo(cadre=cadre, unit=spare)  # revokes it: a tombstone
        services.completion_record(cadre=cadre, unit=spare)
        certificates.module_certificate(cadre, module)
    assign(module, org.township_a)
    assign(module, org.other_county)
    return module


def where(resource, pk):
    """The org path a record belongs to ("" for the province's modules)."""
    cadre_path = "cadre__org_unit__path"
    if resource == "org-units":
        return OrgUnit.objects.get(pk=pk).path
    if resource == "cadres":
        return Cadre.objects.values_list("org_unit__path", flat=True).get(pk=pk)
    if resource == "assignments":
        a = Assignment.objects.select_related("org_unit", "cadre__org_unit").get(pk=pk)
        return (a.org_unit or a.cadre.org_unit).path
    if resource == "deletions":
        return Deletion.objects.get(pk=pk).org_path
    model = {"completions": Completion, "hours": HoursYear, "certificates": Certificate}[resource]
    return model.objects.values_list(cadre_path, flat=True).get(pk=pk)


ALL = {
    "org-units": OrgUnit,
    "cadres": Cadre,
    "assignments": Assignment,
    "completions": Completion,
    "hours": HoursYear,
    "certificates": Certificate,
    "deletions": Deletion,
}


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("resource", sorted(ALL))
def test_nothing_outside_the_subtree_and_everything_inside(
    province, org, token_for, api, scope, resource
):
    root = getattr(org, scope)
    _token, secret = token_for(root)
    listed = {row["id"] for row in pull(api, secret, resource)}
    inside = {
        pk
        for pk in ALL[resource].objects.values_list("pk", flat=True)
        if where(resource, pk).startswith(root.path)
    }
    assert listed == inside
    assert inside, "the world has records in every scope"
    for pk in ALL[resource].objects.exclude(pk__in=inside).values_list("pk", flat=True):
        response = api.get(secret, f"/api/v1/{resource}/{pk}/")
        assert response.status_code == 404, (resource, pk)
        assert response.json()["code"] == "not_found"
    for pk in inside:
        assert api.get(secret, f"/api/v1/{resource}/{pk}/").status_code == 200


@pytest.mark.parametrize("scope", SCOPES)
def test_modules_are_the_provinces_but_never_a_draft(province, org, token_for, api, scope):
    _token, secret = token_for(getattr(org, scope))
    listed = {row["id"] for row in pull(api, secret, "modules")}
    assert listed == {province.pk}
    draft = Module.objects.get(status=Module.Status.DRAFT)
    assert api.get(secret, f"/api/v1/modules/{draft.pk}/").status_code == 404


def test_the_other_county_sees_the_same_404_for_a_real_id_and_a_made_up_one(
    province, org, token_for, api
):
    _token, secret = token_for(org.other_county)
    theirs = Cadre.objects.filter(org_unit=org.township_a).first()
    real = api.get(secret, f"/api/v1/cadres/{theirs.pk}/")
    made_up = api.get(secret, "/api/v1/cadres/999999/")
    assert real.status_code == made_up.status_code == 404
    strip = lambda body: {k: v for k, v in body.items() if k != "instance"}  # noqa: E731
    assert strip(real.json()) == strip(made_up.json())
