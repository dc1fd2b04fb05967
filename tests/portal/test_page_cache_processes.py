"""The page cache across processes: gunicorn with 3 workers sharing Redis. A cadre's
completion, handled by one worker, shows at once in the pages every worker serves.

With a cache of each process's own the same steps fail: the other workers keep serving
the page they cached before (which is why settings turn the page cache on only with
REDIS_URL or in single-process debug mode, and `manage.py check` warns otherwise).
"""

import json
import re
import socket
import urllib.parse
import urllib.request

import pytest

from tests.servers import SETUP, at_once, gunicorn, manage

REDIS_URL = "redis://127.0.0.1:6379/10"  # a database of its own, emptied before and after
REQUESTS = 12


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url, session):
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1
        url, headers={"Cookie": f"sessionid={session}", "Accept-Language": "en"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return response.read().decode()


def progress_shown(url, session):
    """What each of REQUESTS concurrent views of My study shows, spread over the workers."""
    results, errors = at_once([lambda: get(url, session) for _ in range(REQUESTS)])
    assert not errors
    return {re.search(r"\d+ of \d+ units", html).group(0) for html in results}


@pytest.fixture
def redis_db():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def test_a_completion_reaches_the_pages_of_every_worker(database, redis_db):
    ids = json.loads(manage(database, "shell", "-c", SETUP).strip().splitlines()[-1])
    env = {
        **database,
        "REDIS_URL": redis_db,
        "DJANGO_DEBUG": "false",
        "DJANGO_TESTING": "true",  # static files by name: no collectstatic needed
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
    }
    manage(env, "shell", "-c", f"from training.models import *; {ASSIGN.format(**ids)}")
    with gunicorn(env, workers=3) as base:
        my_study = base + "/training/my-study/"
        assert progress_shown(my_study, ids["cadre"]) == {"0 of 2 units"}
        assert progress_shown(my_study, ids["cadre"]) == {"0 of 2 units"}  # now cached
        csrf = "c" * 32
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1
            f"{base}/training/units/{urllib.parse.quote(ids['unit'])}/complete/",
            urllib.parse.urlencode({"csrfmiddlewaretoken": csrf}).encode(),
            {
                "Cookie": f"sessionid={ids['cadre']}; csrftoken={csrf}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(request, timeout=60)
        except urllib.error.HTTPError as redirect:
            assert redirect.code == 302
        assert progress_shown(my_study, ids["cadre"]) == {"1 of 2 units"}


ASSIGN = (
    "import datetime; from django.utils import timezone; "
    "Assignment.objects.create(module_id={module}, org_unit_id={org}, "
    "due_on=timezone.localdate() + datetime.timedelta(days=7))"
)
