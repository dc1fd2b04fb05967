"""Content in two languages: a visible marker where the reader's language is missing."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def language_marker(obj):
    """ "暂无中文" / "English not yet available" beside content shown in the other language.

    Empty when ``obj`` (a Bilingual model: unit, theme, module, exposition) has every
    field the reader sees written in the reader's language.
    """
    if obj is None or not getattr(obj, "missing_language", False):
        return ""
    if (get_language() or "").startswith("zh"):
        text, shown_in = _("Chinese not yet available"), "en"
    else:
        text, shown_in = _("English not yet available"), "zh-Hans"
    return format_html('<span class="language-marker" data-shown-in="{}">{}</span>', shown_in, text)


@register.filter
def reading_order(tags):
    """A unit's tags in the order of the names the reader sees (pinyin in Chinese)."""
    from expositions.models import in_reading_order

    return in_reading_order(tags)
