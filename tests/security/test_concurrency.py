"""Double submission across processes: 24 identical POSTs at once, through gunicorn
with 3 worker processes of 4 threads, for one completion and for one assignment, and
for one reflection and one self-check passed (issue #35) → exactly one row each, and
every answer an ordinary redirect (no error shown).

Runs on the database of this test run: a fresh SQLite file, or a fresh PostgreSQL
database when DATABASE_URL points at PostgreSQL.
"""

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.servers import SETUP, gunicorn, manage

N = 24

COUNT = """
import json
from training.models import Assignment, Completion
print(json.dumps({"completions": Completion.objects.count(),
                  "assignments": Assignment.objects.count()}))
"""


def post_all_at_once(url, session, data):
    """N identical POSTs released together; returns their statuses."""
    csrf = "c" * 32
    body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": csrf}, doseq=True).encode()
    headers = {
        "Cookie": f"sessionid={session}; csrftoken={csrf}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": url,
    }
    barrier = threading.Barrier(N)
    statuses = []

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def send():
        request = urllib.request.Request(url, body, headers)  # noqa: S310 - http://127.0.0.1
        barrier.wait()
        try:
            with opener.open(request, timeout=60) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [threading.Thread(target=send) for _ in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


@pytest.mark.long
def test_double_submissions_across_processes_leave_one_row(database):
    ids = json.loads(manage(database, "shell", "-c", SETUP).strip().splitlines()[-1])
    with gunicorn(database, workers=3, threads=4) as base:
        mark = post_all_at_once(f"{base}/training/units/{ids['unit']}/complete/", ids["cadre"], {})
        due = (timezone.localdate() + timedelta(days=7)).isoformat()
        assign = post_all_at_once(
            f"{base}/training/modules/{ids['module']}/assign/",
            ids["trainer"],
            {"org_unit": ids["org"], "due_on": due, "confirm": "yes"},
        )
    assert mark == [302] * N
    assert assign == [302] * N
    counts = json.loads(manage(database, "shell", "-c", COUNT).strip().splitlines()[-1])
    assert counts == {"completions": 1, "assignments": 1}


# A module asking for a reflection on the first two shipped units, and one asking for the
# self-check of the third, both assigned to the cadre; prints the right answers.
EVIDENCE = """
import json
from datetime import timedelta
from django.utils import timezone
from expositions import services as unit_services
from expositions.models import SelfCheckQuestion, StudyUnit
from org.models import Cadre
from tests.expositions.test_self_check import QUESTIONS
from training import services
from training.models import Assignment, Module

cadre = Cadre.objects.get(user__username="cadre")
units = list(StudyUnit.objects.order_by("pk")[:3])
unit_services.unit_save(unit=units[2], questions=QUESTIONS)
due = timezone.localdate() + timedelta(days=7)
Module.objects.filter(title="M").update(evidence="reflection")
Assignment.objects.create(module=Module.objects.get(title="M"), cadre=cadre, due_on=due)
checked = Module.objects.create(title="S", status="active", evidence="self_check")
services.module_set_units(module=checked, units=[units[2]])
Assignment.objects.create(module=checked, cadre=cadre, due_on=due)
answers = {}
for q in SelfCheckQuestion.objects.for_unit(units[2]):
    if q.kind == "true_false":
        answers[f"q{q.pk}"] = "true" if q.statement_true else "false"
    else:
        answers[f"q{q.pk}"] = [str(o.pk) for o in q.options.all() if o.correct]
print(json.dumps({"reflected": units[0].slug, "checked": units[2].slug, "answers": answers}))
"""

EVIDENCE_COUNT = """
import json
from training.models import Completion, Reflection, SelfCheckPass
print(json.dumps({"completions": Completion.objects.count(),
                  "reflections": Reflection.objects.count(),
                  "passes": SelfCheckPass.objects.count()}))
"""


@pytest.mark.long
def test_a_reflection_and_a_self_check_sent_24_times_at_once_leave_one_row_each(database):
    ids = json.loads(manage(database, "shell", "-c", SETUP).strip().splitlines()[-1])
    more = json.loads(manage(database, "shell", "-c", EVIDENCE).strip().splitlines()[-1])
    text = "学习本单元后，我对社会救助工作有了新的认识，今后入户核查要多听困难群众的意见。" * 2
    with gunicorn(database, workers=3, threads=4) as base:
        reflected = post_all_at_once(
            f"{base}/training/units/{more['reflected']}/reflection/", ids["cadre"], {"text": text}
        )
        checked = post_all_at_once(
            f"{base}/training/units/{more['checked']}/self-check/", ids["cadre"], more["answers"]
        )
    assert reflected == [302] * N
    assert checked == [302] * N
    counts = json.loads(manage(database, "shell", "-c", EVIDENCE_COUNT).strip().splitlines()[-1])
    assert counts == {"completions": 2, "reflections": 1, "passes": 1}
