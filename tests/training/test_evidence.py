"""Evidence of study (issue #35): what a unit asks of a cadre before it counts, the
self-check and the reflection that give it, a trainer's review, and who may read a
reflection. Pages are in test_evidence_pages.py."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, override

from expositions import services as expositions_services
from expositions.models import SelfCheckQuestion
from tests.expositions.test_self_check import QUESTIONS
from tests.servers import at_once
from training import evidence, progress_verify, services
from training.models import Completion, HoursYear, Module, Reflection, SelfCheckPass
from training.my_study import my_modules

pytestmark = pytest.mark.django_db

TEXT = (
    "学习本单元后，我对社会救助工作有了新的认识。"
    "今后入户核查时要多听困难群众的意见，把政策讲清楚，把实事办到位。"
)


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


@pytest.fixture
def world(org, make_cadre, make_unit, make_module, make_trainer, assign):
    """A cadre reached by a module asking for the self-check of its three units, which
    have questions; the trainer of the cadre's county and one of another county."""
    cadre = make_cadre(org.township_a, username="reader")
    units = [make_unit(title=f"课{i}") for i in range(3)]
    for unit in units:
        expositions_services.unit_save(unit=unit, questions=QUESTIONS)
    module = make_module(units=units, evidence=Module.Evidence.SELF_CHECK)
    assign(module, org.county, days=10)
    trainer = make_trainer(org.county)
    other_trainer = make_trainer(org.other_county)
    return cadre, units, module, trainer, other_trainer


def right_answers(unit):
    answers = {}
    for question in SelfCheckQuestion.objects.for_unit(unit):
        if question.is_true_false:
            answers[question.pk] = question.statement_true
        else:
            answers[question.pk] = {o.pk for o in question.options.all() if o.correct}
    return answers


def wrong_answers(unit):
    answers = right_answers(unit)
    first = next(iter(answers))
    answers[first] = set()
    return answers


def _asks(module, value):
    Module.objects.filter(pk=module.pk).update(evidence=value)


# --- what a unit asks ----------------------------------------------------------------


def test_a_module_asking_nothing_keeps_the_button(world):
    cadre, units, module, *_ = world
    _asks(module, Module.Evidence.NOTHING)
    assert evidence.asked(cadre, units[0]) == evidence.Asked()
    _completion, created = evidence.completion_request(cadre=cadre, unit=units[0])
    assert created


def test_the_button_is_refused_until_the_self_check_is_passed(world):
    cadre, units, *_ = world
    with pytest.raises(ValidationError, match="self-check"):
        evidence.completion_request(cadre=cadre, unit=units[0])
    assert not Completion.objects.exists()


def test_wrong_answers_write_nothing_and_right_ones_pass_and_complete(world):
    cadre, units, module, *_ = world
    failed = evidence.self_check_submit(cadre=cadre, unit=units[0], answers=wrong_answers(units[0]))
    assert not failed.passed
    assert [m.right for m in failed.marks] == [False, True, True]
    assert not SelfCheckPass.objects.exists() and not Completion.objects.exists()
    passed = evidence.self_check_submit(cadre=cadre, unit=units[0], answers=right_answers(units[0]))
    assert passed.passed and passed.completed
    completion = Completion.objects.get(cadre=cadre, unit=units[0])
    assert completion.credit_hours == units[0].credit_hours  # 学时 credited as ever
    assert [(m.pk, m.done) for m in my_modules(cadre)] == [(module.pk, 1)]
    year = timezone.localdate().year
    assert HoursYear.objects.get(cadre=cadre, year=year).online == units[0].credit_hours
    assert progress_verify.verify() == []


def test_an_unanswered_question_is_wrong(world):
    cadre, units, *_ = world
    answers = right_answers(units[0])
    answers.pop(next(iter(answers)))
    assert not evidence.self_check_submit(cadre=cadre, unit=units[0], answers=answers).passed


def test_passing_twice_changes_nothing(world):
    cadre, units, *_ = world
    evidence.self_check_submit(cadre=cadre, unit=units[0], answers=right_answers(units[0]))
    again = evidence.self_check_submit(cadre=cadre, unit=units[0], answers=right_answers(units[0]))
    assert again.passed and not again.completed
    assert SelfCheckPass.objects.count() == 1 and Completion.objects.count() == 1


def test_a_unit_without_questions_counts_with_the_button(world, make_unit, make_module, assign):
    cadre, _units, _module, *_ = world
    bare = make_unit()
    module = make_module(units=[bare], evidence=Module.Evidence.SELF_CHECK)
    assign(module, cadre)
    assert evidence.asked(cadre, bare) == evidence.Asked()
    assert evidence.completion_request(cadre=cadre, unit=bare)[1]
    with pytest.raises(ValidationError):
        evidence.self_check_submit(cadre=cadre, unit=bare, answers={})


