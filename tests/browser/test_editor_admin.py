"""An editor in the admin, in both languages: edit a unit's body in both languages and
its tags, preview it at phone width as readers will see it, revert to the version
before, and find the site showing exactly that version again."""

import re

import pytest
from playwright.sync_api import expect

from org.roles import EDITOR
from tests.browser.test_reading import TEXT, sign_in

pytestmark = [pytest.mark.django_db(transaction=True)]

UNIT = "/units/do-our-best-and-do-what-we-can/"


def _reader_view(page, language):
    """The unit page's own part as a reader sees it: title, body, tags."""
    page.goto(page.base_url + UNIT)
    return {
        "title": page.locator("h1").inner_text(),
        "body": page.locator(".unit-body").inner_text(),
        "tags": page.locator(".unit-header .tag").all_inner_texts(),
    }


def test_editor_edits_previews_reverts_and_the_site_shows_the_old_version(
    visit, language, seeded, make_user
):
    from expositions.models import StudyUnit

    text = TEXT[language]
    make_user("editor", role=EDITOR, is_staff=True)
    page = visit
    sign_in(page, "editor", "a-long-test-password-2026", text, landing="/admin/")
    before = _reader_view(page, language)
    unit = StudyUnit.objects.get(slug="do-our-best-and-do-what-we-can")

    page.goto(f"{page.base_url}/admin/expositions/studyunit/{unit.pk}/change/")
    page.locator("#id_body_zh_hans").fill("改过的中文正文，**加粗的字**。")
    page.locator("#id_body_en").fill("An edited English body with **bold words**.")
    tags = page.locator("#id_tags")
    tags.fill(tags.input_value() + ", 新标签")
    preview = page.frame_locator(".preview-frame")
    # Editing the English body previews English; the width buttons switch the frame.
    expect(preview.locator("html")).to_have_attribute("lang", "en")
    expect(preview.locator(".unit-body")).to_contain_text("An edited English body")
    expect(preview.locator(".unit-body strong")).to_have_text("bold words")
    expect(preview.locator(".tag-list")).to_contain_text("新标签")
    page.locator("[data-preview-width=phone]").click()
    assert page.locator(".preview-frame").bounding_box()["width"] <= 392
    page.locator("[data-preview-language=zh-hans]").click()
    expect(preview.locator(".unit-body")).to_contain_text("改过的中文正文")
    expect(preview.locator(".unit-body strong")).to_have_text("加粗的字")
    page.locator(".preview-frame").scroll_into_view_if_needed()
    page.snapshot("preview")
    page.locator("#id_change_reason").fill("试改" if language == "zh-hans" else "a trial edit")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    after = _reader_view(page, language)
    assert after != before
    assert "新标签" in after["tags"]

    page.goto(f"{page.base_url}/admin/expositions/studyunit/{unit.pk}/history/")
    history = page.locator("#change-history")
    expect(history).to_contain_text("试改" if language == "zh-hans" else "a trial edit")
    expect(history.locator(".version-diff ins").first).to_be_visible()
    page.snapshot("history")
    # The second row is the version before the edit: open it and revert.
    history.locator("tbody tr").nth(1).locator("td a").first.click()
    expect(preview.locator(".unit-body")).not_to_contain_text("加粗的字")
    expect(preview.locator(".unit-body")).not_to_contain_text("bold words")
    expect(page.locator("#id_tags")).not_to_have_value(re.compile("新标签"))
    page.snapshot("revert")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    assert _reader_view(page, language) == before
