"""Spreadsheet downloads: CSV (streamed, constant memory) and Excel (.xlsx), for any
table of rows. What the tables hold is the apps' business (training.exports).

Every cell that a spreadsheet would read as a formula (= + - @, tab, CR) is
neutralised with a leading apostrophe: names and org units come from people.

Times are local time (``TIME_ZONE``, Beijing time), and the column headers say so
(``in_zone``): rows carry them as dates and naive local datetimes, which Excel receives
as dates in a date format and CSV as "2026-12-01" and "2026-12-01 18:08". Completion
rates are numbers: a fraction written with a percentage format in Excel, and "62.5%"
in CSV (which Excel reads back as the number 0.625). 学时 are numbers in Excel and
written as people write them in CSV ("50", "2.5", never "50.0").
"""

import csv
import dataclasses
import datetime
import io
import itertools
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

# What makes a spreadsheet read a cell as a formula, and the full-width forms of the
# same characters (＝＋－＠), which some spreadsheets fold to them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
CSV_BATCH = 2000  # rows per chunk sent: one row per chunk is about 5x slower


def neutralise(value):
    if value is None:
        return ""
    if value.__class__ is str and value[:1] in _FORMULA_FIRST:
        return "'" + value
    return value


def _neutralised(row):
    # The hot loop of a million-row export: neutralise() inlined.
    return [
        ("'" + v if v[:1] in _FORMULA_FIRST else v)
        if v.__class__ is str
        else ("" if v is None else v)
        for v in row
    ]


def zone_name():
    """The name of the time zone every exported time is in."""
    if settings.TIME_ZONE == "Asia/Shanghai":
        return _("Beijing time")
    return settings.TIME_ZONE


def in_zone(label):
    return _("%(label)s (%(zone)s)") % {"label": label, "zone": zone_name()}


@dataclass
class Table:
    """One exported table: its header, its rows (an iterator, streamed), and which
    columns hold completion rates (fractions from 0 to 1), local times (a date or a
    naive local datetime, or None) and 学时 (Decimals)."""

    header: list
    rows: object
    percent_columns: frozenset = dataclasses.field(default_factory=frozenset)
    time_columns: frozenset = dataclasses.field(default_factory=frozenset)
    hour_columns: frozenset = dataclasses.field(default_factory=frozenset)

    def csv_rows(self):
        """The rows with every number and time written as text for CSV."""
        text = dict.fromkeys(self.percent_columns, _percent_text)
        text |= dict.fromkeys(self.time_columns, _time_text)
        text |= dict.fromkeys(self.hour_columns, hours_text)
        if not text:
            return self.rows
        return (
            [text[i](v) if i in text and v is not None else v for i, v in enumerate(row)]
            for row in self.rows
        )


def _percent_text(fraction):
    return f"{fraction * 100:.1f}%"


def _time_text(value):
    if isinstance(value, datetime.datetime):
        # isoformat is several times faster than strftime over a million rows.
        return value.isoformat(" ", "minutes")
    return value.isoformat()


def hours_text(hours):
    """学时 as people write them: 50, 2.5, 0.25 (a Decimal field says 50.0 or 2.50)."""
    return f"{Decimal(hours).normalize():f}"


def local_minute(moment):
    """A stored (aware) time as a naive local datetime to the minute, as exported."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, second=0, microsecond=0)


def _header_chunk(header):
    """A BOM (so that Excel opens UTF-8 Chinese correctly) and the header line."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(_neutralised(header))
    return "\ufeff" + buffer.getvalue()


