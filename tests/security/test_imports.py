"""Importing cadres and org units from CSV and .xlsx: checked whole, written whole or
not at all, errors by row and column, limits, safe workbook reading, idempotent."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from org import imports
from org.models import Cadre, OrgUnit
from tests.servers import at_once

pytestmark = pytest.mark.django_db
User = get_user_model()
CADRE_HEADER = ["username", "name", "org_code", "position", "active"]


def csv_file(rows, name="cadres.csv", encoding="utf-8-sig"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), "text/csv")


def xlsx_file(rows, name="cadres.xlsx"):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


@pytest.fixture(autouse=True)
def english():
    """The service's messages in English (the site's default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def trainer(org, make_trainer):
    return make_trainer(org.county, username="trainer")


def run(upload, user, kind=imports.CADRES, scoped=True):
    return imports.run(upload, kind, user, user if scoped else None)


def errors(result):
    return [(e.row, e.column) for e in result.errors]


GOOD = [
    CADRE_HEADER,
    ["li.na", "李娜", "P-C-K-A", "科员", "yes"],
    ["zhao.lei", "赵磊", "P-C-K-B", "", ""],
    ["sun.li", "孙丽", "P-C-K", "副局长", "no"],
]


def test_a_good_file_adds_every_cadre(org, trainer):
    result = run(csv_file(GOOD), trainer)
    assert result.ok, result.errors
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    li = Cadre.objects.select_related("user", "org_unit").get(user__username="li.na")
    assert (li.name, li.org_unit, li.position, li.active) == ("李娜", org.township_a, "科员", True)
    assert Cadre.objects.get(user__username="sun.li").active is False
    assert not li.user.has_usable_password()  # an editor gives them one
    assert li.user.groups.filter(name="cadre").exists()


def test_the_same_file_twice_creates_nothing_new(org, trainer):
    run(csv_file(GOOD), trainer)
    counts = (User.objects.count(), Cadre.objects.count())
    result = run(csv_file(GOOD), trainer)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert (User.objects.count(), Cadre.objects.count()) == counts


@pytest.mark.django_db(transaction=True)
def test_the_same_file_twice_at_once_creates_each_cadre_once(org, trainer):
    """Two trainers' tabs, or a double submit: the second import waits for the first and
    then finds every row already there, as when it comes after."""
    before = (User.objects.count(), Cadre.objects.count())
    results, failures = at_once([lambda: run(csv_file(GOOD), trainer)] * 2)
    assert failures == []
    assert [r.errors for r in results] == [[], []]
    assert sorted((r.created, r.unchanged) for r in results) == [(0, 3), (3, 0)]
    assert (User.objects.count(), Cadre.objects.count()) == (before[0] + 3, before[1] + 3)


def test_a_changed_row_updates_its_cadre(org, trainer):
    run(csv_file(GOOD), trainer)
    changed = [CADRE_HEADER, ["li.na", "李娜", "P-C-K-B", "股长", "yes"]]
    result = run(csv_file(changed), trainer)
    assert (result.created, result.updated) == (0, 1)
    li = Cadre.objects.get(user__username="li.na")
    assert (li.org_unit, li.position) == (org.township_b, "股长")


def test_changed_rows_are_written_each_with_its_own_values(org, trainer):
    """Rows that change alike share one UPDATE; each cadre still gets its own values."""
    header = [*CADRE_HEADER, "category"]
    first = [
        ["a.one", "甲", "P-C-K-A", "科员", "yes", "县处级"],
        ["b.two", "乙", "P-C-K-A", "科员", "yes", "县处级"],
        ["c.three", "丙", "P-C-K-A", "科员", "yes", "县处级"],
        ["d.four", "丁", "P-C-K-A", "科员", "yes", "县处级"],
    ]
    run(csv_file([header, *first]), trainer)
    second = [
        ["a.one", "甲", "P-C-K-B", "股长", "yes", "县处级"],  # moved, like b.two
        ["b.two", "乙", "P-C-K-B", "股长", "yes", "县处级"],
        ["c.three", "丙丙", "P-C-K-A", "科员", "no", ""],  # renamed, left; keeps its category
        ["d.four", "丁", "P-C-K-A", "科员", "yes", "县处级"],  # unchanged
    ]
    result = run(csv_file([header, *second]), trainer)
    assert (result.errors, result.updated, result.unchanged) == ([], 3, 1)
    got = {
        c.user.username: (c.name, c.org_unit.code, c.position, c.active, c.category)
        for c in Cadre.objects.select_related("user", "org_unit")
    }
    assert got == {
        "a.one": ("甲", "P-C-K-B", "股长", True, "county_up"),
        "b.two": ("乙", "P-C-K-B", "股长", True, "county_up"),
        "c.three": ("丙丙", "P-C-K-A", "科员", False, "county_up"),
        "d.four": ("丁", "P-C-K-A", "科员", True, "county_up"),
    }


