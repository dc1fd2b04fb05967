from django.db import migrations, models


def author_into_english(apps, schema_editor):
    """The author's name as it stood is the English one (Su Shunsheng); the Chinese one
    (苏顺生) is written by the loader or an editor."""
    Exposition = apps.get_model("expositions", "Exposition")
    for expo in Exposition.objects.filter(author_en__isnull=True):
        expo.author_en = expo.author
        expo.save(update_fields=["author_en"])


class Migration(migrations.Migration):
    dependencies = [
        ("expositions", "0010_unit_study_hours"),
    ]

    operations = [
        migrations.AddField(
            model_name="exposition",
            name="author_en",
            field=models.CharField(max_length=200, null=True, verbose_name="author"),
        ),
        migrations.AddField(
            model_name="exposition",
            name="author_zh_hans",
            field=models.CharField(max_length=200, null=True, verbose_name="author"),
        ),
        migrations.RunPython(author_into_english, migrations.RunPython.noop),
    ]
