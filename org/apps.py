from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = _("Organisation")

    def ready(self):
        # Signing in is Django's view: the one place a cadre's language is seen without
        # their choosing it (org.language).
        from . import language

        language.connect()