def test_one_bad_row_means_nothing_is_written_and_each_problem_is_listed(org, trainer):
    rows = [
        *GOOD,
        ["bad name!", "", "NOPE", "", "maybe"],
        ["li.na", "李娜", "P-C-K-A", "", ""],
    ]
    before = (User.objects.count(), Cadre.objects.count(), LogEntry.objects.count())
    result = run(csv_file(rows), trainer)
    assert not result.ok
    assert errors(result) == [
        (5, "username"),
        (5, "name"),
        (5, "active"),
        (5, "org_code"),
        (6, "username"),  # repeats row 2
    ]
    assert (result.created, result.updated) == (0, 0)
    assert (User.objects.count(), Cadre.objects.count(), LogEntry.objects.count()) == before


def test_row_numbers_are_the_spreadsheets_even_after_blank_rows(org, trainer):
    rows = [
        CADRE_HEADER,
        ["li.na", "李娜", "P-C-K-A", "", ""],
        ["", "", "", "", ""],
        ["x", "", "NOPE"],
    ]
    result = run(csv_file(rows), trainer)
    assert errors(result) == [(4, "name"), (4, "org_code")]


def test_a_trainer_imports_only_into_their_own_tree(org, trainer, make_cadre):
    make_cadre(org.other_county, username="elsewhere")
    rows = [
        CADRE_HEADER,
        ["new.one", "新人", "P-C-O", "", ""],  # another county
        ["elsewhere", "别人", "P-C-K-A", "", ""],  # a cadre of another county
        ["trainer", "培训", "P-C-K-A", "", ""],  # not a cadre's account
    ]
    result = run(csv_file(rows), trainer)
    assert errors(result) == [(2, "org_code"), (3, "username"), (4, "username")]
    assert Cadre.objects.get(user__username="elsewhere").org_unit == org.other_county


def test_an_editor_imports_anywhere(org, editor_user):
    rows = [CADRE_HEADER, ["new.one", "新人", "P-C-O", "", ""]]
    assert run(csv_file(rows), editor_user, scoped=False).created == 1


def test_chinese_headers_and_a_gb18030_file(org, trainer):
    rows = [["用户名", "姓名", "组织代码", "职务"], ["wang.fang", "王芳", "P-C-K-A", "科员"]]
    result = run(csv_file(rows, encoding="gb18030"), trainer)
    assert result.created == 1
    assert Cadre.objects.get().name == "王芳"


def test_an_xlsx_file_with_numeric_codes(org, trainer):
    OrgUnit.objects.add_child(
        OrgUnit.objects.get(pk=org.township_a.pk),
        {"code": "140105001", "level": 4, "name": "坞城街道"},
    )
    org.township_a.refresh_from_db()
    result = run(xlsx_file([CADRE_HEADER[:3], ["li.na", "李娜", 140105001]]), trainer)
    assert result.ok, result.errors
    assert Cadre.objects.get().org_unit.code == "140105001"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("cadres.txt", b"username,name,org_code\n"), ".csv or .xlsx"),
        (SimpleUploadedFile("cadres.csv", b""), "empty"),
        (SimpleUploadedFile("cadres.xlsx", b"not a zip"), "not a valid .xlsx"),
        (SimpleUploadedFile("cadres.csv", b"\xff\xfe\x00a\x00b"), "text"),
    ],
    ids=["wrong-type", "empty", "not-xlsx", "binary"],
)
def test_files_that_are_not_tables_are_refused(trainer, upload, message):
    result = run(upload, trainer)
    assert errors(result) == [(0, "")]
    assert message in result.errors[0].message


