"""Fill the search columns of existing rows, and on PostgreSQL store their tsvectors.

On PostgreSQL the token columns are parsed once, on write, into stored generated
tsvector columns with GIN indexes. Measured with bench/search.py at 5,000 units:
computing to_tsvector(search_tokens) per row made a common word (民政, in 57 % of
units) take 430-880 ms; the stored column took it to 26 ms. They are created here,
not in Meta, because SQLite can build neither (a GinIndex in Meta breaks migrate
there); on SQLite search uses LIKE (see expositions/search.py).
"""

from django.db import migrations

VECTORS = {
    # stored tsvector column: (tokens column it is parsed from, its GIN index)
    "search_vector": ("search_tokens", "expositions_studyunit_search_vector_gin"),
    "search_title_vector": ("search_title_tokens", "expositions_studyunit_search_title_gin"),
}


def forwards(apps, schema_editor):
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

    if schema_editor.connection.vendor != "postgresql":
        return
    for column, (tokens, index) in VECTORS.items():
        schema_editor.execute(
            f"ALTER TABLE expositions_studyunit ADD COLUMN {column} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, {tokens})) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX {index} ON expositions_studyunit USING GIN ({column})"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, (_tokens, index) in VECTORS.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(f"ALTER TABLE expositions_studyunit DROP COLUMN IF EXISTS {column}")


class Migration(migrations.Migration):
    dependencies = [("expositions", "0002_search_columns")]

    operations = [migrations.RunPython(forwards, backwards)]
