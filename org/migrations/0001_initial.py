"""The org units and cadres move here from the training app, with their tables.

State only: the tables keep their names (training_orgunit, training_cadre,
training_orgunit_trainers) and every row stays where it is. The content types are
renamed to this app, so permissions, groups and audit-log entries follow the models.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODELS = ["orgunit", "cadre"]


def _move(apps, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        # A content type made for the new label already (by an earlier partial run)
        # has no permissions or log entries of its own worth keeping.
        ContentType.objects.filter(app_label=target, model=model).delete()
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types(apps, schema_editor):
    _move(apps, "training", "org")


def move_content_types_back(apps, schema_editor):
    _move(apps, "org", "training")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
        ('training', '0002_progress'),
    ]

    state_operations = [
        migrations.CreateModel(
            name='OrgUnit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('path', models.CharField(max_length=255, unique=True)),
                ('depth', models.PositiveIntegerField()),
                ('numchild', models.PositiveIntegerField(default=0)),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('name_en', models.CharField(blank=True, max_length=200, verbose_name='English name')),
                ('code', models.CharField(max_length=32, unique=True, verbose_name='code')),
                ('level', models.PositiveSmallIntegerField(choices=[(1, 'Province'), (2, 'City'), (3, 'County / district'), (4, 'Township / street')], verbose_name='level')),
                ('trainers', models.ManyToManyField(blank=True, db_table='training_orgunit_trainers', help_text='Trainers who manage this org unit and everything under it.', related_name='managed_org_units', to=settings.AUTH_USER_MODEL, verbose_name='trainers')),
            ],
            options={
                'verbose_name': 'org unit',
                'verbose_name_plural': 'org units',
                'db_table': 'training_orgunit',
            },
        ),
        migrations.CreateModel(
            name='Cadre',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('position', models.CharField(blank=True, max_length=100, verbose_name='position')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='cadre', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                ('org_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cadres', to='org.orgunit', verbose_name='org unit')),
            ],
            options={
                'verbose_name': 'cadre',
                'verbose_name_plural': 'cadres',
                'db_table': 'training_cadre',
                'ordering': ['name', 'pk'],
            },
        ),
        migrations.AddIndex(
            model_name='orgunit',
            index=models.Index(fields=['path'], name='orgunit_path_prefix', opclasses=['varchar_pattern_ops']),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
