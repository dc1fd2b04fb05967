"""The stored roll-ups of the big org units (issue #37): for each module with
assignments and each node of the tree whose subtree holds more than
``settings.PROGRESS_SNAPSHOT_CADRES`` active cadres, the rows of that node's roll-up by
org unit as ``training.progress.ModuleProgress.rollup`` counted them. Written only by
training.rollup_snapshots, every ``settings.PROGRESS_SNAPSHOT_SECONDS``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from org.models import OrgUnit


class RollupRowQuerySet(models.QuerySet):
    def of(self, module, node):
        """The stored roll-up of ``module`` at ``node``, each row with its org unit
        (one query)."""
        return self.filter(module=module, node=node).select_related("org_unit")


class RollupRow(models.Model):
    """One row of a stored roll-up: the cadres of ``org_unit`` (a child of ``node``,
    or ``node`` itself for the cadres placed there) that ``module`` reaches, by status,
    as counted at ``counted_at``. The rows of one (module, node) are replaced together,
    in one transaction, and all carry the same ``counted_at``."""

    module = models.ForeignKey("training.Module", on_delete=models.CASCADE, related_name="+")
    node = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("counted at node")
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("org unit")
    )
    cadre_count = models.PositiveIntegerField(_("cadres"))
    completed = models.PositiveIntegerField(_("completed"))
    in_progress = models.PositiveIntegerField(_("in progress"))
    not_started = models.PositiveIntegerField(_("not started"))
    overdue_count = models.PositiveIntegerField(_("overdue"))
    counted_at = models.DateTimeField(_("counted at"))

    objects = RollupRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("stored roll-up row")
        verbose_name_plural = _("stored roll-up rows")
        constraints = [
            models.UniqueConstraint(
                fields=["module", "node", "org_unit"], name="unique_rollup_row"
            ),
        ]

    def __str__(self):
        return f"{self.module} · {self.org_unit}: {self.completed}/{self.cadre_count}"
