"""Tag names enter a unit's search columns in sorted order (expositions.search.document):
the database gives a unit's tags in no fixed order, so the same unit could be indexed
two ways and `manage.py verify_progress` would call one of them stale. Recompute them."""

from django.db import migrations


def forwards(apps, schema_editor):
    from expositions.search import DERIVED_FIELDS, document

    StudyUnit = apps.get_model("expositions", "StudyUnit")
    TaggedStudyUnit = apps.get_model("expositions", "TaggedStudyUnit")
    tags = {}
    for unit_id, name in TaggedStudyUnit.objects.values_list("content_object_id", "tag__name"):
        tags.setdefault(unit_id, []).append(name)
    batch = []
    for unit in StudyUnit.objects.iterator(chunk_size=500):
        for name, value in document(unit, tags.get(unit.pk, [])).items():
            setattr(unit, name, value)
        batch.append(unit)
        if len(batch) == 500:
            StudyUnit.objects.bulk_update(batch, DERIVED_FIELDS)
            batch = []
    StudyUnit.objects.bulk_update(batch, DERIVED_FIELDS)


class Migration(migrations.Migration):
    dependencies = [("expositions", "0004_search_word_starts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
