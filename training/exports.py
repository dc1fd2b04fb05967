"""Progress tables as CSV (streamed, constant memory) and Excel (.xlsx).

Every cell that a spreadsheet would read as a formula (= + - @, tab, CR) is
neutralised with a leading apostrophe: names and org units come from people.
"""

import csv
import tempfile

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_BATCH = 500  # rows per chunk sent: one row per chunk is about 5x slower


def neutralise(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _date(value):
    return value.isoformat() if value else ""


def _status_label(status, overdue):
    labels = {
        "complete": _("Complete"),
        "in_progress": _("In progress"),
        "not_started": _("Not started"),
    }
    label = labels.get(status, status)
    return f"{label} ({_('overdue')})" if overdue else label


def cadre_rows(cadres, total):
    header = [
        _("Name"),
        _("Username"),
        _("Org unit"),
        _("Position"),
        _("Units done"),
        _("Units in module"),
        _("Status"),
        _("Due date"),
        _("Overdue"),
        _("Last completion"),
    ]

    def rows():
        for c in cadres.select_related("user", "org_unit").iterator(chunk_size=2000):
            yield [
                c.name,
                c.user.username,
                c.org_unit.name,
                c.position,
                c.done,
                total,
                _status_label(c.status, c.overdue),
                _date(c.due_on),
                _("yes") if c.overdue else _("no"),
                c.last_completed_at.strftime("%Y-%m-%d %H:%M") if c.last_completed_at else "",
            ]

    return header, rows()


def org_rows(rows, totals):
    header = [
        _("Org unit"),
        _("Code"),
        _("Cadres"),
        _("Completed"),
        _("In progress"),
        _("Not started"),
        _("Overdue"),
        _("Percent complete"),
    ]

    def gen():
        for r in rows:
            o = r["org_unit"]
            yield [
                o.name,
                o.code,
                r["cadre_count"],
                r["completed"],
                r["in_progress"],
                r["not_started"],
                r["overdue_count"],
                r["percent"],
            ]
        yield [
            _("Total"),
            "",
            totals["cadre_count"],
            totals["completed"],
            totals["in_progress"],
            totals["not_started"],
            totals["overdue_count"],
            totals["percent"],
        ]

    return header, gen()


class _Echo:
    def write(self, value):
        return value


def _csv_chunks(header, rows):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so that Excel opens UTF-8 Chinese correctly
    yield writer.writerow([neutralise(v) for v in header])
    batch = []
    for row in rows:
        batch.append(writer.writerow([neutralise(v) for v in row]))
        if len(batch) >= CSV_BATCH:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def csv_response(filename, header, rows):
    response = StreamingHttpResponse(
        _csv_chunks(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(filename, header, rows, sheet):
    # constant_memory writes each row to disk as it goes; the file is then streamed.
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    workbook = xlsxwriter.Workbook(
        handle, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    worksheet.write_row(0, 0, [neutralise(v) for v in header], bold)
    for index, row in enumerate(rows, start=1):
        worksheet.write_row(index, 0, [neutralise(v) for v in row])
    workbook.close()
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
