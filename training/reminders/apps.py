from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    """Notices in the portal, email digests and the trainer's chase list: an app of
    its own inside ``training`` (its own tables and migrations), reading assignments,
    progress and claims and writing only its own rows."""

    name = "training.reminders"
    label = "reminders"
    verbose_name = _("Reminders")