def test_a_unit_in_two_modules_asks_what_each_asks(world, make_module, assign):
    cadre, units, _module, *_ = world
    other = make_module(units=[units[0]], evidence=Module.Evidence.REFLECTION)
    assign(other, cadre)
    assert evidence.asked(cadre, units[0]) == evidence.Asked(self_check=True, reflection=True)
    evidence.self_check_submit(cadre=cadre, unit=units[0], answers=right_answers(units[0]))
    assert not Completion.objects.exists()  # the reflection is still missing
    _reflection, completed = evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT)
    assert completed
    assert Completion.objects.filter(cadre=cadre, unit=units[0]).count() == 1


def test_the_reflection_first_then_the_self_check(world, make_module, assign):
    cadre, units, _module, *_ = world
    assign(make_module(units=[units[0]], evidence=Module.Evidence.REFLECTION), cadre)
    assert not evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT)[1]
    result = evidence.self_check_submit(cadre=cadre, unit=units[0], answers=right_answers(units[0]))
    assert result.completed


def test_a_draft_or_unassigned_module_asks_nothing(world, make_module, assign):
    cadre, units, module, *_ = world
    _asks(module, Module.Evidence.NOTHING)
    make_module(units=[units[0]], evidence=Module.Evidence.REFLECTION)  # assigned to nobody
    draft = make_module(
        units=[units[0]], evidence=Module.Evidence.REFLECTION, status=Module.Status.DRAFT
    )
    assign(draft, cadre)
    assert evidence.asked(cadre, units[0]) == evidence.Asked()


def test_a_completion_made_under_one_rule_stays_when_the_rule_changes(world):
    cadre, units, module, *_ = world
    _asks(module, Module.Evidence.NOTHING)
    evidence.completion_request(cadre=cadre, unit=units[0])
    _asks(module, Module.Evidence.REFLECTION)
    assert Completion.objects.filter(cadre=cadre, unit=units[0]).exists()
    assert [m.done for m in my_modules(cadre)] == [1]
    evidence.self_check_submit(cadre=cadre, unit=units[1], answers=right_answers(units[1]))
    assert not Completion.objects.filter(unit=units[1]).exists()  # now a reflection is asked


def test_a_pass_outlives_an_undo_and_the_button_then_records(world):
    cadre, units, *_ = world
    evidence.self_check_submit(cadre=cadre, unit=units[0], answers=right_answers(units[0]))
    services.completion_undo(cadre=cadre, unit=units[0])
    assert evidence.completion_request(cadre=cadre, unit=units[0])[1]


# --- reflections -----------------------------------------------------------------------


@pytest.fixture
def reflective(world):
    _asks(world[2], Module.Evidence.REFLECTION)
    return world


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("太短了。", "at least 50"),
        ("字" * 49 + " \n " * 30, "so far 49"),  # white space is not counted
        ("字" * 2001, "2000"),
    ],
)
def test_a_reflection_of_the_wrong_length_is_refused(reflective, text, message):
    cadre, units, *_ = reflective
    with pytest.raises(ValidationError, match=message):
        evidence.reflection_submit(cadre=cadre, unit=units[0], text=text)
    assert not Reflection.objects.exists() and not Completion.objects.exists()


def test_fifty_chinese_characters_make_a_reflection_that_completes_the_unit(reflective):
    cadre, units, *_ = reflective
    reflection, completed = evidence.reflection_submit(cadre=cadre, unit=units[0], text="字" * 50)
    assert completed and reflection.status == Reflection.Status.SUBMITTED
    assert Completion.objects.get(cadre=cadre, unit=units[0]).credit_hours == units[0].credit_hours


def test_a_reflection_is_kept_as_typed_with_one_kind_of_line_end(reflective):
    cadre, units, *_ = reflective
    text = "<b>第一段</b>" + "字" * 50 + "\r\n\r\n第二段 =SUM(A1)"
    reflection, _completed = evidence.reflection_submit(cadre=cadre, unit=units[0], text=text)
    assert reflection.text == text.replace("\r\n", "\n")


def test_the_author_revises_until_a_trainer_reads_it(reflective):
    cadre, units, _module, trainer, _other = reflective
    reflection, _ = evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT)
    evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT + "补充一句。")
    reflection.refresh_from_db()
    assert reflection.text.endswith("补充一句。")
    evidence.reflection_review(reflection=reflection, by=trainer, action=evidence.READ)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT)
    reflection.refresh_from_db()
    assert reflection.status == Reflection.Status.READ and reflection.reviewed_by == trainer


def test_a_returned_reflection_is_seen_revised_and_read(reflective):
    cadre, units, _module, trainer, _other = reflective
    reflection, _ = evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT)
    evidence.reflection_review(
        reflection=reflection,
        by=trainer,
        action=evidence.RETURN,
        comment="请结合低保复核再写具体些。",
    )
    assert list(Reflection.objects.returned_to(cadre)) == [reflection]
    evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT + "我会在复核中逐户回访。")
    reflection.refresh_from_db()
    assert reflection.status == Reflection.Status.SUBMITTED and reflection.revised
    assert list(Reflection.objects.returned_to(cadre)) == []
    evidence.reflection_review(reflection=reflection, by=trainer, action=evidence.READ)
    assert Completion.objects.filter(cadre=cadre, unit=units[0]).count() == 1  # never undone


