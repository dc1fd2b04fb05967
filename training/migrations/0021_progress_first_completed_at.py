"""Progress keeps each cadre's earliest completion of the module's units beside the
latest, so that the progress pages say "studied before the assignment" from the stored
rows (one row per cadre of the node) instead of a range of the province's completions.
Existing rows get theirs from the completions, in one UPDATE; the covering index takes
the new column in, so the pages still read a county from the index alone."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_first_completed_at(apps, schema_editor):
    Progress = apps.get_model("training", "Progress")
    Completion = apps.get_model("training", "Completion")
    earliest = (
        Completion.objects.filter(
            cadre_id=OuterRef("cadre_id"), unit__module_units__module_id=OuterRef("module_id")
        )
        .order_by("completed_at")
        .values("completed_at")[:1]
    )
    Progress.objects.update(first_completed_at=Subquery(earliest))


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0009_nation_level"),
        ("training", "0020_rolluprow_no_vacuum_truncate"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="progress",
            name="progress_module_cadre_done",
        ),
        migrations.AddField(
            model_name="progress",
            name="first_completed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill_first_completed_at, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="progress",
            index=models.Index(
                fields=["module", "cadre"],
                include=("done", "first_completed_at", "last_completed_at"),
                name="progress_module_cadre_done",
            ),
        ),
    ]
