from django import template

from org.access import cadre_of

from ..models import Completion
from ..progress import my_modules

register = template.Library()


@register.inclusion_tag("training/includes/completion_panel.html", takes_context=True)
def completion_panel(context, unit):
    """On a unit page: the cadre's "Mark as complete" and the modules it moves."""
    request = context["request"]
    cadre = cadre_of(request)
    if cadre is None or not unit.is_published:
        return {"cadre": None}
    completion = Completion.objects.filter(cadre=cadre, unit=unit).first()
    modules = my_modules(cadre, containing=unit, next_units=False)
    return {
        "cadre": cadre,
        "unit": unit,
        "completion": completion,
        "modules": modules,
        "request": request,
    }


@register.inclusion_tag("training/includes/progress_bar.html")
def progress_bar(done, total, label="", counting="units"):
    """A native <progress> (role progressbar, with its values) and the same in words."""
    percent = round(100 * done / total) if total else 0
    return {"done": done, "total": total, "percent": percent, "label": label, "counting": counting}


@register.inclusion_tag("training/includes/chart_orgs.html")
def chart_by_org_unit(rows, title):
    """Horizontal bars: share of cadres who finished, per org unit (inline SVG, no script)."""
    bar_height, gap, label_width, width = 22, 8, 150, 480
    track = width - label_width - 50
    bars = []
    for i, row in enumerate(rows):
        bars.append(
            {
                "y": i * (bar_height + gap),
                "text_y": i * (bar_height + gap) + bar_height * 0.7,
                "length": round(track * row["percent"] / 100, 1),
                "label": str(row["org_unit"]),
                "percent": row["percent"],
            }
        )
    return {
        "bars": bars,
        "title": title,
        "height": max(1, len(bars)) * (bar_height + gap),
        "bar_height": bar_height,
        "label_width": label_width,
        "width": width,
        "track": track,
        "value_x": label_width + track + 6,
    }


@register.inclusion_tag("training/includes/chart_weeks.html")
def chart_by_week(weeks, title):
    """Vertical bars: completions per week (inline SVG, no script)."""
    width, height, top = 480, 160, 20
    peak = max((n for _week, n in weeks), default=0) or 1
    slot = width / max(1, len(weeks))
    bars = []
    for i, (week, n) in enumerate(weeks):
        h = round((height - top - 24) * n / peak, 1)
        bars.append(
            {
                "x": round(i * slot + 3, 1),
                "w": round(slot - 6, 1),
                "y": height - 24 - h,
                "h": h,
                "n": n,
                "week": week,
                "value_y": height - 28 - h,
                "label_x": round(i * slot + slot / 2, 1),
            }
        )
    total = sum(n for _week, n in weeks)
    return {
        "bars": bars,
        "title": title,
        "width": width,
        "height": height,
        "total": total,
        "baseline_y": height - 24,
        "axis_y": height - 6,
    }
