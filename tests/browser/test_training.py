import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_reading import (
    TEXT,
    open_menu,
    search_from_header,
    sign_in,
    sign_out,
    switch_language_and_sign_out,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_cadre_journey_study_search_switch_language_sign_out(visit, language, demo):
    page = visit
    sign_in(page, "cadre", "cadre-demo-2026", TEXT[language], landing="/training/my-study/")
    # The demo module's title in the reader's language.
    title = "政治站位专题学习" if language == "zh-hans" else "Political standing"
    card = page.locator(".module-card").filter(has_text=title)
    bar = card.locator("progress")
    expect(bar).to_have_attribute("value", "2")
    card.locator(".next-unit a").click()
    page.locator("#completion button").click()
    expect(page.locator(".completion-state")).to_be_visible()
    expect(page.locator(".completion-panel progress")).to_have_attribute("value", "3")
    open_menu(page)
    page.locator(".site-nav a[href='/training/my-study/']").click()
    expect(bar).to_have_attribute("value", "3")
    expect(page.locator(".module-card").first).to_have_class(re.compile("is-overdue"))

    search_from_header(page, "民政")
    result = page.locator(".search-results .unit-card-title a").first
    title = result.inner_text()
    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    switch_language_and_sign_out(page, language)


def test_cadre_follows_a_module_as_a_course(visit, language, demo):
    """My study -> the module page (units in order, ticked) -> Continue -> the unit, whose
    previous/next follow the module -> complete -> next in the module -> the theme page
    marks what is done."""
    page = visit
    zh = language == "zh-hans"
    sign_in(page, "cadre", "cadre-demo-2026", TEXT[language], landing="/training/my-study/")
    title = "政治站位专题学习" if zh else "Political standing"
    page.locator(".module-card-title a").filter(has_text=title).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    done_before = page.locator(".course-unit.is-done").count()
    assert done_before == 2
    page.snapshot("module-page")
    page.get_by_role("link", name="继续学习" if zh else "Continue studying").click()
    expect(page.locator(".pager-context")).to_contain_text(
        f"第 {done_before + 1} / " if zh else f"unit {done_before + 1} of "
    )
    page.locator("#completion button").click()
    assert "?module=" in page.url
    expect(page.locator(".completion-state")).to_be_visible()
    page.snapshot("unit-in-module")
    page.locator(".pager-next").click()
    expect(page.locator(".pager-context")).to_contain_text(
        f"第 {done_before + 2} / " if zh else f"unit {done_before + 2} of "
    )
    page.locator(".pager-context a").click()
    expect(page.locator(".course-unit.is-done")).to_have_count(done_before + 1)
    # The theme of a unit done shows the tick on its card.
    page.locator(".course-unit.is-done .meta").first.wait_for()
    page.locator(".course-unit.is-done a").first.click()
    page.locator(".unit-header .meta a").first.click()
    expect(page.locator(".unit-card .done-mark").first).to_be_visible()


def build_in_order(page):
    """Use the module builder as a trainer would: filter by a theme, find a unit by a
    word of its title, add units, move one up, remove one. Returns the titles chosen."""
    builder = page.locator(".unit-builder")
    available = builder.locator(".available-row:visible")
    page.locator("#builder-theme").select_option(index=2)
    theme = page.locator("#builder-theme").input_value()
    expect(available.first).to_be_visible()
    # The filter applies as the choice changes: wait until it has (no fixed sleep).
    page.wait_for_function(
        "theme => [...document.querySelectorAll('.unit-builder .available-row')]"
        ".filter(r => r.offsetParent !== null).every(r => r.dataset.theme === theme)",
        arg=theme,
    )
    assert set(available.evaluate_all("rows => rows.map(r => r.dataset.theme)")) == {theme}
    wanted = available.nth(1).get_attribute("data-title")
    page.locator("#builder-q").fill(wanted[:6])
    expect(available.first).to_have_attribute("data-title", wanted)
    page.locator("#builder-q").fill("")
    added = []
    for _ in range(3):
        row = available.first
        added.append(row.get_attribute("data-title"))
        row.get_by_role("button").click()
    chosen = builder.locator(".chosen-row .unit-name")
    expect(chosen).to_have_text(added)
    expect(builder.locator(".chosen-count")).to_contain_text("3")
    builder.locator(".chosen-row").nth(2).locator("button[name=up]").click()
    expect(chosen).to_have_text([added[0], added[2], added[1]])
    # By keyboard: the focus stays on the moved unit's button.
    page.keyboard.press("Enter")
    expect(chosen).to_have_text([added[2], added[0], added[1]])
    builder.locator(".chosen-row").nth(1).locator("button[name=remove]").click()
    expect(chosen).to_have_text([added[2], added[1]])
    row = available.first
    added.append(row.get_attribute("data-title"))
    row.get_by_role("button").click()
    final = [added[2], added[1], added[3]]
    expect(chosen).to_have_text(final)
    page.snapshot("builder")
    return final


def test_trainer_builds_assigns_follows_and_exports(visit, language, demo):
    page = visit
    sign_in(page, "trainer-county", "trainer-demo-2026", TEXT[language], landing="/training/")
    page.locator("a.button[href='/training/modules/new/']").click()
    page.locator("#id_title").fill("三单元模块")
    # A new module is saved as a draft; its page offers to make it active, then to assign it.
    expect(page.locator("#id_status")).to_have_value("draft")
    titles = build_in_order(page)
    page.locator("button[name=save]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("三单元模块")
    expect(page.locator(".ordered-units li")).to_have_count(3)
    for i, title in enumerate(titles):
        expect(page.locator(".ordered-units li").nth(i)).to_contain_text(title)
    note = page.locator(".activation-note")
    expect(note).to_contain_text("草稿" if language == "zh-hans" else "draft")
    expect(page.locator(".actions a[href$='/assign/']")).to_have_count(0)
    page.snapshot("draft-module")
    note.get_by_role("button", name="启用" if language == "zh-hans" else "Make active").click()
    expect(page.locator(".messages")).to_contain_text(
        "模块已启用" if language == "zh-hans" else "The module is active"
    )
    expect(note).to_have_count(0)

    page.locator(".actions a.button").click()
    county = page.locator("#id_org_unit option", has_text=re.compile("小店区|Xiaodian"))
    page.locator("#id_org_unit").select_option(county.get_attribute("value"))
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    page.locator("#id_due_on").fill(due)
    page.locator("form.stack-form button[type=submit]").click()
    expect(page.locator(".summary-list")).to_contain_text(re.compile("6 (名干部|cadres)"))
    page.locator("main form button[type=submit]").click()

    expect(page.locator(".data-table").first).to_contain_text(re.compile("坞城街道|Wucheng"))
    expect(page.locator(".data-table").first).to_contain_text(re.compile("北格镇|Beige"))
    page.locator(".data-table a", has_text=re.compile("坞城街道|Wucheng")).first.click()
    expect(page.locator(".breadcrumb [aria-current=page]")).to_have_text(
        re.compile("坞城街道|Wucheng")
    )
    page.locator(".data-table tbody th a").first.click()
    expect(page.locator(".data-table tbody tr")).to_have_count(3)

    page.go_back()
    with page.expect_download() as download:
        page.locator(".export-links a[href*='table=cadres']", has_text="CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        body = handle.read()
    rows = list(csv.reader(io.StringIO(body)))
    assert {r[2] for r in rows[1:]} == {"坞城街道"}
    assert len(rows) == 4  # header and the three cadres of the street

    with page.expect_download() as download:
        page.locator(".export-links a", has_text="Excel").last.click()
    import openpyxl

    with open(download.value.path(), "rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    assert sheet.max_row == 5  # the title row, the header and the three cadres
    assert sheet["A1"].value.startswith("三单元模块 — ")
    assert sheet.freeze_panes == "A3"
    street = "坞城街道" if language == "zh-hans" else "Wucheng"
    assert download.value.suggested_filename.startswith(f"三单元模块-{street}")
    assert download.value.suggested_filename.endswith(f"-{timezone.localdate()}.xlsx")


def test_trainer_imports_cadres_after_correcting_the_file(visit, language, demo):
    from org.models import Cadre

    page = visit
    sign_in(page, "trainer-county", "trainer-demo-2026", TEXT[language], landing="/training/")
    page.locator("a[href='/org/import/']").click()
    page.locator("#id_kind").select_option("cadres")
    header = "username,name,org_code,position\n"
    wrong = header + "zhou.min,周敏,140105001,科员\nwu.hao,吴昊,999999,\n"
    page.expect_error_status("/org/import/", 422)
    page.set_input_files(
        "#id_file", files=[{"name": "c.csv", "mimeType": "text/csv", "buffer": wrong.encode()}]
    )
    page.locator("main form button[type=submit]").click()
    errors = page.locator(".import-result[role=alert] tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("3")
    # The column is named as the template names it in the reader's language.
    expect(errors.first).to_contain_text("单位编码" if language == "zh-hans" else "org_code")
    assert not Cadre.objects.filter(user__username="zhou.min").exists()

    right = wrong.replace("999999", "140105100")
    page.locator("#id_kind").select_option("cadres")
    page.set_input_files(
        "#id_file", files=[{"name": "c.csv", "mimeType": "text/csv", "buffer": right.encode()}]
    )
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".import-result[role=status]")).to_contain_text("2")
    assert Cadre.objects.get(user__username="wu.hao").org_unit.code == "140105100"


def _card_layout(page, selector):
    """(display of the table's rows, does any table scroll sideways)"""
    return page.evaluate(
        """sel => [getComputedStyle(document.querySelector(sel + ' tbody tr')).display,
                  [...document.querySelectorAll('.table-wrap')].some(
                      w => w.scrollWidth > w.clientWidth + 1)]""",
        selector,
    )


def test_progress_tables_read_as_cards_on_a_phone(visit, viewport, language, demo):
    from training.models import Module

    page = visit
    module = Module.objects.get(title_zh_hans="民生保障专题学习")
    sign_in(page, "trainer-county", "trainer-demo-2026", TEXT[language])
    page.goto(f"{page.base_url}/training/modules/{module.pk}/progress/")
    display, scrolls = _card_layout(page, "#cadres-heading ~ .table-wrap .card-table")
    assert display == ("block" if viewport == "phone" else "table-row")
    assert not scrolls
    if viewport == "phone":
        card = page.locator("#cadres-heading ~ .table-wrap tbody tr").first
        expect(card.locator("td").first).to_have_attribute("data-label", re.compile(r"\S"))
        assert card.bounding_box()["width"] <= 390
    page.snapshot("progress")


def test_my_record_reads_on_a_phone(visit, viewport, language, demo):
    page = visit
    sign_in(page, "cadre", "cadre-demo-2026", TEXT[language], landing="/training/my-study/")
    page.goto(page.base_url + "/training/my-record/")
    theme = page.locator(".card-table tbody td").first
    # The theme's name on one line (it wrapped one character a line in a narrow column).
    lines = theme.evaluate(
        "td => { const r = document.createRange(); r.selectNodeContents(td);"
        " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size }"
    )
    assert lines == 1
    page.snapshot("my-record")


def test_trainer_assigns_to_one_cadre_by_typing_part_of_the_name(visit, language, demo):
    """The picker, by keyboard alone: type 张, arrow down to 张敏 (坞城街道 · 社会救助科员),
    Enter, then the due date and Continue; the confirm page names her."""
    from org.models import Cadre
    from training.models import Assignment, Module

    page = visit
    module = Module.objects.get(title_zh_hans="民生保障专题学习")
    sign_in(page, "trainer-county", "trainer-demo-2026", TEXT[language])
    page.goto(f"{page.base_url}/training/modules/{module.pk}/assign/")
    picker = page.locator("#id_cadre")
    expect(picker).to_have_attribute("role", "combobox")
    picker.press_sequentially("张")
    options = page.locator("#cadre-options [role=option]")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("张敏")
    expect(options.first).to_contain_text(re.compile("坞城街道|Wucheng"))
    expect(options.first).to_contain_text("社会救助科员")
    expect(picker).to_have_attribute("aria-expanded", "true")
    page.snapshot("suggestions")
    picker.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    picker.press("Enter")
    expect(picker).to_have_value("张敏")
    expect(page.locator("#cadre-options")).to_be_hidden()
    zhang = Cadre.objects.get(user__username="zhang.min")
    expect(page.locator("input[name=cadre_id]")).to_have_value(str(zhang.pk))
    page.locator("#id_due_on").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    page.locator("form.stack-form button[type=submit]").click()
    expect(page.locator(".summary-list")).to_contain_text("张敏")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_be_visible()
    assert Assignment.objects.filter(module=module, cadre=zhang).exists()


def test_the_picker_never_suggests_a_cadre_outside_the_trainer_s_tree(visit, language, demo):
    from training.models import Module

    page = visit
    module = Module.objects.get(title_zh_hans="民生保障专题学习")
    sign_in(page, "trainer-county", "trainer-demo-2026", TEXT[language])
    page.goto(f"{page.base_url}/training/modules/{module.pk}/assign/")
    page.locator("#id_cadre").press_sequentially("周")  # 周丽 works in another county
    expect(page.locator(".picker-status")).to_have_text(
        re.compile("没有匹配的干部|No cadre in your org units matches")
    )
    expect(page.locator("#cadre-options [role=option]")).to_have_count(0)


def test_an_imported_cadre_signs_in_with_a_one_time_password_and_chooses_their_own(
    visit, language, demo
):
    page = visit
    text = TEXT[language]
    sign_in(page, "trainer-county", "trainer-demo-2026", text, landing="/training/")
    page.goto(f"{page.base_url}/org/import/")
    page.locator("#id_kind").select_option("cadres")
    upload = "username,name,org_code,position\nqian.xin,钱新,140105001,民政助理\n"
    page.set_input_files(
        "#id_file", files=[{"name": "c.csv", "mimeType": "text/csv", "buffer": upload.encode()}]
    )
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".import-result[role=status]")).to_be_visible()
    page.locator(".import-passwords-link").click()
    row = page.locator(".password-table tbody tr", has_text="钱新")
    expect(row.locator("input[type=checkbox]")).to_be_checked()
    page.snapshot("choose")
    page.locator("main form button[type=submit]").click()
    issued = page.locator(".issued-passwords tbody tr", has_text="qian.xin")
    password = issued.locator("code.password").inner_text()
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
    expect(page.locator("[data-print]")).to_be_visible()
    page.snapshot("issued")

    sign_out(page, text)
    sign_in(page, "qian.xin", password, text)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "修改密码" if language == "zh-hans" else "Change your password"
    )
    page.goto(f"{page.base_url}/training/my-study/")  # every page leads back here first
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "修改密码" if language == "zh-hans" else "Change your password"
    )
    page.locator("#id_old_password").fill(password)
    page.locator("#id_new_password1").fill("Minzheng-study-2026")
    page.locator("#id_new_password2").fill("Minzheng-study-2026")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/training/my-study/$"))
    expect(page.locator(".messages")).to_contain_text(
        "密码已修改" if language == "zh-hans" else "Your password was changed"
    )


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_the_builder_handles_a_hundred_units_on_a_phone(visit, viewport, language, demo):
    """A module of 100 units: the last is moved up, one is removed, a unit is found by
    a word of its title and added in its place, and the order saved is the order shown."""
    from django.contrib.auth import get_user_model

    from expositions.models import StudyUnit
    from expositions.services import unit_save
    from training import services
    from training.models import Module

    template = StudyUnit.objects.published().first()
    units = []
    for i in range(100):
        units.append(
            unit_save(
                unit=StudyUnit(
                    exposition=template.exposition,
                    theme=template.theme,
                    slug=f"extra-unit-{i}",
                    title_zh_hans=f"补充单元{i:03d}",
                    title_en=f"Extra unit {i:03d}",
                    summary_zh_hans="补充",
                    body_zh_hans="补充",
                    status=StudyUnit.Status.PUBLISHED,
                    published_at=template.published_at,
                    order=1000 + i,
                )
            )
        )
    county = get_user_model().objects.get(username="trainer-county")
    module = Module.objects.create(title="百单元模块", created_by=county)
    services.module_set_units(module=module, units=units)

    page = visit
    sign_in(page, "trainer-county", "trainer-demo-2026", TEXT[language], landing="/training/")
    page.goto(f"{page.base_url}/training/modules/{module.pk}/edit/")
    chosen = page.locator(".chosen-row")
    expect(chosen).to_have_count(100)
    chosen.nth(99).locator("button[name=up]").click()
    remove = chosen.nth(0).locator("button[name=remove]")
    remove.click()
    expect(chosen).to_have_count(99)
    page.locator("#builder-q").fill("尽力而为" if language == "zh-hans" else "do our best")
    found = page.locator(".available-row:visible")
    expect(found).to_have_count(1)
    found.first.get_by_role("button").click()
    expect(chosen).to_have_count(100)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.snapshot("hundred")
    page.locator("button[name=save]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("百单元模块")
    saved = list(module.module_units.order_by("position").values_list("unit__slug", flat=True))
    expected = [u.slug for u in units[1:98]] + [units[99].slug, units[98].slug]
    assert saved[:99] == expected
    assert saved[99] == "do-our-best-and-do-what-we-can"


def test_trainer_sees_who_is_short_of_study_hours(visit, language, demo):
    page = visit
    sign_in(page, "trainer-county", "trainer-demo-2026", TEXT[language], landing="/training/")
    page.locator("main a[href='/training/hours/']").click()  # the menu has one too
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "学时达标情况" if language == "zh-hans" else "Who is short of study hours"
    )
    # The online requirement applies to every cadre: the six of 小店区 are counted.
    page.locator("#id_requirement").select_option(index=2)
    page.locator(".filter-form button[type=submit]").click()
    expect(page.locator("#by-org-heading ~ .table-wrap tbody tr")).to_have_count(3)
    expect(page.locator("#short-heading ~ .table-wrap tbody tr")).to_have_count(6)
    page.snapshot("hours")
