"""Importing org units and cadres from a CSV or .xlsx file.

Everything is read and checked before anything is written; then every row is
written, or none is. Checking and writing are one transaction, and one import
runs at a time (``portal/serial.py``). Errors name the row (as a spreadsheet
shows it: the header is row 1) and the column. Importing the same file again
changes nothing, also twice at once. A trainer imports only into the org units
they manage; an editor (``scope=None``) anywhere.
"""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

import openpyxl
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from openpyxl.xml import DEFUSEDXML

from portal import audit
from portal.serial import one_at_a_time

from . import usernames as usernames_module
from .models import CODE_VALIDATOR, Cadre, OrgUnit
from .roles import CADRE

CADRES = "cadres"
ORG_UNITS = "org_units"

# column -> the names a header may use for it: the template's English and Chinese
# headers first, then the variants people type (compared after _header_key: full-width
# and half-width alike, case, spaces, "_", "-", a "*" marking a required column and a
# bracketed note such as "（必填）" ignored).
COLUMNS = {
    CADRES: {
        "username": ("username", "用户名", "账号", "帐号", "登录名", "login", "user"),
        "name": ("name", "姓名", "干部姓名", "名字", "full name"),
        "org_code": (
            "org_code",
            "单位编码",
            "组织代码",
            "单位代码",
            "组织编码",
            "机构代码",
            "机构编码",
            "org unit code",
            "unit code",
        ),
        "position": ("position", "职务", "岗位", "职位", "job title", "title"),
        "active": ("active", "在职", "是否在职", "状态", "status"),
        "category": ("category", "类别", "干部类别", "干部类型"),
    },
    ORG_UNITS: {
        "code": ("code", "单位编码", "代码", "编码", "组织代码", "单位代码", "org unit code"),
        "name": ("name", "单位名称", "名称", "组织名称", "机构名称"),
        "name_en": ("name_en", "英文名称", "英文名", "english name"),
        "parent_code": (
            "parent_code",
            "上级单位编码",
            "上级代码",
            "上级编码",
            "上级单位代码",
            "parent code",
            "parent",
        ),
        "level": ("level", "层级", "级别"),
    },
}
# Columns people's spreadsheets often have that the portal does not keep: accepted and
# skipped unread (a phone or ID number is not needed to study, and what is not stored
# cannot leak). The row number column (序号) is skipped too.
NOT_KEPT = {
    CADRES: (
        "序号",
        "no.",
        "手机",
        "手机号",
        "手机号码",
        "电话",
        "联系电话",
        "phone",
        "mobile",
        "身份证",
        "身份证号",
        "身份证号码",
        "id number",
        "性别",
        "gender",
        "民族",
        "出生日期",
        "出生年月",
        "date of birth",
        "邮箱",
        "电子邮箱",
        "email",
        "备注",
        "note",
    ),
    ORG_UNITS: ("序号", "no.", "备注", "note"),
}
REQUIRED = {
    CADRES: ("username", "name", "org_code"),
    ORG_UNITS: ("code", "name", "level"),
}
EXAMPLES = {
    CADRES: ["wang.fang", "王芳", "140105001", "科员", "是", "乡科级"],
    ORG_UNITS: ["140105002", "龙城街道", "Longcheng Street", "140105", "4"],
}
# What each column means, for the list beside the upload form.
MEANINGS = {
    CADRES: {
        "username": gettext_lazy(
            "The account's sign-in name: letters, digits and . _ -; new ones are created."
        ),
        "name": gettext_lazy("The cadre's full name, as colleagues know it."),
        "org_code": gettext_lazy("The code of the org unit the cadre works in (one you manage)."),
        "position": gettext_lazy("Their position, e.g. 科员 (optional)."),
        "active": gettext_lazy(
            "是/否 or yes/no: whether they still work there (optional; yes when empty)."
        ),
        "category": gettext_lazy(
            "县处级 (county/division level leading cadre and above), 乡科级 (township/section "
            "level and below) or 其他: decides the study-hour requirements (optional; kept "
            "when empty)."
        ),
    },
    ORG_UNITS: {
        "code": gettext_lazy(
            "The org unit's code, unique in the province (the 12-digit division code works)."
        ),
        "name": gettext_lazy("Its name in Chinese."),
        "name_en": gettext_lazy("Its name in English (optional)."),
        "parent_code": gettext_lazy("The code of the unit it belongs to (empty only for the top)."),
        "level": gettext_lazy(
            "1 province, 2 city, 3 county, 4 township; or 省/市/县/区/乡/镇/街道."
        ),
    },
}
YES = {"", "1", "yes", "y", "true", "是", "在职"}
CATEGORIES = {
    **dict.fromkeys(
        ("县处级", "县处级及以上", "县处级及以上领导干部", "county_up", "county"),
        Cadre.Category.COUNTY_AND_ABOVE,
    ),
    **dict.fromkeys(
        ("乡科级", "乡科级及以下", "乡科级及以下干部", "township_down", "township"),
        Cadre.Category.TOWNSHIP_AND_BELOW,
    ),
    **dict.fromkeys(("其他", "other"), Cadre.Category.OTHER),
}
NO = {"0", "no", "n", "false", "否", "离职"}
LEVELS = {str(level.value): level.value for level in OrgUnit.Level} | {
    "省": 1,
    "市": 2,
    "县": 3,
    "区": 3,
    "乡": 4,
    "镇": 4,
    "街道": 4,
}


