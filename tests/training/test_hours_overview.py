"""Trainers see who is short of study hours in their scope (issue #17, part)."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from org.models import Cadre
from training import progress_store, services
from training.models import Completion, Requirement

pytestmark = pytest.mark.django_db

URL = reverse("training:hours_overview")


@pytest.fixture
def online():
    return Requirement.objects.get(kind="online")  # every cadre, 50 a year


@pytest.fixture
def trainer_client(client, org, make_trainer):
    client.force_login(make_trainer(org.county, username="county-trainer"))
    return client


def _earn(cadre, make_unit, hours, year=None):
    unit = make_unit(study_hours=Decimal(hours))
    services.completion_record(cadre=cadre, unit=unit)
    if year is not None:
        Completion.objects.filter(unit=unit).update(completed_at=datetime(year, 6, 1, tzinfo=UTC))
        progress_store.recompute_hours([cadre.pk])  # a write around the services


def test_the_page_counts_per_org_unit_who_meets_a_requirement(
    trainer_client, org, make_cadre, make_unit, online
):
    Requirement.objects.filter(pk=online.pk).update(hours=Decimal("1"))
    done = make_cadre(org.township_a, name="达标")
    make_cadre(org.township_a, name="未达标")
    make_cadre(org.township_b, name="乙镇干部")
    _earn(done, make_unit, "1")
    response = trainer_client.get(URL, {"requirement": online.pk})
    rows = {
        str(r["org_unit"].code): (r["cadres"], r["met"], r["short"])
        for r in response.context["table"]
    }
    assert rows == {"P-C-K-A": (2, 1, 1), "P-C-K-B": (1, 0, 1)}
    short = [c.name for c in response.context["short"]]
    assert sorted(short) == ["乙镇干部", "未达标"]


def test_the_short_list_gives_what_each_cadre_still_needs(
    trainer_client, org, make_cadre, make_unit, online
):
    cadre = make_cadre(org.township_a, name="差一点")
    _earn(cadre, make_unit, "1.5")
    _earn(cadre, make_unit, "20", year=2020)  # another year: does not count
    response = trainer_client.get(URL, {"requirement": online.pk})
    [row] = [c for c in response.context["short"] if c.name == "差一点"]
    assert (row.earned, row.missing) == (Decimal("1.5"), Decimal("48.5"))


def test_a_requirement_for_one_category_lists_only_that_category(trainer_client, org, make_cadre):
    township = Requirement.objects.get(category="township_down")
    make_cadre(org.township_a, name="乡科级", category=Cadre.Category.TOWNSHIP_AND_BELOW)
    make_cadre(org.township_a, name="其他类别")
    response = trainer_client.get(URL, {"requirement": township.pk})
    assert [c.name for c in response.context["short"]] == ["乡科级"]


def test_nobody_outside_the_trainer_s_tree_is_counted_or_listed(
    trainer_client, org, make_cadre, online
):
    make_cadre(org.other_county, name="别县干部")
    make_cadre(org.city, name="市里干部")
    response = trainer_client.get(URL, {"requirement": online.pk})
    names = [c.name for c in response.context["short"]]
    assert "别县干部" not in names and "市里干部" not in names
    assert trainer_client.get(URL, {"org": org.other_county.pk}).status_code == 404


def test_the_short_list_exports_as_csv(trainer_client, org, make_cadre, online):
    make_cadre(org.township_a, name="=HYPERLINK(1)")
    response = trainer_client.get(
        URL, {"requirement": online.pk, "format": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "姓名"
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert rows[1][-1] == "50.00" or rows[1][-1] == "50.0" or rows[1][-1] == "50"


def test_the_page_asks_a_constant_number_of_queries(
    trainer_client, org, make_cadre, make_unit, online, django_assert_max_num_queries
):
    trainer_client.get(URL)
    for i in range(30):
        cadre = make_cadre(org.township_a if i % 2 else org.township_b)
        if i % 3 == 0:
            _earn(cadre, make_unit, "0.5")
    with django_assert_max_num_queries(16):
        trainer_client.get(URL, {"requirement": online.pk})


@pytest.mark.parametrize(
    "params",
    [
        {"year": "1999"},
        {"year": "²"},
        {"requirement": "999999"},
        {"requirement": "x"},
        {"org": "x"},
        {"format": "pdf"},
    ],
)
def test_bad_parameters_are_a_404(trainer_client, params):
    assert trainer_client.get(URL, params).status_code == 404


def test_the_short_list_exports_as_excel_with_a_title_row(trainer_client, org, make_cadre, online):
    import openpyxl

    make_cadre(org.township_a, name="王芳")
    response = trainer_client.get(
        URL, {"requirement": online.pk, "format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A1"].value.startswith("全体干部：每年网络自学不少于 50 学时 · 县 · ")
    assert [c.value for c in sheet[2]][0] == "姓名"
    assert sheet["A3"].value == "王芳"
    assert sheet.freeze_panes == "A3"


def test_the_lists_filter_by_category(trainer_client, org, make_cadre, online):
    make_cadre(org.township_a, name="科员", category="township_down")
    make_cadre(org.township_a, name="县领导", category="county_up")
    response = trainer_client.get(URL, {"requirement": online.pk, "category": "county_up"})
    assert [c.name for c in response.context["short"]] == ["县领导"]
    assert [(r["cadres"], r["short"]) for r in response.context["table"]] == [(1, 1)]
    every = trainer_client.get(URL, {"requirement": online.pk})
    assert sorted(c.name for c in every.context["short"]) == ["县领导", "科员"]


def test_an_unknown_category_is_a_404(trainer_client, online):
    assert trainer_client.get(URL, {"category": "nobody"}).status_code == 404


def test_approved_training_counts_toward_a_training_requirement(
    trainer_client, org, make_cadre, make_trainer, make_claim
):
    training = Requirement.objects.get(kind="training", category="township_down")
    cadre = make_cadre(org.township_a, name="培训过", category="township_down")
    claim = make_claim(cadre, hours="30")
    pending = trainer_client.get(URL, {"requirement": training.pk})
    assert [c.missing for c in pending.context["short"]] == [Decimal("90")]
    services.claim_decide(claim=claim, by=make_trainer(org.county), approve=True)
    approved = trainer_client.get(URL, {"requirement": training.pk})
    assert [c.missing for c in approved.context["short"]] == [Decimal("60")]


def _short_export(trainer_client, online, fmt):
    response = trainer_client.get(
        URL, {"requirement": online.pk, "format": fmt}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]


def test_study_hours_export_as_people_write_them(
    trainer_client, org, make_cadre, make_unit, online
):
    """Issue #31: the CSV said 50.0 beside 12.5 and 37.5; Excel gets numbers."""
    _earn(make_cadre(org.township_a, name="王芳"), make_unit, "12.5")
    header, row = _short_export(trainer_client, online, "csv")
    assert row[header.index("已获学时") :] == ["12.5", "50", "37.5"]
    header, row = _short_export(trainer_client, online, "xlsx")
    assert row[header.index("已获学时") :] == [12.5, 50, 37.5]


