from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_groups(sender, **kwargs):
    from org.roles import ensure_groups

    ensure_groups()


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        # The role groups exist on every database after `migrate`, demo or not.
        # Training is the last app installed, so every app's permissions exist by now.
        post_migrate.connect(_ensure_groups, sender=self, dispatch_uid="training.ensure_groups")
        from expositions import usage as unit_usage

        from . import cascades
        from .usage import unit_reach

        cascades.connect()
        # The unit admin asks how many cadres lose a unit before it is unpublished.
        unit_usage.register_reach(unit_reach)
