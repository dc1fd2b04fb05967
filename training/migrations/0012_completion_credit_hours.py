"""A completion keeps the 学时 it credits: existing completions take what their unit
credits now (the README says so), later ones what it credits when they are made."""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def credit_what_units_credit_now(apps, schema_editor):
    Completion = apps.get_model("training", "Completion")
    StudyUnit = apps.get_model("expositions", "StudyUnit")
    credit = StudyUnit.objects.filter(pk=OuterRef("unit_id")).values("credit_hours")[:1]
    Completion.objects.update(credit_hours=Subquery(credit))


class Migration(migrations.Migration):
    dependencies = [
        ("expositions", "0011_exposition_author_in_both_languages"),
        ("training", "0011_certificate_issuer"),
    ]

    operations = [
        migrations.AddField(
            model_name="completion",
            name="credit_hours",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                editable=False,
                max_digits=4,
                verbose_name="study hours credited",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(credit_what_units_credit_now, migrations.RunPython.noop),
    ]