def test_the_same_text_again_changes_nothing(reflective):
    cadre, units, *_ = reflective
    first, _ = evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT)
    again, completed = evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT)
    assert (again.pk, again.submitted_at, completed) == (first.pk, first.submitted_at, False)


def test_returning_needs_a_comment_and_reading_a_returned_one_waits(reflective):
    cadre, units, _module, trainer, _other = reflective
    reflection, _ = evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT)
    with pytest.raises(ValidationError, match="what to revise"):
        evidence.reflection_review(reflection=reflection, by=trainer, action=evidence.RETURN)
    evidence.reflection_review(
        reflection=reflection, by=trainer, action=evidence.RETURN, comment="再具体些"
    )
    with pytest.raises(ValidationError, match="wait for the cadre"):
        evidence.reflection_review(reflection=reflection, by=trainer, action=evidence.READ)
    again = evidence.reflection_review(
        reflection=reflection, by=trainer, action=evidence.RETURN, comment="再具体些"
    )
    assert again.status == Reflection.Status.RETURNED


def test_only_a_trainer_who_manages_the_author_reviews(reflective, make_user):
    cadre, units, _module, _trainer, other_trainer = reflective
    reflection, _ = evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT)
    for stranger in (other_trainer, cadre.user, make_user(is_staff=True)):
        with pytest.raises(ValidationError, match="cadres you manage"):
            evidence.reflection_review(reflection=reflection, by=stranger, action=evidence.READ)
    reflection.refresh_from_db()
    assert reflection.status == Reflection.Status.SUBMITTED


def test_a_reflection_is_seen_by_its_author_and_the_trainers_of_their_org_unit(
    reflective, org, make_cadre, make_trainer, editor_user
):
    cadre, units, _module, trainer, other_trainer = reflective
    evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT)
    province = make_trainer(org.province)
    neighbour = make_cadre(org.township_a)
    seen = {
        user.username: Reflection.objects.visible_to(user).exists()
        for user in (cadre.user, trainer, province, other_trainer, neighbour.user, editor_user)
    }
    assert seen == {
        cadre.user.username: True,
        trainer.username: True,
        province.username: True,
        other_trainer.username: False,
        neighbour.user.username: False,
        editor_user.username: False,
    }
    assert Reflection.objects.reviewable_by(cadre.user).count() == 0


def test_a_reflection_never_names_its_words_outside_its_page(reflective):
    cadre, units, *_ = reflective
    reflection, _ = evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT)
    assert TEXT[:10] not in str(reflection)


# --- at once ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_same_self_check_passed_at_once_leaves_one_pass_and_one_completion(world):
    cadre, units, *_ = world
    answers = right_answers(units[0])
    results, errors = at_once(
        [lambda: evidence.self_check_submit(cadre=cadre, unit=units[0], answers=answers)] * 8
    )
    assert errors == []
    assert all(r.passed for r in results)
    assert [r.completed for r in results].count(True) == 1
    assert SelfCheckPass.objects.count() == 1
    assert Completion.objects.filter(cadre=cadre, unit=units[0]).count() == 1
    assert progress_verify.verify() == []


@pytest.mark.django_db(transaction=True)
def test_the_same_reflection_sent_at_once_leaves_one_reflection_and_one_completion(world):
    cadre, units, module, *_ = world
    _asks(module, Module.Evidence.REFLECTION)
    results, errors = at_once(
        [lambda: evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT)] * 8
    )
    assert errors == []
    assert [completed for _r, completed in results].count(True) == 1
    assert Reflection.objects.count() == 1
    assert Completion.objects.filter(cadre=cadre, unit=units[0]).count() == 1
    assert progress_verify.verify() == []


@pytest.mark.django_db(transaction=True)
def test_a_revision_and_a_reading_at_once_leave_a_consistent_reflection(world):
    cadre, units, module, trainer, _other = world
    _asks(module, Module.Evidence.REFLECTION)
    reflection, _ = evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT)
    _results, errors = at_once(
        [
            lambda: evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT + "修改。"),
            lambda: evidence.reflection_review(
                reflection=reflection, by=trainer, action=evidence.READ
            ),
        ]
    )
    reflection.refresh_from_db()
    assert reflection.status == Reflection.Status.READ
    if errors:  # the reading came first: the revision was refused, the text is as read
        # The message is made in the worker thread, in the default language (a thread
        # does not inherit the test's active language).
        said = "A trainer has read your reflection: it can no longer be changed."
        with override(settings.LANGUAGE_CODE):
            in_default_language = gettext(said)
        assert [str(e.messages[0]) for e in errors] == [in_default_language]
        assert reflection.text == TEXT
    else:  # the revision came first: the trainer read the revised text
        assert reflection.text == TEXT + "修改。"


def test_a_reflection_on_a_unit_readers_cannot_see_is_refused(reflective):
    cadre, units, *_ = reflective
    units[0].published_at = timezone.now() + timedelta(days=1)
    expositions_services.unit_save(unit=units[0])
    with pytest.raises(ValidationError, match="not published"):
        evidence.reflection_submit(cadre=cadre, unit=units[0], text=TEXT)
