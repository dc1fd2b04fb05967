"""A unit's self-check questions (issue #35): the rules a question keeps, written with
the unit through its one write path, in every version, restored by a revert, edited
inline on the unit's admin page."""

import copy

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import override

from expositions import history, self_check, services
from expositions.models import SelfCheckOption, SelfCheckQuestion, StudyUnit, Tag
from tests.expositions.test_admin import _form_data, question_forms
from tests.expositions.test_history import _change, _revert

pytestmark = pytest.mark.django_db

SINGLE = {
    "order": 1,
    "kind": "single",
    "text_zh": "民政工作关乎什么？",
    "text_en": "What does civil affairs work bear on?",
    "options": [
        {"text_zh": "民心向背", "text_en": "The will of the people", "correct": True},
        {"text_zh": "经济增速", "text_en": "Economic growth", "correct": False},
    ],
    "explanation_zh": "本单元第一条要点。",
    "explanation_en": "The unit's first key point.",
}
MULTIPLE = {
    "order": 2,
    "kind": "multiple",
    "text_zh": "民政部门的职责包括哪些？",
    "text_en": "Which are duties of civil affairs departments?",
    "options": [
        {"text_zh": "基本民生保障", "text_en": "Basic livelihood", "correct": True},
        {"text_zh": "基层社会治理", "text_en": "Grassroots governance", "correct": True},
        {"text_zh": "货币政策", "text_en": "Monetary policy", "correct": False},
    ],
    "explanation_zh": "三项职责见要点二。",
    "explanation_en": "The second key point names them.",
}
TRUE_FALSE = {
    "order": 3,
    "kind": "true_false",
    "text_zh": "困难群众对工作是否落实感受最深。",
    "text_en": "People in difficulty feel most keenly whether the work is done.",
    "correct": True,
    "explanation_zh": "要点三。",
    "explanation_en": "Key point three.",
}
QUESTIONS = [SINGLE, MULTIPLE, TRUE_FALSE]


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


def changed(spec, **changes):
    return {**copy.deepcopy(spec), **changes}


@pytest.fixture
def unit(make_unit):
    return make_unit(
        title_zh_hans="民政工作关乎民心向背",
        summary_zh_hans="民政工作关乎民心向背。",
        body_zh_hans="民政工作关乎民心向背。",
        key_points_zh_hans="要点一\n要点二\n要点三",
        tags=["民生"],
    )


# --- the rules of a question --------------------------------------------------------


@pytest.mark.parametrize("spec", QUESTIONS)
def test_a_well_made_question_of_each_kind_has_no_problem(spec):
    assert self_check.problems(spec, english=True) == []


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        (changed(SINGLE, kind="essay"), "Choose the kind"),
        (changed(SINGLE, text_zh="What?"), "question in Chinese"),
        (changed(SINGLE, explanation_zh=""), "explanation in Chinese"),
        (changed(SINGLE, options=SINGLE["options"][:1]), "needs 2 to 6 options"),
        (
            changed(SINGLE, options=[{**o, "correct": True} for o in SINGLE["options"]]),
            "exactly one right option",
        ),
        (changed(MULTIPLE, options=MULTIPLE["options"][:2]), "needs 3 to 6 options"),
        (
            changed(MULTIPLE, options=[{**o, "correct": False} for o in MULTIPLE["options"]]),
            "at least two right options",
        ),
        (
            changed(MULTIPLE, options=[MULTIPLE["options"][0], {"text_zh": "", "correct": True}]),
            "every option in Chinese",
        ),
        (changed(TRUE_FALSE, correct=None), "true or false"),
        (changed(TRUE_FALSE, options=SINGLE["options"]), "has no options"),
    ],
)
def test_a_question_that_breaks_a_rule_says_which(spec, problem):
    found = self_check.problems(spec)
    assert any(problem in p for p in found), found


def test_english_is_required_of_the_shipped_file_only():
    spec = changed(SINGLE, text_en="", explanation_en="")
    spec["options"] = [{**o, "text_en": ""} for o in spec["options"]]
    assert self_check.problems(spec) == []
    assert len(self_check.problems(spec, english=True)) == 3


def test_options_are_in_english_all_or_none():
    spec = changed(SINGLE)
    spec["options"][1]["text_en"] = ""
    assert self_check.problems(spec) == ["Write every option in English, or none of them."]


# --- written with the unit ------------------------------------------------------------


