"""Index the starts of Latin words as tokens (expositions.search.document_tokens).

A query word is then one exact token in the GIN index instead of a ``word:*`` prefix
search, which was the slowest part of an English query (bench/RESULTS.md). The stored
tsvector columns follow the token columns by themselves (they are generated).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from expositions.search import document_tokens

    StudyUnit = apps.get_model("expositions", "StudyUnit")
    batch = []
    for unit in StudyUnit.objects.only("search_text", "search_title").iterator(chunk_size=500):
        # The text columns already hold the normalised text the tokens are cut from.
        unit.search_tokens = document_tokens(unit.search_text)
        unit.search_title_tokens = document_tokens(unit.search_title)
        batch.append(unit)
        if len(batch) == 500:
            StudyUnit.objects.bulk_update(batch, ["search_tokens", "search_title_tokens"])
            batch = []
    StudyUnit.objects.bulk_update(batch, ["search_tokens", "search_title_tokens"])


class Migration(migrations.Migration):
    dependencies = [("expositions", "0003_search_postgresql")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
