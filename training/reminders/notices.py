"""A cadre's notices: what is new, due soon or overdue, and claims that came back
rejected. Read from the data every time (assignments, the cadre's completions, claims,
a trainer's "remind now"), less the ones the cadre dismissed: a notice goes by itself
when the work is done, and nothing stored about it can go stale.

``SOURCES`` is the list of where notices come from: each is a function of (cadre,
today, known) returning ``Notice``s, with keys of its own (``known``: the cadre's modules
as ``training.my_study.my_modules`` read them for the page, or None, for a source that
can use them). One more source joins by being added to it.
"""

import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from training.models import Assignment, Module, ModuleUnit, Reflection, TrainingClaim

from .models import Dismissal, Nudge

NEW = "new"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
NUDGED = "nudged"
CLAIM_REJECTED = "claim_rejected"
REFLECTION_RETURNED = "reflection_returned"

DUE_SOON_DAYS = 7  # a due date this close is "due soon"
NEW_DAYS = 14  # an assignment this recent, not started, is "new"
CLAIM_DAYS = 30  # a rejected claim is told for this long
NUDGE_DAYS = 7  # a trainer's "remind now" is shown for this long


@dataclass
class Notice:
    """One notice. ``key`` names the state it is about ("due_soon:12:2026-12-08"): a
    dismissal holds the key, so the next state of the same module is a new notice."""

    key: str
    kind: str
    title: str
    url: str
    on: date | None = None  # the due date, or the day of the decision
    days: int = 0  # days left (due soon) or late (overdue)
    detail: str = ""  # a claim's reason, a trainer's name
    order: tuple = field(default=(), repr=False)


@dataclass
class ModuleState:
    """A module reaching a cadre, as reminders see it: its earliest due date, when it
    first reached them, their progress, and the last day a trainer asked to remind them."""

    module: Module
    due_on: date
    first_assigned_at: object
    total: int = 0
    done: int = 0
    nudged_on: date | None = None

    @property
    def finished(self):
        return self.total > 0 and self.done >= self.total


def module_states(cadre, today, known=None):
    """The active modules reaching ``cadre``, unfinished ones only, as ``ModuleState``s.
    Two queries: the assignments reaching them (with the module, and the last day a
    trainer asked to remind them of it), and the modules' units with which of them the
    cadre completed (``ModuleUnit.objects.entries_for``). With ``known``, the modules
    ``training.my_study.my_modules`` read for the page (My study), one query: the
    trainers' reminders."""
    since = today - timedelta(NUDGE_DAYS)
    if known is not None:
        nudged = {}
        for module_id, day in Nudge.objects.filter(cadre=cadre, on_day__gte=since).values_list(
            "module_id", "on_day"
        ):
            nudged[module_id] = max(day, nudged.get(module_id, day))
        states = [
            ModuleState(m, m.due_on, m.first_assigned, m.total, m.done, nudged.get(m.pk))
            for m in known
        ]
    else:
        states = _states_read(cadre, since)
    # A module with no unit readers can see asks nothing of anyone (as on My study).
    return [s for s in states if s.total and not s.finished]


def _states_read(cadre, since):
    recent = Nudge.objects.filter(cadre=cadre, module=OuterRef("module_id"), on_day__gte=since)
    assignments = (
        Assignment.objects.reaching(cadre)
        .filter(module__status=Module.Status.ACTIVE)
        .select_related("module")
        .annotate(nudged_on=Subquery(recent.order_by("-on_day").values("on_day")[:1]))
        .order_by("due_on", "pk")
    )
    states = {}
    for a in assignments:
        state = states.setdefault(a.module_id, ModuleState(a.module, a.due_on, a.created_at))
        state.first_assigned_at = min(state.first_assigned_at, a.created_at)
        if a.nudged_on is not None:
            state.nudged_on = max(state.nudged_on or a.nudged_on, a.nudged_on)
    if states:
        for module_id, _unit, _hours, readable, done in ModuleUnit.objects.entries_for(
            cadre, list(states)
        ):
            if readable:
                states[module_id].total += 1
                states[module_id].done += bool(done)
    return list(states.values())


def module_notice(state, today):
    """The one notice a module gives now, the most pressing: overdue, due soon, new (not
    started, assigned lately), else a trainer's reminder; or None."""
    module, due = state.module, state.due_on
    url = reverse("training:my_module", args=[module.pk])
    days = (due - today).days
    order = (due, module.pk)
    if days < 0:
        return Notice(
            f"{OVERDUE}:{module.pk}:{due}", OVERDUE, module.title, url, due, -days, "", (0, *order)
        )
    if days <= DUE_SOON_DAYS:
        return Notice(
            f"{DUE_SOON}:{module.pk}:{due}", DUE_SOON, module.title, url, due, days, "", (1, *order)
        )
    first = timezone.localdate(state.first_assigned_at)
    if state.done == 0 and (today - first).days < NEW_DAYS:
        return Notice(
            f"{NEW}:{module.pk}:{first}", NEW, module.title, url, due, days, "", (2, *order)
        )
    if state.nudged_on is not None:
        return Notice(
            f"{NUDGED}:{module.pk}:{state.nudged_on}",
            NUDGED,
            module.title,
            url,
            due,
            days,
            "",
            (3, *order),
        )
    return None


