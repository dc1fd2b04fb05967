from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpositionsConfig(AppConfig):
    name = "expositions"
    verbose_name = _("Study content")
