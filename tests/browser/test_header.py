"""The header as people meet it: one row on a phone (brand, Search, Menu) and on a
desktop in English; the menu opens and closes by keyboard; the text size is chosen
once and kept on every page."""

import pytest
from playwright.sync_api import expect

from org.roles import CADRE, TRAINER
from tests.browser.test_reading import TEXT, sign_in

pytestmark = [pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password-2026"
ONE_ROW = 64  # px: the header's height when everything is on one line


@pytest.fixture
def people(make_user, org):
    from org.models import Cadre

    cadre = make_user("reader", role=CADRE)
    Cadre.objects.create(user=cadre, org_unit=org.township_a, name="读者")
    trainer = make_user("leader", role=TRAINER, is_staff=True)
    org.county.trainers.add(trainer)
    return {"cadre": "reader", "trainer": "leader"}


def header_height(page):
    return page.locator(".site-header").bounding_box()["height"]


@pytest.mark.parametrize("who", ["cadre", "trainer"])
def test_the_header_is_one_row(visit, viewport, language, people, who):
    page = visit
    sign_in(page, people[who], PASSWORD, TEXT[language])
    assert header_height(page) <= ONE_ROW, f"{viewport} {language} {who}"
    if viewport == "phone":
        expect(page.locator(".site-nav")).to_be_hidden()
        expect(page.locator(".header-search-link")).to_be_visible()
    else:
        expect(page.locator(".site-nav")).to_be_visible()
        expect(page.locator(".menu-toggle")).to_be_hidden()


PHONE_ONLY = pytest.mark.parametrize("viewport", ["phone"], indirect=True)


@PHONE_ONLY
def test_the_phone_menu_opens_and_closes_by_keyboard(visit, language, people):
    page = visit
    sign_in(page, people["cadre"], PASSWORD, TEXT[language])
    toggle = page.locator(".menu-toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".site-nav")).to_be_visible()
    expect(page.get_by_role("button", name=TEXT[language]["sign_out"])).to_be_visible()
    page.snapshot("menu-open")
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".site-nav")).to_be_hidden()
    expect(toggle).to_be_focused()


@PHONE_ONLY
def test_search_is_one_tap_away_on_a_phone(visit, language, people):
    page = visit
    sign_in(page, people["cadre"], PASSWORD, TEXT[language])
    page.locator(".header-search-link").click()
    expect(page.locator("input[type=search]").last).to_be_focused()


def test_the_text_size_is_kept_on_every_page(visit, viewport, language, people):
    page = visit
    sign_in(page, people["cadre"], PASSWORD, TEXT[language])
    base = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    toggle = page.locator(".menu-toggle")
    if toggle.is_visible():
        toggle.click()
    page.locator(".text-size-button.size-larger").click()
    expect(page.locator("html")).to_have_attribute("data-text-size", "larger")
    page.goto(page.base_url + "/tags/")
    larger = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert larger == pytest.approx(base * 1.25, abs=0.1)
    if toggle.is_visible():
        toggle.click()
    expect(page.locator(".text-size-button.size-larger")).to_have_attribute("aria-pressed", "true")
    page.snapshot("larger-text")
