"""Background jobs (issue #34): a trainer's zip of certificates and a large Excel export
are asked for on a page, made by a task, followed on the job's page and downloaded by
the person who asked only; a failed job says so and runs again."""

import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.jobs import run_queued
from training import services
from training.jobs import work
from training.jobs.models import Job
from training.jobs.services import housekeeping, job_run
from training.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def cadre(org, make_cadre):
    return make_cadre(org.township_a, name="欧阳娜娜")


@pytest.fixture
def finished(org, cadre, make_unit, make_module, assign):
    """A module of two units the cadre has finished."""
    units = [make_unit(study_hours=Decimal("1")), make_unit(study_hours=Decimal("0.5"))]
    module = make_module(units=units, title="社会救助专题")
    assign(module, org.county)
    for unit in units:
        services.completion_record(cadre=cadre, unit=unit)
    return module


@pytest.fixture
def trainer(org, make_trainer):
    return make_trainer(org.county)


def ask_zip(client, module, org_unit):
    url = reverse("training:module_certificates_zip", args=[module.pk])
    return client.post(url, {"org": org_unit.pk})


def test_asking_for_the_zip_starts_a_job_and_opens_its_page(client, org, finished, trainer):
    client.force_login(trainer)
    response = ask_zip(client, finished, org.county)
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert (job.kind, job.state, job.requested_by) == ("certificates", "queued", trainer)
    assert DBTaskResult.objects.get().status == "READY"  # enqueued with the job
    assert not Certificate.objects.exists()  # nothing is made in the request
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'id="job-progress"' in page and 'aria-label="' in page
    assert reverse("training:job_status", args=[job.pk]) in page


