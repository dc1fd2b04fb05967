from django import template
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def space():
    """The space between two phrases of the interface: one in English, none in Chinese,
    whose full-width punctuation ("：", "。", "（") carries its own."""
    return "" if (get_language() or "").startswith("zh") else " "
