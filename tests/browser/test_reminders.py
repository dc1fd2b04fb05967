"""Reminders in a real browser: a trainer finds who to remind of the demo's overdue
module, reminds one cadre, then all (once a day each), and sees the list to copy; a
cadre sees the count in the header, opens the notices and dismisses one."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_reading import TEXT, sign_in
from training.reminders.models import Nudge

pytestmark = [pytest.mark.django_db(transaction=True)]

WORDS = {
    "zh-hans": {
        "who": "待提醒人员",
        "module": "基层治理专题学习",
        "remind_li": "立即提醒李干部",
        "reminded_one": "已提醒1名干部。",
        "emailed": "已发送1封邮件。",
        "today": "今天已提醒",
        "all": "立即提醒全部2人",
        "others": "其余的人今天已提醒过。",
        "notices": "通知",
        "dismiss": "知道了",
        "dismissed": "通知已关闭。",
    },
    "en": {
        "who": "Who to remind",
        "module": "Grassroots governance",
        "remind_li": "Remind 李干部 now",
        "reminded_one": "Reminded 1 cadre.",
        "emailed": "1 email was sent.",
        "today": "Reminded today",
        "all": "Remind all 2 now",
        "others": "The others were already reminded today.",
        "notices": "Notices",
        "dismiss": "Dismiss",
        "dismissed": "The notice was dismissed.",
    },
}


def test_a_trainer_reminds_who_has_not_finished(visit, language, demo, mailoutbox):
    page, words = visit, WORDS[language]
    sign_in(page, "trainer-county", "trainer-demo-2026", TEXT[language], landing="/training/")
    page.locator(".page-actions").get_by_role("link", name=words["who"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["who"])
    row = page.locator("tbody tr").filter(has_text=words["module"])
    expect(row.locator("td").nth(1)).to_have_text("2")  # overdue: 李干部 and 刘洋
    row.get_by_role("link", name=words["module"]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(words["module"])
    table = page.locator(".chase-table tbody")
    expect(table.locator("tr")).to_have_count(2)
    copy = page.locator("#chase-copy")
    expect(copy).to_have_value(re.compile("李干部\t.+\n|\n李干部\t"))
    expect(copy).to_have_value(re.compile("刘洋\t.+\t139"))
    page.snapshot("chase")
    page.get_by_role("button", name=words["remind_li"]).click()
    expect(page.locator(".messages")).to_contain_text(words["reminded_one"])
    expect(page.locator(".messages")).to_contain_text(words["emailed"])
    expect(table.locator("tr").filter(has_text="李干部")).to_contain_text(words["today"])
    assert [m.to for m in mailoutbox] == [["cadre@example.org"]]
    page.get_by_role("button", name=words["all"]).click()
    expect(page.locator(".messages")).to_contain_text(words["others"])
    expect(table.get_by_text(words["today"])).to_have_count(2)
    assert Nudge.objects.count() == 2


def test_a_cadre_sees_the_count_opens_the_notices_and_dismisses_one(visit, language, demo):
    page, words = visit, WORDS[language]
    sign_in(page, "cadre", "cadre-demo-2026", TEXT[language], landing="/training/my-study/")
    page.goto(page.base_url + "/")  # another page: the count is in every header
    bell = page.locator(".header-notices")
    expect(bell.locator(".notice-count")).to_have_text("3")  # overdue, due soon, new
    bell.click()
    notices = page.locator("#notices .notice")
    expect(notices).to_have_count(3)
    expect(notices.first).to_contain_text(words["module"])  # the overdue one first
    page.snapshot("notices")
    notices.filter(has_text=words["module"]).get_by_role("button", name=words["dismiss"]).click()
    expect(page.locator(".messages")).to_contain_text(words["dismissed"])
    expect(notices).to_have_count(2)
    expect(page.locator(".header-notices .notice-count")).to_have_text("2")
