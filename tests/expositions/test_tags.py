"""A tag is one idea with a Chinese and an English name: the data migration merges the
old pairs, pages show the reader's name, search finds either, and editors can merge
duplicates."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from expositions.models import StudyUnit, Tag
from expositions.search import search
from expositions.services import tags_merge, unit_tags_set
from org.roles import EDITOR


def _found(query):
    return set(search(StudyUnit.objects.all(), query)[:50])


BEFORE = [("expositions", "0006_two_languages")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _old_pairs():
    """Rows of a database as it stood before 0007: each idea was two django-taggit tags."""
    old = MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps
    exposition = old.get_model("expositions", "Exposition").objects.create(
        slug="e", title="E", source_text="x"
    )
    theme = old.get_model("expositions", "Theme").objects.create(slug="t", name="T")
    Unit = old.get_model("expositions", "StudyUnit")
    OldTag = old.get_model("taggit", "Tag")
    Link = old.get_model("expositions", "TaggedStudyUnit")

    def unit(slug, *names):
        u = Unit.objects.create(
            exposition=exposition, theme=theme, slug=slug, title_en=slug, status="published"
        )
        for name in names:
            tag, _ = OldTag.objects.get_or_create(name=name, defaults={"slug": f"old-{name}"})
            Link.objects.create(content_object=u, tag=tag)

    unit("both", "低保", "minimum living allowance", "基层")
    unit("english-only", "minimum living allowance")
    unit("renamed", "people-centred", "为民")
    unit("editors-own", "养老服务站", "night shifts")


@pytest.fixture(scope="module")
def migrated(django_db_setup, django_db_blocker):
    """The old pairs after 0007, read once for the module's four tests: the database
    migrated back to 0006, the old rows written, migrated forward to the end (about
    nine seconds a round here, which each test paid once before), then emptied as a
    committing test's database is. Each idea: its Chinese name -> (English name,
    address); each unit: its address -> its tags' names."""
    with django_db_blocker.unblock():
        leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
        try:
            _migrate(BEFORE)
            _old_pairs()
            _migrate(leaves)
            tags = {t.name: (t.name_en, t.slug) for t in Tag.objects.all()}
            units = {u.slug: sorted(t.name for t in u.tags.all()) for u in StudyUnit.objects.all()}
        finally:
            _migrate(leaves)
            call_command("flush", interactive=False, verbosity=0)
            # Closed here: in a whole run on PostgreSQL the connection this fixture
            # used stayed open to the end, not the one pytest-django closes, and the
            # test database could not be dropped ("is being accessed by other users").
            connection.close()
    return {"tags": tags, "units": units}


def test_each_old_pair_becomes_one_idea(migrated):
    tags = migrated["tags"]
    assert tags["低保"][0] == "minimum living allowance"
    assert "minimum living allowance" not in tags
    assert tags["为民"][0] == "for the people"
    assert "people-centred" not in tags


def test_a_unit_tagged_with_both_names_keeps_one_link(migrated):
    units = migrated["units"]
    assert units["both"] == ["低保", "基层"]
    assert units["renamed"] == ["为民"]
    assert units["english-only"] == ["低保"]


def test_a_chinese_tag_keeps_its_address(migrated):
    tags = migrated["tags"]
    assert tags["低保"][1] == "old-低保"
    assert tags["养老服务站"][1] == "old-养老服务站"


def test_an_editors_english_only_tag_keeps_its_name_in_both_places(migrated):
    assert migrated["tags"]["night shifts"] == ("night shifts", "old-night shifts")
    assert migrated["tags"]["养老服务站"][0] == ""


def test_the_label_follows_the_readers_language():
    tag = Tag(name="低保", name_en="minimum living allowance")
    with translation.override("zh-hans"):
        assert tag.label == "低保"
    with translation.override("en"):
        assert tag.label == "minimum living allowance"


def test_without_an_english_name_english_readers_see_the_chinese_one_marked():
    tag = Tag(name="养老服务站")
    with translation.override("en"):
        assert tag.label == "养老服务站"
        assert tag.missing_language
    with translation.override("zh-hans"):
        assert not tag.missing_language


