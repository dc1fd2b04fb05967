"""Evidence of study (issue #35) in a real browser, at phone and desktop width, in
Chinese and English: a cadre fails a unit's self-check, reads the explanations, passes
and the unit counts; a cadre writes a reflection (学习心得), the county trainer reads it
and returns it with a comment, and the cadre revises it. The demo's 能力建设 module asks
for the self-check, its 民生保障 module for a reflection."""

import pytest
from playwright.sync_api import expect

from expositions import services as expositions_services
from expositions.models import SelfCheckQuestion
from tests.browser.test_claims_and_undo import accessible, sign_out
from tests.browser.test_reading import TEXT, sign_in
from tests.expositions.test_self_check import QUESTIONS
from training.models import Completion, Module, Reflection

pytestmark = [pytest.mark.django_db(transaction=True)]

REFLECTION = (
    "学习本单元后，我想到街道的低保复核工作：今后要多入户、多倾听，"
    "把政策讲清楚，把实事办到位，让困难群众真正感受到温暖。"
)


def _first_unit(asking):
    module = Module.objects.get(evidence=asking)
    return module, module.module_units.order_by("position").first().unit


def _answer(page, question, zh, right):
    """Tick the right answers of ``question`` (or, not ``right``, a wrong one)."""
    box = page.locator("fieldset.self-check-question").filter(
        has_text=question.text_in("text", "zh-hans" if zh else "en")
    )
    if question.is_true_false:
        says = question.statement_true if right else not question.statement_true
        label = ("对" if says else "错") if zh else ("True" if says else "False")
        box.get_by_label(label, exact=True).check()
        return
    for option in question.options.all():
        text = option.text_zh_hans if zh else option.text_en
        tick = option.correct if right else not option.correct
        target = box.get_by_label(text, exact=True)
        if tick:
            target.check()
        elif question.kind == "multiple":
            target.uncheck()


def test_a_cadre_fails_then_passes_a_self_check_and_the_unit_counts(visit, language, demo):
    page = visit
    zh = language == "zh-hans"
    module, unit = _first_unit(Module.Evidence.SELF_CHECK)
    if not unit.questions.exists():  # the shipped questions, or these
        expositions_services.unit_save(unit=unit, questions=QUESTIONS)
    questions = list(SelfCheckQuestion.objects.for_unit(unit))
    sign_in(page, "cadre", "cadre-demo-2026", TEXT[language], landing="/training/my-study/")
    card = page.locator(".module-card").filter(
        has_text=module.text_in("title", "zh-hans" if zh else "en")
    )
    card.locator(".next-unit a").click()
    expect(page.locator(".evidence-note")).to_contain_text(
        "通过本单元自测" if zh else "once you pass its self-check"
    )
    expect(page.locator("#completion form[action$='/complete/']")).to_have_count(0)
    page.snapshot("self-check-asked")
    accessible(page)

    # Every answer but the first right: marked, with the explanations, nothing recorded.
    for i, question in enumerate(questions):
        _answer(page, question, zh, right=i > 0)
    check = page.get_by_role("button", name="提交答案" if zh else "Check my answers")
    check.click()
    expect(page.locator(".evidence-note")).to_contain_text(
        "还有题目没有答对" if zh else "Not every answer is right yet"
    )
    expect(page.locator(".is-wrong")).to_have_count(1)
    expect(page.locator(".self-check-explanation")).to_have_count(len(questions))
    page.snapshot("self-check-marked")
    accessible(page)
    assert not Completion.objects.filter(unit=unit).exists()

    # The first made right, the others kept as answered: passed, and the unit counts.
    _answer(page, questions[0], zh, right=True)
    check.click()
    expect(page.locator(".messages")).to_contain_text("全部答对" if zh else "Every answer is right")
    done = "完成" if zh else "Completed"
    expect(page.locator(".completion-state").first).to_contain_text(done)
    expect(page.locator(".completion-panel progress").first).to_have_attribute("value", "1")
    assert Completion.objects.filter(cadre__user__username="cadre", unit=unit).exists()


def test_a_reflection_is_written_returned_by_the_trainer_and_revised(visit, language, demo):
    page = visit
    zh = language == "zh-hans"
    module, unit = _first_unit(Module.Evidence.REFLECTION)
    title = unit.text_in("title", "zh-hans" if zh else "en")

    # The cadre writes: too short first, then a real reflection; the unit counts.
    sign_in(page, "cadre", "cadre-demo-2026", TEXT[language], landing="/training/my-study/")
    page.goto(page.base_url + unit.get_absolute_url() + f"?module={module.pk}")
    box = page.get_by_label("我的学习心得" if zh else "Your reflection (学习心得)")
    send = page.get_by_role("button", name="提交学习心得" if zh else "Send my reflection")
    box.fill("学习了。")
    send.click()
    expect(page.locator(".field-error")).to_contain_text("目前 4 字" if zh else "so far 4")
    page.snapshot("reflection-too-short")
    accessible(page)
    box.fill(REFLECTION)
    send.click()
    expect(page.locator(".messages")).to_contain_text(
        "学习心得已提交" if zh else "reflection is sent"
    )
    expect(page.locator(".completion-state").first).to_be_visible()
    expect(page.locator(".reflection-panel")).to_contain_text(
        "待批阅" if zh else "Waiting to be read"
    )
    sign_out(page)

    # The county trainer finds it on the module's page and returns it with a comment.
    sign_in(page, "trainer-county", "trainer-demo-2026", TEXT[language], landing="/training/")
    page.goto(page.base_url + module.get_absolute_url())
    page.locator("main").get_by_role("link", name="学习心得" if zh else "Reflections").click()
    card = page.locator(".reflection-card").filter(has_text="李干部")
    expect(card.locator(".reflection-text")).to_contain_text("低保复核")
    page.snapshot("reflections-list")
    accessible(page)
    card.get_by_role("link", name="批阅" if zh else "Mark read or return").click()
    page.get_by_label(
        "附意见退回：干部可以修改后重新提交"
        if zh
        else "Return it with a comment: the cadre may revise it"
    ).check()
    save = page.get_by_role("button", name="保存" if zh else "Save", exact=True)
    save.click()
    expect(page.locator(".field-error")).to_be_visible()  # a comment is needed
    page.get_by_label("批阅意见" if zh else "Your comment").fill("请结合一户复核的实例再具体些。")
    save.click()
    expect(page.locator(".messages")).to_contain_text("已退回" if zh else "Returned")
    page.snapshot("reflection-returned")
    accessible(page)
    sign_out(page)

    # The cadre sees the comment on My record and revises.
    sign_in(page, "cadre", "cadre-demo-2026", TEXT[language], landing="/training/my-study/")
    page.goto(page.base_url + "/training/my-record/")
    mine = page.locator(".my-reflections li").filter(has_text=title)
    expect(mine).to_contain_text("请结合一户复核的实例再具体些。")
    mine.get_by_role("link", name="修改" if zh else "Revise it").click()
    expect(page.locator(".reflection-comment")).to_contain_text("再具体些")
    accessible(page)
    box = page.get_by_label("我的学习心得" if zh else "Your reflection (学习心得)")
    box.fill(REFLECTION + "上周我回访了一户老人，发现他的医疗救助还没有落实。")
    page.get_by_role("button", name="提交修改" if zh else "Send the revision").click()
    expect(page.locator(".reflection-panel")).to_contain_text(
        "已修改，待批阅" if zh else "Revised, waiting to be read"
    )
    reflection = Reflection.objects.get(cadre__user__username="cadre", unit=unit)
    assert reflection.revised and "回访" in reflection.text
