"""Certificates keep the organ that issued them in both languages: ``issuer`` becomes
``issuer_zh`` (what certificates issued before printed, the top org unit's name) and
``issuer_en`` is added, empty for those (they print the Chinese name in English too)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0010_claims_checks"),
    ]

    operations = [
        migrations.RenameField(model_name="certificate", old_name="issuer", new_name="issuer_zh"),
        migrations.AlterField(
            model_name="certificate",
            name="issuer_zh",
            field=models.CharField(max_length=200, verbose_name="issuer (Chinese)"),
        ),
        migrations.AddField(
            model_name="certificate",
            name="issuer_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="issuer (English)"),
        ),
    ]