@pytest.mark.parametrize("make", [csv_file, xlsx_file], ids=["csv", "xlsx"])
@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "has a header but no rows"), ("zh-hans", "只有表头，没有数据行")],
)
def test_a_header_without_rows_is_refused_and_writes_nothing(org, trainer, make, language, said):
    """Not "imported, 0 rows": a file holding the header alone is almost always the
    template sent back unfilled."""
    before = (User.objects.count(), Cadre.objects.count(), LogEntry.objects.count())
    with translation.override(language):
        result = run(make([CADRE_HEADER, ["", "", "", "", ""]]), trainer)
        assert not result.ok
        assert errors(result) == [(0, "")]
        assert said in result.problems()[0].message
    assert (User.objects.count(), Cadre.objects.count(), LogEntry.objects.count()) == before


def test_the_username_rule_is_said_the_same_way_everywhere(org, trainer):
    """The column guide, a row's error and the admin's help text name the characters the
    validators accept (Django's UnicodeUsernameValidator: letters, digits, @ . + - _)."""
    from django.contrib.auth.validators import UnicodeUsernameValidator

    from org.forms import AccountForm
    from org.imports.columns import MEANINGS

    for name in ["a@b", "a.b", "a+b", "a-b", "a_b", "李娜"]:
        UnicodeUsernameValidator()(name)  # accepted: so every wording must allow them
    rules = [("en", "letters, digits and @ . + - _"), ("zh-hans", "字母、数字和 @ . + - _")]
    for language, rule in rules:
        with translation.override(language):
            result = run(csv_file([CADRE_HEADER, ["a b", "李娜", "P-C-K-A", "", ""]]), trainer)
            said = [
                str(MEANINGS[imports.CADRES]["username"]),
                result.problems()[0].message,
                str(AccountForm().fields["username"].help_text),
            ]
            if language == "zh-hans":  # an existing account's page: Django's own words
                said.append(str(User._meta.get_field("username").help_text))
        assert all(rule in text.lower() for text in said), said


def test_unknown_and_missing_columns_are_named(trainer):
    result = run(csv_file([["usrename", "name"], ["a", "b"]]), trainer)
    assert errors(result) == [(1, "usrename"), (1, "username"), (1, "org_code")]


def test_row_and_size_limits(trainer, settings):
    settings.IMPORT_MAX_ROWS = 2
    assert "limit is 2" in run(csv_file(GOOD), trainer).errors[0].message
    settings.IMPORT_MAX_ROWS = 10_000
    settings.IMPORT_MAX_BYTES = 50
    assert "limit is 0 KB" in run(csv_file(GOOD), trainer).errors[0].message
    assert Cadre.objects.count() == 0


def test_a_zip_bomb_is_refused_before_it_is_unpacked(trainer):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))
    result = run(SimpleUploadedFile("bomb.xlsx", out.getvalue()), trainer)
    assert "unpacks to more" in result.errors[0].message


