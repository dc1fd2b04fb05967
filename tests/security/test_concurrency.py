"""Double submission across processes: 24 identical POSTs at once, through gunicorn
with 3 worker processes of 4 threads, for one completion and for one assignment →
exactly one row each, and every answer an ordinary redirect (no error shown).

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
    body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": csrf}).encode()
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
