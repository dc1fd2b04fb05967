"""The whole history of a unit: tags in every version, only real changes kept, a revert
that restores everything a reader sees, and a diff that shows whole fields."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from expositions import history, services
from expositions.models import StudyUnit, Tag
from tests.expositions.test_admin import _form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(make_unit):
    return make_unit(
        title_zh_hans="原标题",
        title_en="Old title",
        body_zh_hans="民政工作关系民生、连着民心。",
        body_en="Civil affairs work concerns the people.",
        key_points_zh_hans="要点一\n要点二",
        source_passage="The original passage.",
        tags=["民生"],
    )


def _change(client, unit, **changes):
    url = reverse("admin:expositions_studyunit_change", args=[unit.pk])
    response = client.post(url, _form_data(unit, **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    unit.refresh_from_db()
    return response


def _revert(client, unit, version, change_reason=""):
    url = reverse("admin:expositions_studyunit_simple_history", args=[unit.pk, version.history_id])
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if name == "tags":
            value = ", ".join(t.name for t in value)
        elif name == "published_at":
            local = value.astimezone() if value else None
            data["published_at_0"] = local.strftime("%Y-%m-%d") if local else ""
            data["published_at_1"] = local.strftime("%H:%M:%S") if local else ""
            continue
        data[name] = "" if value is None else value
    data["change_reason"] = change_reason
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    unit.refresh_from_db()


def _tags(unit):
    return sorted(t.name for t in unit.tags.all())


def test_a_version_holds_the_tags_saved_with_it(editor_client, unit):
    _change(editor_client, unit, tags="民生, 社会救助")
    assert unit.history.latest().history_tags == [["民生", ""], ["社会救助", ""]]


def test_a_change_of_tags_alone_is_a_version(editor_client, unit):
    _change(editor_client, unit)
    before = unit.history.count()
    _change(editor_client, unit, tags="民生, 养老服务")
    assert unit.history.count() == before + 1
    latest, previous = unit.history.order_by("-history_id")[:2]
    assert history.changed_fields(previous, latest) == ["tags"]


def test_saving_with_no_change_writes_no_version(editor_client, unit):
    _change(editor_client, unit)
    before = unit.history.count()
    _change(editor_client, unit)  # the same form again: published_at round-trips too
    assert unit.history.count() == before


def test_a_revert_restores_text_in_both_languages_key_points_passages_and_tags(
    editor_client, cadre_user, client, unit
):
    _change(editor_client, unit)
    old = unit.history.latest()
    _change(
        editor_client,
        unit,
        title_zh_hans="新标题",
        title_en="New title",
        body="新的正文。",
        body_en="A new body.",
        key_points="新要点",
        source_passage="Another passage.",
        tags="养老服务, 社会救助",
    )
    _revert(editor_client, unit, old)
    assert (unit.title_zh_hans, unit.title_en) == ("原标题", "Old title")
    assert (unit.body_zh_hans, unit.body_en) == (
        "民政工作关系民生、连着民心。",
        "Civil affairs work concerns the people.",
    )
    assert unit.key_points_zh_hans == "要点一\n要点二"
    assert unit.source_passage == "The original passage."
    assert _tags(unit) == ["民生"]  # the tags added since are gone, the removed one back
    client.force_login(cadre_user)
    page = client.get(unit.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "原标题" in page and "民政工作关系民生" in page and "新的正文" not in page
    assert "养老服务" not in page


def test_the_revert_form_shows_the_version_s_tags(editor_client, unit):
    _change(editor_client, unit)
    old = unit.history.latest()
    _change(editor_client, unit, tags="养老服务")
    url = reverse("admin:expositions_studyunit_simple_history", args=[unit.pk, old.history_id])
    form = editor_client.get(url).context["adminform"].form
    assert [t.name for t in form["tags"].value()] == ["民生"]


def test_a_revert_recreates_a_tag_deleted_since(editor_client, unit):
    _change(editor_client, unit, tags="民生, 临时标签")
    old = unit.history.latest()
    _change(editor_client, unit, tags="民生")
    Tag.objects.filter(name="临时标签").delete()
    _revert(editor_client, unit, old)
    assert _tags(unit) == ["临时标签", "民生"]


def test_the_diff_marks_chinese_changes_by_character_within_the_whole_field(unit):
    older = unit.history.latest()
    unit.body_zh_hans = "民政工作关系民生、连着党心。"
    services.unit_save(unit=unit)
    newer = unit.history.latest()
    rows = dict(history.diff(older, newer, StudyUnit))
    html = str(rows[history.label(StudyUnit, "body_zh_hans")])
    assert html == "民政工作关系民生、连着<del>民</del><ins>党</ins>心。"


def test_the_diff_marks_english_changes_by_word_and_never_cuts_a_field(unit):
    long_body = "Civil affairs work concerns the people. " * 20
    unit.body_en = long_body
    services.unit_save(unit=unit)
    older = unit.history.latest()
    unit.body_en = long_body + "Serve them well."
    services.unit_save(unit=unit)
    rows = history.diff(older, unit.history.latest(), StudyUnit)
    [(label, html)] = rows
    assert "[" not in html and "chars]" not in html
    assert str(html).endswith(
        "<ins>Serve</ins><ins> </ins><ins>them</ins><ins> </ins><ins>well</ins><ins>.</ins>"
    ) or str(html).endswith("<ins>Serve them well.</ins>")
    assert str(html).count("Civil affairs work concerns the people.") == 20


def test_the_diff_escapes_what_editors_typed(unit):
    older = unit.history.latest()
    unit.body_en = "<script>alert(1)</script>"
    services.unit_save(unit=unit)
    html = str(dict(history.diff(older, unit.history.latest(), StudyUnit)).popitem()[1])
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_publication_time_is_shown_in_beijing_time(unit):
    older = unit.history.latest()
    unit.published_at = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)
    services.unit_save(unit=unit)
    rows = dict(history.diff(older, unit.history.latest(), StudyUnit))
    [html] = [str(v) for k, v in rows.items() if "publi" in k.lower() or "发布" in k]
    assert "<ins>2026-12-02 00:30</ins>" in html


def test_the_history_page_shows_an_empty_reason_as_empty_and_a_reason_given(editor_client, unit):
    _change(editor_client, unit)
    _change(editor_client, unit, body="改了正文。", change_reason="订正错字")
    url = reverse("admin:expositions_studyunit_history", args=[unit.pk])
    page = editor_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    table = page.split('id="change-history"')[1]
    assert "None" not in table
    assert "订正错字" in table
    assert "<del>" in table and "<ins>" in table
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", table)


def test_renaming_a_tag_in_the_tag_admin_is_a_version_of_each_unit_it_tags(
    editor_client, unit, make_unit
):
    _change(editor_client, unit)
    other = make_unit(tags=["民生"])
    before = unit.history.count()
    tag = Tag.objects.get(name="民生")
    services.tag_rename(tag=tag, name_en="People's livelihood")
    latest = unit.history.latest()
    assert unit.history.count() == before + 1
    assert latest.history_tags == [["民生", "People's livelihood"]]
    assert latest.history_change_reason == history.TAG_RENAMED
    assert other.history.latest().history_tags == [["民生", "People's livelihood"]]
    services.tag_rename(tag=tag)  # saved again unchanged: no version
    assert unit.history.count() == before + 1


def test_deleting_a_tag_is_a_version_of_each_unit_it_tagged(editor_client, unit):
    _change(editor_client, unit, tags="民生, 临时标签")
    services.tag_delete(tag=Tag.objects.get(name="临时标签"))
    latest = unit.history.latest()
    assert latest.history_tags == [["民生", ""]]
    assert latest.history_change_reason == history.TAG_DELETED


def test_merging_tags_is_a_version_of_each_unit(editor_client, unit):
    _change(editor_client, unit, tags="民生, 民生保障")
    services.tags_merge(tags=Tag.objects.filter(name__in=["民生", "民生保障"]))
    latest = unit.history.latest()
    assert len(latest.history_tags) == 1
    assert latest.history_change_reason == history.TAGS_MERGED


def test_a_rewritten_field_is_shown_old_then_new_not_interleaved():
    html = str(history.inline_diff("The old text about pensions.", "Brand new words here.", "en"))
    assert html == "<del>The old text about pensions.</del> <ins>Brand new words here.</ins>"


def test_a_publication_time_moved_by_seconds_is_not_a_change(unit):
    unit.published_at = datetime(2026, 12, 1, 8, 0, 5, tzinfo=UTC)
    services.unit_save(unit=unit)
    older = unit.history.latest()
    unit.published_at = datetime(2026, 12, 1, 8, 0, 41, tzinfo=UTC)
    services.unit_save(unit=unit)
    assert history.changed_fields(older, unit.history.latest()) == []


VERSIONED_TEXT = [
    "title_zh_hans",
    "title_en",
    "summary_zh_hans",
    "summary_en",
    "key_points_zh_hans",
    "key_points_en",
    "body_zh_hans",
    "body_en",
    "source_passage",
    "source_translation",
]


@pytest.mark.parametrize("field", [*VERSIONED_TEXT, "tags"])
def test_every_versioned_part_is_in_the_diff_and_restored_by_a_revert(editor_client, unit, field):
    _change(editor_client, unit)
    old = unit.history.latest()
    before = _tags(unit) if field == "tags" else getattr(unit, field)
    new_value = "养老服务, 民生" if field == "tags" else f"改过的{field}"
    _change(editor_client, unit, **{field: new_value})
    latest = unit.history.latest()
    assert history.changed_fields(old, latest) == [field]
    assert dict(history.diff(old, latest, StudyUnit))  # shown in the history
    _revert(editor_client, unit, old)
    after = _tags(unit) if field == "tags" else getattr(unit, field)
    assert after == before


# --- a revert's reason (issue #31, item 12) ----------------------------------------------


def test_a_revert_records_the_reason_given(editor_client, unit):
    _change(editor_client, unit, body_zh_hans="改了。")
    old = unit.history.order_by("history_id").first()
    _revert(editor_client, unit, old, change_reason="改错了，恢复原文")
    assert unit.history.latest().history_change_reason == "改错了，恢复原文"


def test_a_revert_without_a_reason_records_that_it_was_a_revert(editor_client, unit):
    _change(editor_client, unit, body_zh_hans="改了。")
    old = unit.history.order_by("history_id").first()
    _revert(editor_client, unit, old)
    assert unit.history.latest().history_change_reason == history.REVERTED
    page = editor_client.get(
        reverse("admin:expositions_studyunit_history", args=[unit.pk]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "恢复到较早的版本" in page.content.decode()


def test_an_edit_without_a_reason_records_none(editor_client, unit):
    _change(editor_client, unit, body_zh_hans="改了。")
    assert unit.history.latest().history_change_reason is None


def test_the_revert_page_asks_for_a_reason(editor_client, unit):
    _change(editor_client, unit, body_zh_hans="改了。")
    old = unit.history.order_by("history_id").first()
    url = reverse("admin:expositions_studyunit_simple_history", args=[unit.pk, old.history_id])
    page = editor_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "revert-reason-note" in page
    assert 'name="change_reason"' in page
