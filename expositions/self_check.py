"""A unit's self-check questions as data: one shape for the shipped file
(``expositions/data/self-check.json``), the admin's inline, and each version of the unit
(``history_questions``):

    {"order": 1, "kind": "single" | "multiple" | "true_false",
     "text_zh": "…", "text_en": "…",
     "options": [{"text_zh": "…", "text_en": "…", "correct": true}, …],  # choice only
     "correct": true,                                                   # true/false only
     "explanation_zh": "…", "explanation_en": "…"}

``problems`` holds the rules a question keeps (also for the loader and the admin);
``write`` is how ``expositions.services.unit_save`` writes a unit's questions, in place
by their order; ``snapshot`` reads them back in this shape.
"""

import hashlib
import json
import re

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from .models.questions import SelfCheckOption, SelfCheckQuestion

Kind = SelfCheckQuestion.Kind
MAX_QUESTIONS = 10
MAX_OPTIONS = 6
MIN_OPTIONS = {Kind.SINGLE: 2, Kind.MULTIPLE: 3}
CJK = re.compile(r"[\u3400-\u9fff]")


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def problems(spec, *, english=False):
    """What is wrong with one question ``spec``, as sentences ([] when nothing).

    Chinese text and explanation always; English too when ``english`` (the shipped
    file), and otherwise on every option or none. A single-choice question has 2 to 6
    options and exactly one right; a multiple-choice one 3 to 6 and at least two right
    (多选题: two or more); a true/false question no options and says whether its
    statement is true."""
    found = []
    kind = spec.get("kind")
    if kind not in Kind.values:
        return [_("Choose the kind: single choice, multiple choice or true or false.")]
    if not CJK.search(_text(spec.get("text_zh"))):
        found.append(_("Write the question in Chinese."))
    if not CJK.search(_text(spec.get("explanation_zh"))):
        found.append(_("Write the explanation in Chinese."))
    if english and not _text(spec.get("text_en")):
        found.append(_("Write the question in English."))
    if english and not _text(spec.get("explanation_en")):
        found.append(_("Write the explanation in English."))
    options = spec.get("options") or []
    if kind == Kind.TRUE_FALSE:
        if options:
            found.append(_("A true or false question has no options."))
        if not isinstance(spec.get("correct"), bool):
            found.append(_("Say whether the statement is true or false."))
        return found
    return found + _option_problems(kind, options, english)


def _option_problems(kind, options, english):
    found = []
    if not (MIN_OPTIONS[kind] <= len(options) <= MAX_OPTIONS):
        found.append(
            _("A question of this kind needs %(min)s to %(max)s options.")
            % {"min": MIN_OPTIONS[kind], "max": MAX_OPTIONS}
        )
    if not all(isinstance(o, dict) for o in options):
        return [*found, _("Each option needs its text and whether it is right.")]
    if not all(_text(o.get("text_zh")) for o in options):
        found.append(_("Write every option in Chinese."))
    with_english = [bool(_text(o.get("text_en"))) for o in options]
    if (english and not all(with_english)) or (any(with_english) and not all(with_english)):
        found.append(_("Write every option in English, or none of them."))
    right = sum(1 for o in options if o.get("correct") is True)
    if kind == Kind.SINGLE and right != 1:
        found.append(_("A single-choice question has exactly one right option."))
    if kind == Kind.MULTIPLE and right < 2:
        found.append(_("A multiple-choice question has at least two right options."))
    return found


def normalised(specs):
    """``specs`` in the order given by their ``order`` (one without it goes last),
    numbered from 1, with their text stripped and nothing but the shape's keys."""
    ranked = sorted(
        enumerate(specs),
        key=lambda pair: (pair[1].get("order") is None, pair[1].get("order") or 0, pair[0]),
    )
    result = []
    for number, (_index, spec) in enumerate(ranked, start=1):
        question = {
            "order": number,
            "kind": spec["kind"],
            "text_zh": _text(spec.get("text_zh")),
            "text_en": _text(spec.get("text_en")),
            "explanation_zh": _text(spec.get("explanation_zh")),
            "explanation_en": _text(spec.get("explanation_en")),
        }
        if spec["kind"] == Kind.TRUE_FALSE:
            question["correct"] = spec["correct"]
        else:
            question["options"] = [
                {
                    "text_zh": _text(o.get("text_zh")),
                    "text_en": _text(o.get("text_en")),
                    "correct": o.get("correct") is True,
                }
                for o in spec.get("options") or []
            ]
        result.append(question)
    return result