def test_an_xlsx_with_an_external_entity_is_refused(org, trainer):
    """XXE: defusedxml stops the entity; /etc/passwd never reaches the page."""
    good = xlsx_file([CADRE_HEADER[:3], ["li.na", "&e;", "P-C-K-A"]]).read()
    source, out = zipfile.ZipFile(io.BytesIO(good)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<t>&amp;e;</t>" in data
                doctype = b'<!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                data = doctype + data.replace(b"<t>&amp;e;</t>", b"<t>&e;</t>")
            target.writestr(item, data)
    assert imports.DEFUSEDXML
    result = run(SimpleUploadedFile("xxe.xlsx", out.getvalue()), trainer)
    assert not result.ok
    assert Cadre.objects.count() == 0
    assert "root:" not in str(result.errors)
    assert "not a valid .xlsx" in result.errors[0].message  # defusedxml refused the entity


# --- org units -----------------------------------------------------------------------

ORG_HEADER = ["code", "name", "name_en", "parent_code", "level"]


def test_org_units_with_parents_in_the_file_or_the_tree(org, trainer):
    rows = [
        ORG_HEADER,
        ["P-C-K-C-1", "丙村", "C village", "P-C-K-C", "4"],  # its parent comes later
        ["P-C-K-C", "丙镇", "C town", "P-C-K", "镇"],
    ]
    result = run(csv_file(rows, "orgs.csv"), trainer, kind=imports.ORG_UNITS)
    assert errors(result) == [(2, "level")]  # a township under a township
    rows[1][4] = "5"
    assert errors(run(csv_file(rows, "orgs.csv"), trainer, kind=imports.ORG_UNITS)) == [
        (2, "level")
    ]
    rows = [ORG_HEADER, ["P-C-K-C", "丙镇", "C town", "P-C-K", "4"]]
    result = run(csv_file(rows, "orgs.csv"), trainer, kind=imports.ORG_UNITS)
    assert result.created == 1
    town = OrgUnit.objects.get(code="P-C-K-C")
    assert OrgUnit.objects.get_parent(town) == org.county
    again = run(csv_file(rows, "orgs.csv"), trainer, kind=imports.ORG_UNITS)
    assert (again.created, again.unchanged) == (0, 1)
    assert LogEntry.objects.filter(action_flag=ADDITION, object_id=str(town.pk)).exists()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["NEW-ROOT", "新省", "", "", "1"], [(2, "parent_code")]),  # editors only
        (["P-C-O-X", "别村", "", "P-C-O", "4"], [(2, "parent_code")]),  # another county's
        (["P-C-O", "别县", "", "P-C", "3"], [(2, "parent_code")]),  # another county itself
        (["P-C-K-A", "甲镇", "", "P-C-K", "2"], [(2, "level")]),  # not below its parent
        (["P-C-K", "县", "", "P-C-K-A", "3"], [(2, "level"), (2, "parent_code")]),  # a move
    ],
    ids=["top-level", "outside-parent", "outside-code", "level", "move"],
)
def test_org_unit_rules_for_trainers(org, trainer, row, expected):
    result = run(csv_file([ORG_HEADER, row], "orgs.csv"), trainer, kind=imports.ORG_UNITS)
    assert errors(result) == expected
    assert OrgUnit.objects.count() == 6


def test_an_editor_adds_a_province(editor_user):
    rows = [ORG_HEADER, ["14", "山西省", "Shanxi", "", "1"], ["1401", "太原市", "", "14", "2"]]
    result = run(csv_file(rows, "orgs.csv"), editor_user, kind=imports.ORG_UNITS, scoped=False)
    assert result.created == 2
    assert OrgUnit.objects.get_parent(OrgUnit.objects.get(code="1401")).code == "14"


def children_codes(code):
    return list(
        OrgUnit.objects.get_children(OrgUnit.objects.get(code=code)).values_list("code", flat=True)
    )


def test_a_new_branch_is_written_in_a_few_queries_and_the_tree_stays_sound(
    editor_user, org, django_assert_max_num_queries
):
    """A new county with 600 townships: one insert for the townships, where one at a time
    an import of 10,000 under one county took 147.9 s on PostgreSQL."""
    towns = [[f"N-{i:03}", f"{i}镇", "", "N", "4"] for i in range(600)]
    rows = [ORG_HEADER, *reversed(towns), ["N", "新县", "New county", "P-C", "3"]]
    with django_assert_max_num_queries(40):
        result = run(csv_file(rows, "orgs.csv"), editor_user, kind=imports.ORG_UNITS, scoped=False)
    assert (result.errors, result.created) == ([], 601)
    assert children_codes("N") == [f"N-{i:03}" for i in range(600)]  # in code order
    assert children_codes("P-C") == ["N", "P-C-K", "P-C-O"]
    assert OrgUnit.objects.get(code="N").numchild == 600
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])
    assert LogEntry.objects.filter(action_flag=ADDITION).count() == 601


@pytest.mark.parametrize(
    "codes",
    [["P-C-K-D", "P-C-K-C"], ["P-C-K-Z", "P-C-K-0", "P-C-K-AA"]],
    ids=["after-the-present-children", "among-them"],
)
def test_new_children_of_a_unit_with_children_keep_the_code_order(editor_user, org, codes):
    rows = [ORG_HEADER, *([code, "新镇", "", "P-C-K", "4"] for code in codes)]
    result = run(csv_file(rows, "orgs.csv"), editor_user, kind=imports.ORG_UNITS, scoped=False)
    assert (result.errors, result.created) == ([], len(codes))
    assert children_codes("P-C-K") == sorted(["P-C-K-A", "P-C-K-B", *codes])
    assert OrgUnit.objects.get(code="P-C-K").numchild == 2 + len(codes)
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])


