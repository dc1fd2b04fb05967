"""The GIN index behind search on PostgreSQL.

Created here, not in Meta.indexes, because SQLite cannot build it: a GinIndex in
Meta breaks `migrate` there. On SQLite search uses LIKE (see expositions/search.py).
"""

from django.db import migrations

INDEX = "expositions_studyunit_search_gin"


def fill_existing_rows(apps, schema_editor):
    from expositions.search import DERIVED_FIELDS, document

    StudyUnit = apps.get_model("expositions", "StudyUnit")
    Tagged = apps.get_model("expositions", "TaggedStudyUnit")
    tags = {}
    for unit_id, name in Tagged.objects.values_list("content_object_id", "tag__name"):
        tags.setdefault(unit_id, []).append(name)
    units = list(StudyUnit.objects.all())
    for unit in units:
        for name, value in document(unit, tags.get(unit.pk, [])).items():
            setattr(unit, name, value)
    StudyUnit.objects.bulk_update(units, DERIVED_FIELDS, batch_size=500)


def create(apps, schema_editor):
    fill_existing_rows(apps, schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON expositions_studyunit "
            "USING GIN (to_tsvector('simple', search_tokens))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("expositions", "0002_search_columns")]

    operations = [migrations.RunPython(create, drop)]
