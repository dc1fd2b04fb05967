"""expositions/services.py: the one write path of a unit and its tags. Every path that
changes a unit or its tags (the admin's pages, the loader, code) leaves each unit's
latest version holding its current tags, and its search columns derived from its
current text and tags (issue #33)."""

from decimal import Decimal

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from expositions import history, search, services
from expositions.models import StudyUnit, Tag, tag_search_names
from expositions.seed import load_exposition
from tests.expositions.test_history import _change, _revert

pytestmark = pytest.mark.django_db


def assert_whole(units=None):
    """Each unit's latest version holds its tags, and its search columns follow its
    text and tags."""
    units = StudyUnit.objects.all() if units is None else units
    for unit in units.prefetch_related("tags"):
        latest = unit.history.order_by("-history_id").first()
        assert latest is not None and latest.history_tags == history.tag_snapshot(unit), unit
        derived = search.document(unit, tag_search_names(unit.tags.all()))
        assert {name: getattr(unit, name) for name in derived} == derived, unit


@pytest.fixture
def unit(make_unit):
    return make_unit(
        title_zh_hans="低保审核",
        title_en="Assistance checks",
        summary_zh_hans="审核低保。",
        body_zh_hans="审核的正文。",
        tags=["民生"],
    )


# --- unit_save ------------------------------------------------------------------------


def test_unit_save_derives_what_readers_see(exposition, theme):
    unit = StudyUnit(
        exposition=exposition,
        theme=theme,
        slug="new",
        title_zh_hans="新单元",
        title_en="New unit",
        summary_zh_hans="摘要。",
        body_zh_hans="**要点**\r\n\r\n正文",
        body_en="**Point**",
        source_passage="A passage.",
        status=StudyUnit.Status.PUBLISHED,
    )
    services.unit_save(unit=unit, tags=["养老服务"])
    unit.refresh_from_db()
    assert unit.body_zh_hans == "**要点**\n\n正文"
    assert unit.body_html_zh_hans.startswith("<p><strong>要点</strong></p>")
    assert unit.body_html_en == "<p><strong>Point</strong></p>"
    assert unit.reading_minutes == 1 and unit.credit_hours == Decimal("0.25")
    assert unit.published_at is not None
    assert "养老服务" in unit.search_title and "新单元" in unit.search_title
    [version] = unit.history.all()
    assert version.history_tags == [["养老服务", ""]]


def test_studyunit_save_only_saves(unit):
    unit.body_en = "**Changed** in code"
    unit.study_hours = Decimal("3")
    unit.save()  # not the write path: nothing derived
    unit.refresh_from_db()
    assert "Changed" not in unit.body_html_en and unit.credit_hours == Decimal("0.25")
    services.unit_save(unit=unit)
    assert "<strong>Changed</strong>" in unit.body_html_en and unit.credit_hours == Decimal("3")


def test_a_unit_never_prepared_is_refused(exposition, theme):
    unit = StudyUnit(exposition=exposition, theme=theme, slug="raw", title="Raw", body="x")
    with pytest.raises(ValueError, match="unit_save"):
        unit.save()
    assert not StudyUnit.objects.exists()


def test_an_edit_with_tags_in_code_is_one_version_holding_them(unit):
    before = unit.history.count()
    unit.body_en = "A new body."
    services.unit_save(unit=unit, tags=["民生", "社会救助"])
    assert unit.history.count() == before + 1
    latest, previous = unit.history.order_by("-history_id")[:2]
    assert latest.history_tags == [["民生", ""], ["社会救助", ""]]
    assert set(history.changed_fields(previous, latest)) == {"body_en", "tags"}
    assert_whole()


def test_a_save_in_code_that_changes_nothing_keeps_no_version(unit):
    before = unit.history.count()
    services.unit_save(unit=unit)
    services.unit_save(unit=unit, tags=["民生"])
    assert unit.history.count() == before


# --- tags changed in code -------------------------------------------------------------


def test_tags_set_in_code_are_a_version_holding_them(unit):
    """The bug of issue #33: a tag added in code, then the unit saved, left a version
    with no tags (history_tags None), so the history showed no change."""
    before = unit.history.count()
    services.unit_tags_set(unit=unit, tags=["民生", "养老服务"], reason="标签补充")
    latest = unit.history.latest()
    assert unit.history.count() == before + 1
    assert latest.history_tags == [["养老服务", ""], ["民生", ""]]  # by code point
    assert latest.history_change_reason == "标签补充"
    assert "养老服务" in unit.search_title  # the instance's columns too
    services.unit_save(unit=unit)  # saved afterwards, unchanged: no empty version
    services.unit_tags_set(unit=unit, tags=["养老服务", "民生"])  # the same tags
    assert unit.history.count() == before + 1
    assert_whole()


def test_the_factory_s_first_version_holds_the_tags(make_unit):
    unit = make_unit(tags=["民生", "低保"])
    [version] = unit.history.all()
    assert version.history_tags == [["低保", ""], ["民生", ""]]


