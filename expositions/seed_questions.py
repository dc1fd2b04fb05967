"""The shipped self-check questions: ``self-check.json`` beside the exposition's data
file (``expositions/data/self-check.json``), read and checked whole before anything is
written, and loaded with the units by ``expositions.seed.load_exposition``.

The file is ``{"questions": [{"unit": "<unit slug>", "order": 1, …}, …]}``, each
question in ``expositions.self_check``'s shape with its unit's slug. A unit's questions
are written in place by their order. Like the units, questions an editor changed in the
admin are kept as the editor left them: the unit keeps a fingerprint of the questions
the loader last wrote (``questions_checksum``), and the loader writes only over those.
A data file with no questions file beside it leaves every unit's questions as they are.
"""

import json
from collections import defaultdict
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext_noop

from . import self_check
from .models import StudyUnit

FILE_NAME = "self-check.json"
QUESTIONS_LOADED = gettext_noop("Self-check questions loaded from the shipped file")


def read_questions(path, units, *, required=False):
    """({unit slug: [questions, normalised]}, [problems]) of the file at ``path``, whose
    questions must each belong to one of ``units`` (the data file's) and keep the rules
    of ``self_check.problems``, in both languages. A missing file is no questions,
    unless ``required`` (it was named)."""
    path = Path(path)
    if not path.exists() and not required:
        return {}, []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {}, [f"{path.name}: cannot read: {exc}"]
    questions = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(questions, list) or not questions:
        return {}, [f"{path.name}: no questions"]
    slugs = {unit.get("slug") for unit in units}
    errors, by_unit = [], defaultdict(list)
    with translation.override("en"):  # the loader's messages are English, like the rest
        for i, question in enumerate(questions, start=1):
            errors += _problems(i, question, slugs, by_unit)
        for slug, listed in by_unit.items():
            if len(listed) > self_check.MAX_QUESTIONS:
                errors.append(f"{slug}: more than {self_check.MAX_QUESTIONS} questions")
    if errors:
        return {}, [f"{path.name}: {error}" for error in errors]
    return {slug: self_check.normalised(listed) for slug, listed in by_unit.items()}, []


def _problems(number, question, slugs, by_unit):
    if not isinstance(question, dict):
        return [f"question {number}: not a question"]
    unit, order = question.get("unit"), question.get("order")
    where = f"question {number} ({unit or '?'} #{order or '?'})"
    found = []
    if unit not in slugs:
        found.append(f"{where}: no unit of the data file has this slug")
    if not isinstance(order, int) or isinstance(order, bool) or order < 1:
        found.append(f"{where}: 'order' must be a whole number from 1")
    elif any(other.get("order") == order for other in by_unit.get(unit, [])):
        found.append(f"{where}: the unit has two questions of this order")
    found += [f"{where}: {problem}" for problem in self_check.problems(question, english=True)]
    by_unit[unit].append(question)
    return found


def plan(unit, wanted):
    """(questions to write, kept): what the loader writes on ``unit`` (saved already),
    ``wanted`` or None, and whether it leaves the unit's questions as an editor's. It
    writes when the unit's questions are the loader's own (those it last wrote, or none
    before it ever wrote any) and differ from ``wanted``; nothing when ``wanted`` is
    None (the unit has no questions in the file, or there is no file)."""
    if wanted is None:
        return None, False
    current = self_check.snapshot(unit)
    if unit.questions_checksum:
        owned = self_check.checksum(current) == unit.questions_checksum
    else:
        owned = not current
    if not owned:
        return None, True
    return (None if current == wanted else wanted), False


def written(unit, questions):
    """After ``services.unit_save`` wrote the loader's ``questions`` on ``unit``:
    remember them as the loader's."""
    unit.questions_checksum = self_check.checksum(questions)
    StudyUnit.objects.filter(pk=unit.pk).update(questions_checksum=unit.questions_checksum)
