from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import override

from expositions.models import StudyUnit, TaggedStudyUnit

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts(make_unit):
    shown = make_unit()
    make_unit(status=StudyUnit.Status.DRAFT)
    assert list(StudyUnit.objects.published()) == [shown]


def test_published_excludes_future_publication(make_unit):
    make_unit(published_at=timezone.now() + timedelta(days=1))
    assert not StudyUnit.objects.published().exists()


def test_publishing_sets_published_at(make_unit):
    unit = make_unit(status=StudyUnit.Status.DRAFT)
    assert unit.published_at is None
    unit.status = StudyUnit.Status.PUBLISHED
    unit.save()
    assert unit.published_at is not None


def test_visible_to_editor_includes_drafts(make_unit, editor_user):
    make_unit()
    make_unit(status=StudyUnit.Status.DRAFT)
    assert StudyUnit.objects.visible_to(editor_user).count() == 2


def test_visible_to_cadre_and_anonymous_is_published_only(make_unit, cadre_user):
    make_unit()
    make_unit(status=StudyUnit.Status.DRAFT)
    assert StudyUnit.objects.visible_to(cadre_user).count() == 1
    assert StudyUnit.objects.visible_to(AnonymousUser()).count() == 1


def test_for_theme(make_unit, other_theme):
    mine = make_unit()
    make_unit(theme=other_theme)
    assert list(StudyUnit.objects.for_theme(mine.theme)) == [mine]


def test_for_tag(make_unit):
    tagged = make_unit(tags=["民生", "livelihood"])
    make_unit(tags=["基层"])
    assert list(StudyUnit.objects.for_tag("民生")) == [tagged]
    assert list(StudyUnit.objects.for_tag("livelihood")) == [tagged]


def test_tags_use_the_custom_through_model(make_unit):
    unit = make_unit(tags=["民生"])
    link = TaggedStudyUnit.objects.get()
    assert link.content_object == unit
    assert link.tag.name == "民生"


def test_body_is_rendered_and_sanitised_on_save(make_unit):
    unit = make_unit(body="**bold** <script>alert(1)</script>")
    assert "<strong>bold</strong>" in unit.body_html
    assert "<script" not in unit.body_html


def test_reading_minutes_estimated_when_zero(make_unit):
    unit = make_unit(body="word " * 450, reading_minutes=0)
    assert unit.reading_minutes == 3


def test_reading_minutes_kept_when_given(make_unit):
    assert make_unit(reading_minutes=7).reading_minutes == 7


def test_key_points_and_passages_split(make_unit):
    unit = make_unit(key_points="- one\n\n* two\nthree", source_passage="A.\n\nB.")
    assert unit.key_point_list == ["one", "two", "three"]
    assert unit.passages == ["A.", "B."]


def test_theme_name_follows_language(theme):
    with override("zh-hans"):
        assert theme.name == "民生保障"
    with override("en"):
        assert theme.name == "Livelihood guarantee"


def test_history_records_each_change(make_unit):
    unit = make_unit(title="Before")
    unit.title = "After"
    unit.save()
    titles = [h.title for h in unit.history.order_by("history_date")]
    assert titles == ["Before", "After"]


def test_line_ends_are_normalised(make_unit):
    unit = make_unit(key_points="one\r\ntwo\r\nthree", body="a\r\n\r\nb")
    assert unit.key_points == "one\ntwo\nthree"
    assert unit.body == "a\n\nb"


def test_published_at_is_whole_seconds(make_unit):
    assert make_unit().published_at.microsecond == 0
