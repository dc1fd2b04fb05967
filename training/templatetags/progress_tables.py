"""The progress page's row-heavy parts, made in Python: the roll-up's rows, the cadre
list's rows and the two charts.

Through the template engine a county's page (23 org units, 50 cadres, 12 weeks) made
about 166,000 Python calls, 90,000 of them in these rows: every ``{{ value }}`` is
resolved, localised and escaped, every ``{% translate %}`` looked up again per row.
Here each label is translated once per table and every value still goes through
``format_html``'s escaping (portal.html's, the same without Django's check for lazy
strings on every value; bench/RESULTS.md, issue #33). The markup is the one the
templates had; tests/training/test_trainer_pages.py reads it.
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext

from portal.html import format_html, format_html_join

from .training_tags import progress_bar

register = template.Library()


def _day(value):
    """``value|date:"Y-m-d"`` as the template wrote it (a moment in local time), without
    building a date format per cell: ISO 8601's date is that format."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.isoformat()


def _percent_complete():
    # ``{% translate "% complete" %}`` looks up "%% complete" (a template's literal %
    # is doubled for gettext); the same here.
    return gettext("%% complete").replace("%%", "%")


@register.simple_tag
def org_rows(rows):
    """The roll-up's table body: one row per org unit under the node."""
    cadres, completed, in_progress = gettext("Cadres"), gettext("Completed"), gettext("In progress")
    not_started, overdue, share = gettext("Not started"), gettext("Overdue"), _percent_complete()
    lines = []
    for row in rows:
        unit = row["org_unit"]
        if row.get("is_self"):
            name = gettext("%(name)s (directly)") % {"name": unit}
        else:
            name = format_html('<a href="?org={}">{}</a>', unit.pk, unit)
        if row["overdue_count"]:
            late = format_html('<strong class="overdue-text">{}</strong>', row["overdue_count"])
        else:
            late = "0"
        lines.append(
            format_html(
                '      <tr>\n        <th scope="row">{}</th>\n'
                '        <td data-label="{}">{}</td><td data-label="{}">{}</td>'
                '<td data-label="{}">{}</td><td data-label="{}">{}</td>\n'
                '        <td data-label="{}">{}</td>\n'
                '        <td data-label="{}">{}</td>\n      </tr>\n',
                name,
                cadres,
                row["cadre_count"],
                completed,
                row["completed"],
                in_progress,
                row["in_progress"],
                not_started,
                row["not_started"],
                overdue,
                late,
                share,
                progress_bar(row["completed"], row["cadre_count"], unit.display_name, "cadres"),
            )
        )
    return format_html_join("", "{}", ((line,) for line in lines))


@register.simple_tag
def cadre_rows(cadres, module, total):
    """The cadre list's table body: a row per cadre of the page, an overdue one marked."""
    org_unit, units_done = gettext("Org unit"), gettext("Units done")
    last, due, overdue = gettext("Last completion"), gettext("Due date"), gettext("Overdue")
    # One reverse() for the page, the cadre's id put in its place (50 took 5.6 ms).
    head, tail = reverse("training:cadre_record", args=[0]).rsplit("/0/", 1)
    lines = []
    for c in cadres:
        url = f"{head}/{c.pk}/{tail}"
        badge = (
            format_html(' <strong class="badge badge-overdue">{}</strong>', overdue)
            if c.overdue
            else ""
        )
        lines.append(
            format_html(
                "      <tr{}>\n"
                '        <th scope="row"><a href="{}?module={}">{}</a></th>\n'
                '        <td data-label="{}">{}</td>\n'
                '        <td data-label="{}">{}</td>\n'
                '        <td data-label="{}">{}</td>\n'
                '        <td data-label="{}">{}{}</td>\n      </tr>\n',
                format_html(' class="{}"', "is-overdue") if c.overdue else "",
                url,
                module.pk,
                c.name,
                org_unit,
                c.org_unit,
                units_done,
                progress_bar(c.done, total, c.name),
                last,
                _day(c.last_completed_at) or "—",
                due,
                _day(c.due_on),
                badge,
            )
        )
    return format_html_join("", "{}", ((line,) for line in lines))


@register.simple_tag
def org_options(choices, node):
    """The org-unit filter's options in tree order, each indented by two no-break
    spaces a level below the top, the node's selected."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}{}</option>',
        (
            (o.pk, " selected" if o.pk == node.pk else "", "\xa0\xa0" * (o.depth - 1), o)
            for o in choices
        ),
    )


# The charts are drawn in CSS pixels, not scaled from a viewBox: scaled to a phone's
# width, 13 px labels were drawn at 8-9 px (issue #31). Across, positions are shares
# of the chart's width; down, pixels, so text keeps its size at any width.
@register.simple_tag
def chart_by_org_unit(rows, title):
    """Horizontal bars: share of cadres who finished, per org unit (inline SVG, no
    script), each org unit's name on its own line above its bar."""
    if not rows:
        return ""
    label_height, bar_height, gap, track = 18, 14, 10, 84  # px, px, px, % of the width
    row_height = label_height + bar_height + gap
    bars = []
    for i, row in enumerate(rows):
        top, label = i * row_height, str(row["org_unit"])
        bar_y = top + label_height
        bars.append(
            (
                top + 13,
                Truncator(label).chars(24),
                bar_y,
                track,
                bar_height,
                bar_y,
                round(track * row["percent"] / 100, 2),
                bar_height,
                gettext("%(name)s: %(percent)s%%") % {"name": label, "percent": row["percent"]},
                track + 2,
                top + label_height + 12,
                row["percent"],
            )
        )
    return format_html(
        '\n<figure class="chart">\n  <svg width="100%" height="{}" role="img" '
        'aria-labelledby="chart-orgs-title" class="chart-svg">\n'
        '    <title id="chart-orgs-title">{}</title>\n{}  </svg>\n'
        "  <figcaption>{}</figcaption>\n</figure>\n",
        len(bars) * row_height - gap,
        title,
        format_html_join(
            "",
            '    <text x="0" y="{}" class="chart-label">{}</text>\n'
            '    <rect x="0" y="{}" width="{}%" height="{}" class="chart-track"></rect>\n'
            '    <rect x="0" y="{}" width="{}%" height="{}" class="chart-bar">'
            "<title>{}</title></rect>\n"
            '    <text x="{}%" y="{}" class="chart-value">{}%</text>\n',
            bars,
        ),
        title,
    )


