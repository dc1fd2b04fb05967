import csv
import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from expositions.models import StudyUnit, Theme
from org.models import Cadre
from portal import spreadsheets
from training import progress_store, services
from training.models import Assignment, Completion, Module, ModuleUnit, Progress
from training.progress import ModuleProgress
from training.templatetags.progress_tables import axis_ticks

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer(org, make_trainer):
    return make_trainer(org.county, username="county-trainer")


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def _due(days=7):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# --- modules -----------------------------------------------------------------------


def test_trainer_builds_a_module_in_order(trainer_client, trainer, make_unit):
    a, b, c = make_unit(title="A"), make_unit(title="B"), make_unit(title="C")
    response = trainer_client.post(
        reverse("training:module_create"),
        {
            "title": "新模块",
            "description": "",
            "study_hours": "2.5",
            "status": "active",
            "units": [b.pk, c.pk, a.pk],  # the chosen list's order
            "save": "1",
        },
    )
    assert response.status_code == 302
    module = Module.objects.get(title="新模块")
    assert module.created_by == trainer
    assert [mu.unit.title for mu in module.module_units.order_by("position")] == ["B", "C", "A"]


def test_trainer_reorders_a_module(trainer_client, trainer, make_module, make_unit):
    a, b = make_unit(title="A"), make_unit(title="B")
    module = make_module(units=[a, b], created_by=trainer)
    response = trainer_client.post(
        reverse("training:module_edit", args=[module.pk]),
        {
            "title": module.title,
            "study_hours": "1",
            "status": "active",
            "units": [b.pk, a.pk],
        },
    )
    assert response.status_code == 302
    assert [mu.unit.title for mu in module.module_units.order_by("position")] == ["B", "A"]


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ([], "Choose at least one study unit."),
        (["999999"], "These study units are not there: 999999."),
        (["x"], "These study units are not there: x."),
        (["²"], "These study units are not there: ²."),
        (["first", "first"], "A study unit is in the list twice."),
    ],
)
def test_module_form_rejects_bad_input(trainer_client, make_unit, units, message):
    unit = make_unit()
    ids = [str(unit.pk) if u == "first" else u for u in units]
    data = {"title": "坏模块", "study_hours": "1", "status": "active", "units": ids}
    response = trainer_client.post(
        reverse("training:module_create"), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Module.objects.filter(title="坏模块").exists()
    assert not ModuleUnit.objects.exists()


def test_a_module_of_more_than_a_hundred_units_is_refused(trainer_client, make_unit):
    units = [make_unit() for _ in range(101)]
    data = {"title": "太长", "study_hours": "1", "status": "draft", "units": [u.pk for u in units]}
    response = trainer_client.post(
        reverse("training:module_create"), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "at most 100 study units" in response.content.decode()
    assert not Module.objects.exists()


# The builder without JavaScript: each button comes back to the server, which applies
# it, keeps what was typed and saves nothing.


def _build(client, units, **extra):
    data = {
        "title": "正在编排",
        "description": "先选单元",
        "status": "draft",
        "units": [u.pk for u in units],
        **extra,
    }
    response = client.post(reverse("training:module_create"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert not Module.objects.exists()  # nothing saved while building
    return response


def _chosen_titles(response):
    return [u.title for u in response.context["builder"].chosen]


def test_the_builder_adds_a_unit_at_the_end_and_keeps_what_was_typed(trainer_client, make_unit):
    a, b = make_unit(title="A"), make_unit(title="B")
    make_unit(title="C")
    response = _build(trainer_client, [b], add=str(a.pk))
    assert _chosen_titles(response) == ["B", "A"]
    form = response.context["form"]
    assert (form["title"].value(), form["description"].value()) == ("正在编排", "先选单元")
    assert not form.errors  # no error shown while the module is being put together
    available = [u.title for u, _shown in response.context["builder"].available()]
    assert available == ["C"]


@pytest.mark.parametrize(
    ("action", "which", "expected"),
    [
        ("up", 1, ["B", "A", "C"]),
        ("up", 0, ["A", "B", "C"]),  # the first stays first
        ("down", 1, ["A", "C", "B"]),
        ("down", 2, ["A", "B", "C"]),  # the last stays last
        ("remove", 1, ["A", "C"]),
    ],
)
def test_the_builder_moves_and_removes_units(trainer_client, make_unit, action, which, expected):
    units = [make_unit(title=t) for t in "ABC"]
    response = _build(trainer_client, units, **{action: str(units[which].pk)})
    assert _chosen_titles(response) == expected


def test_the_builder_filters_the_units_to_add_by_theme_and_words(trainer_client, make_unit):
    other = Theme.objects.create(slug="other-theme", name_zh_hans="其他", name_en="Other", order=9)
    a = make_unit(title="低保审核")
    make_unit(title="养老服务")
    make_unit(title="低保资金", theme=other)
    response = _build(trainer_client, [], filter="1", theme=str(a.theme_id), q="低保")
    shown = [u.title for u, shown in response.context["builder"].available() if shown]
    assert shown == ["低保审核"]
    html = response.content.decode()
    assert 'data-title="养老服务"' in html and "hidden" in html  # drawn, hidden: script may show it


def test_saving_takes_the_order_of_the_chosen_list(trainer_client, make_unit):
    units = [make_unit(title=t) for t in "ABC"]
    response = _build(trainer_client, units, down=str(units[0].pk))
    order = [u.pk for u in response.context["builder"].chosen]
    trainer_client.post(
        reverse("training:module_create"),
        {"title": "排好了", "study_hours": "1", "status": "draft", "units": order, "save": "1"},
    )
    module = Module.objects.get(title="排好了")
    assert [mu.unit.title for mu in module.module_units.order_by("position")] == ["B", "A", "C"]


def test_the_builder_page_with_a_hundred_units_asks_a_constant_number_of_queries(
    trainer_client, make_unit, make_module, trainer, django_assert_max_num_queries
):
    units = [make_unit() for _ in range(100)]
    module = make_module(units=units[:60], created_by=trainer)
    url = reverse("training:module_edit", args=[module.pk])
    trainer_client.get(url)
    with django_assert_max_num_queries(12):
        response = trainer_client.get(url)
    assert len(response.context["builder"].chosen) == 60


def test_trainer_cannot_edit_another_trainers_module(trainer_client, make_module, make_user):
    module = make_module(created_by=make_user())
    assert trainer_client.get(reverse("training:module_edit", args=[module.pk])).status_code == 404


def test_draft_modules_of_others_are_hidden(trainer_client, make_module, make_user):
    module = make_module(created_by=make_user(), status=Module.Status.DRAFT)
    assert trainer_client.get(module.get_absolute_url()).status_code == 404


# --- assign ------------------------------------------------------------------------


def test_assign_shows_the_reach_before_confirming(trainer_client, org, make_module, make_cadre):
    module = make_module()
    for unit in (org.county, org.township_a, org.township_a):
        make_cadre(unit)
    url = reverse("training:module_assign", args=[module.pk])
    data = {"org_unit": org.county.pk, "due_on": _due()}
    response = trainer_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["reach"] == 3
    assert "3 cadres" in response.content.decode()
    assert not Assignment.objects.exists()
    response = trainer_client.post(url, {**data, "confirm": "yes"})
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert (assignment.org_unit, assignment.module) == (org.county, module)
    assert response["Location"] == assignment.get_absolute_url()


def test_assign_twice_leaves_one(trainer_client, org, make_module):
    module = make_module()
    url = reverse("training:module_assign", args=[module.pk])
    data = {"org_unit": org.township_a.pk, "due_on": _due(), "confirm": "yes"}
    trainer_client.post(url, data)
    response = trainer_client.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert Assignment.objects.count() == 1
    assert "already assigned" in response.content.decode()


def test_assign_to_a_cadre_by_username(trainer_client, org, make_module, make_cadre):
    cadre = make_cadre(org.township_b, username="wang")
    module = make_module()
    trainer_client.post(
        reverse("training:module_assign", args=[module.pk]),
        {"cadre": "wang", "due_on": _due(), "confirm": "yes"},
    )
    assert Assignment.objects.get().cadre == cadre


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"org_unit": "other_county", "due_on": 3}, "Select a valid choice"),
        ({"org_unit": "county", "due_on": -1}, "The due date must be today or later."),
        ({"org_unit": "county", "due_on": "not-a-date"}, "Enter a valid date."),
        ({"cadre": "outsider", "due_on": 3}, "No active cadre with that name or username"),
        ({"due_on": 3}, "Choose either an org unit or one cadre."),
        (
            {"org_unit": "county", "cadre": "insider", "due_on": 3},
            "Choose either an org unit or one cadre.",
        ),
    ],
)
def test_assign_rejects_bad_input(trainer_client, org, make_module, make_cadre, data, message):
    make_cadre(org.other_county, username="outsider")
    make_cadre(org.township_a, username="insider")
    module = make_module()
    post = {"confirm": "yes"}
    if "org_unit" in data:
        post["org_unit"] = getattr(org, data["org_unit"]).pk
    if "cadre" in data:
        post["cadre"] = data["cadre"]
    due = data["due_on"]
    post["due_on"] = _due(due) if isinstance(due, int) else due
    response = trainer_client.post(
        reverse("training:module_assign", args=[module.pk]), post, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Assignment.objects.exists()


# --- progress ------------------------------------------------------------------------


@pytest.fixture
def course(org, make_cadre, make_module, make_unit, assign):
    """A module of 4 units assigned to the city; cadres at several levels."""
    units = [make_unit() for _ in range(4)]
    module = make_module(units=units, title="进度模块")
    assign(module, org.city, days=-1)
    people = {
        "done": make_cadre(org.township_a, name="全部完成"),
        "half": make_cadre(org.township_a, name="完成一半"),
        "none": make_cadre(org.township_b, name="尚未开始"),
        "county": make_cadre(org.county, name="县里干部"),
        "outside": make_cadre(org.other_county, name="别县干部"),
    }
    for unit in units:
        services.completion_record(cadre=people["done"], unit=unit)
    for unit in units[:2]:
        services.completion_record(cadre=people["half"], unit=unit)
    return module, people


def test_the_progress_page_asks_a_constant_number_of_queries(
    trainer_client, org, course, make_cadre, django_assert_max_num_queries
):
    """However many cadres and org units a node holds: the roll-up, the cadre list, the
    chart and the org-unit choices are a query each."""
    module, people = course
    url = reverse("training:module_progress", args=[module.pk])
    trainer_client.get(url)
    with django_assert_max_num_queries(13) as few:
        trainer_client.get(url)
    for i in range(30):
        cadre = make_cadre(org.township_b, name=f"新干部{i}")
        services.completion_record(cadre=cadre, unit=module.module_units.first().unit)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = trainer_client.get(url)
    assert response.context["totals"]["cadre_count"] == 34
    assert response.context["totals"]["in_progress"] == 31


def test_progress_rolls_up_by_child_org_unit(trainer_client, org, course):
    module, _ = course
    response = trainer_client.get(reverse("training:module_progress", args=[module.pk]))
    assert response.context["node"] == org.county
    rows = {r["org_unit"].code: r for r in response.context["rows"]}
    assert set(rows) == {"P-C-K", "P-C-K-A", "P-C-K-B"}
    assert rows["P-C-K"]["is_self"]
    assert (
        rows["P-C-K-A"]["cadre_count"],
        rows["P-C-K-A"]["completed"],
        rows["P-C-K-A"]["in_progress"],
        rows["P-C-K-A"]["overdue_count"],
        rows["P-C-K-A"]["percent"],
    ) == (2, 1, 1, 1, 50)
    assert response.context["totals"]["cadre_count"] == 4
    names = [c.name for c in response.context["cadres"]]
    assert "别县干部" not in names
    assert names[-1] == "全部完成"  # overdue first, the finished last


def test_progress_drills_down_to_a_township(trainer_client, org, course):
    module, _ = course
    response = trainer_client.get(
        reverse("training:module_progress", args=[module.pk]), {"org": org.township_a.pk}
    )
    assert [c.name for c in response.context["cadres"]] == ["完成一半", "全部完成"]
    assert [b.code for b in response.context["page"].breadcrumbs] == ["P-C-K", "P-C-K-A"]


@pytest.mark.parametrize(
    ("status", "names"),
    [
        ("complete", ["全部完成"]),
        ("in_progress", ["完成一半"]),
        ("not_started", ["县里干部", "尚未开始"]),
        ("overdue", ["完成一半", "县里干部", "尚未开始"]),
        ("", ["全部完成", "完成一半", "县里干部", "尚未开始"]),
    ],
)
def test_progress_filters_by_status(trainer_client, course, status, names):
    module, _ = course
    response = trainer_client.get(
        reverse("training:module_progress", args=[module.pk]), {"status": status}
    )
    assert sorted(c.name for c in response.context["cadres"]) == sorted(names)
    # The list's count is taken from the roll-up's totals: it must be the list's own.
    assert response.context["cadres"].paginator.count == len(names)


def test_progress_searches_by_name(trainer_client, course):
    module, _ = course
    response = trainer_client.get(
        reverse("training:module_progress", args=[module.pk]), {"q": "一半"}
    )
    assert [c.name for c in response.context["cadres"]] == ["完成一半"]


def test_progress_outside_scope_is_404(trainer_client, org, course):
    module, _ = course
    url = reverse("training:module_progress", args=[module.pk])
    assert trainer_client.get(url, {"org": org.other_county.pk}).status_code == 404
    assert trainer_client.get(url, {"org": org.city.pk}).status_code == 404
    assert trainer_client.get(url, {"org": "abc"}).status_code == 404


def test_progress_paginates(trainer_client, org, make_module, make_cadre, assign):
    module = make_module()
    assign(module, org.township_a)
    for i in range(55):
        make_cadre(org.township_a, name=f"干部{i:02d}")
    url = reverse("training:module_progress", args=[module.pk])
    assert len(trainer_client.get(url).context["cadres"].object_list) == 50
    assert len(trainer_client.get(url, {"page": 2}).context["cadres"].object_list) == 5


def test_assignment_progress(trainer_client, org, make_module, make_cadre, trainer):
    module = make_module()
    make_cadre(org.township_a, name="甲")
    make_cadre(org.township_b, name="乙")
    assignment, _ = services.assignment_create(
        module=module, org_unit=org.township_a, due_on=timezone.localdate(), by=trainer
    )
    response = trainer_client.get(assignment.get_absolute_url())
    assert response.context["node"] == org.township_a
    assert [c.name for c in response.context["cadres"]] == ["甲"]


def test_cadre_record_unit_by_unit(trainer_client, course):
    module, people = course
    response = trainer_client.get(
        reverse("training:cadre_record", args=[people["half"].pk]), {"module": module.pk}
    )
    assert response.status_code == 200
    done = [bool(r["completed_at"]) for r in response.context["rows"]]
    assert done == [True, True, False, False]


def test_cadre_record_outside_scope_is_404(trainer_client, course):
    _, people = course
    assert (
        trainer_client.get(
            reverse("training:cadre_record", args=[people["outside"].pk])
        ).status_code
        == 404
    )


def _progress_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_progress_query_count_is_constant(
    trainer_client, org, make_module, make_cadre, make_unit, assign
):
    units = [make_unit() for _ in range(5)]
    module = make_module(units=units)
    assign(module, org.county)
    for _ in range(10):
        make_cadre(org.township_a)
    url = reverse("training:module_progress", args=[module.pk])
    trainer_client.get(url)
    few = _progress_queries(trainer_client, url)
    for i in range(190):
        cadre = make_cadre(org.township_b if i % 2 else org.township_a)
        services.completion_record(cadre=cadre, unit=units[i % 5])
    for _ in range(19):
        assign(make_module(units=units), org.township_a)
    assert _progress_queries(trainer_client, url) == few <= 17


# --- exports -------------------------------------------------------------------------


def _csv(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def _sheet(response):
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def _export(client, module, fmt, language="zh-hans", **params):
    return client.get(
        reverse("training:module_progress_export", args=[module.pk, fmt]),
        params,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _clock(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_the_excel_export_opens_with_a_title_row_naming_module_scope_and_time(
    trainer_client, course, monkeypatch
):
    module, _ = course
    _clock(monkeypatch, datetime(2026, 12, 1, 17, 30, tzinfo=UTC))  # 01:30 on 12-02 in Beijing
    sheet = _sheet(_export(trainer_client, module, "xlsx"))
    assert sheet["A1"].value == "进度模块 — 干部 · 县 · 导出于 2026-12-02 01:30（北京时间）"
    assert sheet["A1"].font.bold
    assert sheet["A2"].value == "姓名"
    assert sheet["A2"].font.bold


def test_the_excel_header_is_frozen_and_filters_every_column(trainer_client, course):
    module, _ = course
    sheet = _sheet(_export(trainer_client, module, "xlsx"))
    columns = sheet.max_column
    assert sheet.freeze_panes == "A3"  # the title and the header stay in view
    assert sheet.auto_filter.ref == f"A2:{openpyxl.utils.get_column_letter(columns)}6"


def test_excel_columns_are_wide_enough_for_their_chinese_text(trainer_client, course):
    module, _ = course
    sheet = _sheet(_export(trainer_client, module, "xlsx"))
    widths = {
        sheet.cell(row=2, column=c).value: sheet.column_dimensions[
            openpyxl.utils.get_column_letter(c)
        ].width
        for c in range(1, sheet.max_column + 1)
    }
    # 全部完成: four characters of two widths each, and a margin.
    assert widths["姓名"] >= 10
    # The username (ASCII) is sized by its own length, not a fixed width.
    assert widths["用户名"] >= len(course[1]["done"].user.username)
    assert all(w <= 52 for w in widths.values())


def test_completion_rates_are_numbers_formatted_as_percentages(trainer_client, course):
    module, _ = course
    sheet = _sheet(_export(trainer_client, module, "xlsx", table="orgs"))
    header = [c.value for c in sheet[2]]
    column = header.index("完成率") + 1
    rates = {
        sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=column)
        for r in range(3, sheet.max_row + 1)
    }
    # Township A: one of two cadres finished; all four in the county, one finished.
    assert rates["甲镇"].value == 0.5
    assert rates["甲镇"].number_format == "0.0%"
    assert rates["合计"].value == 0.25
    rows = _csv(_export(trainer_client, module, "csv", table="orgs"))
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["甲镇"][rows[0].index("完成率")] == "50.0%"


def test_each_cadre_s_share_done_is_a_number(trainer_client, course):
    module, _ = course
    sheet = _sheet(_export(trainer_client, module, "xlsx"))
    header = [c.value for c in sheet[2]]
    column = header.index("完成率") + 1
    shares = {
        sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=column).value
        for r in range(3, sheet.max_row + 1)
    }
    assert shares == {"全部完成": 1.0, "完成一半": 0.5, "尚未开始": 0.0, "县里干部": 0.0}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exported_times_are_beijing_time_and_the_header_says_so(trainer_client, course, fmt):
    module, people = course
    Completion.objects.filter(cadre=people["half"]).update(
        completed_at=datetime(2026, 11, 30, 16, 5, tzinfo=UTC)  # 00:05 on 12-01 in Beijing
    )
    response = _export(trainer_client, module, fmt, table="completions")
    if fmt == "csv":
        rows = _csv(response)
        expected = "2026-12-01 00:05"
    else:
        rows = [[c.value for c in row] for row in _sheet(response).iter_rows(min_row=2)]
        expected = datetime(2026, 12, 1, 0, 5)
    assert rows[0][-1] == "完成时间（北京时间）"
    assert {r[-1] for r in rows[1:] if r[0] == "完成一半"} == {expected}
    english = _export(trainer_client, module, "csv", language="en", table="completions")
    assert _csv(english)[0][-1] == "Completed at (Beijing time)"


def _completed_at(cadre, moment):
    """Move a cadre's completions to ``moment``, with the stored last completion."""
    Completion.objects.filter(cadre=cadre).update(completed_at=moment)
    Progress.objects.filter(cadre=cadre).update(last_completed_at=moment)


def _rows(response, fmt):
    if fmt == "csv":
        return _csv(response)
    return [[c.value for c in row] for row in _sheet(response).iter_rows(min_row=2)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_cadre_table_s_last_completion_is_beijing_time_as_in_the_completions_table(
    trainer_client, course, fmt
):
    """Issue #31: the cadre table wrote the stored UTC time (10:08 where the completions
    table said 18:08)."""
    module, people = course
    _completed_at(people["half"], datetime(2026, 12, 1, 10, 8, tzinfo=UTC))  # 18:08 Beijing
    cadres = _rows(_export(trainer_client, module, fmt), fmt)
    completions = _rows(_export(trainer_client, module, fmt, table="completions"), fmt)
    assert cadres[0][-1] == "最近完成（北京时间）"
    last = {r[-1] for r in cadres[1:] if r[0] == "完成一半"}
    done = {r[-1] for r in completions[1:] if r[0] == "完成一半"}
    expected = "2026-12-01 18:08" if fmt == "csv" else datetime(2026, 12, 1, 18, 8)
    assert last == done == {expected}


def test_excel_dates_and_times_are_dates_not_text(trainer_client, course):
    module, people = course
    _completed_at(people["half"], datetime(2026, 12, 1, 10, 8, tzinfo=UTC))
    sheet = _sheet(_export(trainer_client, module, "xlsx"))
    header = [c.value for c in sheet[2]]
    row = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == "完成一半")
    due = row[header.index("截止日期")]
    last = row[header.index("最近完成（北京时间）")]
    assert due.is_date and due.number_format == "yyyy-mm-dd"
    assert due.value.date() == module.assignments.get().due_on
    assert last.is_date and last.number_format == "yyyy-mm-dd hh:mm"
    assert last.value == datetime(2026, 12, 1, 18, 8)


def test_the_file_name_says_what_the_file_holds(trainer_client, course, monkeypatch):
    module, _ = course
    _clock(monkeypatch, datetime(2026, 11, 30, 16, 30, tzinfo=UTC))  # 12-01 in Beijing
    response = _export(trainer_client, module, "xlsx")
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote("进度模块-县-2026-12-01.xlsx")
    )
    orgs = _export(trainer_client, module, "csv", table="orgs")
    assert quote("进度模块-县-按单位-2026-12-01.csv") in orgs["Content-Disposition"]
    english = _export(trainer_client, module, "csv", language="en")
    assert (
        'filename="' in english["Content-Disposition"]
        or "filename*=" in english["Content-Disposition"]
    )


def test_a_file_name_never_carries_a_path_or_a_character_a_file_system_refuses():
    name = spreadsheets.file_name('../a/b\\c:"d"<e>|f?*', "乡\x00镇", "2026-12-01", extension="csv")
    assert name == "_a_b_c_d_e_f_-乡_镇-2026-12-01.csv"
    assert spreadsheets.file_name("...", extension="xlsx") == "export.xlsx"
    assert len(spreadsheets.file_name("长" * 300, extension="xlsx")) == 125


def test_csv_export_of_cadres(trainer_client, course):
    module, _ = course
    response = trainer_client.get(
        reverse("training:module_progress_export", args=[module.pk, "csv"]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:2] == ["Name", "Username"]
    names = {r[0] for r in rows[1:]}
    assert names == {"全部完成", "完成一半", "尚未开始", "县里干部"}


def test_the_chinese_export_labels_the_position_column_and_gives_one_status(trainer_client, course):
    module, _ = course
    rows = _csv(
        trainer_client.get(
            reverse("training:module_progress_export", args=[module.pk, "csv"]),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    )
    header = rows[0]
    assert header[3] == "职务"
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    # The assignment was due yesterday: overdue has its own column, the status is one word.
    assert (by_name["完成一半"]["状态"], by_name["完成一半"]["已逾期"]) == ("学习中", "是")
    assert (by_name["全部完成"]["状态"], by_name["全部完成"]["已逾期"]) == ("已完成", "否")


def test_csv_export_of_the_rollup(trainer_client, course):
    module, _ = course
    rows = _csv(
        trainer_client.get(
            reverse("training:module_progress_export", args=[module.pk, "csv"]),
            {"table": "orgs"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    )
    assert rows[-1][0] == "Total"
    assert rows[-1][2] == "4"


def test_xlsx_export(trainer_client, course):
    module, _ = course
    response = trainer_client.get(
        reverse("training:module_progress_export", args=[module.pk, "xlsx"]),
        {"status": "complete"},
    )
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = _sheet(response)
    values = list(sheet.values)
    assert [r[0] for r in values[2:]] == ["全部完成"]  # below the title row and the header


@pytest.mark.parametrize(
    "payload", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tcmd", "\rcmd"]
)
def test_exports_neutralise_formulas(trainer_client, org, make_module, make_cadre, assign, payload):
    module = make_module()
    assign(module, org.township_a)
    make_cadre(org.township_a, name=payload)
    url = reverse("training:module_progress_export", args=[module.pk, "csv"])
    rows = _csv(trainer_client.get(url))
    assert rows[1][0] == "'" + payload
    response = trainer_client.get(
        reverse("training:module_progress_export", args=[module.pk, "xlsx"])
    )
    cell = _sheet(response).cell(row=3, column=1)
    assert cell.value.startswith("'")  # (a CR is stored as _x000D_ in the file)
    assert cell.data_type == "s"


def test_the_completions_export_has_one_row_per_completion_in_scope(trainer_client, org, course):
    module, people = course
    services.completion_record(cadre=people["outside"], unit=module.units.first())
    url = reverse("training:module_progress_export", args=[module.pk, "csv"])
    rows = _csv(trainer_client.get(url, {"table": "completions"}))
    assert rows[0][:2] == ["Name", "Username"] or rows[0][:2] == ["姓名", "用户名"]
    assert sorted(r[0] for r in rows[1:]) == sorted(["完成一半"] * 2 + ["全部完成"] * 4)
    half = trainer_client.get(url, {"table": "completions", "status": "in_progress"})
    assert {r[0] for r in _csv(half)[1:]} == {"完成一半"}


def test_the_completions_export_quotes_and_neutralises_every_cell(
    trainer_client, org, make_cadre, make_module, make_unit, assign
):
    """The same on both databases (PostgreSQL builds the lines in SQL)."""
    unit = make_unit(title='Unit, "quoted"\nand two lines')
    module = make_module(units=[unit])
    assign(module, org.county)
    cadre = make_cadre(org.township_a, name='=HYPERLINK("http://x")')
    hostile_org = org.township_a
    hostile_org.name = "@SUM(A1)"
    hostile_org.save()
    completion, _ = services.completion_record(cadre=cadre, unit=unit)
    url = reverse("training:module_progress_export", args=[module.pk, "csv"])
    response = trainer_client.get(url, {"table": "completions"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    local = timezone.localtime(completion.completed_at).strftime("%Y-%m-%d %H:%M")
    assert rows[1] == [
        '\'=HYPERLINK("http://x")',
        cadre.user.username,
        "'@SUM(A1)",
        'Unit, "quoted"\nand two lines',
        local,
    ]


def test_export_holds_no_row_from_outside_the_tree(trainer_client, org, course):
    module, _ = course
    url = reverse("training:module_progress_export", args=[module.pk, "csv"])
    names = {r[0] for r in _csv(trainer_client.get(url))[1:]}
    assert "别县干部" not in names
    assert trainer_client.get(url, {"org": org.other_county.pk}).status_code == 404


def test_progress_org_filter_offers_the_scope_only(trainer_client, org, course):
    module, _ = course
    response = trainer_client.get(reverse("training:module_progress", args=[module.pk]))
    codes = [o.code for o in response.context["page"].org_choices]
    assert codes == ["P-C-K", "P-C-K-A", "P-C-K-B"]
    assert f'<option value="{org.county.pk}" selected>' in response.content.decode()


def test_progress_org_filter_offers_the_way_up_and_one_step_down(trainer_client, org, course):
    module, _ = course
    url = reverse("training:module_progress", args=[module.pk])
    response = trainer_client.get(url, {"org": org.township_a.pk})
    codes = [o.code for o in response.context["page"].org_choices]
    assert codes == ["P-C-K", "P-C-K-A"]  # the county above; a township has no children


def test_module_list_query_count_is_constant(trainer_client, trainer, make_module, make_unit):
    units = [make_unit() for _ in range(3)]
    make_module(units=units, created_by=trainer)
    make_module(units=units)
    url = reverse("training:module_list")
    trainer_client.get(url)
    few = _progress_queries(trainer_client, url)
    for _ in range(18):
        make_module(units=units)
    response = trainer_client.get(url)
    assert len(response.context["modules"]) == 20
    assert _progress_queries(trainer_client, url) == few <= 8


def test_cadre_record_query_count_is_constant(
    trainer_client, org, make_cadre, make_module, make_unit, assign
):
    cadre = make_cadre(org.township_a)
    units = [make_unit() for _ in range(3)]
    assign(make_module(units=units), cadre)
    url = reverse("training:cadre_record", args=[cadre.pk])
    trainer_client.get(url)
    few = _progress_queries(trainer_client, url)
    more = [make_unit() for _ in range(30)]
    for i in range(19):
        assign(make_module(units=more[i : i + 10]), org.county)
    # 13: my_modules is four plain queries (it was one with nine subqueries, 10 ms at
    # province scale; see bench/RESULTS.md).
    assert _progress_queries(trainer_client, url) == few <= 13


def test_progress_charts(trainer_client, org, course):
    module, people = course
    from training.models import Completion

    week_ago = timezone.now() - timedelta(days=7)
    Completion.objects.filter(cadre=people["done"]).update(completed_at=week_ago)
    progress_store.rebuild()  # .update() writes around the signals that keep it current
    response = trainer_client.get(
        reverse("training:module_progress", args=[module.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    weeks = response.context["weeks"]
    assert len(weeks) == 12
    assert sum(n for _week, n in weeks) == 6  # 4 units by one cadre, 2 by another
    assert weeks[-1][1] == 2 and weeks[-2][1] == 4
    html = response.content.decode()
    assert 'role="img"' in html
    assert "Share of cadres who finished, by org unit" in html
    assert "<script" not in html.split("<body>", 1)[1]  # charts are drawn without script


def _chart_texts(html, css_class):
    return re.findall(rf'class="chart-axis {css_class}"[^>]*>([^<]*)<', html)


def test_the_weekly_chart_has_an_axis_of_round_counts_and_labelled_weeks(
    trainer_client, org, course
):
    module, people = course
    week_ago = timezone.now() - timedelta(days=7)
    Completion.objects.filter(cadre=people["done"]).update(completed_at=week_ago)
    progress_store.rebuild()
    response = trainer_client.get(reverse("training:module_progress", args=[module.pk]))
    html = response.content.decode()
    assert _chart_texts(html, "chart-tick") == ["0", "1", "2", "3", "4"]  # the peak week: 4
    weeks = [week for week, _n in response.context["weeks"]]
    # Every other Monday is written under its bar, ending with this week's.
    assert _chart_texts(html, "chart-week") == [w.strftime("%m-%d") for w in weeks[1::2]]
    assert f"{weeks[-2]:%Y-%m-%d} 当周：4" in html


@pytest.mark.parametrize(
    ("peak", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (17, [0, 5, 10, 15, 20]),
        (40, [0, 10, 20, 30, 40]),
        (130, [0, 50, 100, 150]),
        (2400, [0, 1000, 2000, 3000]),
    ],
)
def test_chart_axes_count_in_round_steps(peak, ticks):
    assert axis_ticks(peak) == ticks


def test_the_progress_page_says_each_cadre_has_one_status_and_overdue_is_apart(
    trainer_client, course
):
    module, _ = course
    response = trainer_client.get(
        reverse("training:module_progress", args=[module.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Each cadre is counted once: completed, in progress or not started." in (
        response.content.decode()
    )
    totals = response.context["totals"]
    parts = totals["completed"] + totals["in_progress"] + totals["not_started"]
    assert parts == totals["cadre_count"] == 4
    assert totals["overdue_count"] == 3  # all but 全部完成, due yesterday; also counted above


def moved(completions, moment):
    """``completions`` moved to ``moment`` around the services, then the stored totals
    recounted, as ``manage.py rebuild_progress`` does after such a write."""
    completions.update(completed_at=moment)
    progress_store.recompute()


def test_completions_made_before_the_assignment_count_and_the_page_says_so(trainer_client, course):
    module, people = course
    url = reverse("training:module_progress", args=[module.pk])
    response = trainer_client.get(url)
    assert response.context["studied_before"] is False
    assert 'id="done-before-note"' not in response.content.decode()
    assigned = module.assignments.get().created_at
    moved(Completion.objects.filter(cadre=people["half"]), assigned - timedelta(days=30))
    response = trainer_client.get(url)
    assert response.context["studied_before"] is True
    html = response.content.decode()
    assert 'id="done-before-note"' in html
    assert "其中有单元完成早于向干部布置本模块的时间" in html
    assert response.context["totals"]["in_progress"] == 1  # 完成一半: they still count


def test_undoing_the_only_completion_made_before_the_assignment_takes_the_note_away(
    trainer_client, course
):
    module, people = course
    url = reverse("training:module_progress", args=[module.pk])
    assigned = module.assignments.get().created_at
    early = Completion.objects.filter(cadre=people["half"]).order_by("pk").first()
    moved(Completion.objects.filter(pk=early.pk), assigned - timedelta(days=30))
    assert trainer_client.get(url).context["studied_before"] is True
    assert services.completion_undo(cadre=people["half"], unit=early.unit)
    assert trainer_client.get(url).context["studied_before"] is False


def test_a_hidden_unit_studied_before_the_assignment_is_not_said_to_count(trainer_client, course):
    """The stored first completion counts every unit of the module; while the one studied
    early is hidden from readers, the page does not count it, and says nothing of it."""
    module, people = course
    url = reverse("training:module_progress", args=[module.pk])
    assigned = module.assignments.get().created_at
    early = Completion.objects.filter(cadre=people["half"]).order_by("pk").first()
    moved(Completion.objects.filter(pk=early.pk), assigned - timedelta(days=30))
    published_at = early.unit.published_at
    StudyUnit.objects.filter(pk=early.unit_id).update(
        published_at=timezone.now() + timedelta(days=1)
    )
    assert trainer_client.get(url).context["studied_before"] is False
    StudyUnit.objects.filter(pk=early.unit_id).update(published_at=published_at)
    assert trainer_client.get(url).context["studied_before"] is True


def test_while_another_unit_is_hidden_a_unit_studied_before_the_assignment_counts(
    trainer_client, course
):
    module, people = course
    url = reverse("training:module_progress", args=[module.pk])
    assigned = module.assignments.get().created_at
    early, other = Completion.objects.filter(cadre=people["half"]).order_by("pk")
    moved(Completion.objects.filter(pk=early.pk), assigned - timedelta(days=30))
    StudyUnit.objects.filter(pk=other.unit_id).update(
        published_at=timezone.now() + timedelta(days=1)
    )
    assert trainer_client.get(url).context["studied_before"] is True
    moved(Completion.objects.filter(pk=early.pk), assigned + timedelta(minutes=1))
    assert trainer_client.get(url).context["studied_before"] is False


def test_a_cadre_reached_twice_is_measured_against_the_first_assignment(
    trainer_client, org, course, assign
):
    module, people = course
    first = module.assignments.get()
    second = assign(module, org.township_a)
    Assignment.objects.filter(pk=second.pk).update(created_at=first.created_at + timedelta(days=10))
    # After the first assignment, before the second.
    moved(Completion.objects.filter(cadre=people["half"]), first.created_at + timedelta(days=5))
    response = trainer_client.get(reverse("training:module_progress", args=[module.pk]))
    assert response.context["studied_before"] is False


def test_cadres_assigned_one_by_one_are_each_measured_against_their_own_assignment(
    org, make_cadre, make_module, make_unit, assign
):
    unit = make_unit()
    module = make_module(units=[unit], title="逐人布置")
    people = [make_cadre(org.township_a, name=f"干部{i}") for i in range(3)]
    start = timezone.now() - timedelta(days=40)
    for i, cadre in enumerate(people):
        made = assign(module, cadre)
        Assignment.objects.filter(pk=made.pk).update(created_at=start + timedelta(days=10 * i))
        services.completion_record(cadre=cadre, unit=unit)
        # Each studied 15 days after the first assignment: after their own for 干部0 and
        # 干部1, before their own (made on day 20) for 干部2.
        moved(Completion.objects.filter(cadre=cadre), start + timedelta(days=15))
    progress = ModuleProgress(module, list(module.assignments.all()))
    assert progress.studied_before_assignment(org.county) == (True, start)
    moved(Completion.objects.filter(cadre=people[2]), start + timedelta(days=25))
    progress = ModuleProgress(module, list(module.assignments.all()))
    assert progress.studied_before_assignment(org.county) == (False, start)


def test_only_assignments_meeting_the_node_s_subtree_decide_what_was_studied_before(
    org, make_cadre, make_module, make_unit, assign
):
    unit = make_unit()
    module = make_module(units=[unit], title="分镇布置")
    here, there = (
        make_cadre(org.township_a, name="甲镇干部"),
        make_cadre(org.township_b, name="乙镇干部"),
    )
    start = timezone.now() - timedelta(days=40)
    for cadre, days in ((here, 0), (there, 20)):
        made = assign(module, cadre.org_unit)
        Assignment.objects.filter(pk=made.pk).update(created_at=start + timedelta(days=days))
        services.completion_record(cadre=cadre, unit=unit)
    # Both studied on day 10: after township A's assignment, before township B's.
    moved(Completion.objects.all(), start + timedelta(days=10))
    progress = ModuleProgress(module, list(module.assignments.select_related("org_unit")))
    assert progress.studied_before_assignment(org.township_a) == (False, start)
    assert progress.studied_before_assignment(org.township_b) == (True, start)
    assert progress.studied_before_assignment(org.county) == (True, start)


def test_a_node_s_part_keeps_only_the_assignments_that_can_reach_it(
    org, make_cadre, make_module, make_unit, assign
):
    module = make_module(units=[make_unit()], title="部分")
    here, there, alone = (
        make_cadre(org.township_a, name="甲"),
        make_cadre(org.township_b, name="乙"),
        make_cadre(org.township_b, name="丙"),
    )
    made = [assign(module, org.county), assign(module, org.township_a), assign(module, alone)]
    made.append(assign(module, org.township_b))
    progress = ModuleProgress(module, list(module.assignments.select_related("org_unit")))
    part = progress.within(org.township_a)
    assert {a.pk for a in part.assignments} == {made[0].pk, made[1].pk, made[2].pk}
    assert progress.within(org.county).assignments == progress.assignments
    for node in (org.township_a, org.township_b):
        base = Cadre.objects.in_subtree(node)  # as the page reads them
        whole = progress.rollup(node, progress.cadres(base))
        assert progress.within(node).rollup(node, progress.within(node).cadres(base)) == whole
    assert {c.pk for c in part.cadres(Cadre.objects.in_subtree(org.township_a))} == {here.pk}
    assert there.pk in {c.pk for c in progress.within(org.township_b).cadres()}


def test_within_a_node_an_assignment_above_it_reaches_every_cadre_without_a_subquery(
    org, make_cadre, make_module, make_unit, assign
):
    """An assignment to the node or above covers its whole subtree: the node's cadres
    are read with a test of their own org unit, not a subquery over the org units
    assigned (every org unit of a province, for a county's page)."""
    module = make_module(units=[make_unit()], title="覆盖")
    cadres = [make_cadre(org.township_a), make_cadre(org.township_b)]
    assign(module, org.province, days=30)
    progress = ModuleProgress(module, list(module.assignments.select_related("org_unit")))
    part = progress.within(org.county)
    read = part.cadres(Cadre.objects.in_subtree(org.county))
    assert {c.pk for c in read} == {c.pk for c in cadres}
    assert 'FROM "training_orgunit" U' not in str(read.query)


def test_within_a_node_each_cadre_keeps_the_earliest_due_date_reaching_them(
    org, make_cadre, make_module, make_unit, assign
):
    """The covering assignment's due date is that of every cadre no earlier one
    reaches: an earlier one to a township inside, or to one cadre, still comes first;
    a later one to a township changes nothing."""
    module = make_module(units=[make_unit()], title="期限")
    in_a, in_b = make_cadre(org.township_a), make_cadre(org.township_b)
    alone = make_cadre(org.township_b)
    assign(module, org.township_b, days=40)  # later than the county's: no effect
    county = assign(module, org.county, days=30)
    township_a = assign(module, org.township_a, days=20)
    single = assign(module, alone, days=10)
    progress = ModuleProgress(module, list(module.assignments.select_related("org_unit")))
    for node in (org.county, org.township_b):
        due = {c.pk: c.due_on for c in progress.within(node).cadres(Cadre.objects.in_subtree(node))}
        whole = {c.pk: c.due_on for c in progress.cadres(Cadre.objects.in_subtree(node))}
        assert due == whole
    due = {c.pk: c.due_on for c in progress.within(org.county).cadres()}
    assert due == {
        in_a.pk: township_a.due_on,
        in_b.pk: county.due_on,
        alone.pk: single.due_on,
    }


def test_with_a_unit_hidden_each_cadre_is_still_measured_against_their_own_assignment(
    org, make_cadre, make_module, make_unit, assign
):
    """Township A's cadre studied a hidden unit before any assignment and a visible one
    after theirs (day 0), but before township B's (day 20): nothing counts as before."""
    shown, hidden = make_unit(), make_unit()
    module = make_module(units=[shown, hidden], title="隐藏单元")
    cadre = make_cadre(org.township_a, name="甲镇干部")
    start = timezone.now() - timedelta(days=40)
    for township, days in ((org.township_a, 0), (org.township_b, 20)):
        made = assign(module, township)
        Assignment.objects.filter(pk=made.pk).update(created_at=start + timedelta(days=days))
    for unit, days in ((shown, 10), (hidden, -5)):
        services.completion_record(cadre=cadre, unit=unit)
        moved(Completion.objects.filter(unit=unit), start + timedelta(days=days))
    StudyUnit.objects.filter(pk=hidden.pk).update(published_at=timezone.now() + timedelta(days=1))
    progress = ModuleProgress(module, list(module.assignments.select_related("org_unit")))
    assert progress.hidden_ids == [hidden.pk]
    assert progress.studied_before_assignment(org.county) == (False, start)
    moved(Completion.objects.filter(unit=shown), start - timedelta(days=1))
    assert progress.studied_before_assignment(org.county) == (True, start)


def test_many_cadres_assigned_one_by_one_are_read_by_subquery_with_the_same_answers(
    org, make_cadre, make_module, make_unit, assign, monkeypatch
):
    units = [make_unit(), make_unit()]
    module = make_module(units=units, title="逐人")
    people = [make_cadre(org.township_a, name=f"人{i}") for i in range(4)]
    start = timezone.now() - timedelta(days=30)
    for i, cadre in enumerate(people[:3]):
        made = assign(module, cadre, days=[-3, 5, 5][i])  # two due dates, one overdue
        Assignment.objects.filter(pk=made.pk).update(created_at=start + timedelta(days=i))
    assign(module, org.township_b, days=9)
    for cadre in people[:2]:
        services.completion_record(cadre=cadre, unit=units[0])
    moved(Completion.objects.filter(cadre=people[1]), start - timedelta(days=1))
    assignments = list(module.assignments.select_related("org_unit"))

    def answers(whole):
        progress = ModuleProgress(module, assignments, whole=whole)
        cadres = progress.cadres().order_by("pk")
        rows = list(cadres.values_list("pk", "due_on", "done", "status", "overdue"))
        return (
            rows,
            progress.rollup(org.county, cadres),
            progress.studied_before_assignment(org.county),
        )

    listed = answers(whole=False)
    monkeypatch.setattr(ModuleProgress, "SINGLES_LISTED", 0)
    assert answers(whole=True) == listed
    assert [r[0] for r in listed[0]] == [c.pk for c in people[:3]]
    assert listed[2] == (True, start)


def test_completions_outside_scope_are_not_charted(trainer_client, org, course, make_unit):
    module, people = course
    for unit in module.units.all():
        services.completion_record(cadre=people["outside"], unit=unit)
    response = trainer_client.get(reverse("training:module_progress", args=[module.pk]))
    assert sum(n for _week, n in response.context["weeks"]) == 6


@pytest.mark.parametrize("status", ["active", "draft", "archived"])
def test_progress_of_a_module_no_one_was_given(trainer_client, trainer, make_module, status):
    """A new, draft or archived module with no assignment: empty pages and files, not
    a 500 or a CSV cut off half-way."""
    module = make_module(created_by=trainer, status=status)
    page = trainer_client.get(reverse("training:module_progress", args=[module.pk]))
    assert page.status_code == 200
    for fmt in ("csv", "xlsx"):
        url = reverse("training:module_progress_export", args=[module.pk, fmt])
        response = trainer_client.get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
            assert len(rows) == 1  # the header, whole
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(body)).active
            assert sheet.max_row == 2  # the title row and the header


def test_a_new_module_starts_as_a_draft(trainer_client):
    form = trainer_client.get(reverse("training:module_create")).context["form"]
    assert form["status"].value() == "draft"
    assert "study_hours" not in form.fields  # the sum of its units' 学时 (issue #17)


def test_a_module_s_hours_are_the_sum_of_its_readable_units(trainer_client, trainer, make_unit):
    units = [make_unit(study_hours=Decimal("0.5")), make_unit(study_hours=Decimal("1.25"))]
    draft = make_unit(study_hours=Decimal("3"), status="draft")  # no reader can finish it
    module = Module.objects.create(title="学时之和", created_by=trainer)
    services.module_set_units(module=module, units=[*units, draft])
    response = trainer_client.get(module.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["module"].study_hours == Decimal("1.75")
    assert "1.75 study hours" in response.content.decode()
    listed = trainer_client.get(reverse("training:module_list")).context["modules"]
    assert next(m for m in listed if m.pk == module.pk).study_hours == Decimal("1.75")


def test_a_module_page_shows_assignments_made_above_the_trainers_scope(
    trainer_client, org, make_module, assign, make_trainer
):
    module = make_module()
    province = assign(module, org.province, days=30)
    province.assigned_by = make_trainer(org.province, username="sheng")
    province.assigned_by.first_name = "赵培训"
    province.assigned_by.save()
    province.save()
    assign(module, org.other_county, days=5)  # beside the scope: not shown
    response = trainer_client.get(
        reverse("training:module_detail", args=[module.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert list(response.context["from_above"]) == [province]
    assert f"由赵培训布置给省，截止 {province.due_on.isoformat()}" in response.content.decode()


def test_assigning_again_to_a_reached_subtree_says_so_and_changes_no_due_date(
    trainer_client, org, make_module, assign
):
    module = make_module()
    above = assign(module, org.city, days=30)
    url = reverse("training:module_assign", args=[module.pk])
    data = {"org_unit": org.township_a.pk, "due_on": _due(10)}
    response = trainer_client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert list(response.context["covering"]) == [above]
    html = response.content.decode()
    assert "本模块已布置到这些干部" in html
    assert "以最早的截止日期为准" in html
    trainer_client.post(url, {**data, "confirm": "yes"})
    above.refresh_from_db()
    assert above.due_on == timezone.localdate() + timedelta(days=30)
    assert Assignment.objects.filter(module=module).count() == 2


def test_a_first_assignment_shows_no_warning(trainer_client, org, make_module):
    module = make_module()
    url = reverse("training:module_assign", args=[module.pk])
    response = trainer_client.post(url, {"org_unit": org.township_a.pk, "due_on": _due()})
    assert list(response.context["covering"]) == []


def test_a_cadre_reached_twice_studies_by_the_earliest_due_date(
    org, make_cadre, make_module, assign
):
    from training.my_study import my_modules

    cadre = make_cadre(org.township_a)
    module = make_module()
    assign(module, org.province, days=30)
    early = assign(module, org.township_a, days=3)
    assign(module, cadre, days=20)
    (mine,) = my_modules(cadre)
    assert mine.due_on == early.due_on


# --- the trainer's menu and the export links (second newcomer walk) -------------------


def test_the_trainer_s_menu_leads_to_claims_and_hours(trainer_client, course):
    html = trainer_client.get(reverse("training:module_list")).content.decode()
    menu = html[html.index('class="site-nav"') : html.index("</nav>")]
    assert f'href="{reverse("training:claim_list")}"' in menu
    assert f'href="{reverse("training:hours_overview")}"' in menu


def test_a_cadre_s_menu_has_no_trainer_pages(client, course):
    _module, people = course
    client.force_login(people["half"].user)
    html = client.get(reverse("training:my_study")).content.decode()
    menu = html[html.index('class="site-nav"') : html.index("</nav>")]
    assert reverse("training:claim_list") not in menu
    assert reverse("training:hours_overview") not in menu


def test_export_links_carry_a_proper_query_string(trainer_client, course):
    module, _ = course
    html = trainer_client.get(reverse("training:module_progress", args=[module.pk])).content
    html = html.decode()
    links = re.findall(r'href="([^"]*progress\.(?:csv|xlsx)[^"]*)"', html)
    assert links
    assert [link for link in links if "?&" in link] == []
    html = trainer_client.get(reverse("training:hours_overview")).content.decode()
    links = re.findall(r'href="(\?[^"]*format=[^"]*)"', html)
    assert [link for link in links if "?&" in link] == []
