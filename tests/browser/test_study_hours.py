"""The study-hour journey of issue #17, in a real browser: a cadre completes a unit
and sees their 学时 grow, records training taken elsewhere, a trainer approves it and
sees the shortfall list change, the cadre prints and downloads their certificate of
study hours, an anonymous visitor verifies it by its code, and finds it revoked after
the cadre undoes the unit."""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_reading import TEXT, sign_in
from training.models import Requirement

pytestmark = [pytest.mark.django_db(transaction=True)]


def sign_out(page):
    """A new visitor in the same browser: the cookies go, the language header stays."""
    page.context.clear_cookies()


def year_total(page):
    return Decimal(page.locator(".lead strong").inner_text())


def earned(page, requirement):
    line = page.locator(".ledger-line").filter(has_text=requirement.name)
    return Decimal(line.locator("progress").get_attribute("value"))


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_hours_claim_approval_certificate_and_its_check(visit, language, demo, tmp_path):
    page = visit
    zh = language == "zh-hans"
    lang_field = "name_zh_hans" if zh else "name_en"
    online = Requirement.objects.get(kind="online")
    training = Requirement.objects.get(kind="training", category="township_down")
    for requirement in (online, training):
        requirement.name = getattr(requirement, lang_field)

    # 1. The cadre completes a unit: this year's 学时 and the online line grow by its 学时.
    sign_in(page, "cadre", "cadre-demo-2026", TEXT[language], landing="/training/my-study/")
    page.goto(page.base_url + "/training/my-record/")
    total_before, online_before = year_total(page), earned(page, online)
    page.goto(page.base_url + "/training/my-study/")
    page.locator(".module-card .next-unit a").first.click()
    unit_url = page.url
    page.locator("#completion button").click()
    expect(page.locator(".completion-state")).to_be_visible()
    page.goto(page.base_url + "/training/my-record/")
    grown = year_total(page) - total_before
    assert grown > 0
    assert earned(page, online) - online_before == grown
    assert earned(page, training) == 0

    # 2. They record training taken elsewhere, with the certificate as a PDF.
    page.get_by_role(
        "link", name="申报其他培训学时" if zh else "Record training taken elsewhere"
    ).click()
    page.get_by_label("培训项目" if zh else "Course").fill("全省养老服务业务培训班")
    page.get_by_label("主办单位" if zh else "Organiser").fill("山西省民政厅")
    page.get_by_label("类型" if zh else "Kind").select_option("training")
    today = timezone.localdate()  # ended today: it counts this year
    first_day = (today - timedelta(days=1)).isoformat()  # two days: 12 学时 is within 8 a day
    page.get_by_label("开始日期" if zh else "First day").fill(first_day)
    page.get_by_label("结束日期" if zh else "Last day").fill(today.isoformat())
    page.get_by_label("学时" if zh else "Study hours", exact=True).fill("12")
    notice = tmp_path / "结业证书.pdf"
    notice.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_label("通知或证书" if zh else "Notice or certificate").set_input_files(str(notice))
    page.get_by_role("button", name="提交审核" if zh else "Submit for approval").click()
    page.wait_for_url(page.base_url + "/training/my-record/")
    row = page.locator("#claims ~ .table-wrap tbody tr").filter(has_text="全省养老服务业务培训班")
    expect(row).to_contain_text("待审核" if zh else "Waiting for approval")
    assert earned(page, training) == 0  # waiting: counts nothing yet
    sign_out(page)

    # 3. The county trainer sees the cadre 90 short, approves the claim, and sees 78.
    sign_in(page, "trainer-county", "trainer-demo-2026", TEXT[language], landing="/training/")
    shortfall = page.base_url + f"/training/hours/?requirement={training.pk}"
    page.goto(shortfall)
    short_row = page.locator("#short-heading ~ .table-wrap tbody tr").filter(has_text="李干部")
    expect(short_row).to_contain_text("90")
    page.goto(page.base_url + "/training/")
    main = page.locator("main")  # the menu has a 学时申报 link too
    main.get_by_role("link", name="学时申报" if zh else "Training claims").click()
    page.locator("tbody tr").filter(has_text="全省养老服务业务培训班").get_by_role("link").click()
    opens = page.get_by_role(
        "link", name="打开通知或证书" if zh else "Open the notice or certificate"
    )
    expect(opens).to_have_attribute("target", "_blank")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载" if zh else "Download", exact=True).click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    page.get_by_label("通过" if zh else "Approve", exact=True).check()
    page.get_by_role("button", name="保存审核结果" if zh else "Save the decision").click()
    expect(page.locator(".messages")).to_contain_text("已通过" if zh else "approved")
    page.goto(shortfall)
    expect(short_row).to_contain_text("78")
    sign_out(page)

    # 4. The cadre's ledger counts it; they print and download their certificate.
    sign_in(page, "cadre", "cadre-demo-2026", TEXT[language], landing="/training/my-study/")
    page.goto(page.base_url + "/training/my-record/")
    assert earned(page, training) == 12
    page.locator(".page-actions a[href*='/certificates/years/']").click()
    sheet = page.locator(".certificate-sheet")
    expect(sheet).to_contain_text("李干部同志" if zh else "李干部")
    # Issued by the city's civil-affairs bureau (the demo sets it), dated as a paper is.
    expect(sheet.locator(".cert-issuer")).to_have_text(
        "太原市民政局" if zh else "Taiyuan Municipal Civil Affairs Bureau"
    )
    today = timezone.localdate()
    expect(sheet).to_contain_text(
        f"{today.year}年{today.month}月{today.day}日"
        if zh
        else f"{today.day} {today:%B} {today.year}"
    )
    expect(sheet).to_contain_text(str(total_before + grown + 12).rstrip("0").rstrip("."))
    expect(page.get_by_role("button", name="打印（A4）" if zh else "Print (A4)")).to_be_visible()
    page.wait_for_load_state("load")  # the phone-width check runs on screen, before print
    page.evaluate("1")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".page-actions")).to_be_hidden()
    expect(sheet).to_be_visible()
    page.snapshot("certificate-print")
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF" if zh else "Download PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    verify_url = page.locator(".cert-url").inner_text().strip()
    assert re.fullmatch(re.escape(page.base_url) + r"/verify/[A-Z2-7]{16}/", verify_url)
    sign_out(page)

    # 5. Anyone checks it by its address: valid, the name partly hidden.
    page.goto(verify_url)
    status = page.locator(".verify-status")
    expect(status).to_contain_text("有效" if zh else "Valid")
    expect(page.locator(".verify-record")).to_contain_text("李*部")
    expect(page.locator(".verify-record")).not_to_contain_text("李干部")
    page.snapshot("verify-valid")

    # 6. The cadre undoes the unit; the certificate that counted it is revoked.
    sign_in(page, "cadre", "cadre-demo-2026", TEXT[language], landing="/training/my-study/")
    page.goto(unit_url)
    page.get_by_role(
        "button", name="撤销：标记为未完成" if zh else "Undo: mark as not complete"
    ).click()
    page.get_by_role(
        "button", name="撤销并作废证书" if zh else "Undo and revoke the certificates"
    ).click()
    expect(page.locator("#completion form[action$='/complete/']")).to_be_visible()
    sign_out(page)
    page.goto(verify_url)
    expect(status).to_contain_text("已作废" if zh else "Revoked")
    page.snapshot("verify-revoked")
