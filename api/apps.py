from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_groups(sender, **kwargs):
    from org.roles import ensure_groups

    ensure_groups()


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API")

    def ready(self):
        # Installed after training: the account managers' permissions on tokens exist
        # only once this app has migrated, so the role groups are set again here.
        post_migrate.connect(_ensure_groups, sender=self, dispatch_uid="api.ensure_groups")
        from . import deletions, schema  # noqa: F401  (schema: registers the token's scheme)

        deletions.connect()