@pytest.mark.django_db
def test_an_english_tag_name_finds_the_unit(make_unit):
    unit = make_unit(slug="dibao-unit", title_en="Assistance rules", title_zh_hans="救助规则")
    tag = Tag.objects.create(name="低保", name_en="minimum living allowance")
    unit_tags_set(unit=unit, tags=[tag])
    assert _found("minimum living") == {unit}
    assert _found("低保") == {unit}


@pytest.mark.django_db
def test_the_tag_page_lists_each_idea_once_in_the_readers_language(client, make_unit, make_user):
    unit = make_unit(slug="a")
    unit_tags_set(
        unit=unit, tags=[Tag.objects.create(name="低保", name_en="minimum living allowance")]
    )
    client.force_login(make_user("reader"))
    page = client.get(reverse("expositions:tag_index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count("minimum living allowance") == 1
    assert "低保" not in page
    client.post(reverse("set_language"), {"language": "zh-hans"})
    page = client.get(reverse("expositions:tag_index")).content.decode()
    assert page.count("低保") == 1
    assert "minimum living allowance" not in page


@pytest.mark.django_db
def test_merging_keeps_the_tag_on_most_units_and_one_link_per_unit(make_unit):
    a, b, c = (make_unit(slug=s) for s in "abc")
    dibao = Tag.objects.create(name="低保")
    duplicate = Tag.objects.create(name="最低生活保障", name_en="minimum living allowance")
    unit_tags_set(unit=a, tags=[dibao, duplicate])
    unit_tags_set(unit=b, tags=[dibao])
    unit_tags_set(unit=c, tags=[duplicate])
    kept = tags_merge(tags=[dibao, duplicate])
    assert kept.pk == dibao.pk
    assert list(Tag.objects.values_list("name", "name_en")) == [
        ("低保", "minimum living allowance")
    ]
    for unit in (a, b, c):
        assert [t.name for t in unit.tags.all()] == ["低保"]
    assert _found("minimum living") == {a, b, c}


@pytest.mark.django_db
def test_editors_merge_tags_from_the_tag_list(client, make_unit, make_user):
    unit = make_unit(slug="a")
    first = Tag.objects.create(name="低保")
    second = Tag.objects.create(name="minimum living allowance")
    unit_tags_set(unit=unit, tags=[first, second])
    client.force_login(make_user("editor", role=EDITOR, is_staff=True))
    response = client.post(
        reverse("admin:expositions_tag_changelist"),
        {"action": "merge_selected", ACTION_CHECKBOX_NAME: [first.pk, second.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Tag.objects.count() == 1
    assert unit.tags.count() == 1


PINYIN_ORDER = ["低保", "典型", "基层治理", "社会救助", "养老服务"]  # di, dian, ji, she, yang


def _positions(page, names):
    listed = page[page.index('class="tag-') :]  # the first list of tags on the page
    return sorted(names, key=listed.index)


@pytest.mark.django_db
def test_tags_are_listed_by_pinyin_in_chinese_and_by_letter_in_english(
    client, make_unit, make_user
):
    unit = make_unit(slug="a", title_zh_hans="甲单元")
    english = {"低保": "b-minimum", "典型": "e-model", "基层治理": "c-grassroots"}
    english |= {"社会救助": "a-social assistance", "养老服务": "d-elderly care"}
    tags = [Tag.objects.create(name=name, name_en=english[name]) for name in PINYIN_ORDER]
    unit_tags_set(unit=unit, tags=reversed(tags))  # code-point order would be 低 典 养 基 社
    client.force_login(make_user("reader"))
    pages = [
        reverse("expositions:tag_index"),
        unit.get_absolute_url(),
        reverse("expositions:theme_detail", args=[unit.theme.slug]),
        reverse("expositions:search") + "?q=甲单元",
    ]
    for url in pages:
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert _positions(page, PINYIN_ORDER) == PINYIN_ORDER, url
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert _positions(page, english.values()) == sorted(english.values()), url
