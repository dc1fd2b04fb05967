"""Module hours move onto units (issue #17): what trainers typed on a module is kept as
what its units credit, and a module's hours become the sum of its units'."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from expositions.models import StudyUnit
from training.models import Module

BEFORE = [
    ("training", "0005_module_two_languages"),
    ("expositions", "0009_review_status_and_who_changed_it"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.long
@pytest.mark.django_db(transaction=True)
def test_module_hours_are_shared_among_their_units():
    _migrate(BEFORE)
    executor = MigrationExecutor(connection)
    old = executor._create_project_state(with_applied_migrations=True).apps
    exposition = old.get_model("expositions", "Exposition").objects.create(
        slug="e", title_zh_hans="E", author="A", source_text="x"
    )
    theme = old.get_model("expositions", "Theme").objects.create(
        slug="t", name_en="T", name_zh_hans="主题"
    )
    OldUnit = old.get_model("expositions", "StudyUnit")
    units = [
        OldUnit.objects.create(
            exposition=exposition,
            theme=theme,
            title_zh_hans=f"U{i}",
            slug=f"u{i}",
            summary_zh_hans="s",
            body_zh_hans="b",
            source_passage="x",
            status="published",
            published_at=timezone.now(),
            reading_minutes=5,
        )
        for i in range(5)
    ]
    OldModule = old.get_model("training", "Module")
    OldLink = old.get_model("training", "ModuleUnit")
    three = OldModule.objects.create(title_zh_hans="三单元 2 学时", study_hours=Decimal("2"))
    two = OldModule.objects.create(title_zh_hans="两单元 3 学时", study_hours=Decimal("3"))
    none = OldModule.objects.create(title_zh_hans="零学时", study_hours=Decimal("0"))
    for position, unit in enumerate(units[:3], 1):
        OldLink.objects.create(module=three, unit=unit, position=position)
    # units[2] is in both: it takes the smaller share (0.5, not 1.5).
    for position, unit in enumerate(units[2:4], 1):
        OldLink.objects.create(module=two, unit=unit, position=position)
    OldLink.objects.create(module=none, unit=units[4], position=1)

    _migrate(executor.loader.graph.leaf_nodes())

    hours = {u.slug: (u.study_hours, u.credit_hours) for u in StudyUnit.objects.all()}
    assert hours["u0"] == (Decimal("0.5"), Decimal("0.5"))  # 2 / 3, down to a quarter
    assert hours["u2"] == (Decimal("0.5"), Decimal("0.5"))
    assert hours["u3"] == (Decimal("1.5"), Decimal("1.5"))  # 3 / 2
    assert hours["u4"] == (None, Decimal("0.25"))  # by reading length: 5 minutes
    sums = {m.title_zh_hans: m.study_hours for m in Module.objects.with_hours()}
    assert sums["三单元 2 学时"] == Decimal("1.5")  # never more than the trainer said
    assert sums["两单元 3 学时"] == Decimal("2")


@pytest.mark.django_db(transaction=True)
def test_the_stored_hours_of_each_year_are_counted_from_existing_completions(
    org, make_cadre, make_unit
):
    from datetime import datetime

    from training import progress_verify
    from training.models import Completion, HoursYear

    cadre = make_cadre(org.township_a)
    units = [make_unit(study_hours=Decimal(h)) for h in ("1", "0.5", "2")]
    beijing = timezone.get_current_timezone()
    moments = [
        datetime(2025, 12, 31, 23, 30, tzinfo=beijing),  # Beijing's 2025, UTC's too
        datetime(2026, 1, 1, 0, 30, tzinfo=beijing),  # Beijing's 2026, still UTC's 2025
        datetime(2026, 6, 1, tzinfo=beijing),
    ]
    for unit, moment in zip(units, moments, strict=True):
        Completion.objects.create(cadre=cadre, unit=unit, completed_at=moment)
    _migrate([("training", "0008_claims_and_certificates")])
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    stored = {h.year: h.online for h in HoursYear.objects.filter(cadre=cadre)}
    assert stored == {2025: Decimal("1"), 2026: Decimal("2.5")}
    assert progress_verify.verify() == []
