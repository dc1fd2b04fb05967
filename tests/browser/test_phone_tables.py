"""Tables and charts on a phone (issue #31): at 390 px, in Chinese, at the normal and the
largest text size, no table cell wraps inside a date ("2026-12-/01"), no column name and
no short value (a status, a number, an org unit: up to SHORT characters) wraps inside a
word (学/时, 启/用, 单/元/数), and no chart label is drawn smaller than 12 px. Longer
text (a unit's title, a course and its organiser) wraps between characters as Chinese
does.

A line break is found where it is drawn: each character's box (Range.getClientRects)
starts lower than the one before it. Words are the browser's own (Intl.Segmenter, its
dictionary of Chinese words). Cells that are hidden (the card layout's header row) have
no box to measure and are left out. The `visit` fixture fails any page that scrolls
sideways.
"""

import re

import pytest
from django.utils import timezone

from tests.browser.test_reading import TEXT, sign_in

pytestmark = [pytest.mark.django_db(transaction=True)]

PASSWORDS = {"cadre": "cadre-demo-2026", "trainer-county": "trainer-demo-2026"}
SMALLEST_CHART_TEXT = 12  # px, as drawn
SHORT = 8  # characters

# Each table cell's text as the lines it is drawn on, and what is broken across two.
BROKEN_TOKENS = """(short) => {
  const words = new Intl.Segmenter('zh', {granularity: 'word'});
  const DATE = /[0-9]{4}-[0-9]{2}-[0-9]{2}/g;
  const found = [];
  for (const cell of document.querySelectorAll('main table th, main table td')) {
    const heading = cell.matches('thead th, th[scope=col]');
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
      const text = node.data;
      const box = node.parentElement.getBoundingClientRect();
      if (box.width < 4 || box.height < 4 || !text.trim()) continue;  // not shown
      const breaks = [];  // index of each character that starts a new line
      let last = null;
      for (let i = 0; i < text.length; i++) {
        if (/\\s/.test(text[i])) continue;
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (!rect) continue;
        if (last !== null && rect.top > last + 4) breaks.push(i);
        last = rect.top;
      }
      if (!breaks.length) continue;
      const whole = heading || text.trim().length <= short;
      const tokens = whole ? [...words.segment(text)]
        .filter(s => s.isWordLike)
        .map(s => [s.index, s.index + s.segment.length]) : [];
      for (const m of text.matchAll(DATE)) tokens.push([m.index, m.index + m[0].length]);
      for (const i of breaks) {
        const inside = tokens.find(([start, end]) => start < i && i < end);
        if (inside) {
          found.push(`${location.pathname}: "${text.slice(inside[0], i)}/${
            text.slice(i, inside[1])}" in "${text.trim()}"`);
        }
      }
    }
  }
  return found;
}"""

CHART_TEXT_SIZES = """() => [...document.querySelectorAll('svg.chart-svg text')].map(
  t => [t.textContent, parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a])"""


def _pages(who):
    from org.models import Cadre
    from training.models import Assignment, Module, Requirement

    if who == "cadre":
        return ["/training/my-record/", "/training/my-study/", "/search/?q=民政"]
    module = Module.objects.get(title_zh_hans="民生保障专题学习")
    assignment = Assignment.objects.filter(module=module).first()
    cadre = Cadre.objects.get(user__username="zhang.min")
    online = Requirement.objects.get(kind="online")  # one every cadre owes
    year = timezone.localdate().year
    return [
        "/training/",
        f"/training/modules/{module.pk}/",
        f"/training/modules/{module.pk}/progress/",
        f"/training/assignments/{assignment.pk}/",
        f"/training/cadres/{cadre.pk}/?module={module.pk}",
        "/training/hours/",
        f"/training/hours/?requirement={online.pk}&year={year}",
        "/training/claims/?status=all",
        "/org/passwords/",
    ]


PHONE = pytest.mark.parametrize("viewport", ["phone"], indirect=True)
CHINESE = pytest.mark.parametrize("language", ["zh-hans"], indirect=True)


@pytest.mark.parametrize("size", ["normal", "larger"])
@pytest.mark.parametrize("who", ["cadre", "trainer-county"])
@PHONE
@CHINESE
def test_phone_tables_break_no_word_and_no_date(visit, language, demo, who, size):
    page = visit
    page.context.add_cookies([{"name": "text_size", "value": size, "url": page.base_url}])
    sign_in(page, who, PASSWORDS[who], TEXT[language])
    broken, measured = [], 0
    for path in _pages(who):
        page.goto(page.base_url + path)
        assert page.locator("html").get_attribute("data-text-size") == size
        measured += page.locator("main table").count()
        broken += page.evaluate(BROKEN_TOKENS, SHORT)
        page.snapshot(re.sub(r"\W+", "-", path).strip("-") or "start")
    assert measured > 0
    assert broken == [], "\n".join(broken)


@pytest.mark.parametrize("size", ["normal", "larger"])
@PHONE
@CHINESE
def test_phone_chart_labels_are_at_least_12_px(visit, language, demo, size):
    from training.models import Module

    page = visit
    page.context.add_cookies([{"name": "text_size", "value": size, "url": page.base_url}])
    sign_in(page, "trainer-county", PASSWORDS["trainer-county"], TEXT[language])
    module = Module.objects.get(title_zh_hans="民生保障专题学习")
    page.goto(f"{page.base_url}/training/modules/{module.pk}/progress/")
    page.locator(".charts").scroll_into_view_if_needed()
    page.snapshot("charts")
    sizes = page.evaluate(CHART_TEXT_SIZES)
    assert len(sizes) > 5
    small = [(text, round(px, 1)) for text, px in sizes if px < SMALLEST_CHART_TEXT]
    assert small == []


PLACEHOLDER_FITS = """() => [...document.querySelectorAll('main input[placeholder]')].map(input => {
  const style = getComputedStyle(input);
  const context = document.createElement('canvas').getContext('2d');
  context.font = `${style.fontSize} ${style.fontFamily}`;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return [input.placeholder, Math.ceil(context.measureText(input.placeholder).width), room];
})"""


@pytest.mark.parametrize("size", ["normal", "larger"])
@PHONE
def test_the_search_box_shows_its_whole_hint_on_a_phone(visit, language, demo, size):
    page = visit
    page.context.add_cookies([{"name": "text_size", "value": size, "url": page.base_url}])
    sign_in(page, "cadre", PASSWORDS["cadre"], TEXT[language])
    page.goto(page.base_url + "/search/")
    hints = page.evaluate(PLACEHOLDER_FITS)
    assert hints
    assert [(hint, width, room) for hint, width, room in hints if width > room] == []