def max_bytes():
    return getattr(settings, "IMPORT_MAX_BYTES", 2 * 1024 * 1024)


def max_rows():
    return getattr(settings, "IMPORT_MAX_ROWS", 10_000)


def limits():
    """The limits a page states beside its upload field."""
    return {"max_kb": max_bytes() // 1024, "max_rows": max_rows()}


MAX_COLUMNS = 50  # a template has five; a file may declare 16,384
XLSX_MAX_UNCOMPRESSED = 64 * 1024 * 1024  # bytes, all members together
XLSX_MAX_RATIO = 100  # a zip bomb compresses far better than any real sheet


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


def headers(kind, chinese):
    """The template's header: Chinese (姓名, 单位编码 …) or English (name, org_code …)."""
    return [names[int(chinese)] for names in COLUMNS[kind].values()]


def column_help(kind, chinese):
    """(header in the reader's language, the other language's header, required, meaning,
    example) for every column of ``kind``."""
    return [
        (
            names[int(chinese)],
            names[int(not chinese)],
            col in REQUIRED[kind],
            MEANINGS[kind][col],
            e,
        )
        for (col, names), e in zip(COLUMNS[kind].items(), EXAMPLES[kind], strict=True)
    ]


def reader_reads_chinese():
    return (get_language() or "").startswith("zh")


def help_context():
    """What the import pages (the trainer's and the admin's) show beside the form: the
    limits, and each kind's columns with their meaning, in the reader's language."""
    chinese = reader_reads_chinese()
    return {"columns": {kind: column_help(kind, chinese) for kind in COLUMNS}, **limits()}


def template_csv(kind, chinese=True):
    """A header (in the reader's language; both are accepted) and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers(kind, chinese))
    writer.writerow(EXAMPLES[kind])
    return "\ufeff" + out.getvalue()


# --- reading ---------------------------------------------------------------------


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


# --- checking and writing --------------------------------------------------------


def run(upload, kind, user, scope_user=None):
    """Check every row, then write all of them or none. ``scope_user`` is the trainer
    whose org units bound the import; None for an editor."""
    result = ImportResult(kind=kind, filename=upload.name or "")
    try:
        rows = read_rows(upload, kind, result.skipped)
    except Refused as refused:
        result.errors = refused.errors
        return result
    result.rows = len(rows)
    importer = CadreImport if kind == CADRES else OrgUnitImport
    return importer(rows, user, scope_user, result).run()


class _Import:
    def __init__(self, rows, user, scope_user, result):
        self.rows, self.user, self.scope_user, self.result = rows, user, scope_user, result
        self.errors = result.errors

    def error(self, row, column, message):
        self.errors.append(RowError(row, column, message))

    def org_units_in_scope(self):
        qs = OrgUnit.objects.all()
        if self.scope_user is not None:
            qs = OrgUnit.objects.managed_by(self.scope_user)
        return {o.code: o for o in qs}

    def not_in_tree(self):
        """The one answer for a code that names no org unit the importer may use, whether
        it exists outside their tree or nowhere (issue #38): the same text, reached
        with the same queries, so a trainer cannot map the province's codes by trying
        them."""
        if self.scope_user is None:
            return _("No org unit with this code.")
        return _("No org unit with this code among those you manage.")

    def run(self):
        try:
            with transaction.atomic():
                # One import at a time, each checked against what the one before it
                # wrote: the same file twice at once changes nothing, as twice in a row.
                one_at_a_time("org.import")
                plan = self.check()
                if self.errors:
                    return self.result
                self.write(plan)
        except IntegrityError:
            self.result.created = self.result.updated = self.result.unchanged = 0
            self.error(
                0,
                "",
                _("Someone changed the same rows meanwhile; nothing was imported. Try again."),
            )
        return self.result

    def log(self, objects, action):
        if objects:
            message = _("Imported from %(file)s") % {"file": self.result.filename}
            audit.LogEntry.objects.log_actions(self.user.pk, objects, action, message)


class CadreImport(_Import):
    def check(self):
        orgs = self.org_units_in_scope()
        usernames = [values["username"] for _n, values in self.rows]
        users = {
            u.username: u
            for u in get_user_model()
            .objects.filter(username__in=usernames)
            .select_related("cadre__org_unit")
        }
        in_scope_cadres = set()
        if self.scope_user is not None:
            in_scope_cadres = set(
                Cadre.objects.visible_to(self.scope_user)
                .filter(user__username__in=usernames)
                .values_list("user__username", flat=True)
            )
        validate_username = UnicodeUsernameValidator()
        look_alikes = usernames_module.similar_accounts(
            [u for u in usernames if u and u not in users]
        )
        seen, plan = {}, []
        for number, values in self.rows:
            username, name = values["username"], values["name"]
            if not username:
                self.error(number, "username", _("A username is needed."))
            elif len(username) > 150:
                self.error(number, "username", _("At most 150 characters."))
            else:
                try:
                    validate_username(username)
                except ValidationError:
                    self.error(
                        number,
                        "username",
                        _("Letters, digits and @ . + - _ only."),
                    )
                else:
                    # A new account: not one that passes for another (an existing
                    # username is the same account, imported again).
                    issue = username not in users and usernames_module.problem(
                        username, look_alikes
                    )
                    if issue:
                        self.error(number, "username", issue)
            key = usernames_module.canonical(username)
            if key in seen:
                self.error(number, "username", _("Repeats row %(row)s.") % {"row": seen[key]})
            seen.setdefault(key, number)
            if not name:
                self.error(number, "name", _("A name is needed."))
            elif len(name) > 100:
                self.error(number, "name", _("At most 100 characters."))
            position = values.get("position", "")
            if len(position) > 100:
                self.error(number, "position", _("At most 100 characters."))
            active_text = values.get("active", "").lower()
            if active_text not in YES | NO:
                self.error(number, "active", _("Write yes or no."))
            category_text = values.get("category", "").strip().lower()
            category = CATEGORIES.get(category_text) if category_text else None
            if category_text and category is None:
                self.error(number, "category", _("Write 县处级, 乡科级 or 其他."))
            org = orgs.get(values["org_code"])
            if org is None:
                self.error(number, "org_code", self.not_in_tree())
            user = users.get(username)
            if user is not None and self.scope_user is not None:
                # One answer for every account a trainer may not import into, whatever
                # it is (a cadre elsewhere, an editor, a trainer): nothing to probe.
                if username not in in_scope_cadres:
                    self.error(number, "username", _("This username is taken: choose another."))
            elif user is not None and getattr(user, "cadre", None) is None:
                self.error(
                    number,
                    "username",
                    _("This username belongs to an account that is not a cadre."),
                )
            active = active_text not in NO
            plan.append((username, name, org, position, active, category, users.get(username)))
        return plan

    def write(self, plan):
        User = get_user_model()
        # The role groups exist after every migrate (training.apps): no need to reset them.
        group = Group.objects.get_or_create(name=CADRE)[0]
        new_users = []
        for username, *_rest, user in plan:
            if user is None:
                new = User(username=username)
                new.set_unusable_password()  # one-time passwords: org.passwords
                new_users.append(new)
        User.objects.bulk_create(new_users)
        created_users = {
            u.username: u for u in User.objects.filter(username__in=[u.username for u in new_users])
        }
        group.user_set.add(*created_users.values())
        new_cadres, changed = [], []
        for username, name, org, position, active, category, user in plan:
            if user is None:
                new_cadres.append(
                    Cadre(
                        user=created_users[username],
                        name=name,
                        org_unit=org,
                        position=position,
                        active=active,
                        category=category or Cadre.Category.OTHER,
                        imported_by=self.user,
                    )
                )
                continue
            cadre = user.cadre
            fields = {"name": name, "org_unit_id": org.pk, "position": position, "active": active}
            if category is not None:  # an empty cell keeps the category
                fields["category"] = category
            if any(getattr(cadre, f) != v for f, v in fields.items()):
                for f, v in fields.items():
                    setattr(cadre, f, v)
                changed.append(cadre)
        Cadre.objects.bulk_create(new_cadres)
        update_in_groups(changed, ["name", "org_unit_id", "position", "active", "category"])
        created = list(Cadre.objects.filter(user__in=created_users.values()))
        self.log(created, audit.ADDITION)
        self.log(changed, audit.CHANGE)
        self.result.created = len(created)
        self.result.updated = len(changed)
        self.result.unchanged = len(plan) - len(created) - len(changed)


def update_in_groups(cadres, fields):
    """Writes ``fields`` of ``cadres``: one UPDATE for each set of values they share (a
    roster moved to a new township: one), at most one per cadre.

    Django's ``bulk_update`` makes one statement of a CASE per field with a branch per
    row: 10,000 changed cadres took 48.5 s on PostgreSQL, which tries every branch for
    every row, and building the statement took seconds more in Python.
    """
    groups = {}
    for cadre in cadres:
        groups.setdefault(tuple(getattr(cadre, f) for f in fields), []).append(cadre.pk)
    for values, pks in groups.items():
        Cadre.objects.filter(pk__in=pks).update(**dict(zip(fields, values, strict=True)))


class OrgUnitImport(_Import):
    def check(self):
        in_scope = self.org_units_in_scope()
        codes = [values["code"] for _n, values in self.rows]
        # Every code of the file is looked up, in the tree or not, and parents are read
        # off the tree already in hand: the queries are the same whatever the codes are.
        existing = {o.code: o for o in OrgUnit.objects.filter(code__in=codes)}
        codes_by_path = {o.path: c for c, o in in_scope.items()}
        in_file = {}
        plan = []
        for number, values in self.rows:
            code, name = values["code"], values["name"]
            if not code:
                self.error(number, "code", _("A code is needed."))
            elif len(code) > 32:
                self.error(number, "code", _("At most 32 characters."))
            elif not CODE_VALIDATOR.regex.match(code):
                self.error(number, "code", CODE_VALIDATOR.message)
            elif code in in_file:
                self.error(number, "code", _("Repeats row %(row)s.") % {"row": in_file[code][0]})
            if not name:
                self.error(number, "name", _("A name is needed."))
            elif len(name) > 200:
                self.error(number, "name", _("At most 200 characters."))
            if len(values.get("name_en", "")) > 200:
                self.error(number, "name_en", _("At most 200 characters."))
            level = LEVELS.get(values["level"])
            if level is None:
                self.error(
                    number, "level", _("Write 1 (province), 2 (city), 3 (county) or 4 (township).")
                )
            in_file.setdefault(code, (number, level))
            plan.append((number, values, level))
        rows_with_errors = {e.row for e in self.errors}
        for number, values, level in plan:
            code, parent_code = values["code"], values.get("parent_code", "")
            current = existing.get(code)
            # A code taken outside the tree is checked as a new unit would be, and named
            # taken only where a new unit would have been added: a row with another
            # problem reads the same as it would with a made-up code.
            taken = current is not None and code not in in_scope
            if taken:
                current = None
            errors_before = len(self.errors)
            if not parent_code:
                if self.scope_user is not None:
                    self.error(
                        number, "parent_code", _("Only editors can add a top-level org unit.")
                    )
                elif current is not None and current.depth != 1:
                    self.error(number, "parent_code", _("This org unit has a parent: name it."))
                continue
            if parent_code == code:
                self.error(number, "parent_code", _("An org unit cannot be its own parent."))
                continue
            parent_level = None
            if parent_code in in_file:
                parent_level = in_file[parent_code][1]
            elif parent_code in in_scope:
                parent_level = in_scope[parent_code].level
            else:
                self.error(number, "parent_code", self.not_in_tree())
                continue
            if level is not None and parent_level is not None and parent_level >= level:
                self.error(number, "level", _("The level must be below the parent's level."))
            moved = current is not None and (
                codes_by_path.get(current.path[: -current.steplen]) != parent_code
            )
            if moved:
                self.error(
                    number,
                    "parent_code",
                    _("This org unit exists under another parent; move it in the admin."),
                )
            if taken and number not in rows_with_errors and len(self.errors) == errors_before:
                self.error(number, "code", _("This code is taken: choose another."))
        return plan

    def write(self, plan):
        codes = [values["code"] for _n, values, _level in plan]
        existing = {o.code: o for o in OrgUnit.objects.filter(code__in=codes)}
        created, changed = [], []
        new = {}  # level -> parent code -> the new org units' fields, as the file has them
        for _number, values, level in plan:
            fields = {
                "code": values["code"],
                "name": values["name"],
                "name_en": values.get("name_en", ""),
                "level": level,
            }
            current = existing.get(values["code"])
            if current is not None:
                if any(getattr(current, f) != v for f, v in fields.items()):
                    for f, v in fields.items():
                        setattr(current, f, v)
                    current.save(update_fields=["name", "name_en", "level"])
                    changed.append(current)
                continue
            new.setdefault(level, {}).setdefault(values.get("parent_code", ""), []).append(fields)
        # Parents before children (check() puts every parent on a level above): a level at
        # a time, each parent's new children together.
        for level in sorted(new):
            for parent_code, children in new[level].items():
                if parent_code:
                    parent = existing.get(parent_code) or OrgUnit.objects.get(code=parent_code)
                    nodes = add_children(parent, children)
                else:
                    nodes = [OrgUnit.objects.add_root(fields) for fields in children]
                existing.update((node.code, node) for node in nodes)
                created += nodes
        self.log(created, audit.ADDITION)
        self.log(changed, audit.CHANGE)
        self.result.created = len(created)
        self.result.updated = len(changed)
        self.result.unchanged = len(plan) - len(created) - len(changed)


def add_children(parent, children):
    """Saves org units (``children``: their fields) as new children of ``parent``, in code
    order among its children (``OrgUnit.node_order_by``).

    When they all sort after its present children (a new branch: the usual import), in
    one insert: their paths follow the last child's, and the parent's count of children
    goes up once. Otherwise one at a time, as treebeard inserts a sorted child (moving
    the siblings after it). One at a time for every row, an import of 10,000 townships
    under one county took 147.9 s on PostgreSQL: each insert read and rewrote the
    parent's row and looked through the siblings before it.
    """
    parent = OrgUnit.objects.select_for_update().get(pk=parent.pk)
    children = sorted(children, key=lambda fields: fields["code"])
    last = None if parent.is_leaf() else OrgUnit.objects.get_last_child(parent)
    if last is not None and last.code >= children[0]["code"]:
        # treebeard locks and reads the parent afresh for each child.
        return [OrgUnit.objects.add_child(parent, fields) for fields in children]
    step = OrgUnit._str2int(last.path[-OrgUnit.steplen :]) if last is not None else 0
    depth = parent.depth + 1
    nodes = OrgUnit.objects.bulk_create(
        OrgUnit(
            **fields,
            depth=depth,
            numchild=0,
            path=OrgUnit._get_path(parent.path, depth, step + number),
        )
        for number, fields in enumerate(children, start=1)
    )
    OrgUnit.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(nodes))
    return nodes