# --- the property: all rows or none ---------------------------------------------------

cell = st.text(alphabet="ab.1_李 !", max_size=6)
row = st.tuples(
    st.one_of(cell, st.sampled_from(["li", "wang", "zhao.lei"])),
    st.one_of(cell, st.just("张三")),
    st.sampled_from(["P-C-K-A", "P-C-K-B", "P-C-O", "NOPE", ""]),
    st.sampled_from(["", "yes", "no", "maybe"]),
)


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(row, min_size=1, max_size=8))
def test_either_every_row_lands_or_none_does(org, trainer, rows):
    from django.db import transaction

    with transaction.atomic():
        before = set(Cadre.objects.values_list("user__username", flat=True))
        table = [["username", "name", "org_code", "active"], *[list(r) for r in rows]]
        result = run(csv_file(table), trainer)
        after = set(Cadre.objects.values_list("user__username", flat=True))
        filled = [r for r in rows if any(c.strip() for c in r)]  # blank lines are skipped
        if result.ok:
            assert after - before == {r[0].strip() for r in filled} - before  # cells are trimmed
            assert result.created + result.updated + result.unchanged == len(filled)
        else:
            assert after == before
            assert all(2 <= e.row <= len(rows) + 1 for e in result.errors)
            assert {e.column for e in result.errors} <= {"username", "name", "org_code", "active"}
        transaction.set_rollback(True)


# --- pages ---------------------------------------------------------------------------


def test_the_trainer_page_imports_and_reports(org, trainer):
    client = Client()
    client.force_login(trainer)
    url = reverse("org:import_upload")
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "cadres", "file": csv_file(GOOD)})
    assert response.status_code == 200
    assert "3" in response.content.decode() and Cadre.objects.count() == 3


def test_the_trainer_page_lists_errors_by_row_and_column(org, trainer):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(trainer)
    bad = [CADRE_HEADER, ["li.na", "李娜", "NOPE", "", ""]]
    response = client.post(reverse("org:import_upload"), {"kind": "cadres", "file": csv_file(bad)})
    assert response.status_code == 422
    text = response.content.decode()
    assert "Nothing was imported" in text
    assert '<td data-label="Row">2</td><td data-label="Column">org_code</td>' in text


def test_the_admin_import_page(org, editor_user):
    client = Client()
    client.force_login(editor_user)
    url = reverse("admin:org_cadre_import")
    assert client.get(url).status_code == 200
    rows = [CADRE_HEADER, ["new.one", "新人", "P-C-O", "", ""]]
    assert client.post(url, {"file": csv_file(rows)}).status_code == 200
    assert Cadre.objects.get().org_unit == org.other_county
    changelist = client.get(reverse("admin:org_cadre_changelist")).content.decode()
    assert url in changelist


@pytest.mark.parametrize(
    ("language", "header", "name"),
    [
        ("en", "username,name,org_code,position,active,category,phone", "cadres-template-en.csv"),
        ("zh-hans", "用户名,姓名,单位编码,职务,在职,类别,手机", "cadres-template-zh.csv"),
    ],
)
def test_the_template_has_the_columns_in_the_readers_language_and_a_bom(
    trainer, language, header, name
):
    client = Client()
    client.force_login(trainer)
    response = client.get(
        reverse("org:import_template", args=["cadres"]), HTTP_ACCEPT_LANGUAGE=language
    )
    body = response.content.decode()
    assert body.startswith("\ufeff" + header + "\r\n")
    assert response["Content-Disposition"].endswith(f'{name}"')


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_template_imports_as_it_is_downloaded(org, trainer, language):
    """Whichever language's template is filled in, it imports (the example row's org
    unit swapped for one in the trainer's tree)."""
    client = Client()
    client.force_login(trainer)
    response = client.get(
        reverse("org:import_template", args=["cadres"]), HTTP_ACCEPT_LANGUAGE=language
    )
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    rows[1][2] = "P-C-K-A"
    result = run(csv_file(rows), trainer)
    assert result.ok, result.errors
    assert Cadre.objects.get().user.username == "wang.fang"


