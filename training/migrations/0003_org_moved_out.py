"""OrgUnit and Cadre now live in the org app (org 0001): the foreign keys point there.

State only: the foreign keys already reference the same tables.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0001_initial'),
        ('training', '0002_progress'),
    ]

    state_operations = [
        migrations.AlterField(
            model_name='assignment',
            name='cadre',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='org.cadre', verbose_name='cadre'),
        ),
        migrations.AlterField(
            model_name='completion',
            name='cadre',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='completions', to='org.cadre', verbose_name='cadre'),
        ),
        migrations.AlterField(
            model_name='progress',
            name='cadre',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='progress', to='org.cadre'),
        ),
        migrations.RemoveField(
            model_name='orgunit',
            name='trainers',
        ),
        migrations.AlterField(
            model_name='assignment',
            name='org_unit',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='org.orgunit', verbose_name='org unit'),
        ),
        migrations.AlterField(
            model_name='completion',
            name='org_unit',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='org.orgunit', verbose_name='org unit at completion'),
        ),
        migrations.AlterField(
            model_name='progressweek',
            name='org_unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.orgunit'),
        ),
        migrations.DeleteModel(
            name='Cadre',
        ),
        migrations.DeleteModel(
            name='OrgUnit',
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
