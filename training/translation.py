"""Module titles and descriptions are held in both languages (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Module


@register(Module)
class ModuleTranslation(TranslationOptions):
    fields = ("title", "description")
