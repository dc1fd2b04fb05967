"""bench/locustfile.py's users pointed at the rehearsal's two app hosts (bench/cluster.py).

Each user starts on one app host (alternately). A host that fails to answer (a
connection refused or reset) is marked down for 10 s for every user of this process,
who move to the other before their next request: what a load balancer's passive health
check (nginx's max_fails/fail_timeout) does for the browsers behind it. Every request
is logged with its time, host, status, response time and (a trainer's progress page)
module (the failure drills count errors by window; the load reports the progress
page by module and by minute),
and every "mark complete" with the cadre, the unit and whether it was confirmed (a
redirect answered 200): bench/cluster.py counts those against the database. The plan
(hosts, sessions, modules, where to log) is the JSON file named by CLUSTER_PLAN.
"""

import itertools
import json
import os
import re
import time

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["CLUSTER_PLAN"], encoding="utf-8").read())  # noqa: SIM115
HOSTS = PLAN["hosts"]
_cadres = itertools.cycle(PLAN["cadres"])
_trainers = itertools.cycle(PLAN["trainers"])
_hosts = itertools.cycle(range(len(HOSTS)))
_down_until = {}  # host index -> time.monotonic() until which it is left alone
DOWN_SECONDS = 10
NEXT_UNIT = re.compile(r'href="(/units/[^"/]+/)\?module=(\d+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOG = open(PLAN["log"] + f".{os.getpid()}.csv", "a", buffering=1)  # noqa: SIM115
DONE = open(PLAN["completions"] + f".{os.getpid()}.csv", "a", buffering=1)  # noqa: SIM115


@events.request.add_listener
def _log(request_type, name, response_time, response, context, exception, start_time=0, **kw):
    status = getattr(response, "status_code", 0) or 0
    started = start_time or time.time()
    LOG.write(
        f"{started:.3f},{name},{context.get('host', '')},{status},{response_time:.0f},"
        f"{context.get('module', '')}\n"
    )


class _OnTwoHosts(HttpUser):
    abstract = True
    host = HOSTS[0]

    def on_start(self):
        self.client.headers["Accept-Language"] = "zh-hans"
        self.host_index = next(_hosts)
        self.client.base_url = HOSTS[self.host_index]

    def context(self):
        return {"host": HOSTS[self.host_index]}

    def route(self):
        """Off a host marked down, onto the next one that is not."""
        now = time.monotonic()
        for step in range(len(HOSTS)):
            index = (self.host_index + step) % len(HOSTS)
            if _down_until.get(index, 0) <= now:
                self.host_index = index
                break
        self.client.base_url = HOSTS[self.host_index]

    def ok(self, response, name):
        if response.status_code == 0:  # the host is gone: left alone for a while
            _down_until[self.host_index] = time.monotonic() + DOWN_SECONDS
            self.route()
        if response.status_code != 200:
            response.failure(f"{name}: {response.status_code}")
            return False
        return True


class CadreUser(_OnTwoHosts):
    weight = 20
    wait_time = between(2, 6)

    def on_start(self):
        super().on_start()
        self.username, session = next(_cadres)
        self.client.cookies.set("sessionid", session)
        self.next_units = []

    @task(1)
    def my_study(self):
        self.route()
        with self.client.get("/training/my-study/", name="my study", catch_response=True) as r:
            if self.ok(r, "my study"):
                self.next_units = NEXT_UNIT.findall(r.text)

    @task(4)
    def read_and_complete(self):
        self.route()
        if not self.next_units:
            return self.my_study()
        path, module = self.next_units.pop(0)
        with self.client.get(
            f"{path}?module={module}", name="unit page (from a module)", catch_response=True
        ) as r:
            if not self.ok(r, "unit page") or f"/training{path}complete/" not in r.text:
                return None
            token = CSRF.search(r.text).group(1)
        with self.client.post(
            f"/training{path}complete/",
            {"csrfmiddlewaretoken": token, "module": module},
            headers={"Referer": f"{self.client.base_url}{path}"},
            name="complete a unit",
            catch_response=True,
        ) as r:
            confirmed = self.ok(r, "complete a unit") and bool(r.history)
        slug = path.strip("/").split("/")[-1]
        DONE.write(f"{self.username},{slug},{'ok' if confirmed else r.status_code}\n")
        return None


class TrainerUser(_OnTwoHosts):
    weight = 1
    wait_time = between(3, 10)

    def on_start(self):
        super().on_start()
        self.client.cookies.set("sessionid", next(_trainers))
        # Each view the next of the trainer's modules (not one module for the user's
        # life: with one or two trainers the page's p95 was then one module's).
        modules = PLAN["modules"]
        start = hash(self) % len(modules)
        self.modules = itertools.cycle(modules[start:] + modules[:start])
        self.module = ""

    def context(self):
        return {**super().context(), "module": self.module}

    @task(2)
    def progress(self):
        self.route()
        module = self.module = next(self.modules)
        url = f"/training/modules/{module}/progress/"
        with self.client.get(url, name="module progress", catch_response=True) as r:
            self.ok(r, "module progress")

    @task(1)
    def hours(self):
        self.route()
        with self.client.get("/training/hours/", name="hours page", catch_response=True) as r:
            self.ok(r, "hours page")

    @task(1)
    def modules(self):
        self.route()
        with self.client.get("/training/", name="module list", catch_response=True) as r:
            self.ok(r, "module list")
