"""The stored-XSS corpus in a real browser: pages showing hostile titles, bodies,
tags, org unit and cadre names run none of it (window.__xss stays unset, and the
visit fixture fails on any console error, a CSP refusal included)."""

import pytest
from django.urls import reverse

from tests.browser.test_reading import TEXT, sign_in, sign_out
from tests.security.test_stored_xss import cadre_pages, hostile, trainer_pages  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password-2026"


def assert_nothing_ran(page, url):
    page.goto(page.base_url + url)
    page.wait_for_load_state("load")
    for details in page.locator("details").all():
        details.evaluate("d => d.open = true")  # would fire an injected ontoggle
    assert page.evaluate("window.__xss") is None, url


def test_hostile_content_does_not_run(visit, language, hostile):  # noqa: F811
    page = visit
    sign_in(page, "cadre", PASSWORD, TEXT[language], landing=reverse("training:my_study"))
    for url in cadre_pages(hostile):
        if "<script>" in url:
            continue  # a query typed into the address bar: the server-side test covers it
        assert_nothing_ran(page, url)
    sign_out(page, TEXT[language])
    sign_in(page, "trainer", PASSWORD, TEXT[language])
    for url in trainer_pages(hostile):
        assert_nothing_ran(page, url)
