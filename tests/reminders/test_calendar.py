"""A calendar walked with a frozen clock (``now`` given to each run): the assignment
day, 7 days before, 1 day before, weeks overdue, finished. Exactly the mails
expected, none to a cadre who finished, none twice for a day run twice."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from training import services
from training.reminders import send_due_reminders
from training.reminders.models import SentStage

pytestmark = pytest.mark.django_db

DUE_IN = 30
EXPECTED = {  # day -> the stage mailed to the cadre who finishes late (day 46)
    0: "assigned",
    DUE_IN - 7: "due7",
    DUE_IN - 1: "due1",
    DUE_IN + 1: "overdue0",
    DUE_IN + 8: "overdue1",
    DUE_IN + 15: "overdue2",
}
SUBJECTS = {
    "assigned": "学习提醒：1项新任务",
    "due7": "学习提醒：1项即将到期",
    "due1": "学习提醒：1项即将到期",
    "overdue0": "学习提醒：1项已逾期",
    "overdue1": "学习提醒：1项已逾期",
    "overdue2": "学习提醒：1项已逾期",
}


def test_a_calendar_of_reminders(inbox, me, org, make_cadre, make_module, assign):
    early = make_cadre(org.township_b, name="早完成")
    early.user.email = "early@example.org"
    early.user.save()
    module = make_module(n_units=2)
    assign(module, org.county, days=DUE_IN)
    # Noon, local time: the second run an hour later falls on the same local day
    # (from timezone.now() it crossed Beijing's midnight when run 15:00-16:00 UTC).
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time(12)))
    mailed = {}
    for day in range(DUE_IN + 25):
        if day == 5:
            for unit in module.units.all():
                services.completion_record(cadre=early, unit=unit)
        if day == DUE_IN + 16:
            for unit in module.units.all():
                services.completion_record(cadre=me, unit=unit)
        before = len(inbox.mails)
        now = start + timedelta(days=day)
        send_due_reminders(now=now)
        assert send_due_reminders(now=now + timedelta(hours=1)).sent == 0  # run twice
        for rcpt, _raw, mail in inbox.mails[before:]:
            mailed.setdefault(day, []).append((rcpt[0], mail["Subject"]))
    assert {day: sorted(r for r, _s in mails) for day, mails in mailed.items()} == {
        0: ["early@example.org", "li@example.org"],
        **{day: ["li@example.org"] for day in EXPECTED if day},
    }
    assert {
        day: [s for r, s in mails if r == "li@example.org"] for day, mails in mailed.items()
    } == {day: [SUBJECTS[stage]] for day, stage in EXPECTED.items()}
    rows = SentStage.objects.filter(cadre=me).order_by("sent_at")
    assert [(timezone.localdate(r.sent_at) - timezone.localdate(start)).days for r in rows] == list(
        EXPECTED
    )
    assert [r.stage for r in rows] == list(EXPECTED.values())
    assert list(SentStage.objects.filter(cadre=early).values_list("stage", flat=True)) == [
        "assigned"
    ]
