"""An account manager makes a cadre in the admin, in one form, with a one-time
password, and signs out; the cadre signs in with it, is made to choose a password of
their own, and lands on My study (issue #31, item 5). On a phone and a desktop, in
Chinese and in English."""

import re

import pytest
from playwright.sync_api import expect

from org.roles import ACCOUNT_MANAGER
from tests.browser.test_reading import TEXT, sign_in

pytestmark = [pytest.mark.django_db(transaction=True)]

WORDS = {
    "zh-hans": {"create": "建立账号", "my_study": "我的学习", "change": "修改密码"},
    "en": {"create": "Create the account", "my_study": "My study", "change": "Change password"},
}
PORTAL_RED_HEADER = "rgb(122, 21, 24)"  # static/css/admin.css: --secondary #7a1518


def test_an_account_manager_makes_a_cadre_who_signs_in_and_lands_on_my_study(
    visit, language, org, make_user
):
    text, words = TEXT[language], WORDS[language]
    make_user("accounts", role=ACCOUNT_MANAGER, is_staff=True)
    page = visit
    sign_in(page, "accounts", "a-long-test-password-2026", text, landing="/admin/")
    # The admin wears the portal's red.
    header = page.locator("#header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == PORTAL_RED_HEADER

    page.goto(page.base_url + "/admin/auth/user/add/")
    page.locator("#id_username").fill("zhao.li")
    page.locator("#id_name").fill("赵丽")
    page.locator("#id_org_unit").select_option(str(org.township_a.pk))
    page.locator("#id_position").fill("民政助理")
    page.snapshot("form")
    page.get_by_role("button", name=words["create"]).click()
    password = page.locator("code.password").inner_text()
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
    expect(page.locator(".account-created")).to_contain_text("赵丽")
    page.snapshot("created")
    # Signing out of the admin (its own button, a POST) leads to the sign-in page.
    page.locator("#logout-form button").click()
    expect(page.get_by_role("heading", name=text["sign_in"])).to_be_visible()

    sign_in(page, "zhao.li", password, text)
    page.wait_for_url(re.compile(r".*/org/password/.*"))
    # Nothing else opens before the password is changed.
    page.goto(page.base_url + "/training/my-study/")
    page.wait_for_url(re.compile(r".*/org/password/.*"))
    page.locator("#id_old_password").fill(password)
    page.locator("#id_new_password1").fill("Minzheng-2026-study")
    page.locator("#id_new_password2").fill("Minzheng-2026-study")
    page.snapshot("change")
    page.get_by_role("button", name=words["change"]).click()
    page.wait_for_url(page.base_url + "/training/my-study/")
    expect(page.get_by_role("heading", name=words["my_study"], exact=True)).to_be_visible()
