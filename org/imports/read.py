"""Reading: an uploaded CSV or .xlsx file into numbered rows of {column: text}, with
its header matched to the columns, or Refused with the file's problems. Rows and columns
are bounded as they are read: what a file declares never becomes memory."""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.xml import DEFUSEDXML

from .columns import (
    COLUMNS,
    MAX_COLUMNS,
    NOT_KEPT,
    REQUIRED,
    XLSX_MAX_RATIO,
    XLSX_MAX_UNCOMPRESSED,
    max_bytes,
    max_rows,
    reader_reads_chinese,
)


@dataclass
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1; 0 for the whole file
    column: str
    message: str


@dataclass
class ImportResult:
    kind: str
    filename: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # headers of columns not kept, unread

    @property
    def ok(self):
        return not self.errors

    def problems(self):
        """The errors as a reader sees them: a column the portal knows is named as the
        template names it in the reader's language (组织代码, or org_code)."""
        chinese = reader_reads_chinese()
        names = COLUMNS.get(self.kind, {})
        return [
            RowError(
                e.row, names[e.column][int(chinese)] if e.column in names else e.column, e.message
            )
            for e in self.errors
        ]


class Refused(Exception):
    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def _file_error(message):
    return Refused([RowError(0, "", message)])


def read_rows(upload, kind, skipped=None):
    """[(row number, {column: text})] from an uploaded file, or Refused. The headers of
    columns the portal does not keep are added to ``skipped``."""
    name = (upload.name or "").lower()
    if upload.size > max_bytes():
        raise _file_error(
            _("The file is %(size)s KB; the limit is %(limit)s KB.")
            % {"size": upload.size // 1024, "limit": max_bytes() // 1024}
        )
    data = upload.read()
    if name.endswith(".csv"):
        table = _read_csv(data)
    elif name.endswith(".xlsx"):
        table = _read_xlsx(data)
    else:
        raise _file_error(_("Upload a .csv or .xlsx file."))
    # Rows are read one at a time, each cut to MAX_COLUMNS + 1 cells, and the file is
    # refused as soon as it has too many columns or rows: what a file may declare
    # (a sheet "A1:XFD1048576", a header of 100,000 columns) never becomes memory.
    header, columns, rows = None, None, []
    for number, cells in enumerate(table, start=1):
        if number > max_rows() * 2 + 1000:  # blank rows are skipped, but not endlessly
            raise _file_error(_("Too many rows: the limit is %(limit)s.") % {"limit": max_rows()})
        if not any(c.strip() for c in cells):
            continue  # blank: skipped, but counted, as the spreadsheet numbers rows
        if header is None:
            if any(c.strip() for c in cells[MAX_COLUMNS:]):
                raise _file_error(
                    _("Too many columns: the limit is %(limit)s.") % {"limit": MAX_COLUMNS}
                )
            header = cells
            columns = _columns(header, kind, number, skipped)
            continue
        if len(rows) == max_rows():
            raise _file_error(_("Too many rows: the limit is %(limit)s.") % {"limit": max_rows()})
        cells = cells[: len(columns)] + [""] * (len(columns) - len(cells))
        rows.append((number, {col: cells[i].strip() for i, col in enumerate(columns) if col}))
    if header is None:
        raise _file_error(_("The file is empty."))
    if not rows:  # the template sent back unfilled: not "imported, 0 rows"
        raise _file_error(
            _("The file has a header but no rows: add one row under the header for each entry.")
        )
    return rows


def _read_csv(data):
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese saves CSV as GB18030
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _file_error(_("The file is not UTF-8 or GB18030 text."))
    if "\x00" in text:
        raise _file_error(_("The file is not a CSV text file."))
    return _csv_rows(text)


def _csv_rows(text):
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            yield row[: MAX_COLUMNS + 1]
    except csv.Error as exc:
        raise _file_error(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from None


def _read_xlsx(data):
    if not DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise _file_error(_("Excel files cannot be read safely on this server."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except zipfile.BadZipFile:
        raise _file_error(_("The file is not a valid .xlsx workbook.")) from None
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if unpacked > XLSX_MAX_UNCOMPRESSED or unpacked / packed > XLSX_MAX_RATIO:
        raise _file_error(_("The workbook unpacks to more than this server accepts."))
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise _file_error(_("The file is not a valid .xlsx workbook.")) from None
    return _xlsx_rows(book)


def _xlsx_rows(book):
    try:
        sheet = book.worksheets[0]
        # The size a sheet declares ("A1:XFD1048576") would pad every row to 16,384
        # cells: ignore it, and read no more columns than an import can use.
        sheet.reset_dimensions()
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            yield ["" if v is None else _cell_text(v) for v in values]
    except Refused:
        raise
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken sheet
        raise _file_error(_("The file is not a valid .xlsx workbook.")) from None
    finally:
        book.close()


def _cell_text(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # codes typed as numbers: 140105001.0 -> 140105001
    return str(value)


def _header_key(text):
    """A header cell as compared: NFKC (full-width letters and brackets to half-width),
    lower case, a bracketed note and a required-column "*" dropped, no spaces, "_", "-"."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    return re.sub(r"[\s_*\-:：]", "", text)


def _columns(header, kind, row=1, skipped=None):
    """The column each header cell names (None for an empty one or one the portal does
    not keep, whose header goes to ``skipped``), or Refused."""
    names = {_header_key(alias): col for col, aliases in COLUMNS[kind].items() for alias in aliases}
    not_kept = {_header_key(alias) for alias in NOT_KEPT[kind]}
    columns, errors = [], []
    for cell in header:
        text = _header_key(cell)
        if not text:
            columns.append(None)
        elif text in not_kept:
            columns.append(None)
            if skipped is not None:
                skipped.append(cell.strip())
        elif text in names and names[text] not in columns:
            columns.append(names[text])
        else:
            errors.append(
                RowError(row, cell.strip(), _("Unknown or repeated column. Use the template."))
            )
            columns.append(None)
    missing = [col for col in REQUIRED[kind] if col not in columns]
    for col in missing:
        errors.append(RowError(row, col, _("This column is missing.")))
    if errors:
        raise Refused(errors)
    return columns
