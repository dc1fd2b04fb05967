import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from expositions.models import StudyUnit
from expositions.search import (
    PREFIX_MAX,
    SearchResults,
    _tsquery,
    document_tokens,
    highlight,
    index_tokens,
    query_terms,
    search,
)
from expositions.services import tag_rename, unit_save, unit_tags_set

pytestmark = pytest.mark.django_db

# slug -> (title, body, tags)
CORPUS = {
    "dibao": ("城乡低保制度", "做好最低生活保障（低保）工作，兜住民生底线。", ["低保", "社会救助"]),
    "elderly": ("养老服务体系", "发展普惠养老服务，关爱老年人。", ["养老"]),
    "bureau": ("县民政局的职责", "民政局负责社会救助和养老服务的组织实施。", ["民政"]),
    "grassroots": (
        "推进基层治理现代化",
        "推进grassroots governance，社区自治。",
        ["基层治理", "grassroots"],
    ),
    "temp": ("临时救助", "对遭遇突发困难的家庭实施临时救助。", ["临时救助", "social assistance"]),
    "english": (
        "Grassroots Governance in Villages",
        "Village committees and community self-government.",
        ["governance"],
    ),
    "assistance": (
        "Social Assistance Reform",
        "Minimum living allowance and temporary assistance.",
        ["Social Assistance"],
    ),
    "split": ("民生与政治", "民生工作要讲政治，局面稳定。", []),
    "long": ("Care reform", "Deinstitutionalisation of care.", []),
}

CASES = [
    ("民政", {"bureau"}),
    ("低保", {"dibao"}),
    ("养老", {"elderly", "bureau"}),
    ("基层治理", {"grassroots"}),
    ("临时救助", {"temp"}),
    ("民政局", {"bureau"}),  # not "split", which has 民生/政治/局面 but not 民政局
    ("grassroots governance", {"grassroots", "english"}),
    ("GRASSROOTS", {"grassroots", "english"}),
    ("Grass", {"grassroots", "english"}),  # a word's start
    ("推进grassroots", {"grassroots"}),
    ("social assistance", {"temp", "assistance"}),
    ("ＧＲＡＳＳＲＯＯＴＳ", {"grassroots", "english"}),  # full-width
    ("社会救助 低保", {"dibao"}),
    ("allowance", {"assistance"}),
    ("ssistance", set()),  # not the start of a word
    ("g", {"grassroots", "english"}),  # one letter: a prefix search
    ("deinstitutional", {"long"}),  # a word start, indexed as a token
    ("DEINSTITUTIONALISATIO", {"long"}),  # a start longer than the indexed ones
    ("deinstitutionalisation", {"long"}),
    ("deinstitutionalisations", set()),
    ("不存在的词", set()),
    ("民", {"dibao", "bureau", "split"}),  # a single character: substring only
    ("！？。", set()),
]


@pytest.fixture
def corpus(make_unit):
    units = {}
    for slug, (title, body, tags) in CORPUS.items():
        units[slug] = make_unit(
            slug=slug,
            title=title,
            body=body,
            summary="",
            tags=tags,
            source_passage="",
            key_points="",
        )
    return units


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_search_finds_exactly(corpus, query, expected):
    results = search(StudyUnit.objects.all(), query)
    assert {u.slug for u in results[0:100]} == expected
    assert results.count() == len(expected)


def test_title_and_tag_matches_rank_first(make_unit):
    make_unit(slug="body-only", title="Other", body="讲到养老的一段正文。")
    make_unit(slug="in-title", title="养老服务", body="正文。")
    make_unit(slug="in-tag", title="Another", body="正文。", tags=["养老"])
    ordered = [u.slug for u in search(StudyUnit.objects.all(), "养老")[0:20]]
    assert ordered == ["in-tag", "in-title", "body-only"]  # title tier first, newest first


def test_index_follows_edits_and_tags(make_unit):
    unit = make_unit(title="Plain", body="Nothing here.")
    assert not search(StudyUnit.objects.all(), "低保").count()
    unit_tags_set(unit=unit, tags=["低保"])
    assert search(StudyUnit.objects.all(), "低保").count()
    unit_tags_set(unit=unit, tags=[])
    assert not search(StudyUnit.objects.all(), "低保").count()
    unit.body = "关于低保的新正文"
    unit_save(unit=unit)
    assert search(StudyUnit.objects.all(), "低保").count()


def test_renaming_a_tag_updates_the_index(make_unit):
    unit = make_unit(tags=["旧名"])
    tag_rename(tag=unit.tags.get(), name="新名称")
    assert search(StudyUnit.objects.all(), "新名称")[0:1] == [unit]


def test_rebuild_command(make_unit):
    unit = make_unit(body="关于养老的正文")
    StudyUnit.objects.filter(pk=unit.pk).update(search_text="", search_tokens="", search_title="")
    assert not search(StudyUnit.objects.all(), "养老").count()
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert search(StudyUnit.objects.all(), "养老").count()


def test_terms_and_tokens():
    assert query_terms("推进grassroots，基层治理 Governance!") == [
        "推进",
        "grassroots",
        "基层治理",
        "governance",
    ]
    assert index_tokens("基层治理 of 民") == ["基层", "层治", "治理", "of", "民"]


def test_word_starts_are_tokens():
    assert document_tokens("养老 Elderly of") == " 养老 el eld elde elder elderl elderly of "
    long_word = "x" * 30
    assert long_word[: PREFIX_MAX + 1] not in document_tokens(long_word).split()
    assert long_word in document_tokens(long_word).split()


