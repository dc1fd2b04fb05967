"""The shipped self-check questions load with the exposition (issue #35): checked whole
first, written in place by (unit, order), safe to load twice (also twice at once), and
questions an editor changed are kept. These tests load a small sample in the shipped
file's format (tests/expositions/fixtures/self-check-sample.json); the shipped file's
own contents are tested where it is written."""

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from expositions import self_check, services
from expositions.models import SelfCheckQuestion, StudyUnit
from expositions.seed import DEFAULT_DATA_FILE, SeedError, load_exposition
from expositions.seed_questions import QUESTIONS_LOADED
from tests.servers import at_once

SAMPLE = Path(__file__).parent / "fixtures" / "self-check-sample.json"
SOURCE = DEFAULT_DATA_FILE.parent / "exposition-civil-affairs.txt"


def sample():
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def _files(folder, questions=None, *, with_questions=True):
    """The shipped data file in ``folder``, with ``questions`` (the sample's by default)
    beside it as self-check.json, or no questions file."""
    folder.mkdir(exist_ok=True)
    shutil.copy(DEFAULT_DATA_FILE, folder / "data.json")
    shutil.copy(SOURCE, folder / SOURCE.name)
    if with_questions:
        (folder / "self-check.json").write_text(
            json.dumps(questions or sample(), ensure_ascii=False), encoding="utf-8"
        )
    return folder / "data.json"


def _by_unit():
    found = {}
    for question in sample()["questions"]:
        found.setdefault(question["unit"], []).append(question)
    return found


@pytest.mark.django_db
def test_the_questions_beside_the_data_file_load_with_the_units_in_one_version(tmp_path):
    report = load_exposition(_files(tmp_path))
    expected = _by_unit()
    assert sorted(report.questions_loaded) == sorted(expected)
    for slug, questions in expected.items():
        unit = StudyUnit.objects.get(slug=slug)
        assert self_check.snapshot(unit) == self_check.normalised(questions)
        (version,) = unit.history.all()  # created with its questions: one version
        assert version.history_questions == self_check.normalised(questions)
    assert SelfCheckQuestion.objects.count() == len(sample()["questions"])


@pytest.mark.django_db
def test_a_second_load_changes_nothing(tmp_path):
    path = _files(tmp_path)
    load_exposition(path)
    rows = list(SelfCheckQuestion.objects.order_by("pk").values_list("pk", "text_zh_hans"))
    versions = StudyUnit.history.count()
    report = load_exposition(path)
    assert report.questions_loaded == [] and report.questions_kept_edited == []
    assert list(SelfCheckQuestion.objects.order_by("pk").values_list("pk", "text_zh_hans")) == rows
    assert StudyUnit.history.count() == versions


@pytest.mark.django_db
def test_questions_come_to_units_loaded_before_in_one_version_each(tmp_path):
    load_exposition(_files(tmp_path / "bare", with_questions=False))
    assert SelfCheckQuestion.objects.count() == 0
    before = {u.slug: u.history.count() for u in StudyUnit.objects.all()}
    report = load_exposition(_files(tmp_path))
    assert sorted(report.questions_loaded) == sorted(_by_unit())
    for unit in StudyUnit.objects.all():
        grew = 1 if unit.slug in _by_unit() else 0
        assert unit.history.count() == before[unit.slug] + grew, unit.slug
    latest = StudyUnit.objects.get(slug="bearing-on-the-will-of-the-people").history.latest()
    assert latest.history_change_reason == QUESTIONS_LOADED


@pytest.mark.django_db
def test_a_changed_question_is_updated_in_place_by_unit_and_order(tmp_path):
    load_exposition(_files(tmp_path))
    data = sample()
    data["questions"][0]["text_zh"] = "民政工作关乎哪一点？"
    question = SelfCheckQuestion.objects.get(unit__slug=data["questions"][0]["unit"], order=1)
    report = load_exposition(_files(tmp_path, data))
    assert report.questions_loaded == [data["questions"][0]["unit"]]
    question.refresh_from_db()
    assert question.text_zh_hans == "民政工作关乎哪一点？"


@pytest.mark.django_db
def test_questions_an_editor_changed_are_kept(tmp_path):
    load_exposition(_files(tmp_path))
    unit = StudyUnit.objects.get(slug="ruling-foundation-and-lasting-stability")
    mine = self_check.snapshot(unit)
    mine[0]["explanation_zh"] = "编辑改写的解析。"
    services.unit_save(unit=unit, questions=mine)
    data = sample()
    data["questions"][-1]["explanation_zh"] = "文件中的新解析。"
    report = load_exposition(_files(tmp_path, data))
    assert report.questions_kept_edited == [unit.slug]
    assert self_check.snapshot(unit)[0]["explanation_zh"] == "编辑改写的解析。"


@pytest.mark.django_db
def test_a_unit_with_no_questions_in_the_file_keeps_its_own(tmp_path):
    load_exposition(_files(tmp_path))
    unit = StudyUnit.objects.get(slug="the-people-are-the-state")
    spec = dict(sample()["questions"][-1], order=1)
    services.unit_save(unit=unit, questions=[spec])
    load_exposition(_files(tmp_path))
    load_exposition(_files(tmp_path / "bare", with_questions=False))  # no questions file
    assert len(self_check.snapshot(unit)) == 1
    assert SelfCheckQuestion.objects.count() == len(sample()["questions"]) + 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda q: q[0].update(unit="no-such-unit"), "no unit of the data file"),
        (lambda q: q[1].update(order=1), "two questions of this order"),
        (lambda q: q[0].update(order="1"), "'order' must be a whole number"),
        (lambda q: q[0].update(explanation_en=""), "explanation in English"),
        (lambda q: q[1]["options"][3].update(correct=True), None),  # still two or more: fine
        (lambda q: q[0]["options"][1].update(correct=True), "exactly one right option"),
    ],
)
@pytest.mark.django_db
def test_a_bad_question_loads_nothing_at_all(tmp_path, change, message):
    data = sample()
    change(data["questions"])
    path = _files(tmp_path, data)
    if message is None:
        load_exposition(path)
        return
    with pytest.raises(SeedError) as refused:
        load_exposition(path)
    assert any(message in error for error in refused.value.errors), refused.value.errors
    assert StudyUnit.objects.count() == 0 and SelfCheckQuestion.objects.count() == 0


@pytest.mark.django_db
def test_the_command_takes_a_questions_file_and_refuses_a_missing_one(tmp_path):
    out = io.StringIO()
    call_command("load_exposition", "--questions", str(SAMPLE), stdout=out)
    assert f"Self-check questions: written on {len(_by_unit())} units" in out.getvalue()
    assert SelfCheckQuestion.objects.count() >= len(sample()["questions"])
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command("load_exposition", "--questions", str(tmp_path / "none.json"), stdout=out)


@pytest.mark.django_db(transaction=True)
def test_two_loads_at_once_write_the_questions_once(tmp_path):
    path = _files(tmp_path)
    results, errors = at_once([lambda: load_exposition(path)] * 2)
    assert errors == []
    assert sorted(s for report in results for s in report.questions_loaded) == sorted(_by_unit())
    assert SelfCheckQuestion.objects.count() == len(sample()["questions"])
    assert StudyUnit.history.count() == StudyUnit.objects.count()
