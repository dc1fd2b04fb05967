"""A second newcomer walk at 390 × 844 in Chinese (after issue #31), in a real browser:
what only layout shows. A refused claim shows its problems at the top and moves the focus
there; the unit's edit history reads on a phone; the module pager keeps "· 第 2 / 5 个单元"
beside its module; dates and certificate codes are never broken across lines; and links
and buttons are at least 24 × 24 px (WCAG 2.2, 2.5.8), apart from links inside a
sentence.

A line break is found where it is drawn, as in test_phone_tables.py: each character's
box (Range.getClientRects) starting lower than the one before it.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_phone_tables import BROKEN_TOKENS, SHORT
from tests.browser.test_reading import TEXT, sign_in
from training.models import TrainingClaim

pytestmark = [pytest.mark.django_db(transaction=True)]

PHONE = pytest.mark.parametrize("viewport", ["phone"], indirect=True)
CHINESE = pytest.mark.parametrize("language", ["zh-hans"], indirect=True)
PASSWORDS = {
    "cadre": "cadre-demo-2026",
    "trainer-county": "trainer-demo-2026",
    "editor": "editor-demo-2026",
}

# Dates (2026-11-20, 2026年12月6日, 6 December 2026) and certificate codes
# (52LL-XXVT-Y3N6-PRET) drawn on more than one line, anywhere in the page's main part.
BROKEN_DATES_AND_CODES = r"""() => {
  const TOKENS = new RegExp([
    '[0-9]{4}-[0-9]{2}-[0-9]{2}', '[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日',
    '[0-9]{1,2} [A-Z][a-z]+ [0-9]{4}', '[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}',
  ].join('|'), 'g');
  const found = [];
  const root = document.querySelector('main') || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    for (const m of node.data.matchAll(TOKENS)) {
      let first = null;
      for (let i = m.index; i < m.index + m[0].length; i++) {
        if (/\s/.test(node.data[i])) continue;
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (!rect) continue;
        if (first === null) first = rect.top;
        else if (rect.top > first + 4) {
          const at = i - m.index;
          found.push(`${location.pathname}: "${m[0].slice(0, at)}/${m[0].slice(at)}"`);
          break;
        }
      }
    }
  }
  return found;
}"""

# Every link, button and form control shown, smaller than 24 × 24 px. A radio button or
# a tick box is measured with its label when a click on the label chooses it. A link in a
# sentence is WCAG's inline exception: its block holds at least SENTENCE letters besides
# its links.
SMALL_TARGETS = r"""([least, sentence]) => {
  const found = [];
  const shown = el => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== 'hidden';
  };
  const words = text => (text.match(/[\p{L}\p{N}]/gu) || []).length;
  const controls = 'a[href], button, input:not([type=hidden]), select, summary';
  for (const el of document.querySelectorAll(controls)) {
    if (!shown(el)) continue;
    let target = el;
    if (el.matches('input[type=radio], input[type=checkbox]')) {
      const label = el.id && document.querySelector(`label[for="${el.id}"]`);
      target = el.closest('label') || label || el;
    }
    if (el.matches('a')) {
      const block = el.closest('p, li, dd, td, th, h1, h2, h3, div, nav');
      if (block) {
        let rest = block.textContent;
        for (const link of block.querySelectorAll('a')) rest = rest.replace(link.textContent, '');
        if (words(rest) >= sentence) continue;
      }
    }
    const r = target.getBoundingClientRect();
    if (r.width < least - 0.5 || r.height < least - 0.5) {
      const name = (el.textContent || el.value || el.getAttribute('aria-label') || el.name || '')
        .trim().slice(0, 30);
      const size = `${Math.round(r.width)}×${Math.round(r.height)}`;
      found.push(`${location.pathname}: ${el.tagName.toLowerCase()} "${name}" ${size}`);
    }
  }
  return found;
}"""
SMALLEST_TARGET = 24  # px, WCAG 2.2 2.5.8 Target Size (Minimum)
SENTENCE = 8  # letters or characters besides the links: a link inside a sentence


def _claim_fields(page, zh, claim, hours):
    page.get_by_label("培训项目" if zh else "Course").fill(claim.course)
    page.get_by_label("主办单位" if zh else "Organiser").fill(claim.organiser)
    page.get_by_label("类型" if zh else "Kind").select_option("training")
    page.get_by_label("开始日期" if zh else "First day").fill(claim.start_on.isoformat())
    page.get_by_label("结束日期" if zh else "Last day").fill(claim.end_on.isoformat())
    page.get_by_label("学时" if zh else "Study hours", exact=True).fill(hours)
    page.get_by_role("button", name="提交审核" if zh else "Submit for approval").click()


def test_a_refused_claim_shows_its_problems_at_the_top_with_the_focus(visit, language, demo):
    page = visit
    zh = language == "zh-hans"
    waiting = TrainingClaim.objects.get(cadre__user__username="cadre", status="pending")
    sign_in(page, "cadre", PASSWORDS["cadre"], TEXT[language], landing="/training/my-study/")
    page.goto(page.base_url + "/training/my-record/claims/new/")
    _claim_fields(page, zh, waiting, "2000")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    box = summary.bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"] / 2  # in view, near the top
    link = summary.get_by_role("link", name=re.compile("学时|Study hours"))
    page.snapshot("summary")
    link.click()
    expect(page.locator("#id_hours")).to_be_focused()

    # The same course on the same dates: the message says the list and the box are
    # below it, and they are.
    _claim_fields(page, zh, waiting, str(waiting.hours))
    expect(page.locator("#error-summary")).to_be_focused()
    clashes = page.locator("#clashes")
    message = clashes.locator(".field-error")
    expect(message).to_contain_text("见下" if zh else "below")
    said = message.bounding_box()["y"]
    listed = clashes.locator("li").first.bounding_box()["y"]
    tick = page.locator("#id_confirm").bounding_box()["y"]
    assert said < listed < tick


def test_the_unit_history_reads_on_a_phone_and_gives_the_reason_room(visit, language, demo):
    from django.contrib.auth import get_user_model

    from expositions.models import StudyUnit

    editor = get_user_model().objects.get(username="editor")
    unit = StudyUnit.objects.get(slug="do-our-best-and-do-what-we-can")
    for n, reason in enumerate(["改正错字", "补充学习要点和说明"]):
        unit.body_zh_hans += f"\n\n第{n + 1}次补充的一段话，说明民政工作的要求。"
        unit._change_reason = reason
        unit._history_user = editor
        unit.save()
    page = visit
    sign_in(page, "editor", PASSWORDS["editor"], TEXT[language], landing="/admin/")
    page.goto(f"{page.base_url}/admin/expositions/studyunit/{unit.pk}/history/")
    history = page.locator("#change-history")
    expect(history).to_contain_text("补充学习要点和说明")
    page.snapshot("history")
    broken = page.evaluate(BROKEN_TOKENS.replace("main table", "#change-history"), SHORT)
    assert broken == [], "\n".join(broken)
    changes = history.locator("tbody td.history-changes").first.bounding_box()["width"]
    reason = history.locator("tbody td.history-reason").first.bounding_box()["width"]
    height = page.evaluate("document.documentElement.scrollHeight")
    if page.viewport_size["width"] < 768:
        assert changes > 300, changes  # the changes across the phone's width
    else:
        assert reason > 80, reason  # 修改原因 more than a character or two wide
    print(
        f"history at {page.viewport_size['width']} px: changes {changes:.0f} px wide, "
        f"reason {reason:.0f} px, page {height} px tall"
    )


@PHONE
def test_the_module_pager_keeps_the_position_beside_the_module(visit, language, demo):
    from training.models import Module, ModuleUnit

    module = Module.objects.get(title_zh_hans="民生保障专题学习")
    second = ModuleUnit.objects.filter(module=module).order_by("position")[1].unit
    page = visit
    sign_in(page, "cadre", PASSWORDS["cadre"], TEXT[language], landing="/training/my-study/")
    page.goto(f"{page.base_url}{second.get_absolute_url()}?module={module.pk}")
    context = page.locator(".pager-context")
    expect(context).to_contain_text("2")
    page.snapshot("pager")
    lines = page.evaluate(
        """() => {
          const p = document.querySelector('.pager-context');
          const link = p.querySelector('a');
          const text = document.createRange();
          text.selectNodeContents(link);
          const rects = [...text.getClientRects()].filter(r => r.width > 0);
          const rest = document.createRange();
          rest.setStartAfter(link);
          rest.setEndAfter(p.lastChild);
          const after = [...rest.getClientRects()].filter(r => r.width > 0);
          return {link: rects.at(-1).top, linkWidth: link.getBoundingClientRect().width,
                  width: p.getBoundingClientRect().width, after: after[0].top};
        }"""
    )
    assert lines["linkWidth"] < lines["width"], lines  # not a card across the page
    assert abs(lines["after"] - lines["link"]) < 4, lines  # "· 第 2 / 5 个单元" beside it


@PHONE
@pytest.mark.parametrize("size", ["normal", "larger"])
def test_dates_and_codes_stay_whole_on_a_phone(visit, language, demo, size):
    from django.utils import timezone

    waiting = TrainingClaim.objects.get(cadre__user__username="cadre", status="pending")
    page = visit
    zh = language == "zh-hans"
    page.context.add_cookies([{"name": "text_size", "value": size, "url": page.base_url}])
    sign_in(page, "cadre", PASSWORDS["cadre"], TEXT[language], landing="/training/my-study/")
    year = timezone.localdate().year
    broken = []
    page.goto(f"{page.base_url}/training/my-record/certificates/years/{year}/")
    broken += page.evaluate(BROKEN_DATES_AND_CODES)
    page.goto(page.base_url + "/training/my-record/")
    broken += page.evaluate(BROKEN_DATES_AND_CODES)
    page.goto(page.base_url + "/training/my-record/claims/new/")
    _claim_fields(page, zh, waiting, str(waiting.hours))
    expect(page.locator("#clashes")).to_be_visible()
    broken += page.evaluate(BROKEN_DATES_AND_CODES)
    assert broken == [], "\n".join(broken)


def _trainer_pages():
    from org.models import Cadre
    from training.models import Module, Reflection

    module = Module.objects.get(title_zh_hans="民生保障专题学习")
    claim = TrainingClaim.objects.filter(status="pending").first()
    cadre = Cadre.objects.get(user__username="zhang.min")
    reflection = Reflection.objects.get(cadre=cadre)  # the demo's, on a 民生保障 unit
    return [
        "/training/",
        f"/training/modules/{module.pk}/",
        f"/training/modules/{module.pk}/progress/",
        f"/training/cadres/{cadre.pk}/?module={module.pk}",
        f"/training/modules/{module.pk}/reflections/",
        f"/training/reflections/{reflection.pk}/",
        "/training/hours/",
        "/training/claims/?status=all",
        f"/training/claims/{claim.pk}/",
    ]


def _cadre_pages():
    from training.models import Module, ModuleUnit

    module = Module.objects.get(title_zh_hans="民生保障专题学习")
    unit = ModuleUnit.objects.filter(module=module).order_by("position")[1].unit
    return [
        "/training/my-study/",
        f"/training/my-study/modules/{module.pk}/",
        "/training/my-record/",
        "/training/my-record/claims/new/",
        f"{unit.get_absolute_url()}?module={module.pk}",  # asks for a reflection
        f"/training/units/{unit.slug}/reflection/?module={module.pk}",
        "/",
    ]


@pytest.mark.parametrize("who", ["cadre", "trainer-county"])
def test_links_and_buttons_are_at_least_24_px(visit, language, demo, who):
    page = visit
    sign_in(page, who, PASSWORDS[who], TEXT[language])
    small = []
    for path in _cadre_pages() if who == "cadre" else _trainer_pages():
        page.goto(page.base_url + path)
        small += page.evaluate(SMALL_TARGETS, [SMALLEST_TARGET, SENTENCE])
    assert small == [], "\n".join(small)
    if who != "cadre":  # the claim's decision (last page): the radio buttons themselves
        radios = page.locator("input[type=radio]")
        expect(radios).to_have_count(2)
        for radio in radios.all():
            box = radio.bounding_box()
            assert min(box["width"], box["height"]) >= SMALLEST_TARGET - 0.5, box
