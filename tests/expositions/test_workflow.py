"""Publishing as a workflow: draft → in review → published, who moved it and when, a
scheduled publication shown as such, and an unpublish that says first whom it affects."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from expositions.models import StudyUnit
from tests.expositions.test_admin import _form_data

pytestmark = pytest.mark.django_db

LIST = "admin:expositions_studyunit_changelist"


@pytest.fixture(autouse=True)
def chinese_first():
    """make_unit writes the active language's columns: make it Chinese, as the admin's
    required ones are, whatever language an earlier request left active."""
    with translation.override("zh-hans"):
        yield


def _save(client, unit, **changes):
    url = reverse("admin:expositions_studyunit_change", args=[unit.pk])
    return client.post(url, _form_data(unit, **changes), HTTP_ACCEPT_LANGUAGE="en")


def test_a_unit_in_review_is_not_read_by_cadres(cadre_client, make_unit):
    unit = make_unit(status=StudyUnit.Status.REVIEW)
    assert cadre_client.get(unit.get_absolute_url()).status_code == 404
    assert not StudyUnit.objects.published().filter(pk=unit.pk).exists()


def test_moving_a_unit_along_records_who_and_when(editor_client, editor_user, make_unit):
    unit = make_unit(status=StudyUnit.Status.DRAFT)
    response = _save(editor_client, unit, status="review")
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.status == "review"
    assert unit.status_changed_by == editor_user
    assert timezone.now() - unit.status_changed_at < timedelta(minutes=1)
    html = editor_client.get(reverse(LIST), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "审核中" in html and editor_user.username in html


def test_a_save_that_keeps_the_status_keeps_who_set_it(editor_client, make_unit, make_user):
    unit = make_unit(status=StudyUnit.Status.DRAFT)
    _save(editor_client, unit, status="review")
    unit.refresh_from_db()
    first = unit.status_changed_at
    _save(editor_client, unit, status="review", body="只改正文。")
    unit.refresh_from_db()
    assert unit.status_changed_at == first


def test_a_scheduled_publication_is_shown_as_such(editor_client, make_unit):
    later = timezone.now() + timedelta(days=3)
    make_unit(title="排期单元", status=StudyUnit.Status.PUBLISHED, published_at=later)
    html = editor_client.get(reverse(LIST), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    stamp = timezone.localtime(later).strftime("%Y-%m-%d %H:%M")
    assert f"已排期：{stamp}" in html


@pytest.fixture
def used_unit(make_unit, make_module, assign, org, make_cadre):
    unit = make_unit(status=StudyUnit.Status.PUBLISHED)
    module = make_module(units=[unit])
    assign(module, org.county)
    for _ in range(3):
        make_cadre(org.township_a)
    make_cadre(org.other_county)  # not reached
    return unit


def test_unpublishing_a_unit_modules_use_says_whom_it_affects_and_changes_nothing(
    editor_client, used_unit
):
    response = _save(editor_client, used_unit, status="draft")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This unit is in 1 module that reaches 3 cadres" in html
    used_unit.refresh_from_db()
    assert used_unit.status == "published"


def test_moving_the_publication_of_a_used_unit_later_asks_too(editor_client, used_unit):
    later = timezone.localtime(timezone.now() + timedelta(days=2))
    data = _form_data(used_unit) | {
        "published_at_0": later.strftime("%Y-%m-%d"),
        "published_at_1": later.strftime("%H:%M:%S"),
    }
    url = reverse("admin:expositions_studyunit_change", args=[used_unit.pk])
    response = editor_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert "reaches 3 cadres" in response.content.decode()


def test_a_confirmed_unpublish_goes_ahead(editor_client, used_unit):
    response = _save(editor_client, used_unit, status="draft", confirm_unpublish="on")
    assert response.status_code == 302
    used_unit.refresh_from_db()
    assert used_unit.status == "draft"


def test_unpublishing_a_unit_no_module_uses_needs_no_confirmation(editor_client, make_unit):
    unit = make_unit(status=StudyUnit.Status.PUBLISHED)
    response = _save(editor_client, unit, status="draft")
    assert response.status_code == 302, response.context["adminform"].form.errors
