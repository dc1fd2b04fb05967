"""Shared by the search migrations: fill the derived search columns of existing rows."""


def fill_existing_rows(apps):
    from expositions.search import DERIVED_FIELDS, document

    StudyUnit = apps.get_model("expositions", "StudyUnit")
    Tagged = apps.get_model("expositions", "TaggedStudyUnit")
    fields = [f for f in DERIVED_FIELDS if hasattr(StudyUnit, f)]
    tags = {}
    for unit_id, name in Tagged.objects.values_list("content_object_id", "tag__name"):
        tags.setdefault(unit_id, []).append(name)
    units = list(StudyUnit.objects.all())
    for unit in units:
        for name, value in document(unit, tags.get(unit.pk, [])).items():
            if name in fields:
                setattr(unit, name, value)
    StudyUnit.objects.bulk_update(units, fields, batch_size=500)
