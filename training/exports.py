"""The progress tables a trainer downloads: cadres, org units and completions, as
``portal.spreadsheets.Table``s (written as CSV or Excel there), and the completions
export that PostgreSQL writes line by line itself.
"""

from django.db.models import Case, CharField, F, Func, Value, When
from django.db.models.functions import Concat, Replace
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.spreadsheets import Table, csv_response, in_zone, local_minute

from .models import Completion


def _rate(part, whole):
    return part / whole if whole else 0.0


def _status_label(status):
    labels = {
        "complete": _("Complete"),
        "in_progress": _("In progress"),
        "not_started": _("Not started"),
    }
    # Overdue has its own column: a cadre is exactly one of these three.
    return labels.get(status, status)


def cadre_rows(cadres, total):
    header = [
        _("Name"),
        _("Username"),
        _("Org unit"),
        pgettext("a cadre's job", "Position"),
        _("Units done"),
        _("Units in module"),
        _("Share done"),
        _("Status"),
        _("Due date"),
        _("Overdue"),
        in_zone(_("Last completion")),
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
                _rate(c.done, total),
                _status_label(c.status),
                c.due_on,
                _("yes") if c.overdue else _("no"),
                local_minute(c.last_completed_at),
            ]

    return Table(header, rows(), frozenset({6}), time_columns=frozenset({8, 10}))


COMPLETION_FIELDS = ("cadre__name", "cadre__user__username", "cadre__org_unit__name", "unit__title")


def _completion_header():
    return [
        _("Name"),
        _("Username"),
        _("Org unit"),
        _("Study unit"),
        in_zone(_("Completed at")),
    ]


def _completions(cadres, unit_ids):
    return Completion.objects.filter(
        cadre__in=cadres.order_by().values("pk"), unit_id__in=unit_ids
    ).order_by("cadre_id", "unit_id")


def completions_csv_postgresql(filename, cadres, unit_ids):
    """The completions export on PostgreSQL: each CSV line is built by the database
    (quoted, formulas neutralised, time in local time), so Python only passes text
    on. Measured in bench/export.py: the row-by-row Python path took about 6x as
    long as PostgreSQL's own COPY for a million rows."""

    def cell(field):
        text = Case(
            When(
                **{f"{field}__regex": r"^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]"},
                then=Concat(Value("'"), F(field), output_field=CharField()),
            ),
            default=F(field),
            output_field=CharField(),
        )
        quoted = Replace(text, Value('"'), Value('""'))
        return [Value('"'), quoted, Value('"')]

    zone = timezone.get_current_timezone_name()
    local_time = Func(
        F("completed_at"),
        Value(zone),
        template="to_char(%(expressions)s, 'YYYY-MM-DD HH24:MI')",
        arg_joiner=" AT TIME ZONE ",
        output_field=CharField(),
    )
    parts = []
    for field in COMPLETION_FIELDS:
        parts += [*cell(field), Value(",")]
    parts += [local_time, Value("\r\n")]
    lines = (
        _completions(cadres, unit_ids)
        .annotate(csv_line=Concat(*parts, output_field=CharField()))
        .values_list("csv_line", flat=True)
    )

    return csv_response(filename, _completion_header(), lines=lines.iterator(chunk_size=20_000))


def completion_rows(cadres, unit_ids):
    """Every completion of the module's units by these cadres: one row each, streamed
    from the database in chunks (no list of a million rows in memory)."""
    header = _completion_header()
    completions = _completions(cadres, unit_ids).values_list(*COMPLETION_FIELDS, "completed_at")

    def rows():
        zone = timezone.get_current_timezone()
        for name, username, org, unit, at in completions.iterator(chunk_size=10_000):
            local = at.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
            yield [name, username, org, unit, local]

    return Table(header, rows(), time_columns=frozenset({4}))


def org_rows(rows, totals):
    header = [
        _("Org unit"),
        _("Code"),
        _("Cadres"),
        _("Completed"),
        _("In progress"),
        _("Not started"),
        _("Overdue"),
        _("Share complete"),
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
                _rate(r["completed"], r["cadre_count"]),
            ]
        yield [
            _("Total"),
            "",
            totals["cadre_count"],
            totals["completed"],
            totals["in_progress"],
            totals["not_started"],
            totals["overdue_count"],
            _rate(totals["completed"], totals["cadre_count"]),
        ]

    return Table(header, gen(), frozenset({7}))
