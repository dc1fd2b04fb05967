from decimal import Decimal

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext

register = template.Library()


@register.filter(expects_localtime=True)
def long_date(value):
    """A date as an official paper writes it: 2026年12月6日 in Chinese, 6 December 2026
    in English (certificates and their public page)."""
    return date_filter(value, pgettext("long date format", "j F Y"))


@register.filter(expects_localtime=True)
def long_datetime(value):
    """A moment in Beijing time, the date written as ``long_date`` writes it."""
    return date_filter(value, pgettext("long date and time format", "j F Y, H:i"))


@register.simple_tag
def progress_bar(done, total, label="", counting="units"):
    """A native <progress> (role progressbar, with its values) and the same in words.

    Made here rather than by an included template: the progress pages show one per
    row, and the inclusion took 0.056 ms a bar, this 0.021 (bench/RESULTS.md)."""
    percent = round(100 * done / total) if total else 0
    if counting == "cadres":
        words = gettext("%(done)s of %(total)s cadres")
    else:
        words = gettext("%(done)s of %(total)s units")
    return format_html(
        '<div class="progress-line">\n  <progress max="{}" value="{}"{}>{}%</progress>\n'
        '  <span class="progress-text">{} · {}%</span>\n</div>\n',
        total or 1,
        done,
        format_html(' aria-label="{}"', label) if label else "",
        percent,
        words % {"done": done, "total": total},
        percent,
    )


# The charts are drawn in CSS pixels, not scaled from a viewBox: scaled to a phone's
# width, 13 px labels were drawn at 8-9 px (issue #31). Across, positions are shares
# of the chart's width; down, pixels, so text keeps its size at any width.
@register.inclusion_tag("training/includes/chart_orgs.html")
def chart_by_org_unit(rows, title):
    """Horizontal bars: share of cadres who finished, per org unit (inline SVG, no
    script), each org unit's name on its own line above its bar."""
    label_height, bar_height, gap, track = 18, 14, 10, 84  # px, px, px, % of the width
    row_height = label_height + bar_height + gap
    bars = []
    for i, row in enumerate(rows):
        top = i * row_height
        bars.append(
            {
                "text_y": top + 13,
                "y": top + label_height,
                "value_y": top + label_height + 12,
                "length": round(track * row["percent"] / 100, 2),
                "label": str(row["org_unit"]),
                "percent": row["percent"],
            }
        )
    return {
        "bars": bars,
        "title": title,
        "height": max(1, len(bars)) * row_height - gap,
        "bar_height": bar_height,
        "track": track,
        "value_x": track + 2,
    }


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


@register.inclusion_tag("training/includes/chart_weeks.html")
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
    bars = []
    for i, (week, n) in enumerate(weeks):
        h = round(plot_h * n / ceiling, 1)
        labelled = (len(weeks) - 1 - i) % label_every == 0  # the latest week always
        bars.append(
            {
                "x": round(left + i * slot + slot * 0.1, 2),
                "w": round(slot * 0.8, 2),
                "y": round(baseline - h, 1),
                "h": h,
                "n": n,
                "week": week,
                "labelled": labelled,
                "value_y": round(baseline - h - 4, 1),
                "label_x": round(left + i * slot + slot / 2, 2),
            }
        )
    total = sum(n for _week, n in weeks)
    return {
        "bars": bars,
        "title": title,
        "height": height,
        "total": total,
        "left": left,
        "tick_x": left - 1.5,
        "baseline_y": baseline,
        "axis_y": baseline + 18,
        "ticks": [{"value": t, "y": round(baseline - plot_h * t / ceiling, 1)} for t in ticks],
        "first": weeks[0][0] if weeks else None,
        "last": weeks[-1][0] if weeks else None,
    }


@register.filter
def hours(value):
    """学时 as people write them: 1.5, 0.25, 50 (no trailing zeros)."""
    if value in (None, ""):
        return ""
    number = Decimal(str(value)).normalize()
    return format(number, "f")


@register.filter
def hours_count(value):
    """The number that picks the plural form of ``value`` 学时 for ``blocktranslate
    count``: the whole number itself, and for a fraction (1.5, 0.25) a number whose form
    is the "other" one in both of the portal's languages, as 1.5 is ("1.5 study hours")."""
    if value in (None, ""):
        return 0
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else 2
