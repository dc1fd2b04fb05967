"""What an import file holds: the columns of each kind (with the header names people
use), the values a cell may take, the limits, and the help and templates the import
pages show. No database access."""

import csv
import io

from django.conf import settings
from django.utils.translation import get_language, gettext_lazy

from ..models import Cadre, OrgUnit

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
        "phone": (
            "phone",
            "手机",
            "手机号",
            "手机号码",
            "电话",
            "联系电话",
            "mobile",
            "phone number",
        ),
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
# skipped unread (an ID number is not needed to study, and what is not stored cannot
# leak). The row number column (序号) is skipped too. A phone is kept (optional): the
# trainer's list of whom to remind by a call (training.reminders).
NOT_KEPT = {
    CADRES: (
        "序号",
        "no.",
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
    CADRES: ["wang.fang", "王芳", "140105001", "科员", "是", "乡科级", "13912345678"],
    ORG_UNITS: ["140105002", "龙城街道", "Longcheng Street", "140105", "4"],
}
# What each column means, for the list beside the upload form.
MEANINGS = {
    CADRES: {
        "username": gettext_lazy(
            "The account's sign-in name: letters, digits and @ . + - _; new ones are created."
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
        "phone": gettext_lazy(
            "A phone number a trainer may call about overdue study (optional; kept when empty)."
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
# Imports place province to township; the national org unit is made by an editor.
LEVELS = {str(level.value): level.value for level in OrgUnit.Level if level} | {
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
