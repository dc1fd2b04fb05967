"""For bench/load.py --with-zip: a task worker (`manage.py run_worker`, another process,
at a lower CPU priority: SCHED_IDLE or nice 10, see docs/portal-worker@.service) making
a trainer's zip of the certificates of up to 200 cadres, one after another, all through
a step (issue #34)."""

import contextlib
import os
import subprocess
import tempfile
import threading

import _province


def target():
    """(module, county, finished cadres): the module and county of the generated
    province where the most cadres finished, 200 at most (one zip's limit)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.db.models.functions import Substr
    from django.http import QueryDict

    from org.models import OrgUnit
    from training.jobs.work import ZIP_LIMIT
    from training.models import Module, Progress
    from training.progress_pages import module_page

    trainer = get_user_model().objects.get(username="bench-trainer-province")
    county_path = OrgUnit.objects.filter(depth=3).values_list("path", flat=True).first()
    best = None
    for module in Module.objects.annotate(n=Count("module_units")):
        counts = (
            Progress.objects.filter(module=module, done__gte=module.n)
            .annotate(county=Substr("cadre__org_unit__path", 1, len(county_path)))
            .values("county")
            .annotate(c=Count("pk"))
            .filter(c__lte=ZIP_LIMIT)
            .order_by("-c")[:1]
        )
        for row in counts:
            if best is None or row["c"] > best[2]:
                best = (module.pk, row["county"], row["c"])
    module_pk, path, _guess = best
    county = OrgUnit.objects.get(path=path)
    page, _none = module_page(trainer, QueryDict(f"org={county.pk}"), module_pk)
    return module_pk, county.pk, page.finished_cadres().count()


class Zips:
    """A worker process and a thread that keeps one zip job waiting or running."""

    def __init__(self, url, module_pk, county_pk, priority="idle", paused=False, cpu=None):
        self.media = tempfile.mkdtemp(prefix="portal-load-media-")
        env = _province.server_env(
            url,
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=_province.SECRET_KEY,
            DJANGO_TESTING="true",
            DJANGO_LOG_LEVEL="ERROR",
            DJANGO_MEDIA_ROOT=self.media,
        )
        # idle: Linux's SCHED_IDLE (CPUSchedulingPolicy=idle in the systemd unit), CPU
        # only when nothing else wants it; nice: nice 10 (the unit's default, Nice=10).
        lower = ["chrt", "--idle", "0"] if priority == "idle" else ["nice", "-n", "10"]
        command = [*lower, _province.PYTHON, "manage.py", "run_worker"]
        if cpu is not None:
            command = ["taskset", "--cpu-list", str(cpu), *command]
        self.worker = subprocess.Popen(  # noqa: S603 - our own manage.py
            [*command, "--no-periodic"], cwd=_province.ROOT, env=env, stdout=subprocess.DEVNULL
        )
        self.parameters = {
            "module": module_pk,
            "org": county_pk,
            "language": "zh-hans",
            "base_url": "http://127.0.0.1",
        }
        self.done = []  # (state, certificates, seconds) of each job finished
        self.current = None  # the job waiting or running
        self.stop = threading.Event()
        self.enabled = threading.Event()  # cleared: no new job (--alternate's "off" steps)
        if not paused:
            self.enabled.set()
        self.busy = threading.Lock()  # held while a job waits or runs
        self.thread = threading.Thread(target=self._keep_zipping, daemon=True)

    def _keep_zipping(self):
        from django.contrib.auth import get_user_model
        from django.db import connections

        from training.jobs import services as jobs
        from training.jobs.models import Job

        user = get_user_model().objects.get(username="bench-trainer-province")
        while not self.stop.is_set():
            if self.enabled.wait(0.5):
                with self.busy:
                    if self.enabled.is_set():
                        self._one_zip(jobs, Job, user)
        connections.close_all()

    def _one_zip(self, jobs, Job, user):
        """Start one zip job and wait for it to finish (or for the run to stop)."""
        job = jobs.job_start(
            kind=Job.Kind.CERTIFICATES,
            requested_by=user,
            parameters=self.parameters,
            label="bench/load.py --with-zip",
        )
        self.current = job
        while not self.stop.wait(0.5):
            job.refresh_from_db()
            if job.finished:
                seconds = (job.finished_at - job.started_at).total_seconds()
                self.done.append((job.state, job.total, seconds))
                break
        self.current = None

    def pause(self):
        """No new job; wait for the one waiting or running to finish."""
        self.enabled.clear()
        with self.busy:
            pass

    def resume(self):
        self.enabled.set()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=30)
        self.worker.terminate()
        self.worker.wait(timeout=300)

    def progress(self):
        """(state, done, total) of the job waiting or running now."""
        current = self.current
        if current is None:
            return None
        current.refresh_from_db()
        return current.state, current.done, current.total


def _postgres_pids():
    found = subprocess.run(
        ["pgrep", "-u", "postgres"],  # noqa: S607 - procps, as the README installs it
        capture_output=True,
        text=True,
        check=False,
    )
    return [int(pid) for pid in found.stdout.split()]


@contextlib.contextmanager
def cpus_apart(worker_cpu):
    """--worker-cpu: the task worker alone on one CPU, and everything else on the others
    (this process and what it starts, gunicorn and Locust; and PostgreSQL's processes,
    whose new backends inherit the postmaster's CPUs): what production's workers on
    machines of their own look like to the web server's CPUs (docs/deploy.md), with one
    PostgreSQL shared as there. Every CPU is given back on the way out."""
    every = os.sched_getaffinity(0)
    if worker_cpu not in every or len(every) < 2:
        raise SystemExit(f"--worker-cpu {worker_cpu}: this process may use CPUs {sorted(every)}")
    rest = every - {worker_cpu}

    def pin(cpus):
        os.sched_setaffinity(0, cpus)
        for pid in _postgres_pids():
            with contextlib.suppress(ProcessLookupError):  # a backend that just ended
                os.sched_setaffinity(pid, cpus)

    pin(rest)
    try:
        yield sorted(rest)
    finally:
        pin(every)
