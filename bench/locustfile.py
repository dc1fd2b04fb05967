"""The users of bench/load.py: cadres reading and completing units, trainers following
progress, one export a minute. Read by Locust (`locust -f bench/locustfile.py`), which
bench/load.py starts for each step; the plan (sessions, modules) comes from the JSON
file named by LOAD_PLAN, which bench/load.py writes.

A response other than 200 (a redirect to sign-in or to a password change included) is
a failure: the capacity figure counts only pages that a person would have seen.
"""

import itertools
import json
import os
import re

from locust import HttpUser, between, constant, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
_cadres = itertools.cycle(PLAN["cadres"])
_sign_ins = itertools.cycle(PLAN["sign_ins"])
_trainers = itertools.cycle(PLAN["trainers"])
NEXT_UNIT = re.compile(r'href="(/units/[^"/]+/)\?module=(\d+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SIGN_IN_SHARE = PLAN["sign_in_share"]  # of cadre users, those who sign in with a password


def _ok(response, name):
    if response.status_code != 200:
        response.failure(f"{name}: {response.status_code}")
        return False
    return True


class CadreUser(HttpUser):
    """A cadre in a study evening: My study, then the next unit of a module, read for
    a while and completed, and again."""

    weight = 20
    wait_time = between(2, 6)  # reading, thinking; no timer is involved

    def on_start(self):
        self.client.headers["Accept-Language"] = "zh-hans"
        self.counter = getattr(CadreUser, "_started", 0)
        CadreUser._started = self.counter + 1
        if SIGN_IN_SHARE and self.counter % round(1 / SIGN_IN_SHARE) == 0:
            self.sign_in(next(_sign_ins))
        else:
            self.client.cookies.set("sessionid", next(_cadres))
        self.next_units = []

    def sign_in(self, username):
        with self.client.get("/accounts/login/", name="sign-in page", catch_response=True) as r:
            if not _ok(r, "sign-in page"):
                return
            token = CSRF.search(r.text).group(1)
        with self.client.post(
            "/accounts/login/",
            {"username": username, "password": PLAN["password"], "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/accounts/login/"},
            name="sign in",
            catch_response=True,
        ) as r:
            _ok(r, "sign in")

    @task(1)
    def my_study(self):
        with self.client.get("/training/my-study/", name="my study", catch_response=True) as r:
            if _ok(r, "my study"):
                self.next_units = NEXT_UNIT.findall(r.text)

    @task(4)
    def read_and_complete(self):
        if not self.next_units:
            return self.my_study()
        path, module = self.next_units.pop(0)
        with self.client.get(
            f"{path}?module={module}", name="unit page (from a module)", catch_response=True
        ) as r:
            if not _ok(r, "unit page"):
                return None
            token = CSRF.search(r.text)
        if token is None:  # already complete: nothing to mark
            return None
        with self.client.post(
            f"/training{path}complete/",
            {"csrfmiddlewaretoken": token.group(1), "module": module},
            headers={"Referer": f"{self.host}{path}"},
            name="complete a unit",
            catch_response=True,
        ) as r:
            _ok(r, "complete a unit")
        return None


class TrainerUser(HttpUser):
    """A trainer following their county: the module list, a module's progress, the
    hours page."""

    weight = 1
    wait_time = between(3, 10)

    def on_start(self):
        self.client.headers["Accept-Language"] = "zh-hans"
        self.client.cookies.set("sessionid", next(_trainers))

    @task(2)
    def progress(self):
        module = PLAN["modules"][hash(self) % len(PLAN["modules"])]
        url = f"/training/modules/{module}/progress/"
        with self.client.get(url, name="module progress", catch_response=True) as r:
            _ok(r, "module progress")

    @task(1)
    def hours(self):
        with self.client.get("/training/hours/", name="hours page", catch_response=True) as r:
            _ok(r, "hours page")

    @task(1)
    def modules(self):
        with self.client.get("/training/", name="module list", catch_response=True) as r:
            _ok(r, "module list")


class ExportUser(HttpUser):
    """One trainer exporting a module's progress for the county as Excel, once a minute."""

    fixed_count = 1
    wait_time = constant(60)

    def on_start(self):
        self.client.cookies.set("sessionid", next(_trainers))

    @task
    def export(self):
        module = PLAN["modules"][0]
        with self.client.get(
            f"/training/modules/{module}/progress.xlsx", name="export (xlsx)", catch_response=True
        ) as r:
            _ok(r, "export")
