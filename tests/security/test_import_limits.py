"""An import file cannot exhaust a worker (issue #13, item 1): what a file declares
(a sheet of 16,384 columns, a header of 100,000 columns, rows far down the sheet) is
never read into memory, and the worst file the limits accept stays within a measured
bound."""

import io
import re
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from org import imports

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The service's messages in English (the site's default language is Chinese)."""
    with translation.override("en"):
        yield


HEADER = ["username", "name", "org_code", "position", "active"]


def upload(data, name):
    return SimpleUploadedFile(name, data)


def declared_huge(rows, last_row=None):
    """An .xlsx whose sheet declares A1:XFD1048576 (openpyxl would pad every row to
    16,384 cells), optionally with one more row at ``last_row``."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode()
                text = re.sub(r"<dimension ref=\"[^\"]*\"/>", "", text)
                text = text.replace("<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>', 1)
                if last_row:
                    cell = f'<c r="A{last_row}" t="inlineStr"><is><t>x</t></is></c>'
                    row = f'<row r="{last_row}">{cell}</row>'
                    text = text.replace("</sheetData>", row + "</sheetData>")
                data = text.encode()
            target.writestr(item, data)
    return patched.getvalue()


def peak_mib(call):
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_a_declared_sheet_size_is_not_read(org):
    data = declared_huge([HEADER] + [[f"u{i}", "名", "P-C-K-A", "", ""] for i in range(1000)])
    rows = imports.read_rows(upload(data, "c.xlsx"), imports.CADRES)
    assert len(rows) == 1000


@pytest.mark.long
def test_the_worst_accepted_workbook_stays_within_a_memory_bound(org, settings):
    """The largest workbook the limits accept (10,000 rows, declared A1:XFD1048576):
    the probe saw 601 MB at 4,000 rows before the fix."""
    rows = [HEADER] + [
        [f"user{i:05}", "王芳" * 10, "P-C-K-A", "科员" * 10, "yes"] for i in range(10_000)
    ]
    data = declared_huge(rows)
    assert len(data) <= imports.max_bytes()
    started = time.perf_counter()
    peak = peak_mib(lambda: imports.read_rows(upload(data, "c.xlsx"), imports.CADRES))
    print(
        f"worst accepted .xlsx ({len(data) // 1024} KB, 10,000 rows): peak {peak:.1f} MiB, "
        f"{time.perf_counter() - started:.1f} s"
    )
    assert peak < 64


def test_the_largest_accepted_file_of_new_cadres_imports(org, editor_user):
    """10,000 new usernames, each compared with the accounts for a look-alike: the
    comparison once was one query of 10,000 ORs, which SQLite refused ("Expression tree
    is too large (maximum depth 1000)") and the import failed with a server error."""
    rows = [HEADER] + [[f"user{i:05}", "王芳", "P-C-K-A", "科员", "yes"] for i in range(10_000)]
    data = ("\ufeff" + "\n".join(",".join(row) for row in rows) + "\n").encode()
    result = imports.run(upload(data, "c.csv"), imports.CADRES, editor_user)
    assert (result.errors, result.created) == ([], 10_000)


def test_a_row_far_down_the_sheet_is_refused_quickly(org):
    data = declared_huge([HEADER, ["a", "名", "P-C-K-A", "", ""]], last_row=1_000_000)
    started = time.perf_counter()
    with pytest.raises(imports.Refused) as refused:
        imports.read_rows(upload(data, "c.xlsx"), imports.CADRES)
    assert "limit" in refused.value.errors[0].message
    assert time.perf_counter() - started < 10


def test_a_header_of_many_columns_is_refused_with_one_error(org):
    header = HEADER + [f"extra{i}" for i in range(100_000)]
    data = ("\ufeff" + ",".join(header) + "\n" + "a,名,P-C-K-A,,\n" * 10).encode()
    with pytest.raises(imports.Refused) as refused:
        imports.read_rows(upload(data, "c.csv"), imports.CADRES)
    assert len(refused.value.errors) == 1
    assert "columns" in refused.value.errors[0].message


def test_many_empty_columns_in_a_csv_are_cheap(org):
    width = 200_000
    line = "a,名,P-C-K-A,," + "," * width + "\n"
    data = ("\ufeff" + ",".join(HEADER) + "\n" + line * 5).encode()
    started = time.perf_counter()
    peak = peak_mib(lambda: imports.read_rows(upload(data, "c.csv"), imports.CADRES))
    assert time.perf_counter() - started < 2
    assert peak < 64
