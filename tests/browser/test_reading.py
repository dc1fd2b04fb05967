import re

import pytest
from playwright.sync_api import expect

from org.roles import CADRE, EDITOR

pytestmark = [pytest.mark.django_db(transaction=True)]

TEXT = {
    "zh-hans": {
        "sign_in": "登录",
        "themes": "主题",
        "livelihood": "民生保障",
        "best": "尽力而为，量力而行",
        "tag": "民生底线",
        "body_field": "#id_body_zh_hans",
        "key_points": "要点",
        "sign_out": "退出登录",
        "preview": "预览",
    },
    "en": {
        "sign_in": "Sign in",
        "themes": "Themes",
        "livelihood": "Livelihood guarantee",
        "best": "Do our best, and do what we can",
        "tag": "bottom line of livelihood",
        "body_field": "#id_body_en",
        "key_points": "Key points",
        "sign_out": "Sign out",
        "preview": "Preview",
    },
}


@pytest.fixture
def content(seeded):
    """The seed exposition as `manage.py load_exposition` loads it: loaded for real once
    per test process, then put back (tests/snapshot.py), as for the other browser tests."""


def sign_in(page, username, password, text, landing="/"):
    page.goto(page.base_url + "/")
    expect(page.get_by_role("heading", name=text["sign_in"])).to_be_visible()
    page.get_by_label(re.compile("用户名|Username")).fill(username)
    page.get_by_label(re.compile("密码|Password")).fill(password)
    page.get_by_role("button", name=text["sign_in"]).click()
    page.wait_for_url(re.compile(re.escape(page.base_url) + r"/.*"))
    if landing != "/":
        page.wait_for_url(page.base_url + landing)


def open_menu(page):
    """On a phone the navigation, language and sign-out are behind the Menu button."""
    toggle = page.locator(".menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def search_from_header(page, words):
    open_menu(page)
    page.locator("#header-q").fill(words)
    page.locator("#header-q").press("Enter")


def sign_out(page, text):
    """Sign out with the header's button and wait for the sign-in page it leads to (going
    on before it loads would abort that load, which the visit fixture fails on)."""
    open_menu(page)
    page.get_by_role("button", name=text["sign_out"]).click()
    expect(page.get_by_role("heading", name=text["sign_in"])).to_be_visible()


def switch_language_and_sign_out(page, language):
    """Switch to the other language with the header's switcher, then sign out."""
    other = "en" if language == "zh-hans" else "zh-hans"
    open_menu(page)
    page.get_by_role("button", name="English" if other == "en" else "简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", other)
    sign_out(page, TEXT[other])


def test_cadre_reads_a_unit(visit, language, content, make_user):
    text = TEXT[language]
    make_user("reader", role=CADRE)
    page = visit
    sign_in(page, "reader", "a-long-test-password-2026", text)

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_role("link", name=text["livelihood"]).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["livelihood"])
    page.get_by_role("link", name=text["best"]).click()

    expect(page.get_by_role("heading", name=text["key_points"])).to_be_visible()
    # The source passage is the English of the exposition, its Chinese translation beside it.
    expect(page.locator("blockquote.passage")).to_contain_text("do our best and do what we can")
    expect(page.locator(".passage-translation")).to_contain_text("尽力而为，就是要能办的事尽力办")
    expect(page).to_have_title(re.compile(re.escape(text["best"])))
    expect(page.locator(".language-marker")).to_have_count(0)
    page.snapshot("unit-page")

    # A tag is one idea, named in the reader's language.
    page.get_by_role("link", name=text["tag"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(text["tag"])

    switch_language_and_sign_out(page, language)


def test_skip_link_reaches_the_content(visit, language, content, make_user):
    make_user("reader", role=CADRE)
    page = visit
    sign_in(page, "reader", "a-long-test-password-2026", TEXT[language])
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_editor_edits_a_unit_with_a_live_preview(visit, language, content, make_user):
    text = TEXT[language]
    make_user("editor", role=EDITOR, is_staff=True)
    page = visit
    sign_in(page, "editor", "a-long-test-password-2026", text)
    page.goto(page.base_url + "/admin/expositions/studyunit/?q=do+our+best")
    page.get_by_role("link", name=text["best"]).click()

    body = page.locator(text["body_field"])
    body.fill("An edited body with **bold words**.")
    preview = page.frame_locator(".preview-frame")
    expect(preview.locator(".unit-body")).to_contain_text("An edited body")
    expect(preview.locator(".unit-body strong")).to_have_text("bold words")  # now the only one
    tags = page.locator("#id_tags")
    tags.fill(tags.input_value() + ", 社")
    expect(page.locator("#tag-suggestions option").first).to_have_attribute(
        "value", re.compile("社会救助")
    )
    tags.fill(tags.input_value().removesuffix(", 社") + ", 新标签")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    page.goto(page.base_url + "/units/do-our-best-and-do-what-we-can/")
    expect(page.locator(".unit-body strong")).to_have_text("bold words")
    expect(page.get_by_role("link", name="新标签")).to_be_visible()

    page.goto(page.base_url + "/admin/expositions/studyunit/")
    page.get_by_role("link", name=text["best"]).click()
    page.get_by_role("link", name=re.compile("历史|History")).click()
    expect(page.locator("#change-history")).to_contain_text("An edited body")
    expect(page.locator("#change-history")).to_contain_text("editor")


def test_cadre_searches_in_chinese_and_opens_a_result(visit, language, content, make_user):
    make_user("reader", role=CADRE)
    page = visit
    sign_in(page, "reader", "a-long-test-password-2026", TEXT[language])
    search_from_header(page, "民政")
    first = page.locator(".search-results .unit-card-title a").first
    expect(first).to_be_visible()
    expect(page.locator(".search-results mark").first).to_have_text("民政")
    title = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_unit_prints_without_the_chrome(visit, language, content, make_user):
    make_user("reader", role=CADRE)
    page = visit
    sign_in(page, "reader", "a-long-test-password-2026", TEXT[language])
    page.goto(page.base_url + "/units/do-our-best-and-do-what-we-can/")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".pager")).to_be_hidden()
    expect(page.locator(".key-points")).to_be_visible()
    expect(page.locator("blockquote.passage")).to_be_visible()
