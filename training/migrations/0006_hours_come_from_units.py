# Study hours move from modules to study units (issue #17).

from decimal import ROUND_FLOOR, Decimal

from django.db import migrations

QUARTER = Decimal("0.25")


def move_module_hours_onto_units(apps, schema_editor):
    """What trainers typed on a module is kept as what its units credit: a module of H
    学时 and N units gives each of its units H / N, rounded down to a quarter hour (at
    least 0.25), where an editor has not set the unit's hours. A unit in several modules
    takes the smallest share, so that no module credits more than its trainer said.
    Modules of 0 学时 give nothing: their units credit by reading length. A module's
    学时 is from now on the sum of its units'."""
    Module = apps.get_model("training", "Module")
    ModuleUnit = apps.get_model("training", "ModuleUnit")
    StudyUnit = apps.get_model("expositions", "StudyUnit")
    counts = {}
    for module_id in ModuleUnit.objects.values_list("module_id", flat=True):
        counts[module_id] = counts.get(module_id, 0) + 1
    shares = {}
    for module in Module.objects.filter(study_hours__gt=0):
        n = counts.get(module.pk, 0)
        if not n:
            continue
        quarters = (module.study_hours / n / QUARTER).to_integral_value(ROUND_FLOOR)
        share = max(QUARTER, quarters * QUARTER)
        shares[module.pk] = share
    per_unit = {}
    for module_id, unit_id in ModuleUnit.objects.values_list("module_id", "unit_id"):
        if module_id in shares:
            share = shares[module_id]
            per_unit[unit_id] = min(share, per_unit.get(unit_id, share))
    units = list(StudyUnit.objects.filter(pk__in=per_unit, study_hours__isnull=True))
    for unit in units:
        unit.study_hours = per_unit[unit.pk]
        unit.credit_hours = per_unit[unit.pk]
    StudyUnit.objects.bulk_update(units, ["study_hours", "credit_hours"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0005_module_two_languages"),
        ("expositions", "0010_unit_study_hours"),
    ]

    operations = [
        migrations.RunPython(move_module_hours_onto_units, migrations.RunPython.noop),
        migrations.RemoveField(model_name="module", name="study_hours"),
    ]
