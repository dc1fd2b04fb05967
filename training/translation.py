"""Module titles and descriptions, and requirement names, are held in both languages
(django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Module, Requirement


@register(Module)
class ModuleTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Requirement)
class RequirementTranslation(TranslationOptions):
    fields = ("name",)
