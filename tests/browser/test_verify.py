"""The certificate check's form in a real browser (issue #31, item 9): a labelled code
box in a monospace face that shows a whole code, full width on a phone, and a button that
looks like one."""

import pytest
from playwright.sync_api import expect

from training.models import Certificate

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_the_code_box_shows_a_whole_code_and_the_button_is_a_button(
    visit, viewport, language, demo
):
    page = visit
    page.goto(page.base_url + "/verify/")
    box = page.get_by_label("证书编码" if language == "zh-hans" else "Certificate code")
    expect(box).to_be_visible()
    box.fill("ABCD-EFGH-IJKL-MNOP")
    measure = box.evaluate(
        """el => ({
            font: getComputedStyle(el).fontFamily,
            fontSize: parseFloat(getComputedStyle(el).fontSize),
            width: el.getBoundingClientRect().width,
            fits: el.scrollWidth <= el.clientWidth,
            row: el.parentElement.getBoundingClientRect().width,
        })"""
    )
    assert "mono" in measure["font"].lower()
    assert measure["fontSize"] >= 16  # no zoom on a phone, easy to compare with a printout
    assert measure["fits"]  # the whole code shows, dashes and all
    if viewport == "phone":
        assert measure["width"] >= measure["row"] - 1  # the width of the page's column
    else:
        assert measure["width"] < 0.6 * measure["row"]  # about a code wide, not a banner
    button = page.get_by_role("button", name="验证" if language == "zh-hans" else "Verify")
    look = button.evaluate(
        """el => ({
            background: getComputedStyle(el).backgroundColor,
            height: el.getBoundingClientRect().height,
        })"""
    )
    assert look["background"] not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    assert look["height"] >= 44  # a finger's target
    page.snapshot("verify-form")

    code = Certificate.objects.first()
    typed = "ABCDEFGHIJKLMNOP" if code is None else code.formatted_code.lower()
    if code is None:
        page.expect_error_status("/verify/ABCDEFGHIJKLMNOP/", 404)
    box.fill(typed)
    button.click()
    page.wait_for_url(f"**/verify/{typed.replace('-', '').upper()}/")
