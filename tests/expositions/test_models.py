from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import override

from expositions.models import StudyUnit, TaggedStudyUnit
from expositions.services import unit_save

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
    unit_save(unit=unit)
    assert unit.published_at is not None


def test_page_gives_the_unit_and_its_neighbours_in_the_theme_s_reading_order(
    make_unit, other_theme, cadre_user, editor_user, django_assert_num_queries
):
    second = make_unit(order=2)
    first = make_unit(order=1)
    make_unit(order=1, theme=other_theme)
    hidden = make_unit(order=3, status=StudyUnit.Status.DRAFT)
    last = make_unit(order=4)
    with django_assert_num_queries(2):  # the unit, its theme's links
        page = StudyUnit.page(second.slug, cadre_user)
    assert page.unit == second and page.unit.title == second.title
    assert (page.previous.pk, page.previous.slug, page.next.pk) == (first.pk, first.slug, last.pk)
    assert StudyUnit.page(first.slug, cadre_user).previous is None
    assert StudyUnit.page(last.slug, cadre_user).next is None
    assert StudyUnit.page(second.slug, editor_user).next == hidden  # editors read drafts


def test_page_is_none_for_a_unit_the_user_may_not_read(make_unit, cadre_user, editor_user):
    draft = make_unit(status=StudyUnit.Status.DRAFT)
    later = make_unit(published_at=timezone.now() + timedelta(hours=1))
    assert StudyUnit.page(draft.slug, cadre_user) is None
    assert StudyUnit.page(later.slug, AnonymousUser()) is None
    assert StudyUnit.page("no-such-unit", editor_user) is None
    assert StudyUnit.page(draft.slug, editor_user).unit == draft


def test_page_orders_units_of_one_order_by_their_key(make_unit, cadre_user):
    a, b, c = (make_unit(order=5) for _ in range(3))
    page = StudyUnit.page(b.slug, cadre_user)
    assert (page.previous, page.next) == (a, c)


def test_page_agrees_with_the_querysets_for_every_unit_and_reader(
    make_unit, other_theme, cadre_user, editor_user
):
    """The written-out query against the ORM's answer, over drafts, scheduled units,
    shared orders and two themes, for a reader and an editor."""
    soon = timezone.now() + timedelta(days=1)
    for n, (order, status, published_at, theme) in enumerate(
        [
            (1, "published", None, None),
            (1, "published", None, None),
            (2, "draft", None, None),
            (3, "published", soon, None),
            (3, "published", None, other_theme),
            (4, "published", None, None),
            (0, "draft", None, other_theme),
            (7, "published", None, other_theme),
        ]
    ):
        values = {"order": order, "status": status, "slug": f"mixed-{n}"}
        values.update({"published_at": published_at} if published_at else {})
        values.update({"theme": theme} if theme else {})
        make_unit(**values)
    for user in (cadre_user, editor_user):
        visible = StudyUnit.objects.visible_to(user)
        for unit in StudyUnit.objects.all():
            page = StudyUnit.page(unit.slug, user)
            if not visible.filter(pk=unit.pk).exists():
                assert page is None
                continue
            line = list(visible.filter(theme=unit.theme).order_by("order", "pk"))
            here = line.index(unit)
            expected = (
                line[here - 1] if here else None,
                line[here + 1] if here + 1 < len(line) else None,
            )
            assert (page.unit, page.previous, page.next) == (unit, *expected), (user, unit.slug)
            for field in StudyUnit._meta.concrete_fields:
                assert getattr(page.unit, field.attname) == getattr(unit, field.attname)


def test_page_gives_neighbours_titles_in_the_reader_s_language_with_the_fallback(
    make_unit, cadre_user
):
    here = make_unit(order=1)
    make_unit(order=2, title_zh_hans="下一单元", title_en="The next unit")
    make_unit(order=0, title_zh_hans="只有中文", title_en="")
    for language, before, after in [
        ("zh-hans", "只有中文", "下一单元"),
        ("en", "只有中文", "The next unit"),
    ]:
        with override(language):
            page = StudyUnit.page(here.slug, cadre_user)
            assert (page.previous.title, page.next.title) == (before, after)


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
    unit_save(unit=unit)
    titles = [h.title for h in unit.history.order_by("history_date")]
    assert titles == ["Before", "After"]


def test_line_ends_are_normalised(make_unit):
    unit = make_unit(key_points="one\r\ntwo\r\nthree", body="a\r\n\r\nb")
    assert unit.key_points == "one\ntwo\nthree"
    assert unit.body == "a\n\nb"


def test_published_at_is_whole_seconds(make_unit):
    assert make_unit().published_at.microsecond == 0
