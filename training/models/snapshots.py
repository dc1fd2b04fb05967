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

    def totals_at(self, nodes, modules):
        """{module id: {"reached", "overdue", "not_started", "counted_at"}}: the stored
        roll-ups of ``modules`` at ``nodes`` added up, for each module stored at every
        one of the nodes (else left out); counted_at is the oldest count's. One query."""
        nodes = {node.pk for node in nodes}
        rows = (
            self.filter(node__in=nodes, module__in=modules)
            .values("module_id")
            .annotate(
                nodes=models.Count("node_id", distinct=True),
                reached=models.Sum("cadre_count"),
                overdue=models.Sum("overdue_count"),
                not_started=models.Sum("not_started"),
                counted_at=models.Min("counted_at"),
            )
            .order_by()
        )
        totals = {}
        for row in rows:
            if row.pop("nodes") == len(nodes):
                totals[row.pop("module_id")] = row
        return totals


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
