"""Content in Simplified Chinese and English: pages, fallback, history, and search in
both languages, in traditional characters and in pinyin (issue #14)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from expositions.models import StudyUnit
from expositions.search import pinyin_words, search
from expositions.seed import load_exposition, read_seed
from expositions.services import unit_save, unit_tags_set


def _page(client, unit, language):
    return client.get(unit.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()


@pytest.mark.django_db
def test_a_unit_reads_in_the_readers_language(cadre_client):
    load_exposition()
    unit = StudyUnit.objects.get(slug="do-our-best-and-do-what-we-can")
    zh = _page(cadre_client, unit, "zh-CN")
    assert "尽力而为，量力而行" in zh
    assert "把为民造福作为最重要的政绩" in zh  # a key point
    assert "尽力而为，就是要能办的事尽力办" in zh  # the passage's 译文
    assert "do our best and do what we can" in zh  # the verbatim English passage
    assert "language-marker" not in zh
    en = _page(cadre_client, unit, "en")
    assert "Do our best, and do what we can" in en
    assert "尽力而为，量力而行</h1>" not in en
    assert "language-marker" not in en


@pytest.mark.django_db
def test_a_missing_language_falls_back_with_a_marker(cadre_client, make_unit):
    chinese_only = make_unit(title_zh_hans="只有中文", title_en="", body_zh_hans="正文")
    english_only = make_unit(title_zh_hans="", title_en="English only", body_en="Body")
    page = _page(cadre_client, chinese_only, "en")
    assert "只有中文" in page
    assert "English not yet available" in page
    page = _page(cadre_client, english_only, "zh-CN")
    assert "English only" in page
    assert "暂无中文" in page


def test_the_marker_is_only_for_what_is_missing(make_unit, db):
    unit = make_unit(
        title_zh_hans="标题",
        title_en="Title",
        summary_zh_hans="摘要",
        summary_en="Summary",
        key_points_zh_hans="一\n二\n三",
        key_points_en="One\nTwo\nThree",
        body_zh_hans="正文",
        body_en="Body",
    )
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert not unit.missing_language
    unit.body_en = ""
    with translation.override("en"):
        assert unit.missing_language
    with translation.override("zh-hans"):
        assert not unit.missing_language


def test_each_language_has_its_own_rendered_body(make_unit, db):
    with translation.override("en"):
        unit = make_unit(body_zh_hans="**中文**", body_en="**English**")
        unit_save(unit=unit)
    unit.refresh_from_db()
    assert unit.body_html_zh_hans == "<p><strong>中文</strong></p>"
    assert unit.body_html_en == "<p><strong>English</strong></p>"


def test_history_holds_both_languages_and_a_revert_restores_both(editor_client, make_unit):
    from tests.expositions.test_admin import _form_data

    unit = make_unit(
        title_zh_hans="旧标题", title_en="Old title", body_zh_hans="旧正文", body_en="Old"
    )
    url = reverse("admin:expositions_studyunit_change", args=[unit.pk])
    response = editor_client.post(
        url, _form_data(unit, title="新标题", body="新正文", title_en="New title", body_en="New")
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.title_zh_hans, unit.title_en, unit.body_en) == ("新标题", "New title", "New")
    first = unit.history.earliest()
    assert (first.title_zh_hans, first.title_en, first.body_en) == ("旧标题", "Old title", "Old")
    latest = unit.history.latest()
    assert (latest.title_zh_hans, latest.title_en) == ("新标题", "New title")

    revert_url = reverse(
        "admin:expositions_studyunit_simple_history", args=[unit.pk, first.history_id]
    )
    form = editor_client.get(revert_url).context["adminform"].form
    assert form.initial["title_en"] == "Old title"
    assert form.initial["body_zh_hans"] == "旧正文"
    response = editor_client.post(revert_url, _form_data(first.instance))
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.title_zh_hans, unit.title_en) == ("旧标题", "Old title")
    assert (unit.body_zh_hans, unit.body_en) == ("旧正文", "Old")
    assert unit.body_html_en == "<p>Old</p>"


# --- search ---------------------------------------------------------------------

# Chinese policy terms drawn from the translated units, with every unit that holds them.
CHINESE_TERMS = [
    ("低保", {"civil-administration-for-the-people"}),
    ("最低生活保障", {"civil-administration-for-the-people"}),
    ("特困人员", {"civil-administration-for-the-people"}),
    ("临时救助", {"civil-administration-for-the-people"}),
    ("兜底保障", {"civil-administration-for-the-people"}),
    ("乡镇（街道）", {"support-and-problems-lie-at-the-grassroots"}),
    ("政治判断力", {"political-judgment-comprehension-execution"}),
    ("政治领悟力", {"political-judgment-comprehension-execution"}),
    ("政治执行力", {"political-judgment-comprehension-execution"}),
    ("跨省核对", {"cross-provincial-verification-for-social-assistance"}),
    ("调查研究", {"investigate-in-communities-and-villages", "assistance-and-policy-publicity"}),
    (
        "社会救助",
        {
            "civil-administration-for-the-people",
            "assistance-and-policy-publicity",
            "cross-provincial-verification-for-social-assistance",
        },
    ),
    ("民生底线", {"civil-administration-for-the-people", "do-our-best-and-do-what-we-can"}),
    ("共同富裕", {"more-practical-things-for-the-people", "learning-for-wisdom-and-ability"}),
    ("尽力而为", {"do-our-best-and-do-what-we-can"}),
    ("量力而行", {"do-our-best-and-do-what-we-can"}),
    (
        "以学促干",
        {
            "study-the-exposition-in-depth",
            "investigate-in-communities-and-villages",
            "learning-to-promote-work",
        },
    ),
    ("党建引领", {"party-building-and-the-grassroots-foundation"}),
    (
        "困难群众",
        {
            "bearing-on-the-will-of-the-people",
            "civil-administration-for-the-people",
            "learning-for-wisdom-and-ability",
            "assistance-and-policy-publicity",
        },
    ),
    ("长治久安", {"ruling-foundation-and-lasting-stability"}),
    (
        "执政基础",
        {
            "ruling-foundation-and-lasting-stability",
            "support-and-problems-lie-at-the-grassroots",
        },
    ),
    ("新发展理念", {"learning-to-promote-work"}),
    (
        "惠民政策",
        {
            "more-practical-things-for-the-people",
            "learning-for-wisdom-and-ability",
            "assistance-and-policy-publicity",
        },
    ),
    (
        "内生动力",
        {
            "support-and-problems-lie-at-the-grassroots",
            "party-building-and-the-grassroots-foundation",
        },
    ),
    ("民心向背", {"bearing-on-the-will-of-the-people"}),
]


@pytest.fixture
def shipped(seeded):
    return StudyUnit.objects.published()


def _found(queryset, query):
    results = search(queryset, query)
    return {unit.slug for unit in results[: len(results)]}


@pytest.mark.parametrize(("term", "expected"), CHINESE_TERMS)
def test_chinese_policy_terms_find_exactly_their_units(shipped, term, expected):
    assert _found(shipped, term) == expected


def test_an_english_query_finds_the_english_text(shipped):
    assert _found(shipped, "cross-provincial verification") == {
        "cross-provincial-verification-for-social-assistance"
    }
    # U7 says "view of achievement"; U7 and U8 carry the tag 政绩观, "view of political
    # achievement" (review of issue 32, item 22).
    assert _found(shipped, "view of achievement") == {
        "do-our-best-and-do-what-we-can",
        "more-practical-things-for-the-people",
    }


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("社會救助", "社会救助"),
        ("臨時救助", "临时救助"),
        ("調查研究", "调查研究"),
        ("長治久安", "长治久安"),
    ],
)
def test_traditional_characters_find_what_simplified_ones_find(shipped, traditional, simplified):
    assert _found(shipped, traditional) == _found(shipped, simplified) != set()


def _tagged(tag):
    data, _ = read_seed()
    return {u["slug"] for u in data["units"] if tag in [zh for zh, _en in u["tags"]]}


# The tags 低保 and 基层治理 went in the editorial pass of issue 32 (one on a single
# unit, one a theme's name); pinyin is checked on two tags that replaced them.
@pytest.mark.parametrize("query", ["shehui jiuzhu", "shehuijiuzhu", "SheHui JiuZhu"])
def test_pinyin_finds_the_social_assistance_units(shipped, query):
    assert _tagged("社会救助") != set()
    assert _found(shipped, query) == _tagged("社会救助")


@pytest.mark.parametrize("query", ["neisheng dongli", "neishengdongli"])
def test_pinyin_finds_the_drive_from_within_units(shipped, query):
    assert _tagged("内生动力") != set()
    assert _found(shipped, query) == _tagged("内生动力")


def test_pinyin_words_cover_every_word_start():
    words = pinyin_words("基层治理 低保").split()
    assert "jicengzhili" in words
    assert "zhili" in words
    assert "dibao" in words
    assert pinyin_words("English only") == ""


def _snippet(client, query, language):
    page = client.get(reverse("expositions:search"), {"q": query}, HTTP_ACCEPT_LANGUAGE=language)
    return page.content.decode().split('<p class="snippet"', 1)[1].split("</p>", 1)[0]


@pytest.fixture
def two_language_unit(make_unit):
    return make_unit(
        title_zh_hans="困难群众救助",
        title_en="Help for people in difficulty",
        summary_zh_hans="摘要写明低保的要求。",
        summary_en="The summary states what the minimum living allowance asks.",
        body_zh_hans="正文讲临时救助。",
        body_en="The body speaks of temporary assistance.",
        source_passage="We must uphold the people-centred approach.",
        source_translation="必须坚持以人民为中心。",
    )


def test_a_chinese_readers_snippet_comes_from_the_chinese_text(cadre_client, two_language_unit):
    snippet = _snippet(cadre_client, "低保", "zh-hans")
    assert snippet.startswith(' lang="zh-hans">')
    assert "<mark>低保</mark>" in snippet
    assert "summary" not in snippet and "uphold" not in snippet


def test_the_snippet_shows_the_passages_yiwen_to_a_chinese_reader(cadre_client, two_language_unit):
    snippet = _snippet(cadre_client, "人民", "zh-hans")
    assert "<mark>人民</mark>为中心" in snippet
    assert "uphold" not in snippet


def test_an_english_word_a_chinese_reader_searched_is_shown_in_english(
    cadre_client, two_language_unit
):
    snippet = _snippet(cadre_client, "temporary", "zh-hans")
    assert snippet.startswith(' lang="en">')
    assert "<mark>temporary</mark> assistance" in snippet


def test_an_english_readers_snippet_comes_from_the_english_text(cadre_client, two_language_unit):
    snippet = _snippet(cadre_client, "uphold", "en")
    assert snippet.startswith(' lang="en">')
    assert "<mark>uphold</mark> the people" in snippet
    assert "人民" not in snippet


@pytest.fixture
def one_language_units(make_unit):
    def only(language, **fields):
        other = "en" if language == "zh_hans" else "zh_hans"
        names = ("title", "summary", "key_points", "body")
        return make_unit(
            **{f"{name}_{language}": fields[name] for name in names},
            **{f"{name}_{other}": "" for name in names},
        )

    chinese_only = only(
        "zh_hans", title="只有中文的单元", summary="摘要。", key_points="一\n二", body="低保"
    )
    english_only = only(
        "en", title="English only unit", summary="Summary.", key_points="One", body="Dibao."
    )
    unit_tags_set(unit=chinese_only, tags=["低保"])
    unit_tags_set(unit=english_only, tags=["低保"])
    return chinese_only, english_only


def _cards_with_marker(html):
    """The card titles that carry the marker, from a list page."""
    return re.findall(r'>([^<>]+)</a><span class="language-marker"', html)


@pytest.mark.parametrize(
    "page",
    [
        lambda u: u.theme.get_absolute_url(),
        lambda u: reverse("expositions:tag_detail", args=[u.tags.get().slug]),
        lambda u: reverse("expositions:search") + "?q=" + u.tags.get().name,
    ],
    ids=["theme", "tag", "search"],
)
def test_lists_mark_the_units_shown_in_the_other_language(cadre_client, one_language_units, page):
    chinese_only, english_only = one_language_units
    zh = cadre_client.get(page(chinese_only), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert _cards_with_marker(zh) == ["English only unit"]
    en = cadre_client.get(page(chinese_only), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _cards_with_marker(en) == ["只有中文的单元"]


def test_a_module_card_marks_a_title_in_the_other_language(
    client, org, make_cadre, make_module, assign
):
    township = org.township_a
    cadre = make_cadre(township)
    client.force_login(cadre.user)
    assign(make_module(title_zh_hans="中文模块", title_en=""), township)
    page = client.get(reverse("training:my_study"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '中文模块</a><span class="language-marker" data-shown-in="zh-Hans">' in page
    page = client.get(reverse("training:my_study"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "language-marker" not in page
