from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Background jobs (app label "jobs"): long work asked for on a page and done by a
    task worker, and the periodic tasks. The work itself is training's (work.py)."""

    name = "training.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")
