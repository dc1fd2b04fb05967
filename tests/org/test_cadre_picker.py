"""The cadre picker on the assign page: its suggestions (scope, matching, limit) and
the assign form's ways of naming one cadre."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from org.views import PICKER_LIMIT
from training.models import Assignment

pytestmark = pytest.mark.django_db

SEARCH = reverse("org:cadre_search")


@pytest.fixture
def trainer_client(client, org, make_trainer):
    client.force_login(make_trainer(org.county, username="county-trainer"))
    return client


def _found(client, words):
    response = client.get(SEARCH, {"q": words})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_suggestions_match_part_of_a_name_or_the_start_of_a_username(
    trainer_client, org, make_cadre
):
    make_cadre(org.township_a, name="张敏", username="zhang.min", position="科员")
    make_cadre(org.township_b, name="王小张", username="wang.xz")
    make_cadre(org.township_b, name="李四", username="li.si")
    names = [r["name"] for r in _found(trainer_client, "张")["results"]]
    assert sorted(names) == ["张敏", "王小张"]
    assert [r["name"] for r in _found(trainer_client, "ZHANG.")["results"]] == ["张敏"]
    assert _found(trainer_client, "min")["results"] == []  # a username matches from its start


def test_a_suggestion_says_what_tells_two_namesakes_apart(trainer_client, org, make_cadre):
    make_cadre(org.township_a, name="张伟", username="zhang.wei", position="科员")
    make_cadre(org.township_b, name="张伟", username="zhang.wei2", position="副站长")
    found = _found(trainer_client, "张伟")["results"]
    assert [(r["org_unit"], r["position"], r["username"]) for r in found] == [
        ("甲镇", "科员", "zhang.wei"),
        ("乙镇", "副站长", "zhang.wei2"),
    ]
    assert all(isinstance(r["id"], int) for r in found)


def test_suggestions_never_list_a_cadre_outside_the_scope_or_inactive(
    trainer_client, org, make_cadre
):
    make_cadre(org.other_county, name="张外县")
    make_cadre(org.city, name="张上级")
    make_cadre(org.township_a, name="张离职", active=False)
    make_cadre(org.township_a, name="张在职")
    assert [r["name"] for r in _found(trainer_client, "张")["results"]] == ["张在职"]


def test_suggestions_stop_at_twenty_and_say_there_are_more(trainer_client, org, make_cadre):
    for i in range(PICKER_LIMIT + 1):
        make_cadre(org.township_a, name=f"赵{i:02d}")
    answer = _found(trainer_client, "赵")
    assert len(answer["results"]) == PICKER_LIMIT
    assert answer["more"] is True
    narrower = _found(trainer_client, "赵20")
    assert [r["name"] for r in narrower["results"]] == ["赵20"]
    assert narrower["more"] is False


def test_nothing_typed_finds_nothing(trainer_client, org, make_cadre):
    make_cadre(org.township_a, name="张敏")
    assert _found(trainer_client, "  ") == {"results": [], "more": False}


def test_suggestions_take_the_same_number_of_queries_for_twenty_cadres(
    trainer_client, org, make_cadre, django_assert_max_num_queries
):
    for i in range(PICKER_LIMIT + 5):
        make_cadre(org.township_a if i % 2 else org.township_b, name=f"钱{i}")
    _found(trainer_client, "x")  # the first request of a session also asks about its password
    # session, user, role, scope, the cadres; and the session saved (savepoint, update, release)
    with django_assert_max_num_queries(8):
        assert len(_found(trainer_client, "钱")["results"]) == PICKER_LIMIT


def test_a_cadre_cannot_use_the_picker(client, org, make_cadre):
    cadre = make_cadre(org.township_a, name="张敏")
    client.force_login(cadre.user)
    assert client.get(SEARCH, {"q": "张"}).status_code == 404


# --- the assign form ------------------------------------------------------------------


def _assign(client, module, **data):
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    return client.post(
        reverse("training:module_assign", args=[module.pk]),
        {"due_on": due, "confirm": "yes", **data},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_the_cadre_chosen_in_the_picker_is_assigned(trainer_client, org, make_cadre, make_module):
    cadre = make_cadre(org.township_a, name="张伟")
    make_cadre(org.township_b, name="张伟")  # a namesake: the id decides
    module = make_module()
    response = _assign(trainer_client, module, cadre="张伟", cadre_id=cadre.pk)
    assert response.status_code == 302
    assert Assignment.objects.get().cadre == cadre


def test_a_chosen_id_outside_the_scope_is_refused(trainer_client, org, make_cadre, make_module):
    outsider = make_cadre(org.other_county, name="别人")
    response = _assign(trainer_client, make_module(), cadre="别人", cadre_id=outsider.pk)
    assert "No active cadre with that name in your org units." in response.content.decode()
    assert not Assignment.objects.exists()


def test_without_the_picker_a_name_held_by_one_cadre_is_enough(
    trainer_client, org, make_cadre, make_module
):
    cadre = make_cadre(org.township_b, name="孙丽")
    _assign(trainer_client, make_module(), cadre="孙丽")
    assert Assignment.objects.get().cadre == cadre


def test_without_the_picker_a_shared_name_lists_the_namesakes_and_assigns_nobody(
    trainer_client, org, make_cadre, make_module
):
    make_cadre(org.township_a, name="张伟", username="zhang.wei", position="科员")
    make_cadre(org.township_b, name="张伟", username="zhang.wei2")
    response = _assign(trainer_client, make_module(), cadre="张伟")
    html = response.content.decode()
    assert "Several cadres are called 张伟" in html
    assert "张伟 (甲镇 (en), 科员, zhang.wei)" in html
    assert "张伟 (乙镇 (en), zhang.wei2)" in html
    assert not Assignment.objects.exists()


def test_the_confirm_page_carries_the_chosen_cadre_by_id(
    trainer_client, org, make_cadre, make_module
):
    cadre = make_cadre(org.township_a, name="张伟", position="科员")
    module = make_module()
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = trainer_client.post(
        reverse("training:module_assign", args=[module.pk]),
        {"due_on": due, "cadre": "张伟", "cadre_id": cadre.pk},
    )
    html = response.content.decode()
    assert f'name="cadre_id" value="{cadre.pk}"' in html
    assert "张伟 (甲镇, 科员)" in html
    assert not Assignment.objects.exists()