def test_merge_rename_and_delete_in_code_are_versions_holding_the_tags(unit, make_unit):
    other = make_unit(tags=["民生保障"])
    services.unit_tags_set(unit=unit, tags=["民生", "临时"])
    kept = services.tags_merge(tags=Tag.objects.filter(name__in=["民生", "民生保障"]))
    assert other.history.latest().history_change_reason == history.TAGS_MERGED
    assert_whole()
    services.tag_rename(tag=kept, name_en="livelihood")
    assert unit.history.latest().history_change_reason == history.TAG_RENAMED
    assert_whole()
    services.tag_delete(tag=Tag.objects.get(name="临时"))
    assert unit.history.latest().history_tags == [[kept.name, "livelihood"]]
    assert_whole()


# --- the admin --------------------------------------------------------------------------


def test_the_unit_admin_and_its_revert_page_write_whole_versions(editor_client, unit):
    _change(editor_client, unit, tags="民生, 社会救助")
    old = unit.history.latest()
    _change(editor_client, unit, tags="养老服务", body="改写的正文。")
    assert_whole()
    _revert(editor_client, unit, old)
    assert unit.history.latest().history_tags == old.history_tags
    assert_whole()


def test_the_tag_admin_rename_is_a_version_of_each_unit(editor_client, unit):
    tag = Tag.objects.get(name="民生")
    url = reverse("admin:expositions_tag_change", args=[tag.pk])
    data = {"name": "民生", "name_en": "livelihood", "slug": tag.slug}
    assert editor_client.post(url, data).status_code == 302
    latest = unit.history.latest()
    assert latest.history_tags == [["民生", "livelihood"]]
    assert latest.history_change_reason == history.TAG_RENAMED
    assert "livelihood" in StudyUnit.objects.get(pk=unit.pk).search_title
    assert_whole()


def test_the_tag_admin_delete_is_a_version_of_each_unit(editor_client, unit):
    services.unit_tags_set(unit=unit, tags=["民生", "临时"])
    tag = Tag.objects.get(name="临时")
    url = reverse("admin:expositions_tag_delete", args=[tag.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    latest = unit.history.latest()
    assert latest.history_tags == [["民生", ""]]
    assert latest.history_change_reason == history.TAG_DELETED
    assert_whole()


def test_the_tag_list_s_delete_action_is_a_version_of_each_unit(editor_client, unit):
    services.unit_tags_set(unit=unit, tags=["民生", "甲", "乙"])
    doomed = Tag.objects.filter(name__in=["甲", "乙"])
    response = editor_client.post(
        reverse("admin:expositions_tag_changelist"),
        {
            "action": "delete_selected",
            "post": "yes",
            helpers.ACTION_CHECKBOX_NAME: [t.pk for t in doomed],
        },
    )
    assert response.status_code == 302
    assert not Tag.objects.filter(name__in=["甲", "乙"]).exists()
    assert unit.history.latest().history_tags == [["民生", ""]]
    assert "甲" not in StudyUnit.objects.get(pk=unit.pk).search_title
    assert_whole()


def test_the_tag_list_s_merge_action_is_a_version_of_each_unit(editor_client, unit, make_unit):
    make_unit(tags=["民生保障"])
    services.unit_tags_set(unit=unit, tags=["民生", "民生保障"])
    both = Tag.objects.filter(name__in=["民生", "民生保障"])
    editor_client.post(
        reverse("admin:expositions_tag_changelist"),
        {"action": "merge_selected", helpers.ACTION_CHECKBOX_NAME: [t.pk for t in both]},
    )
    assert Tag.objects.filter(name__in=["民生", "民生保障"]).count() == 1
    assert unit.history.latest().history_change_reason == history.TAGS_MERGED
    assert_whole()


def _posted(page):
    """The admin change form of ``page`` as a browser would post it unchanged, its
    inline forms included."""
    forms = [page.context["adminform"].form]
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data |= {management.add_prefix(n): management[n].value() for n in management.fields}
        forms += formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value not in (None, False):
                data[form.add_prefix(name)] = value
    return data


def test_a_unit_published_from_the_exposition_page_is_derived_and_versioned(
    editor_client, make_unit
):
    draft = make_unit(
        title_zh_hans="草稿", title_en="Draft", status=StudyUnit.Status.DRAFT, tags=["民生"]
    )
    url = reverse("admin:expositions_exposition_change", args=[draft.exposition_id])
    page = editor_client.get(url)
    data = _posted(page)
    [formset] = [inline.formset for inline in page.context["inline_admin_formsets"]]
    [i] = [i for i, form in enumerate(formset.forms) if form.instance.pk == draft.pk]
    data[f"{formset.prefix}-{i}-status"] = StudyUnit.Status.PUBLISHED
    data[f"{formset.prefix}-{i}-title_en"] = "Published title"
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.status == StudyUnit.Status.PUBLISHED and draft.published_at is not None
    assert "published title" in draft.search_title
    assert draft.history.latest().status == StudyUnit.Status.PUBLISHED
    assert_whole()


# --- the loader ---------------------------------------------------------------------------


def test_the_loader_writes_whole_versions(make_unit):
    load_exposition()
    assert_whole()
    load_exposition()  # again: nothing changes, no version
    assert_whole()
