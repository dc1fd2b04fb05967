"""Evidence of study (issue #35): what the unit page asks of a cadre before it records a
completion, and the writes that give it: a self-check passed, a reflection (学习心得)
written or revised, and a trainer reading or returning a reflection.

What a unit asks for. A module asks, for its units, for nothing (the button), for the
unit's self-check passed, or for a reflection (``Module.evidence``). A unit may be in
several of the cadre's active modules: the page asks for what each of them asks, a
self-check if any asks for one and a reflection if any does (both, when they differ).
One completion counts toward every module holding the unit, and neither kind of
evidence stands in for the other, so this is the strictest rule that keeps every
module's. A self-check is asked only of a unit that has questions (without any, the
button applies). The rule is read when a completion is recorded, never after: a
completion made under one rule stays valid when a module's rule changes.

Every write here is safe to repeat and to race, and records the completion through
``services.completion_record``, so that it credits the unit's 学时 as any completion does
(``Completion.credit_hours``) and keeps the stored totals.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from expositions.models import SelfCheckQuestion
from org.models import Cadre

from . import services
from .models import Module, Reflection, SelfCheckPass, characters

SELF_CHECK = Module.Evidence.SELF_CHECK
REFLECTION = Module.Evidence.REFLECTION


@dataclass(frozen=True)
class Asked:
    """What the unit page asks of a cadre before it records their completion."""

    self_check: bool = False
    reflection: bool = False

    @property
    def anything(self):
        return self.self_check or self.reflection


def asked_of(evidence, has_questions):
    """``Asked`` from the ``evidence`` values of the cadre's modules holding the unit."""
    evidence = set(evidence)
    return Asked(
        self_check=SELF_CHECK in evidence and has_questions, reflection=REFLECTION in evidence
    )


def asked(cadre, unit):
    """What ``unit`` asks of ``cadre`` (two short queries at most)."""
    evidence = {m.evidence for m in Module.objects.for_cadre(cadre, containing=unit)}
    has_questions = SELF_CHECK in evidence and unit.questions.exists()
    return asked_of(evidence, has_questions)


def missing(cadre, unit, wanted):
    """Which of the evidence ``wanted`` (an ``Asked``) ``cadre`` has not given for ``unit``
    yet: a subset of {SELF_CHECK, REFLECTION}. A reflection counts once written, read or
    not (a returned one too: its author is asked to revise, not to start again)."""
    gaps = set()
    if wanted.self_check and not SelfCheckPass.objects.filter(cadre=cadre, unit=unit).exists():
        gaps.add(SELF_CHECK)
    if wanted.reflection and not Reflection.objects.filter(cadre=cadre, unit=unit).exists():
        gaps.add(REFLECTION)
    return gaps


def _complete_if_given(cadre, unit, given):
    """After ``given`` (SELF_CHECK or REFLECTION) was recorded: the completion, when the
    unit asks for it and nothing else it asks is missing. (completion, created), or
    (None, False)."""
    wanted = asked(cadre, unit)
    asked_for = wanted.self_check if given == SELF_CHECK else wanted.reflection
    if not asked_for:
        return None, False
    if missing(cadre, unit, wanted):
        return None, False
    return services.completion_record(cadre=cadre, unit=unit)


def completion_request(*, cadre, unit):
    """The cadre's own "Mark as complete": the completion (``services.completion_record``,
    (completion, created)) when the evidence ``unit`` asks of them is given; otherwise a
    ValidationError saying what to do first, and nothing written."""
    gaps = missing(cadre, unit, asked(cadre, unit))
    if SELF_CHECK in gaps:
        raise ValidationError(
            _("Answer the self-check first: the unit counts once every answer is right.")
        )
    if REFLECTION in gaps:
        raise ValidationError(_("Write your reflection first: the unit counts once it is sent."))
    return services.completion_record(cadre=cadre, unit=unit)


@dataclass
class Marked:
    """One question of a self-check as the cadre answered it."""

    question: SelfCheckQuestion
    answer: object
    right: bool


@dataclass
class SelfCheckResult:
    marks: list
    passed: bool
    completion: object = None
    completed: bool = False  # this call recorded the completion


def self_check_submit(*, cadre, unit, answers):
    """Mark ``answers`` ({question pk: the set of option pks chosen, or True/False}) to
    ``unit``'s self-check; a ``SelfCheckResult``. Every answer right: the pass is
    recorded (once), and the completion when the unit asks for the self-check and
    nothing else it asks is missing. Otherwise nothing is written: no score, no attempt.

    Safe to repeat and to race: the unique constraint on (cadre, unit) decides, in its
    own atomic block with an IntegrityError fallback, as ``completion_record`` does."""
    if not unit.is_published:
        raise ValidationError(_("This study unit is not published."))
    questions = list(SelfCheckQuestion.objects.for_unit(unit))
    if not questions:
        raise ValidationError(_("This study unit has no self-check."))
    marks = [Marked(q, answers.get(q.pk), q.is_right(answers.get(q.pk))) for q in questions]
    result = SelfCheckResult(marks=marks, passed=all(m.right for m in marks))
    if result.passed:
        try:
            with transaction.atomic():
                SelfCheckPass.objects.get_or_create(cadre=cadre, unit=unit)
        except IntegrityError:
            pass  # recorded meanwhile by the same cadre's other request
        result.completion, result.completed = _complete_if_given(cadre, unit, SELF_CHECK)
    return result