def _csv_chunks(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield _header_chunk(header)
    batch = []
    for row in rows:
        batch.append(_neutralised(row))
        if len(batch) >= CSV_BATCH:
            writer.writerows(batch)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            batch = []
    writer.writerows(batch)
    yield buffer.getvalue()


def _line_chunks(header, lines):
    """Lines the database already wrote as CSV, passed on in batches."""
    yield _header_chunk(header)
    batch = []
    for line in lines:
        batch.append(line)
        if len(batch) >= CSV_BATCH:
            yield "".join(batch)
            batch = []
    yield "".join(batch)


def csv_response(filename, header, rows=None, *, lines=None):
    """A streamed CSV download of ``rows`` (written and neutralised here) or of ``lines``
    (already written, e.g. by the database)."""
    chunks = _csv_chunks(header, rows) if lines is None else _line_chunks(header, lines)
    # The header and the first batch are made before the response starts: a query that
    # fails then fails here, as an error page, not as a file that looks whole but stops
    # part-way. (A failure after that cuts the chunked transfer short, which a browser
    # reports as a failed download.)
    first = [next(chunks), next(chunks, "")]
    response = StreamingHttpResponse(
        itertools.chain(first, chunks), content_type="text/csv; charset=utf-8"
    )
    # Django builds the header (quoting, and RFC 5987 for names that are not ASCII).
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# Characters no file name may hold on Windows, macOS or Linux, and control characters.
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def file_name(*parts, extension):
    """A download name that says what the file holds, e.g.
    ``基层治理专题学习-小店区-2026-12-01.xlsx``: the parts joined by "-", each with the
    characters no file system accepts replaced, and short enough for every system (the
    Content-Disposition header then encodes it, RFC 5987)."""
    cleaned = []
    for part in parts:
        text = unicodedata.normalize("NFC", str(part))
        text = _UNSAFE_IN_NAME.sub("_", text).strip(" .")
        if text:
            cleaned.append(text)
    stem = "-".join(cleaned)[:120].strip(" .") or "export"
    return f"{stem}.{extension}"


def _display_width(value):
    """Roughly how many character widths a cell needs: Chinese characters take two."""
    text = value if isinstance(value, str) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text[:80])


WIDTH_SAMPLE = 500  # rows looked at to size the columns (the file may hold a million)


def xlsx_response(filename, table, sheet, title):
    """An Excel file of ``table``: a title row (what it holds, the scope, when it was
    exported), the header frozen below it with filters on every column, widths that fit
    the first rows, and completion rates as numbers in a percentage format."""
    # constant_memory writes each row to disk as it goes; the file is then streamed.
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    workbook = xlsxwriter.Workbook(
        handle, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    worksheet = workbook.add_worksheet(sheet[:31])
    title_format = workbook.add_format({"bold": True, "font_size": 14})
    header_format = workbook.add_format(
        {"bold": True, "bg_color": "#E7EEF5", "bottom": 1, "text_wrap": True, "valign": "top"}
    )
    percent_format = workbook.add_format({"num_format": "0.0%"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    minute_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    columns = len(table.header)
    worksheet.write_string(0, 0, neutralise(title), title_format)
    worksheet.write_row(1, 0, [neutralise(v) for v in table.header], header_format)
    widths = [min(_display_width(v), 30) for v in table.header]
    percent = table.percent_columns
    last = 1
    for last, row in enumerate(table.rows, start=2):  # noqa: B007 - the last row is kept
        cells = [neutralise(v) for v in row]
        worksheet.write_row(last, 0, cells)
        for index in percent:
            worksheet.write_number(last, index, cells[index], percent_format)
        for index in table.time_columns:
            value = cells[index]
            if isinstance(value, datetime.datetime):
                worksheet.write_datetime(last, index, value, minute_format)
            elif value:
                worksheet.write_datetime(last, index, value, date_format)
        if last < WIDTH_SAMPLE:
            for index, value in enumerate(cells):
                widths[index] = max(widths[index], _display_width(value))
    for index, width in enumerate(widths):
        worksheet.set_column(index, index, min(max(width, 6), 50) + 2)
    worksheet.freeze_panes(2, 0)
    worksheet.autofilter(1, 0, last, columns - 1)
    workbook.close()
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
