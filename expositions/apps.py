from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpositionsConfig(AppConfig):
    name = "expositions"
    verbose_name = _("Study content")

    def ready(self):
        from . import tag_signals  # noqa: F401 - connects the receivers
