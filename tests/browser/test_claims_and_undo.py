"""Issue #31 in a real browser, at phone and desktop width, in Chinese and English: an
undo that would revoke a certificate names it and waits for a confirmation (cancelling
keeps it valid), and a claim repeating another is flagged to the cadre, who confirms it,
and to the trainer, who must give a reason to approve it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_accessibility import AXE, violations
from tests.browser.test_reading import TEXT, sign_in
from training.models import Certificate, TrainingClaim

pytestmark = [pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.context.clear_cookies()


def accessible(page):
    """axe-core finds no serious or critical violation here (when `npm ci` installed it)."""
    if AXE.exists():
        assert violations(page) == [], page.url


def test_an_undo_names_the_certificates_it_revokes_and_asks_first(visit, language, demo):
    page = visit
    zh = language == "zh-hans"
    year = timezone.localdate().year
    sign_in(page, "cadre", "cadre-demo-2026", TEXT[language], landing="/training/my-study/")
    page.locator(".module-card .next-unit a").first.click()
    unit_url = page.url
    page.locator("#completion button").click()
    expect(page.locator(".completion-state")).to_be_visible()
    # The cadre asks for this year's certificate of study hours, which counts the unit.
    page.goto(page.base_url + f"/training/my-record/certificates/years/{year}/")
    code = page.locator(".cert-code").inner_text().strip()
    verify_url = page.base_url + "/verify/" + code.replace("-", "") + "/"

    undo = page.get_by_role(
        "button", name="撤销：标记为未完成" if zh else "Undo: mark as not complete"
    )
    # Undo, then cancel: the certificate is named, and stays valid.
    page.goto(unit_url)
    undo.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "撤销完成记录？" if zh else "Undo the completion?"
    )
    named = page.locator(".at-stake li").filter(has_text=code)
    expect(named).to_contain_text(
        f"{year} 年度学时证明" if zh else f"Certificate of study hours {year}"
    )
    page.snapshot("undo-asks")
    accessible(page)
    cancel = "取消：保留完成记录" if zh else "Cancel: keep the completion"
    page.get_by_role("link", name=cancel).click()
    expect(page.locator(".completion-state")).to_be_visible()
    page.goto(verify_url)
    expect(page.locator(".verify-status")).to_contain_text("有效" if zh else "Valid")
    assert Certificate.objects.valid().filter(code=code.replace("-", "")).exists()

    # Undo, then confirm: the unit is undone and the certificate revoked.
    page.goto(unit_url)
    undo.click()
    page.get_by_role(
        "button", name="撤销并作废证书" if zh else "Undo and revoke the certificates"
    ).click()
    expect(page.locator("#completion form[action$='/complete/']")).to_be_visible()
    page.goto(verify_url)
    expect(page.locator(".verify-status")).to_contain_text("已作废" if zh else "Revoked")


def test_a_repeated_claim_is_flagged_to_the_cadre_and_the_trainer(visit, language, demo):
    page = visit
    zh = language == "zh-hans"
    waiting = TrainingClaim.objects.get(cadre__user__username="cadre", status="pending")

    # The cadre records the same training again: first with too many hours, then as is.
    sign_in(page, "cadre", "cadre-demo-2026", TEXT[language], landing="/training/my-study/")
    page.goto(page.base_url + "/training/my-record/claims/new/")
    page.get_by_label("培训项目" if zh else "Course").fill(waiting.course)
    page.get_by_label("主办单位" if zh else "Organiser").fill(waiting.organiser)
    page.get_by_label("类型" if zh else "Kind").select_option("training")
    page.get_by_label("开始日期" if zh else "First day").fill(waiting.start_on.isoformat())
    page.get_by_label("结束日期" if zh else "Last day").fill(waiting.end_on.isoformat())
    hours = page.get_by_label("学时" if zh else "Study hours", exact=True)
    hours.fill("2000")
    submit = page.get_by_role("button", name="提交审核" if zh else "Submit for approval")
    submit.click()
    days = (waiting.end_on - waiting.start_on).days + 1
    expect(page.locator(".field-error").first).to_contain_text(str(days * 8))
    hours.fill(str(waiting.hours))
    clashes = page.locator("#clashes")
    expect(clashes).to_contain_text(waiting.course)
    expect(clashes).to_contain_text(
        "同一课程，同一日期" if zh else "the same course on the same dates"
    )
    page.snapshot("claim-flagged")
    accessible(page)
    confirm = page.get_by_label(
        "我已核对：这是另一次培训，仍要申报"
        if zh
        else "I have checked: this is another training, record it as well"
    )
    submit.click()  # not ticked: asked again, nothing recorded
    expect(confirm).to_be_visible()
    assert TrainingClaim.objects.filter(course=waiting.course).count() == 1
    confirm.check()
    submit.click()
    page.wait_for_url(page.base_url + "/training/my-record/")
    rows = page.locator("#claims ~ .table-wrap tbody tr").filter(has_text=waiting.course)
    expect(rows).to_have_count(2)
    sign_out(page)

    # The trainer sees two claims waiting, both flagged, and must say why to approve.
    sign_in(page, "trainer-county", "trainer-demo-2026", TEXT[language], landing="/training/")
    link = page.locator("main").get_by_role("link", name=re.compile("学时申报|Training claims"))
    expect(link).to_contain_text("2 条待审核" if zh else "2 waiting")
    link.click()
    expect(page.locator(".filter-summary")).to_contain_text(
        "当前显示：待审核 · 共 2 条" if zh else "Showing: Waiting for approval · 2 claims"
    )
    flagged = page.locator("tbody tr").filter(has_text=waiting.course)
    expect(flagged.locator(".badge-flag")).to_have_count(2)
    expect(flagged.first.locator(".badge-flag")).to_contain_text(
        "与另一申报重复" if zh else "Duplicate of another claim"
    )
    page.snapshot("claims-flagged")
    accessible(page)
    flagged.last.get_by_role("link").click()
    expect(page.locator("#flags")).to_be_visible()
    accessible(page)
    page.get_by_label("通过" if zh else "Approve", exact=True).check()
    save = page.get_by_role("button", name="保存审核结果" if zh else "Save the decision")
    save.click()
    expect(page.locator(".field-error")).to_contain_text(
        "请说明通过的理由" if zh else "say why you approve it"
    )
    page.get_by_label("理由" if zh else "Reason", exact=True).fill("两期培训，证书各一份")
    save.click()
    expect(page.locator(".messages")).to_contain_text("已通过" if zh else "approved")
    approved = TrainingClaim.objects.get(status="approved", course=waiting.course)
    assert approved.reason == "两期培训，证书各一份"
    assert timezone.localdate() - approved.decided_at.date() <= timedelta(days=1)

    # The cadre withdraws the one still waiting: the page shows what goes, then it goes.
    sign_out(page)
    sign_in(page, "cadre", "cadre-demo-2026", TEXT[language], landing="/training/my-study/")
    page.goto(page.base_url + "/training/my-record/")
    rows = page.locator("#claims ~ .table-wrap tbody tr").filter(has_text=waiting.course)
    rows.get_by_role("button", name=re.compile("撤回|Withdraw")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "撤回学时申报？" if zh else "Withdraw the claim?"
    )
    expect(page.locator(".summary-list")).to_contain_text(waiting.course)
    accessible(page)
    assert TrainingClaim.objects.filter(pk=waiting.pk).exists()
    page.get_by_role("button", name="撤回并删除" if zh else "Withdraw and delete").click()
    page.wait_for_url(page.base_url + "/training/my-record/#claims")
    expect(rows).to_have_count(1)
    assert not TrainingClaim.objects.filter(pk=waiting.pk).exists()