def test_questions_are_written_with_the_unit_in_one_version(unit):
    before = unit.history.count()
    services.unit_save(unit=unit, questions=QUESTIONS)
    assert unit.history.count() == before + 1
    latest = unit.history.latest()
    assert latest.history_questions == self_check.normalised(QUESTIONS)
    assert self_check.snapshot(unit) == self_check.normalised(QUESTIONS)
    assert history.changed_fields(unit.history.order_by("-history_id")[1], latest) == ["questions"]


def test_saving_the_same_questions_again_writes_no_version(unit):
    services.unit_save(unit=unit, questions=QUESTIONS)
    versions, rows = unit.history.count(), list(SelfCheckQuestion.objects.values_list("pk"))
    services.unit_save(unit=unit, questions=QUESTIONS)
    services.unit_save(unit=unit)  # questions=None: left as they are
    assert unit.history.count() == versions
    assert list(SelfCheckQuestion.objects.values_list("pk")) == rows


def test_questions_are_written_in_place_by_their_order(unit):
    services.unit_save(unit=unit, questions=QUESTIONS)
    first = SelfCheckQuestion.objects.get(unit=unit, order=1)
    services.unit_save(unit=unit, questions=[changed(SINGLE, text_zh="民政工作关乎哪一点？")])
    assert list(SelfCheckQuestion.objects.filter(unit=unit).values_list("pk", "order")) == [
        (first.pk, 1)
    ]
    assert SelfCheckQuestion.objects.get(pk=first.pk).text_zh_hans == "民政工作关乎哪一点？"
    assert SelfCheckOption.objects.filter(question__unit=unit).count() == 2


def test_questions_are_numbered_from_one_in_the_order_given(unit):
    services.unit_save(
        unit=unit, questions=[changed(TRUE_FALSE, order=9), changed(SINGLE, order=4)]
    )
    assert [(q["order"], q["kind"]) for q in self_check.snapshot(unit)] == [
        (1, "single"),
        (2, "true_false"),
    ]


def test_a_bad_question_is_refused_and_nothing_is_written(unit):
    services.unit_save(unit=unit, questions=[SINGLE])
    versions = unit.history.count()
    unit.title_zh_hans = "改过的标题"
    with pytest.raises(ValidationError) as refused:
        services.unit_save(unit=unit, questions=[SINGLE, changed(MULTIPLE, options=[])])
    assert "Question 2" in str(refused.value)
    unit.refresh_from_db()
    assert unit.title_zh_hans != "改过的标题"
    assert unit.history.count() == versions
    assert self_check.snapshot(unit) == self_check.normalised([SINGLE])


def test_no_questions_removes_them(unit):
    services.unit_save(unit=unit, questions=QUESTIONS)
    services.unit_save(unit=unit, questions=[])
    assert not SelfCheckQuestion.objects.filter(unit=unit).exists()
    assert unit.history.latest().history_questions == []


@pytest.mark.parametrize(
    ("spec", "answer", "right"),
    [
        (SINGLE, [0], True),
        (SINGLE, [1], False),
        (SINGLE, [0, 1], False),
        (MULTIPLE, [0, 1], True),
        (MULTIPLE, [0], False),
        (MULTIPLE, [0, 1, 2], False),
        (TRUE_FALSE, True, True),
        (TRUE_FALSE, False, False),
        (TRUE_FALSE, None, False),
    ],
)
def test_an_answer_is_right_only_when_it_names_exactly_the_right_options(unit, spec, answer, right):
    services.unit_save(unit=unit, questions=[spec])
    (question,) = SelfCheckQuestion.objects.for_unit(unit)
    options = list(question.options.all())
    chosen = answer if isinstance(answer, bool | None) else {options[i].pk for i in answer}
    assert question.is_right(chosen) is right


def test_a_unit_s_questions_are_two_queries(unit, django_assert_num_queries):
    services.unit_save(unit=unit, questions=QUESTIONS)
    with django_assert_num_queries(2):
        questions = list(SelfCheckQuestion.objects.for_unit(unit))
        assert sum(len(q.options.all()) for q in questions) == 5


def test_a_tag_renamed_keeps_the_questions_in_the_version_it_writes(unit):
    services.unit_save(unit=unit, questions=QUESTIONS)
    services.tag_rename(tag=Tag.objects.get(name="民生"), name_en="People's livelihood")
    latest = unit.history.latest()
    assert latest.history_change_reason == history.TAG_RENAMED
    assert latest.history_questions == self_check.normalised(QUESTIONS)