def test_query_words_are_exact_tokens_where_indexed():
    # GIN's word:* prefix search is several times slower than an exact token.
    assert _tsquery(["elder", "基层治理"]) == "elder & 基层 & 层治 & 治理"
    assert _tsquery(["e"]) == "e:*"
    assert _tsquery(["x" * (PREFIX_MAX + 1)]) == "x" * (PREFIX_MAX + 1) + ":*"


def test_highlight_escapes_html():
    html = highlight("<script>alert(1)</script> 低保 & more", ["低保", "script"])
    assert "<script>" not in html
    assert "&lt;<mark>script</mark>&gt;" in html
    assert "<mark>低保</mark>" in html
    assert "&amp;" in html


def test_search_page_highlights_and_escapes(cadre_client, make_unit):
    make_unit(title="<script>alert(1)</script> 低保", body="低保 <b>正文</b>")
    html = cadre_client.get(reverse("expositions:search"), {"q": "低保"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>低保</mark>" in html


def test_drafts_are_never_found_by_cadres(cadre_client, editor_user, make_unit):
    make_unit(title="草稿中的低保", status=StudyUnit.Status.DRAFT)
    response = cadre_client.get(reverse("expositions:search"), {"q": "低保"})
    assert list(response.context["page"].object_list) == []
    editor_client = Client()
    editor_client.force_login(editor_user)
    response = editor_client.get(reverse("expositions:search"), {"q": "低保"})
    assert len(response.context["page"].object_list) == 1


def test_filters_by_theme_and_tag(cadre_client, make_unit, other_theme):
    make_unit(slug="a", title="低保一", tags=["社会救助"])
    make_unit(slug="b", title="低保二", theme=other_theme)
    url = reverse("expositions:search")
    response = cadre_client.get(url, {"q": "低保", "theme": "political-standing"})
    assert [u.slug for u in response.context["page"]] == ["b"]
    response = cadre_client.get(url, {"q": "低保", "tag": "社会救助"})
    assert [u.slug for u in response.context["page"]] == ["a"]


def test_search_paginates(cadre_client, make_unit):
    for i in range(25):
        make_unit(title=f"低保 {i}")
    url = reverse("expositions:search")
    assert len(cadre_client.get(url, {"q": "低保"}).context["page"].object_list) == 20
    assert len(cadre_client.get(url, {"q": "低保", "page": 2}).context["page"].object_list) == 5


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("", "Type a policy term"),
        ("不存在", "No study unit contains"),
        ("？", "Type a policy term"),
    ],
)
def test_empty_and_no_hit_pages_help(cadre_client, make_unit, query, text):
    make_unit(tags=["民政"])
    response = cadre_client.get(
        reverse("expositions:search"), {"q": query}, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert text in html
    assert "民政" in html  # tags suggested to browse


def test_search_page_query_count_is_constant(
    cadre_client, make_unit, django_assert_max_num_queries
):
    for i in range(5):
        make_unit(title=f"低保 {i}", tags=["低保", "民生"])
    url = reverse("expositions:search")
    cadre_client.get(url, {"q": "低保"})
    with django_assert_max_num_queries(24) as few:
        cadre_client.get(url, {"q": "低保"})
    for i in range(40):
        make_unit(title=f"低保 {i}", tags=["低保"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        cadre_client.get(url, {"q": "低保"})


def test_search_box_on_every_page(cadre_client):
    assert 'role="search"' in cadre_client.get(reverse("expositions:home")).content.decode()


@pytest.mark.postgresql_only
def test_postgresql_uses_the_gin_index(corpus):
    results = search(StudyUnit.objects.all(), "低保")
    sql, params = results.matches.order_by().query.sql_with_params()
    # As the search counts: the planner told to read an index as a bitmap (a sequential
    # scan stays possible, at a prohibitive cost, if no index fits the condition).
    with results._planner("bitmap"), connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert (
        "expositions_studyunit_search_vector_gin" in plan
        or "expositions_studyunit_search_title_gin" in plan
    )


@pytest.mark.postgresql_only
def test_a_search_s_planner_settings_switch_jit_off_for_its_transaction(corpus):
    """The scans switched off make later queries of the same transaction look costly
    enough to be JIT-compiled (25-30 ms each): the search switches JIT off with them."""
    results = search(StudyUnit.objects.all(), "低保")
    with connection.cursor() as cursor:
        cursor.execute("SET jit = on")  # as on a production server (the tests' default: off)
        with results._planner("walk"):
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
        cursor.execute("SET jit = off")


def test_counts_are_capped(cadre_client, make_unit, monkeypatch):
    monkeypatch.setattr(SearchResults.__init__, "__defaults__", (3,))
    for i in range(5):
        make_unit(title=f"低保 {i}")
    response = cadre_client.get(
        reverse("expositions:search"), {"q": "低保"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.context["capped"]
    assert "More than 3 study units found" in response.content.decode()


def test_pages_run_across_the_two_tiers_without_repeats(make_unit):
    titled = [make_unit(title=f"低保 {i}").pk for i in range(3)]
    body = [make_unit(title=f"Other {i}", body="讲低保").pk for i in range(25)]
    results = search(StudyUnit.objects.all(), "低保")
    first, second = results[0:20], results[20:40]
    assert [u.pk for u in first[:3]] == sorted(titled, reverse=True)
    seen = [u.pk for u in first + second]
    assert len(seen) == len(set(seen)) == 28
    assert set(seen) == set(titled) | set(body)
    assert results.count() == 28