def reflection_problem(text):
    """Why ``text`` cannot be a reflection, or None: its length in characters (white
    space not counted), 50 to 2,000, which suits Chinese and English alike."""
    length = characters(text)
    if length < Reflection.MIN_CHARACTERS:
        return _("Write at least %(min)s characters about your own work; so far %(n)s.") % {
            "min": Reflection.MIN_CHARACTERS,
            "n": length,
        }
    if length > Reflection.MAX_CHARACTERS:
        return _("Keep it to %(max)s characters; it has %(n)s.") % {
            "max": Reflection.MAX_CHARACTERS,
            "n": length,
        }
    return None


def reflection_submit(*, cadre, unit, text):
    """Write ``cadre``'s reflection on ``unit``, or revise it while its author may (until
    a trainer has read it; again once one returned it): plain text, kept as typed (line
    ends made one kind), shown escaped everywhere. Returns (reflection, completed):
    ``completed`` when this call recorded the completion, which it does when the unit
    asks for a reflection and nothing else it asks is missing.

    Refuses text of the wrong length and a reflection already read (ValidationError,
    nothing written). Safe to repeat and to race: the cadre's row is locked first, so
    two submissions at once write one reflection, and the same text again changes
    nothing."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    problem = reflection_problem(text)
    if problem:
        raise ValidationError({"text": problem})
    if not unit.is_published:
        raise ValidationError(_("This study unit is not published."))
    with transaction.atomic():
        Cadre.objects.select_for_update().filter(pk=cadre.pk).first()
        reflection = Reflection.objects.select_for_update().filter(cadre=cadre, unit=unit).first()
        now = timezone.now()
        if reflection is None:
            reflection = Reflection.objects.create(
                cadre=cadre, unit=unit, text=text, created_at=now, submitted_at=now
            )
        elif not reflection.editable:
            raise ValidationError(
                _("A trainer has read your reflection: it can no longer be changed.")
            )
        elif reflection.text != text or reflection.status == Reflection.Status.RETURNED:
            reflection.text = text
            reflection.status = Reflection.Status.SUBMITTED
            reflection.submitted_at = now
            reflection.save(update_fields=["text", "status", "submitted_at"])
        _completion, completed = _complete_if_given(cadre, unit, REFLECTION)
    return reflection, completed


READ, RETURN = "read", "return"


def reflection_review(*, reflection, by, action, comment=""):
    """A trainer who manages the author (never the author) marks ``reflection`` read
    (``action`` READ: its author can no longer change it) or returns it with a comment
    (RETURN: the author sees the comment and may revise). Reading needs a reflection
    waiting to be read; returning needs a comment. The same review again changes
    nothing; the row is locked, so a revision and a review never cross."""
    comment = (comment or "").strip()
    if action not in (READ, RETURN):
        raise ValidationError(_("Choose to mark it read or to return it."))
    if action == RETURN and not comment:
        raise ValidationError({"comment": _("Say what to revise: the cadre sees your comment.")})
    with transaction.atomic():
        locked = (
            Reflection.objects.reviewable_by(by)
            .select_for_update()
            .filter(pk=reflection.pk)
            .first()
        )
        if locked is None:
            raise ValidationError(_("You can read only the reflections of cadres you manage."))
        status = Reflection.Status.READ if action == READ else Reflection.Status.RETURNED
        if locked.status == status and (action == READ or locked.comment == comment):
            return locked
        if action == READ and locked.status != Reflection.Status.SUBMITTED:
            raise ValidationError(_("It was returned: wait for the cadre's revision."))
        locked.status = status
        locked.reviewed_by = by
        locked.reviewed_at = timezone.now()
        if action == RETURN:
            locked.comment = comment
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "comment"])
    return locked


def panel(cadre, unit, modules):
    """What the unit page's completion panel adds for ``cadre`` from their ``modules``
    holding ``unit`` (read already): ``asked``, the unit's ``questions`` (with their
    options) when a self-check is asked, whether it is ``passed``, and the cadre's
    ``reflection`` when one is asked, and whether everything asked is ``given``. No
    query when nothing is asked; at most four."""
    evidence = {m.evidence for m in modules}
    questions = list(SelfCheckQuestion.objects.for_unit(unit)) if SELF_CHECK in evidence else []
    wanted = asked_of(evidence, bool(questions))
    passed = wanted.self_check and SelfCheckPass.objects.filter(cadre=cadre, unit=unit).exists()
    reflection = None
    if wanted.reflection:
        reflection = Reflection.objects.filter(cadre=cadre, unit=unit).first()
    given = (passed or not wanted.self_check) and (reflection or not wanted.reflection)
    return {
        "asked": wanted,
        "questions": questions,
        "passed": passed,
        "reflection": reflection,
        "given": bool(given),
    }
