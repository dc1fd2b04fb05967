"""A module's reflections (学习心得) as a table for CSV and Excel, with the spreadsheet
helpers of portal.spreadsheets: every cell a person typed (names, org units, the
reflection, the comment) is neutralised there, so that no cell is read as a formula.
No scores and no counts: the text itself, and where it stands."""

from django.utils.translation import gettext as _

from portal.spreadsheets import Table, in_zone, local_minute


def reflection_rows(reflections):
    """A ``portal.spreadsheets.Table`` of ``reflections`` (with their cadre, org unit and unit
    selected: ``Reflection.objects.newest_first``), read in batches."""
    header = [
        in_zone(_("Submitted")),
        _("Name"),
        _("Username"),
        _("Org unit"),
        _("Study unit"),
        _("Status"),
        _("Reflection"),
        _("Trainer's comment"),
        in_zone(_("Read or returned")),
    ]
    rows = (
        [
            local_minute(r.submitted_at),
            r.cadre.name,
            r.cadre.user.get_username(),
            str(r.cadre.org_unit),
            r.unit.title,
            r.get_status_display(),
            r.text,
            r.comment,
            local_minute(r.reviewed_at),
        ]
        for r in reflections.iterator(chunk_size=500)
    )
    return Table(header, rows, time_columns=frozenset({0, 8}))