@pytest.mark.parametrize(
    "header",
    [
        ["账号", "干部姓名", "单位代码", "岗位"],
        ["登录名*", "姓名（必填）", "组织编码", "职位"],
        ["ＵＳＥＲＮＡＭＥ", " Name ", "Org Unit Code", "Job title"],
        ["User-Name", "full_name", "unit code", "position"],
    ],
)
def test_common_header_variants_are_recognised(org, trainer, header):
    rows = [header, ["wang.fang", "王芳", "P-C-K-A", "科员"]]
    result = run(csv_file(rows), trainer)
    assert result.ok, result.errors
    cadre = Cadre.objects.get()
    assert (cadre.name, cadre.position) == ("王芳", "科员")


def test_an_unknown_header_is_still_refused(org, trainer):
    rows = [["用户名", "姓名", "单位编码", "爱好"], ["wang.fang", "王芳", "P-C-K-A", "书法"]]
    result = run(csv_file(rows), trainer)
    assert [(e.row, e.column) for e in result.errors] == [(1, "爱好")]
    assert not Cadre.objects.exists()


def test_columns_the_portal_does_not_keep_are_skipped_unread(org, trainer):
    """A county's own roster often has 序号, 手机 and 身份证号: it imports as it is; the
    phone is kept (the trainer's list of whom to call), none of the others anywhere."""
    header = ["序号", "用户名", "姓名", "单位编码", "手机", "身份证号", "类别"]
    rows = [
        header,
        ["1", "wang.fang", "王芳", "P-C-K-A", "13912345678", "14010519900101001X", "乡科级"],
    ]
    result = run(csv_file(rows), trainer)
    assert result.ok, result.errors
    assert result.skipped == ["序号", "身份证号"]
    cadre = Cadre.objects.select_related("user").get()
    assert cadre.category == Cadre.Category.TOWNSHIP_AND_BELOW  # 类别 is read (issue #17)
    assert cadre.phone == "13912345678"
    stored = [getattr(cadre, f.attname) for f in Cadre._meta.concrete_fields]
    stored += [getattr(cadre.user, f.attname) for f in cadre.user._meta.concrete_fields]
    assert not any("1990" in str(v) for v in stored)
    entry = LogEntry.objects.filter(object_id=str(cadre.pk)).get()
    assert "13912345678" not in entry.change_message


def test_a_phone_is_checked_and_an_empty_cell_keeps_it(org, trainer):
    rows = [["用户名", "姓名", "单位编码", "手机"], ["wang.fang", "王芳", "P-C-K-A", "打电话"]]
    result = run(csv_file(rows), trainer)
    assert [(e.row, e.column) for e in result.errors] == [(2, "phone")]
    rows[1][3] = "0351-1234567"
    assert run(csv_file(rows), trainer).ok
    rows[1][3] = ""
    assert run(csv_file(rows), trainer).ok
    assert Cadre.objects.get().phone == "0351-1234567"


def test_the_import_page_says_which_columns_were_not_read(org, trainer, client):
    client.force_login(trainer)
    rows = [["用户名", "姓名", "单位编码", "身份证号"], ["wang.fang", "王芳", "P-C-K-A", "1"]]
    response = client.post(
        reverse("org:import_upload"),
        {"kind": "cadres", "file": csv_file(rows)},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "未读取（平台不保存这类信息）：身份证号。" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "<code>单位编码</code>"), ("en", "<code>org_code</code>")],
)
def test_the_import_page_lists_what_each_column_means(trainer, language, expected):
    client = Client()
    client.force_login(trainer)
    html = client.get(reverse("org:import_upload"), HTTP_ACCEPT_LANGUAGE=language).content
    html = html.decode()
    assert expected in html
    meaning = "干部所在单位的编码" if language == "zh-hans" else "The code of the org unit"
    assert meaning in html