def axis_ticks(peak, steps=4):
    """Round tick values from 0 to at least ``peak``: steps of 1, 2 or 5 times a power
    of ten, so an axis reads 0, 5, 10, 15, 20 rather than 0, 4.25, 8.5."""
    if peak <= 0:
        return [0, 1]
    raw = peak / steps
    magnitude = 10 ** max(0, len(str(int(raw))) - 1) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    top = -(-peak // step) * step
    return list(range(0, int(top) + 1, int(step)))


def _week_bar(week, n, x, w, baseline, plot_h, ceiling, label_x, labelled, axis_y):
    h = round(plot_h * n / ceiling, 1)
    parts = [
        format_html(
            '    <rect x="{}%" y="{}" width="{}%" height="{}" class="chart-bar">'
            "<title>{}</title></rect>\n",
            x,
            round(baseline - h, 1),
            w,
            h,
            gettext("Week of %(week)s: %(n)s") % {"week": date_filter(week, "Y-m-d"), "n": n},
        )
    ]
    if n:
        parts.append(
            format_html(
                '    <text x="{}%" y="{}" class="chart-value" text-anchor="middle">{}</text>\n',
                label_x,
                round(baseline - h - 4, 1),
                n,
            )
        )
    if labelled:
        parts.append(
            format_html(
                '    <text x="{}%" y="{}" class="chart-axis chart-week" '
                'text-anchor="middle">{}</text>\n',
                label_x,
                axis_y,
                date_filter(week, "m-d"),
            )
        )
    return format_html_join("", "{}", ((part,) for part in parts))


@register.simple_tag
def chart_by_week(weeks, title):
    """Vertical bars: completions per week (inline SVG, no script), with a y-axis of
    round ticks and each week labelled by its Monday (every other one when there are
    more than eight, so that labels never overlap at phone width). Across in % of the
    chart's width (the axis takes the first ``left``), down in px."""
    height, top, bottom, left = 190, 12, 34, 10
    plot_h = height - top - bottom
    ticks = axis_ticks(max((n for _week, n in weeks), default=0))
    ceiling = ticks[-1]
    slot = (100 - left) / max(1, len(weeks))
    label_every = 2 if len(weeks) > 8 else 1
    baseline = top + plot_h
    bars = [
        _week_bar(
            week,
            n,
            round(left + i * slot + slot * 0.1, 2),
            round(slot * 0.8, 2),
            baseline,
            plot_h,
            ceiling,
            round(left + i * slot + slot / 2, 2),
            (len(weeks) - 1 - i) % label_every == 0,  # the latest week always
            baseline + 18,
        )
        for i, (week, n) in enumerate(weeks)
    ]
    total = sum(n for _week, n in weeks)
    first = date_filter(weeks[0][0], "Y-m-d") if weeks else ""
    last = date_filter(weeks[-1][0], "Y-m-d") if weeks else ""
    grid = format_html_join(
        "",
        '    <line x1="{}%" x2="100%" y1="{}" y2="{}" class="chart-grid"></line>\n'
        '    <text x="{}%" y="{}" dy="4" class="chart-axis chart-tick" '
        'text-anchor="end">{}</text>\n',
        (
            (left, y, y, left - 1.5, y, t)
            for t in ticks
            for y in [round(baseline - plot_h * t / ceiling, 1)]
        ),
    )
    return format_html(
        '\n<figure class="chart">\n  <svg width="100%" height="{}" role="img" '
        'aria-labelledby="chart-weeks-title chart-weeks-desc" class="chart-svg">\n'
        '    <title id="chart-weeks-title">{}</title>\n    <desc id="chart-weeks-desc">{}</desc>\n'
        "{}{}"
        '    <line x1="{}%" x2="{}%" y1="0" y2="{}" class="chart-baseline"></line>\n'
        '    <line x1="{}%" x2="100%" y1="{}" y2="{}" class="chart-baseline"></line>\n'
        "  </svg>\n  <figcaption>{}</figcaption>\n</figure>\n",
        height,
        title,
        gettext("%(total)s in all, weeks starting %(first)s to %(last)s")
        % {"total": total, "first": first, "last": last},
        grid,
        format_html_join("", "{}", ((bar,) for bar in bars)),
        left,
        left,
        baseline,
        left,
        baseline,
        baseline,
        gettext(
            "%(title)s: %(total)s in all. Each bar is a week, labelled by its Monday; the"
            " axis on the left counts unit completions."
        )
        % {"title": title, "total": total},
    )
