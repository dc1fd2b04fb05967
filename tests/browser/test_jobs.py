"""A trainer's zip of certificates as a background job (issue #34), in the browser: the
trainer asks for it on the progress page, watches the bar move on the job's page while
a real task worker (`manage.py run_worker`, another process) makes it, and downloads
it; a cadre of another org unit gets 404 on the job and on its file."""

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect

from org.models import Cadre, OrgUnit
from tests.browser.test_reading import TEXT, sign_in, sign_out
from tests.servers import ROOT, clean_env
from training import services
from training.jobs.models import Job
from training.models import Module

pytestmark = [pytest.mark.django_db(transaction=True)]

FINISHED = 30  # cadres who finished: enough certificates to see the bar between 0 and all


def worker_env():
    """The live server's database and files, for a worker in another process."""
    db = connection.settings_dict
    env = clean_env(DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT), DJANGO_LOG_LEVEL="WARNING")
    if db["ENGINE"].endswith("sqlite3"):
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    return env


@pytest.fixture
def finished_module(demo, make_cadre):
    """The demo's county module, finished by FINISHED cadres of 北格镇."""
    module = Module.objects.get(title_zh_hans="民生保障专题学习")
    town = OrgUnit.objects.get(code="140105100")
    for n in range(FINISHED):
        cadre = make_cadre(town, name=f"结业干部{n:02d}")
        for unit in module.units.all():
            services.completion_record(cadre=cadre, unit=unit)
    return module


def test_a_trainer_watches_the_zip_being_made_and_downloads_it(
    visit, language, finished_module, make_user
):
    page = visit
    zh = language == "zh-hans"
    sign_in(page, "trainer-county", "trainer-demo-2026", TEXT[language], landing="/training/")
    page.goto(f"{page.base_url}/training/modules/{finished_module.pk}/progress/")
    page.get_by_role(
        "button", name="打包结业证书（zip）" if zh else "Prepare the certificates (zip)"
    ).click()
    job = Job.objects.get()
    page.wait_for_url(f"{page.base_url}/training/jobs/{job.pk}/")
    bar = page.get_by_role("progressbar", name="任务进度" if zh else "Progress of the job")
    expect(bar).to_have_attribute("value", "0")
    page.snapshot("job-waiting")
    worker = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "run_worker", "--batch", "--no-periodic"],
        cwd=ROOT,
        env=worker_env(),
    )
    download_link = page.get_by_role("link", name="下载" if zh else "Download")
    seen = set()  # the bar's values while the job runs, as the browser shows them
    try:
        while not download_link.is_visible():  # the page reloads when the job is done
            value = page.locator("#job-progress").get_attribute("value")
            if value is not None:
                seen.add(int(value))
            page.wait_for_timeout(100)
            assert worker.poll() in (None, 0)
    finally:
        worker.wait(timeout=120)
    assert worker.returncode == 0
    assert {v for v in seen if 0 < v < FINISHED}, seen  # it moved, without a reload
    expect(bar).to_have_attribute("value", str(FINISHED))
    page.snapshot("job-done")
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == ("done", FINISHED, FINISHED)
    with page.expect_download() as download:
        download_link.click()
    names = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())).namelist()
    assert len([n for n in names if n.startswith("结业干部")]) == FINISHED
    job_url, file_url = f"/training/jobs/{job.pk}/", f"/training/jobs/{job.pk}/file/"
    sign_out(page, TEXT[language])

    outsider = Cadre.objects.get(user__username="zhou.li").user  # 清源镇, another county
    outsider.set_password("outsider-demo-2026")
    outsider.save()
    sign_in(page, "zhou.li", "outsider-demo-2026", TEXT[language], landing="/training/my-study/")
    for path in (job_url, file_url):
        page.expect_error_status(path, 404)
        response = page.goto(page.base_url + path)
        assert response.status == 404
