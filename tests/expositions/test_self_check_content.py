"""The shipped self-check questions (expositions/data/self-check.json): three for each
unit of the seed exposition, each answerable from its unit, with an explanation in both
languages, and every text passing the editorial rules that check_content applies to a
unit's texts (expositions/content_checks.py, docs/editorial.md)."""

import json
from collections import Counter

import pytest

from expositions.content_checks import check_strings, load_rules
from expositions.seed import DATA_DIR, DEFAULT_DATA_FILE

SELF_CHECK_FILE = DATA_DIR / "self-check.json"
KINDS = {"single", "multiple", "true_false"}
HALF_WIDTH = set(',;:?!()"')


def read_questions():
    return json.loads(SELF_CHECK_FILE.read_text(encoding="utf-8"))["questions"]


def seed_slugs():
    data = json.loads(DEFAULT_DATA_FILE.read_text(encoding="utf-8"))
    return [unit["slug"] for unit in data["units"]]


QUESTIONS = read_questions()
IDS = [f"{q.get('unit')}-{q.get('order')}" for q in QUESTIONS]


def texts(question, language):
    """The question's texts in one language, in reading order, labelled."""
    suffix = f"_{language}"
    found = [("text", question.get("text" + suffix))]
    for number, option in enumerate(question.get("options", []), start=1):
        found.append((f"option {number}", option.get("text" + suffix)))
    found.append(("explanation", question.get("explanation" + suffix)))
    return found


def test_there_are_54_questions():
    assert len(QUESTIONS) == 54


def test_every_unit_of_the_seed_has_three_questions():
    assert Counter(q["unit"] for q in QUESTIONS) == dict.fromkeys(seed_slugs(), 3)


def test_each_unit_orders_its_questions_1_to_3():
    orders = {}
    for question in QUESTIONS:
        orders.setdefault(question["unit"], []).append(question["order"])
    assert {unit: sorted(found) for unit, found in orders.items()} == {
        unit: [1, 2, 3] for unit in orders
    }


@pytest.mark.parametrize("question", QUESTIONS, ids=IDS)
def test_the_kind_is_known(question):
    assert question["kind"] in KINDS


@pytest.mark.parametrize("question", QUESTIONS, ids=IDS)
def test_the_answer_has_the_shape_of_its_kind(question):
    kind = question["kind"]
    if kind == "true_false":
        assert isinstance(question["correct"], bool)
        assert "options" not in question
        return
    assert "correct" not in question
    marks = [option["correct"] for option in question["options"]]
    assert all(isinstance(mark, bool) for mark in marks)
    if kind == "single":
        assert 3 <= len(marks) <= 4
        assert marks.count(True) == 1
    else:
        assert len(marks) == 4
        assert marks.count(True) >= 2
        assert marks.count(False) >= 1


@pytest.mark.parametrize("question", QUESTIONS, ids=IDS)
@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_text_is_there_in_both_languages(question, language):
    missing = [label for label, text in texts(question, language) if not (text or "").strip()]
    assert missing == []


@pytest.mark.parametrize("question", QUESTIONS, ids=IDS)
@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_text_passes_the_editorial_rules(question, language):
    # Each text on its own: the question, each option and the explanation are read
    # apart, so each names the General Secretary in full at its first mention.
    rules = load_rules()
    slug = f"{question['unit']}#{question['order']}"
    findings = []
    for label, text in texts(question, language):
        findings += check_strings(slug, language, [(label, text)], rules)
    assert [str(finding) for finding in findings] == []


@pytest.mark.parametrize("question", QUESTIONS, ids=IDS)
def test_the_chinese_uses_full_width_punctuation_and_never_says_ni(question):
    wrong = [
        label for label, text in texts(question, "zh") if HALF_WIDTH & set(text) or "你" in text
    ]
    assert wrong == []


def test_the_editorial_rules_find_a_fault_planted_in_a_question():
    question = dict(QUESTIONS[0], text_zh="总书记的重要论述是一整套指导思想。")
    rules = load_rules()
    found = {f.rule for f in check_strings("q", "zh", texts(question, "zh")[:1], rules)}
    assert found == {"full_name", "exposition_term", "reserved_term"}