def test_the_task_makes_the_zip_of_the_cadres_who_finished(
    client, org, finished, trainer, make_cadre, assign
):
    make_cadre(org.township_b)  # assigned through the county, not finished
    client.force_login(trainer)
    ask_zip(client, finished, org.county)
    (result,) = run_queued()
    job = Job.objects.get()
    assert result.status == "SUCCESSFUL"
    assert (job.state, job.done, job.total) == ("done", 1, 1)
    assert job.file_name.endswith(".zip") and "社会救助专题" in job.file_name
    hours = (job.expires_at - job.finished_at).total_seconds() / 3600
    assert round(hours) == 24
    response = client.get(reverse("training:job_file", args=[job.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    (name,) = archive.namelist()
    assert name.startswith("欧阳娜娜") and archive.read(name).startswith(b"%PDF-")
    assert Certificate.objects.get().formatted_code in name


def test_the_job_and_its_file_are_404_for_everyone_but_the_person_who_asked(
    client, org, finished, trainer, cadre, make_trainer, make_user
):
    client.force_login(trainer)
    ask_zip(client, finished, org.county)
    run_queued()
    job = Job.objects.get()
    others = [
        make_trainer(org.county),  # a trainer of the same county
        make_trainer(org.province),  # one above
        make_trainer(org.other_county),
        cadre.user,
        make_user("root", is_superuser=True, is_staff=True),
    ]
    for other in others:
        client.force_login(other)
        for name in ("job_detail", "job_status", "job_file"):
            assert client.get(reverse(f"training:{name}", args=[job.pk])).status_code == 404
        assert client.post(reverse("training:job_retry", args=[job.pk])).status_code == 404


def test_the_status_says_how_far_the_job_is(client, org, finished, trainer):
    client.force_login(trainer)
    ask_zip(client, finished, org.county)
    job = Job.objects.get()
    url = reverse("training:job_status", args=[job.pk])
    assert client.get(url).json()["state"] == "queued"
    assert "no-cache" in client.get(url)["Cache-Control"]
    run_queued()
    status = client.get(url).json()
    assert status | {"state_label": ""} == {
        "state": "done",
        "state_label": "",
        "done": 1,
        "total": 1,
        "percent": 100,
        "finished": True,
        "text": "1／1",
    }


def test_a_double_click_makes_one_job(client, org, finished, trainer):
    client.force_login(trainer)
    first, second = ask_zip(client, finished, org.county), ask_zip(client, finished, org.county)
    assert first.url == second.url
    assert Job.objects.count() == DBTaskResult.objects.count() == 1


def test_nobody_finished_here_starts_no_job(client, org, finished, make_trainer):
    client.force_login(make_trainer(org.other_county))
    response = ask_zip(client, finished, org.other_county)
    assert response.status_code == 302 and "progress" in response.url
    assert not Job.objects.exists()


def test_an_org_unit_outside_the_trainer_s_tree_is_404(client, org, finished, make_trainer):
    client.force_login(make_trainer(org.other_county))
    assert ask_zip(client, finished, org.county).status_code == 404
    assert not Job.objects.exists()


def test_too_many_finished_cadres_ask_for_a_smaller_org_unit(
    client, org, finished, trainer, monkeypatch
):
    monkeypatch.setattr(work, "ZIP_LIMIT", 0)
    client.force_login(trainer)
    response = ask_zip(client, finished, org.county)
    assert response.status_code == 302 and not Job.objects.exists()
    page = client.get(response.url).content.decode()
    assert "请在进度页选择下级单位" in page


def test_the_zip_link_is_a_form_that_posts(client, org, finished, trainer):
    client.force_login(trainer)
    url = reverse("training:module_certificates_zip", args=[finished.pk])
    page = client.get(reverse("training:module_progress", args=[finished.pk])).content.decode()
    assert f'action="{url}"' in page
    assert client.get(url).status_code == 302  # a refresh goes back to the progress page
    assert not Job.objects.exists()


def test_a_failed_job_says_so_and_runs_again_when_asked(client, org, finished, trainer):
    client.force_login(trainer)
    ask_zip(client, finished, org.county)
    org.county.trainers.remove(trainer)  # out of their scope before the job runs
    (result,) = run_queued()
    job = Job.objects.get()
    assert (job.state, job.error, result.status) == ("failed", "gone", "FAILED")
    assert "JobError" in result.traceback  # the admin's task results show it
    org.county.trainers.add(trainer)
    page = client.get(job.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "失败" in page and "不再属于您管理的单位" in page
    english = client.get(job.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "no longer among the org units you manage" in english
    assert client.get(reverse("training:job_file", args=[job.pk])).status_code == 404
    response = client.post(reverse("training:job_retry", args=[job.pk]))
    assert response.status_code == 302
    run_queued()
    job.refresh_from_db()
    assert (job.state, job.attempts, job.error) == ("done", 2, "")


def test_a_job_that_is_not_failed_is_not_run_again(client, org, finished, trainer):
    client.force_login(trainer)
    ask_zip(client, finished, org.county)
    run_queued()
    client.post(reverse("training:job_retry", args=[Job.objects.get().pk]))
    assert run_queued() == []


def test_a_second_task_for_the_same_job_finds_it_taken(client, org, finished, trainer):
    client.force_login(trainer)
    ask_zip(client, finished, org.county)
    job = Job.objects.get()
    assert job_run(job.pk) is True
    assert job_run(job.pk) is False
    job.refresh_from_db()
    assert job.attempts == 1


def test_files_are_deleted_when_their_time_is_up(client, org, finished, trainer):
    client.force_login(trainer)
    ask_zip(client, finished, org.county)
    run_queued()
    job = Job.objects.get()
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    assert housekeeping()["files_deleted"] == 0
    housekeeping(now=job.expires_at + timedelta(seconds=1))
    assert not storage.exists(name)
    assert client.get(reverse("training:job_file", args=[job.pk])).status_code == 404
    page = client.get(job.get_absolute_url()).content.decode()
    assert "文件已于" in page


def test_a_running_job_whose_worker_stopped_fails_and_can_run_again(client, org, finished, trainer):
    client.force_login(trainer)
    ask_zip(client, finished, org.county)
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(state="running", attempts=1)
    later = timezone.now() + timedelta(minutes=16)
    assert housekeeping(now=later)["stalled"] == 1
    job.refresh_from_db()
    assert (job.state, job.error) == ("failed", "stopped")
    client.post(reverse("training:job_retry", args=[job.pk]))
    run_queued()
    job.refresh_from_db()
    assert job.state == "done"


def test_the_job_list_shows_the_person_s_own_jobs(
    client, org, finished, trainer, make_trainer, django_assert_max_num_queries
):
    client.force_login(trainer)
    ask_zip(client, finished, org.county)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("training:job_list")).content.decode()
    assert "社会救助专题 — 县" in page
    client.force_login(make_trainer(org.county))
    assert "社会救助专题" not in client.get(reverse("training:job_list")).content.decode()


# --- Excel exports above EXCEL_IN_REQUEST_ROWS ----------------------------------------


def export_url(module, fmt="xlsx", **query):
    url = reverse("training:module_progress_export", args=[module.pk, fmt])
    return url + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def sheet_rows(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_a_large_excel_export_is_a_job_with_the_same_rows(
    client, org, finished, trainer, make_cadre, monkeypatch
):
    make_cadre(org.township_b, name="=SUM(A1)")
    client.force_login(trainer)
    url = export_url(finished, org=org.county.pk, status="")
    inline = sheet_rows(b"".join(client.get(url).streaming_content))
    monkeypatch.setattr(work, "EXCEL_IN_REQUEST_ROWS", 1)
    response = client.get(url)
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.kind == "export"
    run_queued()
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == ("done", 2, 2)
    assert job.file_name.endswith(".xlsx")
    made = b"".join(client.get(reverse("training:job_file", args=[job.pk])).streaming_content)
    assert sheet_rows(made)[1:] == inline[1:]  # the title row holds the time of export
    assert "'=SUM(A1)" in [row[0] for row in sheet_rows(made)]


def test_csv_stays_streamed_whatever_its_size(client, org, finished, trainer, monkeypatch):
    monkeypatch.setattr(work, "EXCEL_IN_REQUEST_ROWS", 0)
    client.force_login(trainer)
    response = client.get(export_url(finished, "csv", org=org.county.pk))
    assert response.status_code == 200 and response.streaming
    assert not Job.objects.exists()


def test_the_excel_job_runs_in_the_language_it_was_asked_in(
    client, org, finished, trainer, monkeypatch
):
    monkeypatch.setattr(work, "EXCEL_IN_REQUEST_ROWS", 0)
    client.force_login(trainer)
    client.get(export_url(finished, org=org.county.pk), HTTP_ACCEPT_LANGUAGE="en")
    run_queued()
    job = Job.objects.get()
    made = b"".join(client.get(reverse("training:job_file", args=[job.pk])).streaming_content)
    assert sheet_rows(made)[0][0] == "Name"


# --- recounts after large edits -------------------------------------------------------


def test_a_large_module_edit_recounts_by_a_job(
    client, org, finished, trainer, make_unit, monkeypatch
):
    from training.jobs import services as job_services
    from training.progress_verify import verify

    monkeypatch.setattr(job_services, "RECOUNT_IN_REQUEST", 1)  # 2 completions here
    client.force_login(trainer)
    units = list(finished.units.all())
    recount = services.module_set_units(module=finished, units=units[:1], by=trainer)
    assert recount.kind == "recount" and recount.parameters == {"module_ids": [finished.pk]}
    assert verify() == []  # the module waits for its job: left out
    assert verify(skip_modules=()) != []  # the stored total still counts two units
    page = client.get(reverse("training:module_progress", args=[finished.pk])).content.decode()
    assert "正在后台重新统计" in page
    run_queued()
    assert verify(skip_modules=()) == []
    recount.refresh_from_db()
    assert recount.state == "done"


def test_a_small_module_edit_recounts_in_its_transaction(finished, trainer):
    from training.progress_verify import verify

    units = list(finished.units.all())
    assert services.module_set_units(module=finished, units=units[:1], by=trainer) is None
    assert verify(skip_modules=()) == [] and not Job.objects.exists()


def test_a_recount_waiting_is_reused_and_one_running_is_not(finished, trainer, monkeypatch):
    from training.jobs import services as job_services

    monkeypatch.setattr(job_services, "RECOUNT_IN_REQUEST", 0)
    units = list(finished.units.all())
    first = services.module_set_units(module=finished, units=units[:1], by=trainer)
    assert services.module_set_units(module=finished, units=units, by=trainer) == first
    Job.objects.filter(pk=first.pk).update(state="running")
    third = services.module_set_units(module=finished, units=units[:1], by=trainer)
    assert third != first and third.state == "queued"


def test_a_long_shortfall_list_in_excel_is_a_job_with_the_same_rows(
    client, org, trainer, make_cadre, monkeypatch
):
    from training.models import Requirement

    online = Requirement.objects.get(kind="online")
    for name in ("王芳", "李强"):
        make_cadre(org.township_a, name=name)
    client.force_login(trainer)
    url = reverse("training:hours_overview") + f"?requirement={online.pk}&format=xlsx"
    inline = sheet_rows(b"".join(client.get(url).streaming_content))
    monkeypatch.setattr(work, "EXCEL_IN_REQUEST_ROWS", 1)
    response = client.get(url)
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    run_queued()
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == ("done", 2, 2)
    made = b"".join(client.get(reverse("training:job_file", args=[job.pk])).streaming_content)
    assert sheet_rows(made)[1:] == inline[1:]
    assert {row[0] for row in sheet_rows(made)[1:]} == {"王芳", "李强"}