# --- issue #31, item 6: the page opens on a requirement people here owe ---------------


def test_the_page_opens_on_the_requirement_most_cadres_here_owe(trainer_client, org, make_cadre):
    make_cadre(org.township_a, name="科员甲", category="township_down")
    make_cadre(org.township_a, name="科员乙", category="township_down")
    make_cadre(org.township_b, name="其他")
    response = trainer_client.get(URL)
    # The every-cadre requirement reaches all three; the county-level one nobody here.
    assert response.context["requirement"] == Requirement.objects.get(category="all")
    assert sorted(c.name for c in response.context["short"]) == ["其他", "科员乙", "科员甲"]


def test_without_an_every_cadre_requirement_the_page_opens_on_the_widest_one(
    trainer_client, org, make_cadre
):
    Requirement.objects.filter(category="all").delete()
    make_cadre(org.township_a, category="township_down")
    make_cadre(org.township_b, category="township_down")
    make_cadre(org.township_b, category="county_up")
    response = trainer_client.get(URL)
    assert response.context["requirement"] == Requirement.objects.get(category="township_down")


def test_when_nobody_owes_the_requirement_the_page_says_so_once_and_offers_the_others(
    trainer_client, org, make_cadre
):
    make_cadre(org.township_a, category="township_down")
    county_up = Requirement.objects.get(category="county_up")
    response = trainer_client.get(URL, {"requirement": county_up.pk}, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert page.count("No cadre here owes this requirement.") == 1
    assert "Nobody here is short of this requirement." not in page
    assert "Cadres still short" not in page  # no second, empty list under it
    for other in Requirement.objects.exclude(pk=county_up.pk):
        assert f'href="?requirement={other.pk}&amp;' in page, other.name
    assert response.context["others"] == [
        (r, 1) for r in Requirement.objects.exclude(pk=county_up.pk).order_by("order", "pk")
    ]


def test_the_offer_of_the_others_reads_in_chinese(trainer_client, org, make_cadre):
    from tests.portal.test_chinese_pages import english_words

    make_cadre(org.township_a, category="township_down")
    county_up = Requirement.objects.get(category="county_up")
    response = trainer_client.get(
        URL, {"requirement": county_up.pk}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    page = response.content.decode()
    assert page.count("这里没有适用该要求的干部。") == 1
    assert "这里的干部适用的学时要求：" in page and "1 名干部" in page
    assert english_words(page) == []
