import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from expositions.models import StudyUnit
from expositions.services import unit_save, unit_tags_set

pytestmark = pytest.mark.django_db

READING_URLS = [
    ("expositions:home", {}),
    ("expositions:theme_detail", {"slug": "livelihood-guarantee"}),
    ("expositions:tag_index", {}),
    ("expositions:tag_detail", {"slug": "民生"}),
    ("expositions:unit_detail", {"slug": "the-unit"}),
]


@pytest.fixture
def the_unit(make_unit):
    return make_unit(slug="the-unit", title="The unit", tags=["民生", "livelihood"])


@pytest.mark.parametrize(("name", "kwargs"), READING_URLS)
def test_reading_pages_require_sign_in(client, the_unit, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kwargs"), READING_URLS)
def test_reading_pages_render_for_a_cadre(cadre_client, the_unit, name, kwargs):
    assert cadre_client.get(reverse(name, kwargs=kwargs)).status_code == 200


def test_home_lists_themes_with_counts_of_published_units(cadre_client, make_unit, other_theme):
    make_unit()
    make_unit()
    make_unit(status=StudyUnit.Status.DRAFT)
    response = cadre_client.get(reverse("expositions:home"), HTTP_ACCEPT_LANGUAGE="en")
    counts = {t.slug: t.unit_count for t in response.context["themes"]}
    assert counts == {"livelihood-guarantee": 2, "political-standing": 0}
    assert [t.slug for t in response.context["themes"]] == [
        "political-standing",
        "livelihood-guarantee",
    ]
    assert "2 study units" in response.content.decode()


def test_home_shows_recently_updated_units(cadre_client, make_unit):
    old = make_unit(title="Old one")
    new = make_unit(title="New one")
    old.save()  # now the most recently updated
    recent = list(cadre_client.get(reverse("expositions:home")).context["recent_units"])
    assert recent[:2] == [old, new]


def test_theme_page_lists_units_in_order(cadre_client, make_unit, theme):
    second = make_unit(order=2, title="Second")
    first = make_unit(order=1, title="First")
    response = cadre_client.get(theme.get_absolute_url())
    assert list(response.context["units"]) == [first, second]
    assert response.content.decode().index("First") < response.content.decode().index("Second")


def test_unknown_theme_is_404(cadre_client):
    assert cadre_client.get("/themes/no-such-theme/").status_code == 404


def test_unknown_unit_is_404(cadre_client):
    assert cadre_client.get("/units/no-such-unit/").status_code == 404


def test_unknown_tag_is_404(cadre_client):
    assert cadre_client.get("/tags/no-such-tag/").status_code == 404


def test_draft_is_404_for_a_cadre(cadre_client, make_unit):
    draft = make_unit(status=StudyUnit.Status.DRAFT)
    assert cadre_client.get(draft.get_absolute_url()).status_code == 404


def test_draft_hidden_from_lists_for_a_cadre(cadre_client, make_unit, theme):
    make_unit(status=StudyUnit.Status.DRAFT, title="Secret draft", tags=["民生"])
    for url in [
        reverse("expositions:home"),
        theme.get_absolute_url(),
        reverse("expositions:tag_index"),
    ]:
        assert "Secret draft" not in cadre_client.get(url).content.decode()
    # A tag only drafts carry is no reader's tag (issue #13): its page is not found.
    assert cadre_client.get(reverse("expositions:tag_detail", args=["民生"])).status_code == 404
    assert "民生" not in cadre_client.get(reverse("expositions:tag_index")).content.decode()


def test_editor_sees_a_draft_marked_as_draft(editor_client, make_unit):
    draft = make_unit(status=StudyUnit.Status.DRAFT)
    response = editor_client.get(draft.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "badge-draft" in response.content.decode()


def test_unit_page_shows_everything(cadre_client, make_unit):
    unit = make_unit(
        title="Holding the bottom line",
        summary="The summary.",
        key_points="Point one\nPoint two\nPoint three",
        body="Body with **emphasis**.",
        source_passage="The quoted passage.",
        tags=["低保", "social assistance"],
        reading_minutes=4,
    )
    html = cadre_client.get(unit.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in [
        "Holding the bottom line",
        "The summary.",
        "Point two",
        "<strong>emphasis</strong>",
        "The quoted passage.",
        "低保",
        "social assistance",
        "4 min read",
        "Test Author",
        "A test exposition",
        "Livelihood guarantee",
    ]:
        assert text in html


def test_unit_page_links_previous_and_next_in_theme(cadre_client, make_unit, other_theme):
    first = make_unit(order=1)
    middle = make_unit(order=2)
    make_unit(order=3, status=StudyUnit.Status.DRAFT)
    make_unit(order=4, theme=other_theme)
    last = make_unit(order=5)
    response = cadre_client.get(middle.get_absolute_url())
    assert response.context["previous_unit"].slug == first.slug
    assert response.context["next_unit"].slug == last.slug
    html = response.content.decode()
    assert f'rel="prev" href="{first.get_absolute_url()}"' in html
    assert f'rel="next" href="{last.get_absolute_url()}"' in html
    response = cadre_client.get(first.get_absolute_url())
    assert response.context["previous_unit"] is None


def test_unit_page_escapes_title_and_key_points(cadre_client, make_unit):
    unit = make_unit(title="<script>alert(1)</script>", key_points="<img src=x onerror=alert(1)>")
    html = cadre_client.get(unit.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_tag_index_counts(cadre_client, make_unit):
    make_unit(tags=["民生"])
    make_unit(tags=["民生", "基层"])
    response = cadre_client.get(reverse("expositions:tag_index"))
    assert {t.name: t.unit_count for t in response.context["tags"]} == {"民生": 2, "基层": 1}


def test_tag_page_lists_tagged_units(cadre_client, make_unit):
    tagged = make_unit(tags=["基层"])
    make_unit(tags=["民生"])
    response = cadre_client.get(reverse("expositions:tag_detail", args=["基层"]))
    assert list(response.context["units"]) == [tagged]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "按主题学习"), ("en", "Study by theme")],
)
def test_home_in_both_languages(cadre_client, make_unit, language, expected):
    make_unit()
    html = cadre_client.get(
        reverse("expositions:home"), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert expected in html
    assert f'<html lang="{language}" ' in html


@pytest.mark.parametrize(
    ("language", "expected"), [("zh-CN,zh;q=0.9", "登录"), ("en-US,en;q=0.9", "Sign in")]
)
def test_sign_in_page_in_both_languages(client, language, expected):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_language_switch_is_kept(cadre_client):
    response = cadre_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = cadre_client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="en"' in html


def test_sign_in_and_out(client, cadre_user):
    response = client.post(
        reverse("login"), {"username": "cadre1", "password": "a-long-test-password-2026"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post(reverse("logout"))
    assert client.get("/").status_code == 302


def test_wrong_password_shows_an_error(client, cadre_user):
    response = client.post(
        reverse("login"), {"username": "cadre1", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "form-errors" in response.content.decode()


def _make_units(make_unit, count):
    for i in range(count):
        make_unit(tags=["民生", f"tag-{i % 7}"])


@pytest.mark.parametrize(
    "name",
    [
        "expositions:theme_detail",
        "expositions:tag_detail",
        "expositions:tag_index",
        "expositions:home",
    ],
)
def test_list_pages_query_count_does_not_grow(
    cadre_client, make_unit, django_assert_max_num_queries, django_assert_num_queries, name
):
    kwargs = {
        "expositions:theme_detail": {"slug": "livelihood-guarantee"},
        "expositions:tag_detail": {"slug": "民生"},
    }.get(name, {})
    url = reverse(name, kwargs=kwargs)
    _make_units(make_unit, 5)
    cadre_client.get(url)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as small:
        cadre_client.get(url)
    _make_units(make_unit, 195)
    with django_assert_num_queries(len(small.captured_queries)):
        cadre_client.get(url)
    with django_assert_max_num_queries(10):
        cadre_client.get(url)


def test_unit_page_query_count(cadre_client, make_unit, django_assert_max_num_queries):
    from django.core.cache import cache

    units = [make_unit(tags=["民生", "基层"]) for _ in range(5)]
    cadre_client.get(units[2].get_absolute_url())
    cache.clear()  # the unit's own part is cached: compare pages rendered afresh
    with django_assert_max_num_queries(12) as small:
        cadre_client.get(units[2].get_absolute_url())
    more = [make_unit(tags=["民生"]) for _ in range(195)]
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        cadre_client.get(more[100].get_absolute_url())
    assert len(large.captured_queries) == len(small.captured_queries)
    with CaptureQueriesContext(connection) as warm:
        cadre_client.get(more[100].get_absolute_url())
    # The cached part's theme, exposition and tags are read only to render it afresh.
    assert len(warm.captured_queries) == len(large.captured_queries) - 3


def test_the_unit_page_shows_an_edit_at_once_despite_its_cache(
    cadre_client, editor_user, make_unit
):
    unit = make_unit(title="Before", tags=["民生"])
    assert "Before" in cadre_client.get(unit.get_absolute_url()).content.decode()
    unit.title = "After"
    unit_save(unit=unit)
    unit_tags_set(unit=unit, tags=["民生", "养老"])
    html = cadre_client.get(unit.get_absolute_url()).content.decode()
    assert "After" in html and "养老" in html
    unit_tags_set(unit=unit, tags=["民生"])
    assert "养老" not in cadre_client.get(unit.get_absolute_url()).content.decode()


def test_signing_in_from_the_root_lands_on_the_start_page(client, cadre_user):
    response = client.post(
        reverse("login") + "?next=/",
        {"username": "cadre1", "password": "a-long-test-password-2026", "next": "/"},
    )
    assert response["Location"] == reverse("training:start")


def test_signing_in_keeps_a_deeper_next(client, cadre_user):
    response = client.post(
        reverse("login"),
        {"username": "cadre1", "password": "a-long-test-password-2026", "next": "/tags/"},
    )
    assert response["Location"] == "/tags/"


# Issue 32: the essay is a study article (学习文章) by Su Shunsheng, not the General
# Secretary's 重要论述; the English passages are the text we were given and the Chinese
# is our rendering of it.
HONEST_LABELS = {
    "zh-hans": [
        "学习文章摘录",
        "英文本",
        "中文（据英文本译出）",
        "学习文章《<cite>学习贯彻习近平总书记关于民政工作重要论述的体会</cite>》，",
        "苏顺生",
        "这篇学习文章原以中文写成",
    ],
    "en": [
        "From the study article",
        "The English text we were given",
        "Our Chinese rendering of the English text",
        "Study article: <cite>Reflections on studying and applying General Secretary Xi Jinping",
        "Su Shunsheng",
    ],
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_unit_page_labels_the_study_article_and_its_two_texts_honestly(
    seeded, cadre_client, language
):
    url = reverse("expositions:unit_detail", args=["do-our-best-and-do-what-we-can"])
    html = cadre_client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for label in HONEST_LABELS[language]:
        assert label in html
    assert "原文摘录" not in html and ">译文<" not in html


def test_home_does_not_call_the_essay_the_important_exposition(seeded, cadre_client):
    html = cadre_client.get(reverse("expositions:home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "重要论述" not in html.content.decode()