def test_a_trainer_learns_nothing_about_accounts_outside_their_tree(
    org, trainer, make_cadre, make_user
):
    """Issue #13: a cadre of another county, an editor's account and a trainer's got
    three different errors, so a trainer could tell accounts apart by importing."""
    make_cadre(org.other_county, username="zhou.li")
    make_user("an-editor", role="editor", is_staff=True)
    rows = [
        CADRE_HEADER,
        ["zhou.li", "周立", "P-C-K-A", "", ""],
        ["an-editor", "编辑", "P-C-K-A", "", ""],
        ["trainer", "培训", "P-C-K-A", "", ""],
    ]
    result = run(csv_file(rows), trainer)
    messages = {e.message for e in result.errors}
    assert len(result.errors) == 3 and len(messages) == 1


@pytest.mark.parametrize("code", ["A\r\nB", 'A"B', "A;B", "代码"])
def test_an_org_code_that_could_break_a_download_is_refused(org, editor_user, code):
    rows = [ORG_HEADER, [code, "新镇", "", "P-C-K", "4"]]
    result = run(csv_file(rows), editor_user, kind=imports.ORG_UNITS, scoped=False)
    assert errors(result) == [(2, "code")]
    assert not OrgUnit.objects.filter(name="新镇").exists()


@pytest.mark.parametrize(
    ("username", "existing"),
    [
        ("Trainer", "trainer"),
        ("TRAINER", "trainer"),
        ("\u0441adre", None),
        ("ｃａｄｒｅ２", "cadre2"),
    ],
)
def test_look_alike_usernames_are_refused(org, editor_user, make_user, username, existing):
    """Issue #13: imports took usernames that pass for existing accounts: the same but
    for case or full-width letters, or a Latin name with a Cyrillic letter in it."""
    if existing:
        make_user(existing)
    rows = [CADRE_HEADER, [username, "仿冒", "P-C-K-A", "", ""]]
    result = run(csv_file(rows), editor_user, scoped=False)
    assert errors(result) == [(2, "username")]
    assert not Cadre.objects.filter(name="仿冒").exists()


def test_usernames_differing_only_in_case_within_a_file_repeat(org, trainer):
    rows = [
        CADRE_HEADER,
        ["li.na", "李娜", "P-C-K-A", "", ""],
        ["LI.NA", "李娜", "P-C-K-A", "", ""],
    ]
    assert errors(run(csv_file(rows), trainer)) == [(3, "username")]


@pytest.fixture
def accounts_client(make_user):
    client = Client()
    client.force_login(make_user("accounts", role="account_manager", is_staff=True))
    return client


def test_the_admin_refuses_a_look_alike_account(accounts_client, make_user):
    make_user("trainer-province")
    response = accounts_client.post(
        reverse("admin:auth_user_add"),
        {"username": "Trainer-Province", "usable_password": "false"},
    )
    assert response.status_code == 200
    assert "username" in response.context["adminform"].form.errors


def test_the_admin_refuses_a_mixed_script_account(accounts_client):
    response = accounts_client.post(
        reverse("admin:auth_user_add"), {"username": "\u0441adre", "usable_password": "false"}
    )
    assert response.status_code == 200
    assert "username" in response.context["adminform"].form.errors


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("县处级", "county_up"),
        ("县处级及以上领导干部", "county_up"),
        ("乡科级", "township_down"),
        ("其他", "other"),
        ("", "other"),
    ],
)
def test_the_category_column_is_read_in_chinese(org, trainer, text, category):
    rows = [["用户名", "姓名", "单位编码", "类别"], ["wang.fang", "王芳", "P-C-K-A", text]]
    assert run(csv_file(rows), trainer).ok
    assert Cadre.objects.get().category == category


def test_an_empty_category_keeps_the_one_a_cadre_has(org, trainer):
    header = ["用户名", "姓名", "单位编码", "类别"]
    run(csv_file([header, ["wang.fang", "王芳", "P-C-K-A", "县处级"]]), trainer)
    run(csv_file([header, ["wang.fang", "王芳", "P-C-K-A", ""]]), trainer)
    assert Cadre.objects.get().category == "county_up"


def test_an_unknown_category_is_refused_by_row(org, trainer):
    rows = [["用户名", "姓名", "单位编码", "类别"], ["wang.fang", "王芳", "P-C-K-A", "厅局级"]]
    result = run(csv_file(rows), trainer)
    assert [(e.row, e.column) for e in result.errors] == [(2, "category")]
    assert not Cadre.objects.exists()
