"""Issue #38: an import answers a code outside the trainer's tree exactly as it answers a
code that exists nowhere, in every column that names an org unit, so trying codes maps
nothing. Compared byte for byte (row numbers aside), in both languages, with the queries
counted: no extra query on one path only."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from org import imports
from org.models import Cadre, OrgUnit
from tests.security.test_imports import CADRE_HEADER, ORG_HEADER, csv_file

pytestmark = pytest.mark.django_db

MADE_UP = "NOWHERE-9"
# Codes that exist, none in the county trainer's tree: the province and the city above
# it, and the county beside it.
OUTSIDE = ["P", "P-C", "P-C-O"]

# column -> (import, a row naming the code under test in that column)
ROWS = {
    "parent_code": (imports.ORG_UNITS, ["NEW-X", "新村", "", "{code}", "4"]),
    "parent_code_of_a_move": (imports.ORG_UNITS, ["P-C-K-A", "甲镇", "", "{code}", "4"]),
    "code_under_a_parent_outside": (imports.ORG_UNITS, ["{code}", "新镇", "", "NOWHERE-8", "4"]),
    "code_with_another_problem": (imports.ORG_UNITS, ["{code}", "新镇", "", "P-C-K", "2"]),
    "org_code": (imports.CADRES, ["new.cadre", "新干部", "{code}", "", ""]),
}
HEADERS = {imports.ORG_UNITS: ORG_HEADER, imports.CADRES: CADRE_HEADER}


@pytest.fixture
def trainer(org, make_trainer):
    return make_trainer(org.county, username="trainer")


def _upload(kind, row, code):
    name = "orgs.csv" if kind == imports.ORG_UNITS else "cadres.csv"
    return csv_file([HEADERS[kind], [cell.format(code=code) for cell in row]], name)


def _answer(client, kind, row, code):
    """The import page's answer, without row numbers, and the queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("org:import_upload"), {"kind": kind, "file": _upload(kind, row, code)}
        )
    assert response.status_code == 422
    errors = response.content.decode().split('class="import-result', 1)[1]
    errors = errors.split("</table>", 1)[0]
    return re.sub(r"(<td[^>]*>)\d+</td>", r"\1{row}</td>", errors), len(queries)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("outside", OUTSIDE)
@pytest.mark.parametrize("column", list(ROWS))
def test_a_code_outside_the_tree_reads_as_a_code_that_exists_nowhere(
    org, trainer, column, outside, language
):
    kind, row = ROWS[column]
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(trainer)
    _answer(client, kind, row, MADE_UP)  # the first request fills per-process caches
    made_up, made_up_queries = _answer(client, kind, row, MADE_UP)
    real, real_queries = _answer(client, kind, row, outside)
    assert real == made_up
    assert "{row}</td>" in real
    assert real_queries == made_up_queries
    assert OrgUnit.objects.count() == 6 and not Cadre.objects.exists()


@pytest.mark.parametrize("column", ["parent_code", "org_code"])
def test_the_one_answer_says_the_code_is_not_among_the_trainers_units(org, trainer, column):
    kind, row = ROWS[column]
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(trainer)
    answer, _queries = _answer(client, kind, row, "P-C-O")
    assert "您管理的组织单位中没有此代码。" in answer


def test_a_taken_code_that_would_be_added_is_named_taken(org, trainer):
    """Codes are unique in the province, so a new unit cannot take one in use elsewhere:
    that row alone says so, as a taken username does; nothing is written."""
    rows = [ORG_HEADER, ["P-C-O", "新镇", "", "P-C-K", "4"]]
    result = imports.run(csv_file(rows, "orgs.csv"), imports.ORG_UNITS, trainer, trainer)
    assert [(e.row, e.column, str(e.message)) for e in result.errors] == [
        (2, "code", "此代码已被占用，请换一个。")
    ]
    assert OrgUnit.objects.get(code="P-C-O").depth == 3


def test_an_editor_still_moves_nothing_and_adds_under_any_parent(org, editor_user):
    rows = [ORG_HEADER, ["P-C-O-1", "别村", "", "P-C-O", "4"], ["X", "某", "", MADE_UP, "4"]]
    result = imports.run(csv_file(rows, "orgs.csv"), imports.ORG_UNITS, editor_user, None)
    assert [(e.row, e.column, str(e.message)) for e in result.errors] == [
        (3, "parent_code", "没有此代码的组织单位。")
    ]
