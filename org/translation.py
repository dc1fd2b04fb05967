"""The issuing organ of an org unit is held in both languages (django-modeltranslation),
as the content fields of the other apps are."""

from modeltranslation.translator import TranslationOptions, register

from .models import OrgUnit


@register(OrgUnit)
class OrgUnitTranslation(TranslationOptions):
    fields = ("issuing_organ",)