def all_problems(specs, *, english=False):
    """Every problem of a unit's list of questions, each prefixed with its number."""
    found = []
    if len(specs) > MAX_QUESTIONS:
        found.append(_("A unit has at most %(max)s self-check questions.") % {"max": MAX_QUESTIONS})
    for number, spec in enumerate(specs, start=1):
        if not isinstance(spec, dict):
            found.append(_("Question %(n)s: not a question.") % {"n": number})
            continue
        found += [
            _("Question %(n)s: %(problem)s") % {"n": spec.get("order", number), "problem": p}
            for p in problems(spec, english=english)
        ]
    return found


def snapshot(unit):
    """The questions of ``unit`` in the shape above, in order ([] for none): from its
    prefetched ``questions`` (``prefetch``) when it has them, else two queries."""
    if not unit.pk:
        return []
    if "questions" in getattr(unit, "_prefetched_objects_cache", {}):
        questions = unit.questions.all()
    else:
        questions = SelfCheckQuestion.objects.for_unit(unit)
    return [as_spec(question) for question in questions]


def prefetch():
    """What to prefetch on many units before taking their ``snapshot``."""
    return Prefetch("questions", queryset=SelfCheckQuestion.objects.in_order())


def as_spec(question):
    spec = {
        "order": question.order,
        "kind": question.kind,
        "text_zh": question.text_zh_hans or "",
        "text_en": question.text_en or "",
        "explanation_zh": question.explanation_zh_hans or "",
        "explanation_en": question.explanation_en or "",
    }
    if question.kind == Kind.TRUE_FALSE:
        spec["correct"] = bool(question.statement_true)
    else:
        spec["options"] = [
            {"text_zh": o.text_zh_hans or "", "text_en": o.text_en or "", "correct": o.correct}
            for o in question.options.all()
        ]
    return spec


def write(unit, specs):
    """Make ``specs`` (normalised, valid) the questions of ``unit``: each written in place
    over the question of its order, and its options over theirs; questions and options
    beyond them deleted. Called by ``services.unit_save`` only."""
    kept = []
    for spec in specs:
        question, _created = SelfCheckQuestion.objects.update_or_create(
            unit=unit,
            order=spec["order"],
            defaults={
                "kind": spec["kind"],
                "text_zh_hans": spec["text_zh"],
                "text_en": spec["text_en"],
                "explanation_zh_hans": spec["explanation_zh"],
                "explanation_en": spec["explanation_en"],
                "statement_true": spec.get("correct") if spec["kind"] == Kind.TRUE_FALSE else None,
            },
        )
        kept.append(question.pk)
        options = spec.get("options") or []
        for number, option in enumerate(options, start=1):
            SelfCheckOption.objects.update_or_create(
                question=question,
                order=number,
                defaults={
                    "text_zh_hans": option["text_zh"],
                    "text_en": option["text_en"],
                    "correct": option["correct"],
                },
            )
        question.options.filter(order__gt=len(options)).delete()
    SelfCheckQuestion.objects.filter(unit=unit).exclude(pk__in=kept).delete()


def checksum(specs):
    """A fingerprint of a list of questions (the loader's: which ones it wrote)."""
    raw = json.dumps(normalised(specs), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()


def as_text(specs):
    """The questions as text to compare two versions by (expositions.history): a block
    per question, its options marked ✓ (right) or ✗."""
    blocks = []
    for spec in specs or []:
        kind = dict(Kind.choices).get(spec.get("kind"), spec.get("kind"))
        lines = [
            f"{spec.get('order')}（{kind}）{spec.get('text_zh', '')} / {spec.get('text_en', '')}"
        ]
        if spec.get("kind") == Kind.TRUE_FALSE:
            lines.append("✓" if spec.get("correct") else "✗")
        for option in spec.get("options") or []:
            mark = "✓" if option.get("correct") else "✗"
            lines.append(f"{mark} {option.get('text_zh', '')} / {option.get('text_en', '')}")
        lines.append(f"{spec.get('explanation_zh', '')} / {spec.get('explanation_en', '')}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
