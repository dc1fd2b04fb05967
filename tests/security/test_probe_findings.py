"""Findings of the outside security probe (issue #13), each with the test that failed
before its fix."""

import io
from datetime import timedelta
from urllib.parse import unquote

import openpyxl
import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from expositions.models import StudyUnit
from org.models import OrgUnit
from portal import spreadsheets
from portal.spreadsheets import neutralise
from training import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def progress(org, make_trainer, make_module, make_cadre, assign, client):
    trainer = make_trainer(org.county, username="probe-trainer")
    module = make_module(created_by=trainer)
    assign(module, org.county)
    make_cadre(org.township_a, name="＝HYPERLINK(1)")
    client.force_login(trainer)
    return client, module


@pytest.mark.parametrize("text", ["＝1+1", "＋1", "－1", "＠SUM(A1)"])
def test_full_width_formula_triggers_are_neutralised(text):
    assert neutralise(text) == "'" + text


def test_full_width_trigger_is_neutralised_in_an_excel_export(progress, org):
    client, module = progress
    url = reverse("training:module_progress_export", args=[module.pk, "xlsx"])
    body = b"".join(client.get(url, {"org": org.county.pk}).streaming_content)
    names = [row[0] for row in openpyxl.load_workbook(io.BytesIO(body)).active.values]
    assert "'＝HYPERLINK(1)" in names


@pytest.mark.parametrize(
    "table", ["x\"; filename*=UTF-8''evil.hta", "\r\n", "\x00", "orgs\r\nX-Evil: 1"]
)
def test_an_unknown_export_table_is_404_not_a_file_name(progress, org, table):
    client, module = progress
    url = reverse("training:module_progress_export", args=[module.pk, "csv"])
    # A NUL anywhere in a query is refused before any view runs (portal.params).
    expected = 400 if "\x00" in table else 404
    assert client.get(url, {"org": org.county.pk, "table": table}).status_code == expected


def test_the_download_name_is_built_by_django(progress, org):
    client, module = progress
    url = reverse("training:module_progress_export", args=[module.pk, "csv"])
    response = client.get(url, {"org": org.county.pk, "table": "orgs"}, HTTP_ACCEPT_LANGUAGE="en")
    name = spreadsheets.file_name(
        module.title, org.county.name_en, "By org unit", timezone.localdate(), extension="csv"
    )
    assert response["Content-Disposition"] == content_disposition_header(True, name)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_are_not_kept_by_caches(progress, org, fmt):
    client, module = progress
    url = reverse("training:module_progress_export", args=[module.pk, fmt])
    cache_control = client.get(url, {"org": org.county.pk})["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control


def test_progress_pages_are_not_kept_by_caches(progress, org):
    client, module = progress
    response = client.get(reverse("training:module_progress", args=[module.pk]))
    assert "no-store" in response["Cache-Control"]


def test_my_study_is_not_kept_by_caches(client, org, make_cadre):
    cadre = make_cadre(org.township_a)
    client.force_login(cadre.user)
    cache_control = client.get(reverse("training:my_study"))["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control


def test_negative_study_hours_are_refused(editor_client, make_unit):
    """Hours are set on units now (issue #17): a negative or zero value is refused there."""
    from tests.expositions.test_admin import _form_data

    unit = make_unit()
    url = reverse("admin:expositions_studyunit_change", args=[unit.pk])
    for hours in ("-999.9", "0"):
        response = editor_client.post(url, _form_data(unit, study_hours=hours))
        assert response.status_code == 200
        assert "study_hours" in response.context["adminform"].form.errors
    unit.refresh_from_db()
    assert unit.study_hours is None


def test_a_tag_only_drafts_carry_is_not_shown_to_readers(cadre_client, editor_user, make_unit):
    make_unit(tags=["草稿标签"], status=StudyUnit.Status.DRAFT)
    make_unit(tags=["民政"])
    url = reverse("expositions:tag_detail", args=["草稿标签"])
    assert cadre_client.get(url).status_code == 404
    editor = Client()
    editor.force_login(editor_user)
    assert editor.get(url).status_code == 200  # editors see drafts
    search = cadre_client.get(reverse("expositions:search"), {"tag": "草稿标签", "q": "unit"})
    assert search.context["tag"] is None


def test_undoing_completions_in_the_admin_is_logged(
    editor_client, editor_user, org, make_cadre, make_unit
):
    completion, _ = services.completion_record(cadre=make_cadre(org.township_a), unit=make_unit())
    editor_client.post(
        reverse("admin:training_completion_changelist"),
        {"action": "undo_completions", "_selected_action": [completion.pk]},
    )
    entry = LogEntry.objects.get(object_id=str(completion.pk))
    assert (entry.user, entry.action_flag) == (editor_user, DELETION)
    assert entry.action_time > timezone.now() - timedelta(minutes=1)


def test_an_org_unit_name_with_a_line_break_and_quotes_still_exports(progress, org):
    client, module = progress
    OrgUnit.objects.filter(pk=org.county.pk).update(name_en='K"\r\nX/Y')
    url = reverse("training:module_progress_export", args=[module.pk, "csv"])
    response = client.get(url, {"org": org.county.pk, "table": "orgs"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert "-K_X_Y-By org unit-" in unquote(disposition)


def test_a_csv_whose_rows_fail_is_an_error_not_a_short_file():
    """Issue #13: a query that failed inside the stream gave a 200 and a file cut off
    after its header. It now fails before the response starts."""
    from portal.spreadsheets import csv_response

    def rows():
        raise ValueError("the query failed")
        yield  # pragma: no cover

    with pytest.raises(ValueError, match="the query failed"):
        csv_response("x.csv", ["a"], rows())
