"""The admin laid out for editors: content first and security last, in Chinese, with
short filters, and editors landing in it."""

import re

import pytest
from django.urls import reverse

from expositions.models import StudyUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x-2026-root"))
    return client


def _zh(client, url, **params):
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_the_admin_index_opens_with_study_content_and_ends_with_sign_in_security(
    superuser_client,
):
    apps = [
        a["app_label"] for a in _zh(superuser_client, reverse("admin:index")).context["app_list"]
    ]
    assert apps[0] == "expositions"
    assert apps.index("training") < apps.index("org") < apps.index("axes")
    assert apps[-1] == "axes"


def test_study_units_come_first_among_the_content(editor_client):
    app_list = _zh(editor_client, reverse("admin:index")).context["app_list"]
    content = next(a for a in app_list if a["app_label"] == "expositions")
    assert [m["object_name"] for m in content["models"]][:3] == ["StudyUnit", "Theme", "Tag"]


def test_the_chinese_admin_names_the_lock_out_tables_in_chinese(superuser_client):
    html = _zh(superuser_client, reverse("admin:index")).content.decode()
    assert "登录安全" in html and "登录尝试" in html and "登录失败记录" in html
    for english in ("Access attempts", "Access failures", "Axes", "Expositions"):
        assert english not in html


def test_the_revert_page_breadcrumb_is_in_chinese(editor_client, make_unit):
    unit = make_unit()
    version = unit.history.latest()
    url = reverse("admin:expositions_studyunit_simple_history", args=[unit.pk, version.history_id])
    html = _zh(editor_client, url).content.decode()
    crumbs = html.split('class="breadcrumbs"')[1].split("</div>")[0]
    assert "Historical" not in crumbs and "学习内容" in crumbs


def test_units_filter_by_language_completeness(editor_client, make_unit):
    make_unit(title_zh_hans="齐全", title_en="Complete", summary_en="S.", body_en="B.")
    make_unit(title_zh_hans="缺英文", title_en="", summary_en="", body_en="")
    url = reverse("admin:expositions_studyunit_changelist")
    missing = _zh(editor_client, url, languages="no_en").context["cl"].result_list
    assert [u.title_zh_hans for u in missing] == ["缺英文"]
    both = _zh(editor_client, url, languages="complete").context["cl"].result_list
    assert "缺英文" not in [u.title_zh_hans for u in both]


def test_the_unit_list_has_no_filter_that_lists_every_tag(editor_client, make_unit):
    make_unit(tags=[f"标签{i}" for i in range(30)])
    html = _zh(editor_client, reverse("admin:expositions_studyunit_changelist")).content.decode()
    filters = html.split('id="changelist-filter"')[1].split("</nav>")[0]
    assert "标签29" not in filters
    assert len(re.findall(r"<li", filters)) < 20


def test_an_editor_lands_in_the_admin_after_signing_in(client, editor_user):
    client.force_login(editor_user)
    response = client.get(reverse("training:start"))
    assert response["Location"] == reverse("admin:index")


def test_status_list_still_filters(editor_client, make_unit):
    make_unit(title="草稿单元", status=StudyUnit.Status.DRAFT)
    url = reverse("admin:expositions_studyunit_changelist")
    drafts = _zh(editor_client, url, status__exact="draft").context["cl"].result_list
    assert [u.title for u in drafts] == ["草稿单元"]
