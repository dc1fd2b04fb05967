"""Roster writes: cadres and org units created or updated in the token's subtree, with
the spreadsheet import's checks (validation, look-alike usernames, scope), all or
nothing, and safe to repeat with an Idempotency-Key."""

import pytest
from django.contrib.admin.models import LogEntry

from api.models import ApiToken, IdempotentRequest
from org.models import Cadre, OrgUnit

CADRES, ORG_UNITS = "/api/v1/cadres/", "/api/v1/org-units/"


@pytest.fixture
def writer(org, token_for):
    return token_for(org.county, access=ApiToken.Access.READ_WRITE)[1]


def cadre(username, org_unit, **fields):
    return {"username": username, "name": f"干部{username}", "org_code": org_unit.code, **fields}


def test_new_cadres_are_created_then_updated_then_unchanged(org, writer, api, api_user):
    items = [cadre("wang.fang", org.township_a, position="科员"), cadre("li.na", org.township_b)]
    response = api.post(writer, CADRES, {"items": items})
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    made = Cadre.objects.select_related("user").get(user__username="wang.fang")
    assert (made.org_unit, made.position, made.imported_by) == (org.township_a, "科员", api_user)
    assert not made.user.has_usable_password()
    before = made.updated_at
    items[0].update(position="科长", category="township_down", active=False)
    response = api.post(writer, CADRES, {"items": items})
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 1}
    made.refresh_from_db()
    assert (made.position, made.category, made.active) == ("科长", "township_down", False)
    assert made.updated_at > before
    assert LogEntry.objects.filter(user=api_user).count() == 3  # 2 added, 1 changed


def test_one_bad_item_writes_nothing(org, writer, api):
    items = [cadre("good.one", org.township_a), cadre("bad one", org.township_a)]
    response = api.post(writer, CADRES, {"items": items})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["errors"][0]["item"] == 2
    assert body["errors"][0]["field"] == "username"
    assert not Cadre.objects.exists()


def test_an_org_unit_outside_the_subtree_reads_as_one_that_does_not_exist(org, writer, api):
    """The import's answer: a trainer cannot map the province's codes by trying them."""
    outside = api.post(writer, CADRES, {"items": [cadre("a.b", org.other_county)]}).json()
    made_up = api.post(
        writer, CADRES, {"items": [{**cadre("a.b", org.county), "org_code": "NOPE"}]}
    )
    assert outside["errors"] == made_up.json()["errors"]
    assert not Cadre.objects.exists()


def test_a_cadre_outside_the_subtree_is_only_taken(org, writer, api, make_cadre):
    elsewhere = make_cadre(org.other_county, username="zhang.san")
    response = api.post(writer, CADRES, {"items": [cadre("zhang.san", org.township_a)]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "username"
    elsewhere.refresh_from_db()
    assert elsewhere.org_unit == org.other_county


def test_a_look_alike_username_is_refused(org, writer, api, make_cadre):
    make_cadre(org.township_a, username="wang.fang")
    response = api.post(writer, CADRES, {"items": [cadre("Wang.Fang", org.township_a)]})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "username"


def test_org_units_are_added_below_the_subtree_never_at_the_top(org, writer, api):
    item = {"code": "P-C-K-C", "name": "丙镇", "parent_code": org.county.code, "level": 4}
    response = api.post(writer, ORG_UNITS, {"items": [item]})
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0}
    added = OrgUnit.objects.get(code="P-C-K-C")
    assert OrgUnit.objects.get_parent(added) == org.county
    top = {"code": "Q", "name": "别省", "parent_code": org.other_county.code, "level": 1}
    response = api.post(writer, ORG_UNITS, {"items": [top]})
    assert response.status_code == 400 and not OrgUnit.objects.filter(code="Q").exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"items": []},
        {"items": "x"},
        {"items": [{"username": 7}]},
        {"items": [{"username": "a", "name": "b", "org_code": "c", "active": "maybe"}]},
        [1, 2],
    ],
)
def test_a_body_of_the_wrong_shape_gets_400(org, writer, api, body):
    response = api.post(writer, CADRES, body)
    assert response.status_code == 400 and response.json()["errors"]


def test_an_idempotency_key_writes_once_and_answers_the_same(org, writer, api):
    body = {"items": [cadre("wang.fang", org.township_a)]}
    key = {"HTTP_IDEMPOTENCY_KEY": "roster-2026-12-06"}
    first = api.post(writer, CADRES, body, **key)
    Cadre.objects.update(position="changed meanwhile")  # a second write would undo it
    again = api.post(writer, CADRES, body, **key)
    assert first.json() == again.json() == {"created": 1, "updated": 0, "unchanged": 0}
    assert again["Idempotent-Replayed"] == "true"
    assert Cadre.objects.get().position == "changed meanwhile"
    other = api.post(writer, CADRES, {"items": [cadre("li.na", org.township_a)]}, **key)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Cadre.objects.count() == 1 and IdempotentRequest.objects.count() == 1


def test_a_key_is_the_tokens_own(org, writer, token_for, api):
    other = token_for(org.county, access=ApiToken.Access.READ_WRITE)[1]
    key = {"HTTP_IDEMPOTENCY_KEY": "k1"}
    api.post(writer, CADRES, {"items": [cadre("a.one", org.township_a)]}, **key)
    response = api.post(other, CADRES, {"items": [cadre("b.two", org.township_a)]}, **key)
    assert response.status_code == 200 and Cadre.objects.count() == 2
