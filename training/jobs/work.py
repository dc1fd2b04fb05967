"""What each kind of job does: ``work(job, report)`` returns (an open file, the name to
download it under), or None for a job that makes no file. ``report(done, total)`` is
the progress its page shows. Everything is read again from the job's parameters, as
the person who asked may see it now: a module or org unit gone, or no longer in their
scope, fails the job with "gone" (JobError), never a file of someone else's tree."""

import tempfile
import zipfile

from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from portal import spreadsheets

from .. import progress_pages, progress_store
from ..hours import certificates
from ..hours_pages import Shortfall
from .models import Job

# Certificates per zip (about 0.07 s each to render, 0.5 s cold): a larger org unit is
# split by the trainer, so that one job does not hold a worker for many minutes.
ZIP_LIMIT = 200
ROWS_PER_REPORT = 1000
# An Excel file of more rows is written by a background job, not in the request
# (bench/RESULTS.md: a city's 3,386 cadres took 3 s on a busy machine, the province's
# 48,978 took 21.5 s, near gunicorn's 30 s timeout). CSV is streamed at any size.
EXCEL_IN_REQUEST_ROWS = 10_000


class JobError(Exception):
    """A failure the person can act on; ``code`` is a key of ``Job.ERRORS``."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def _page(job, params, kind, pk):
    try:
        return progress_pages.page_for(job.requested_by, params, kind, pk)
    except Http404:
        raise JobError("gone") from None


def certificates_zip(job, report):
    """The module certificates (issued now where a cadre holds none) of the cadres of
    the org unit who finished the module, one PDF each, in one zip."""
    parameters = job.parameters
    page, _none = _page(job, QueryDict(f"org={parameters['org']}"), "module", parameters["module"])
    if page.node is None:
        raise JobError("gone")
    cadres = list(page.finished_cadres()[: ZIP_LIMIT + 1])
    if len(cadres) > ZIP_LIMIT:
        raise JobError("too_many")
    report(0, len(cadres))
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed on to be stored, then closed
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, cadre in enumerate(cadres, start=1):
            certificate = certificates.module_certificate(cadre, page.module)
            if certificate is not None:
                name = spreadsheets.file_name(
                    certificate.holder, certificate.formatted_code, extension="pdf"
                )
                pdf = certificates.pdf(certificate, base_url=parameters.get("base_url", ""))
                archive.writestr(name, pdf)
            report(done)
    name = spreadsheets.file_name(
        page.module.title, str(page.node), _("certificates"), extension="zip"
    )
    return handle, name


def _counted(rows, report):
    for done, row in enumerate(rows, start=1):
        if done % ROWS_PER_REPORT == 0:
            report(done)
        yield row


def excel_export(job, report):
    """A table of a progress page, or the hours page's cadres still short, as Excel, as
    the page would have written it."""
    parameters = job.parameters
    if parameters["source"] == "hours":
        return _hours_export(job, report)
    params = QueryDict(parameters["query"])
    page, assignment = _page(job, params, parameters["source"], parameters["pk"])
    table = parameters["table"]
    if page.node is None or table not in progress_pages.EXPORT_TABLES:
        raise JobError("gone")
    report(0, progress_pages.export_rows(page, table))
    data = progress_pages.export_table(page, table)
    data.rows = _counted(data.rows, report)
    name = progress_pages.export_name(page, table, "xlsx")
    response = spreadsheets.xlsx_response(
        name,
        data,
        sheet=progress_pages.table_label(table),
        title=progress_pages.export_title(page, table, assignment),
    )
    # The workbook as xlsx_response wrote it: its temporary file.
    return response.file_to_stream, name


def _hours_export(job, report):
    try:
        page = Shortfall(job.requested_by, QueryDict(job.parameters["query"]))
    except Http404:
        raise JobError("gone") from None
    if not page.requirements:
        raise JobError("gone")
    report(0, page.short.count())
    name, table, title = page.export("xlsx")
    table.rows = _counted(table.rows, report)
    response = spreadsheets.xlsx_response(name, table, sheet=_("short"), title=title)
    return response.file_to_stream, name


def recount(job, report):
    """The stored progress of modules whose units changed (progress_store.recompute)."""
    report(0, 1)
    progress_store.recompute(job.parameters["module_ids"])
    report(1, 1)


WORK = {
    Job.Kind.CERTIFICATES: certificates_zip,
    Job.Kind.EXPORT: excel_export,
    Job.Kind.RECOUNT: recount,
}