def test_the_history_shows_a_changed_question(unit):
    services.unit_save(unit=unit, questions=QUESTIONS)
    older = unit.history.latest()
    services.unit_save(unit=unit, questions=[changed(SINGLE, text_zh="民政工作关乎<b>哪</b>？")])
    rows = dict(history.diff(older, unit.history.latest(), StudyUnit))
    html = str(rows[history.label(StudyUnit, "questions")])
    assert "<ins>" in html and "<del>" in html
    assert "&lt;b&gt;" in html and "<b>" not in html


# --- the admin ------------------------------------------------------------------------


def _post(client, unit, data):
    url = reverse("admin:expositions_studyunit_change", args=[unit.pk])
    return client.post(url, data)


def test_an_editor_adds_questions_inline_and_one_version_holds_them(editor_client, unit):
    _change(editor_client, unit)
    versions = unit.history.count()
    data = _form_data(unit) | question_forms(unit, QUESTIONS)
    response = _post(editor_client, unit, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    assert self_check.snapshot(unit) == self_check.normalised(QUESTIONS)
    assert unit.history.count() == versions + 1
    assert unit.history.latest().history_questions == self_check.normalised(QUESTIONS)
    page = editor_client.get(reverse("admin:expositions_studyunit_change", args=[unit.pk]))
    assert "民政部门的职责包括哪些？" in page.content.decode()


def test_a_new_unit_is_added_with_its_questions_in_its_first_version(editor_client, unit):
    data = _form_data(unit, slug="new-unit", title_zh_hans="新单元")
    data |= question_forms(unit, QUESTIONS)
    data |= {f"questions-{i}-unit": "" for i in range(len(QUESTIONS))}
    response = editor_client.post(reverse("admin:expositions_studyunit_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = StudyUnit.objects.get(slug="new-unit")
    assert self_check.snapshot(added) == self_check.normalised(QUESTIONS)
    (version,) = added.history.all()
    assert version.history_questions == self_check.normalised(QUESTIONS)


def test_the_admin_refuses_an_answer_that_names_no_option(editor_client, unit):
    data = _form_data(unit) | question_forms(unit, [SINGLE])
    data["questions-0-answer"] = "5"
    response = _post(editor_client, unit, data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert "answer" in errors[0]
    assert not SelfCheckQuestion.objects.filter(unit=unit).exists()


def test_the_admin_refuses_a_single_choice_with_two_right_answers(editor_client, unit):
    data = _form_data(unit) | question_forms(unit, [SINGLE])
    data["questions-0-answer"] = "1、2"
    response = _post(editor_client, unit, data)
    assert response.status_code == 200
    assert not SelfCheckQuestion.objects.filter(unit=unit).exists()


def test_the_admin_edits_and_deletes_questions(editor_client, unit):
    services.unit_save(unit=unit, questions=QUESTIONS)
    data = _form_data(unit)
    data["questions-0-text_zh_hans"] = "民政工作关乎哪一点？"
    data["questions-2-DELETE"] = "on"
    assert _post(editor_client, unit, data).status_code == 302
    assert [q["text_zh"] for q in self_check.snapshot(unit)] == [
        "民政工作关乎哪一点？",
        MULTIPLE["text_zh"],
    ]


def test_a_revert_restores_the_questions_of_the_version(editor_client, unit):
    services.unit_save(unit=unit, questions=QUESTIONS)
    _change(editor_client, unit)
    old = unit.history.latest()
    services.unit_save(unit=unit, questions=[changed(SINGLE, text_zh="新问题？")])
    url = reverse("admin:expositions_studyunit_simple_history", args=[unit.pk, old.history_id])
    page = editor_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert MULTIPLE["text_zh"] in page  # the page shows what the revert restores
    _revert(editor_client, unit, old)
    assert self_check.snapshot(unit) == self_check.normalised(QUESTIONS)
    assert unit.history.latest().history_questions == self_check.normalised(QUESTIONS)


def test_a_revert_to_a_version_without_questions_removes_them(editor_client, unit):
    _change(editor_client, unit)
    old = unit.history.latest()
    services.unit_save(unit=unit, questions=QUESTIONS)
    _revert(editor_client, unit, old)
    assert self_check.snapshot(unit) == []


def test_a_revert_to_a_version_that_did_not_record_questions_leaves_them(editor_client, unit):
    _change(editor_client, unit)
    old = unit.history.latest()
    type(old).objects.filter(pk=old.pk).update(history_questions=None)
    services.unit_save(unit=unit, questions=QUESTIONS)
    _revert(editor_client, unit, unit.history.get(pk=old.pk))
    assert self_check.snapshot(unit) == self_check.normalised(QUESTIONS)