def assignment_notices(cadre, today, known=None):
    """New, due soon, overdue and reminded-by-a-trainer modules: one notice a module."""
    notices = (module_notice(state, today) for state in module_states(cadre, today, known))
    return [n for n in notices if n is not None]


def rejected_claims(cadre, today, known=None):
    """Claims rejected in the last 30 days that the cadre has not submitted again (a
    later claim for the same course). One query."""
    again = TrainingClaim.objects.filter(
        cadre=cadre, course=OuterRef("course"), submitted_at__gt=OuterRef("decided_at")
    )
    claims = (
        TrainingClaim.objects.filter(
            cadre=cadre,
            status=TrainingClaim.Status.REJECTED,
            decided_at__date__gte=today - timedelta(CLAIM_DAYS),
        )
        .exclude(Exists(again))
        .only("pk", "course", "reason", "decided_at")
        .order_by("-decided_at", "-pk")
    )
    url = reverse("training:my_record") + "#claims"
    return [
        Notice(
            f"{CLAIM_REJECTED}:{c.pk}",
            CLAIM_REJECTED,
            c.course,
            url,
            timezone.localdate(c.decided_at),
            0,
            c.reason,
            (4, c.decided_at.date(), c.pk),
        )
        for c in claims
    ]


def returned_reflections(cadre, today, known=None):
    """Reflections (学习心得) a trainer returned with a comment, until the cadre revises
    them (``Reflection.objects.returned_to``). One query. Each return is its own notice:
    a reflection returned again after a revision is told again."""
    reflections = (
        Reflection.objects.returned_to(cadre)
        .select_related("unit")
        .only("pk", "comment", "reviewed_at", "unit__slug", "unit__title")
        .order_by("-reviewed_at", "-pk")
    )
    return [
        Notice(
            f"{REFLECTION_RETURNED}:{r.pk}:{r.reviewed_at:%Y%m%d%H%M%S}",
            REFLECTION_RETURNED,
            r.unit.title,
            r.unit.get_absolute_url() + "#reflection",
            timezone.localdate(r.reviewed_at),
            0,
            r.comment,
            (3, r.reviewed_at.date(), r.pk),
        )
        for r in reflections
    ]


SOURCES = [assignment_notices, rejected_claims, returned_reflections]


def notices_for(cadre, today=None, known=None):
    """``cadre``'s notices, most pressing first, less those they dismissed: a query or
    two per source and one for the dismissals."""
    today = today or timezone.localdate()
    notices = [n for source in SOURCES for n in source(cadre, today, known)]
    if not notices:
        return []
    dismissed = set(
        Dismissal.objects.filter(cadre=cadre, key__in=[n.key for n in notices]).values_list(
            "key", flat=True
        )
    )
    return sorted((n for n in notices if n.key not in dismissed), key=lambda n: n.order)


def notices_of_request(request, cadre, modules=None):
    """The signed-in cadre's notices, read once per request (the header's count and My
    study share them). ``modules``: the page's ``my_modules``, whose progress is used."""
    if not hasattr(request, "_notices"):
        request._notices = notices_for(cadre, known=modules)
        _keep_count(request, len(request._notices))
    return request._notices


# The header's count is kept in the session for a few minutes, so that a cadre's pages
# do not each read the notices (four queries): what the cadre does (a completion, an
# undo, a dismissal, a claim) forgets it at once, and My study reads the notices
# afresh every time; what others do (an assignment, a decision) shows within these
# minutes, and a new day reads them again.
COUNT_KEY = "reminders.notice_count"
COUNT_SECONDS = 300


def _keep_count(request, count):
    """Keep ``count`` in the session: written when it changed, or every few minutes."""
    session = getattr(request, "session", None)
    if session is None:
        return
    kept, today = session.get(COUNT_KEY), timezone.localdate().isoformat()
    fresh = kept and kept[1] == today and 0 <= time.time() - kept[2] < COUNT_SECONDS / 2
    if not (fresh and kept[0] == count):
        session[COUNT_KEY] = [count, today, time.time()]


def notice_count(request, cadre):
    """The header's count: this request's notices if read, else the session's count if
    fresh, else the notices read now (and kept)."""
    if not hasattr(request, "_notices"):
        kept = request.session.get(COUNT_KEY)
        today = timezone.localdate().isoformat()
        if kept and kept[1] == today and 0 <= time.time() - kept[2] < COUNT_SECONDS:
            return kept[0]
    return len(notices_of_request(request, cadre))


def forget_count(request):
    """After something the cadre did that may change their notices."""
    request.session.pop(COUNT_KEY, None)
