"""How a field held in both languages is labelled in forms (django-modeltranslation):
"标题（中文）" and "标题（英文）" on a Chinese page, "Title (Chinese)" and "Title
(English)" on an English one, instead of the library's "title [zh-hans]". Read from
settings (MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME); the library calls it lazily,
in the language of the page."""

from django.utils.text import capfirst
from django.utils.translation import gettext


def localized_verbose_name(verbose_name, language):
    if language.startswith("zh"):
        return gettext("%(field)s (Chinese)") % {"field": capfirst(verbose_name)}
    if language == "en":
        return gettext("%(field)s (English)") % {"field": capfirst(verbose_name)}
    return f"{capfirst(verbose_name)} [{language}]"
