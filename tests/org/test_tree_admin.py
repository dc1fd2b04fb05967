"""Moving org units in the admin's tree: levels kept, every move logged (issue #13, 9)."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry

from org.models import OrgUnit

pytestmark = pytest.mark.django_db
MOVE = "/admin/org/orgunit/move/"


def test_a_township_cannot_go_under_another_township(editor_client, org):
    response = editor_client.post(
        MOVE, {"node": org.township_b.pk, "target": org.township_a.pk, "relation": "child"}
    )
    assert response.status_code == 400
    assert OrgUnit.objects.get(pk=org.township_b.pk).depth == 4
    assert not LogEntry.objects.exists()


def test_a_county_cannot_become_a_root(editor_client, org):
    response = editor_client.post(
        MOVE, {"node": org.county.pk, "target": org.province.pk, "relation": "sibling"}
    )
    assert response.status_code == 400
    assert OrgUnit.objects.get(pk=org.county.pk).depth == 3


def test_a_move_keeping_the_levels_is_made_and_logged(editor_client, editor_user, org):
    response = editor_client.post(
        MOVE, {"node": org.township_b.pk, "target": org.other_county.pk, "relation": "child"}
    )
    assert response.status_code == 200
    moved = OrgUnit.objects.get(pk=org.township_b.pk)
    assert moved.path.startswith(OrgUnit.objects.get(pk=org.other_county.pk).path)
    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.object_id) == (editor_user, CHANGE, str(moved.pk))


def test_a_province_goes_under_the_national_org_unit(editor_client, org):
    nation = OrgUnit.objects.add_root(
        {"code": "100000", "name": "全国", "name_en": "Nation", "level": 0}
    )
    response = editor_client.post(
        MOVE, {"node": org.province.pk, "target": nation.pk, "relation": "child"}
    )
    assert response.status_code == 200
    province = OrgUnit.objects.get(pk=org.province.pk)
    assert province.depth == 2 and province.path.startswith(OrgUnit.objects.get(pk=nation.pk).path)
    assert OrgUnit.objects.get(pk=org.township_a.pk).depth == 5


def test_the_national_org_unit_cannot_go_under_a_province(editor_client, org):
    nation = OrgUnit.objects.add_root(
        {"code": "100000", "name": "全国", "name_en": "Nation", "level": 0}
    )
    response = editor_client.post(
        MOVE, {"node": nation.pk, "target": org.province.pk, "relation": "child"}
    )
    assert response.status_code == 400
    assert OrgUnit.objects.get(pk=nation.pk).depth == 1
