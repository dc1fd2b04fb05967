from decimal import Decimal

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.translation import gettext, pgettext

from portal.html import format_html

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
