"""verify() compares the stored totals with their recount a slice at a time (issue #37):
a range of cadres for progress and 学时, a range of org units for the weekly counts.
It finds what it found when it held every row at once, and its memory does not grow
with the number of cadres."""

import itertools
import tracemalloc
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from org.models import Cadre
from training import progress_store, progress_verify, services
from training.models import Completion, HoursYear, Progress, ProgressWeek

pytestmark = pytest.mark.django_db

_names = itertools.count(1)


def everything(**kwargs):
    """verify() with slices larger than any table here: every row in one slice."""
    return progress_verify.verify(slice_cadres=10**9, slice_org_units=10**9, **kwargs)


def test_slices_split_the_ids_in_ranges_that_take_in_every_value(org, make_cadre):
    ids = [make_cadre(org.township_a).pk for _ in range(5)]
    assert list(progress_verify.slices(Cadre, "cadre_id", 2)) == [
        {"cadre_id__lt": ids[2]},
        {"cadre_id__gte": ids[2], "cadre_id__lt": ids[4]},
        {"cadre_id__gte": ids[4]},
    ]
    assert list(progress_verify.slices(Cadre, "cadre_id", 5)) == [{}]


@pytest.fixture
def five(org, make_cadre, make_unit, make_module):
    """Five cadres who each completed the first unit of a module of two."""
    units = [make_unit(study_hours=Decimal("1.5")) for _ in range(2)]
    module = make_module(units=units)
    cadres = [make_cadre(org.township_a) for _ in range(5)]
    for cadre in cadres:
        services.completion_record(cadre=cadre, unit=units[0])
    assert progress_verify.verify(slice_cadres=2, slice_org_units=1) == []
    return module, cadres


def test_a_difference_in_the_last_slice_is_found(five):
    module, cadres = five
    Progress.objects.filter(module=module, cadre=cadres[4]).update(done=2)
    HoursYear.objects.filter(cadre=cadres[4]).update(online=Decimal("9"))
    found = progress_verify.verify(slice_cadres=2, slice_org_units=1)
    year = timezone.localdate().year
    stored = Progress.objects.get(module=module, cadre=cadres[4])
    at = Completion.objects.get(cadre=cadres[4]).completed_at
    assert found[0] == (
        f"progress (module, cadre) ({module.pk}, {cadres[4].pk}): stored (2, "
        f"{stored.first_completed_at!r}, {stored.last_completed_at!r}), "
        f"recount (1, {at!r}, {at!r})"
    )
    assert found[1] == (
        f"study hours (cadre, year) (online, training) ({cadres[4].pk}, {year}): "
        f"stored (Decimal('9.00'), Decimal('0.00')), recount (Decimal('1.50'), Decimal('0'))"
    )
    assert found == everything()


def test_rows_missing_on_either_side_are_found_in_any_slice(org, five, make_cadre):
    """A stored row with no recount and a recount with no stored row, in slices of their
    own, of every table: found as when verify() held every row at once."""
    module, cadres = five
    later = make_cadre(org.other_county)  # no completion: no row of theirs anywhere
    Progress.objects.filter(cadre=cadres[1]).delete()
    Progress.objects.create(module=module, cadre=later, done=1)
    HoursYear.objects.filter(cadre=cadres[3]).delete()
    HoursYear.objects.create(cadre=later, year=2020, online=Decimal("2"))
    [week] = ProgressWeek.objects.filter(org_unit=org.township_a)
    ProgressWeek.objects.filter(pk=week.pk).update(count=0)  # a zero row: as if none
    ProgressWeek.objects.create(module=module, org_unit=org.other_county, week=week.week, count=3)
    found = progress_verify.verify(slice_cadres=2, slice_org_units=1)
    assert found == everything()
    recount = Completion.objects.get(cadre=cadres[1]).completed_at
    day = week.week
    year = timezone.localdate().year
    assert set(found) == {
        f"progress (module, cadre) ({module.pk}, {cadres[1].pk}): "
        f"stored None, recount (1, {recount!r}, {recount!r})",
        f"progress (module, cadre) ({module.pk}, {later.pk}): stored (1, None, None), recount None",
        f"weekly completions (module, org unit, week) ({module.pk}, {org.township_a.pk}, "
        f"{day!r}): stored None, recount 5",
        f"weekly completions (module, org unit, week) ({module.pk}, {org.other_county.pk}, "
        f"{day!r}): stored 3, recount None",
        f"study hours (cadre, year) (online, training) ({cadres[3].pk}, {year}): "
        "stored None, recount (Decimal('1.50'), Decimal('0'))",
        f"study hours (cadre, year) (online, training) ({later.pk}, 2020): "
        "stored (Decimal('2.00'), Decimal('0.00')), recount None",
    }


def test_the_first_differences_are_those_first_by_key_over_all_slices(five, make_module):
    """``limit`` keeps the differences whose key's text comes first over every slice, as
    when verify() sorted them all at once: here one in the last slice of cadres, whose
    module's id comes first, before one in the first slice."""
    module, cadres = five
    other = make_module(units=list(module.units.all()))
    first, second = sorted([module, other], key=lambda m: f"({m.pk}, ")
    Progress.objects.filter(module=first, cadre=cadres[4]).update(done=2)
    Progress.objects.filter(module=second, cadre=cadres[0]).update(done=2)
    [found] = progress_verify.verify(limit=1, slice_cadres=2, slice_org_units=1)
    assert found.startswith(f"progress (module, cadre) ({first.pk}, {cadres[4].pk}): stored (2, ")
    assert [found] == everything(limit=1)
    assert len(progress_verify.verify(limit=2, slice_cadres=2)) == 2


def test_skipped_modules_are_left_out_of_every_slice(five):
    module, _ = five
    Progress.objects.filter(module=module).update(done=2)
    ProgressWeek.objects.filter(module=module).update(count=9)
    assert progress_verify.verify(skip_modules={module.pk}, slice_cadres=2) == []
    assert len(progress_verify.verify(skip_modules=set(), slice_cadres=2)) == 6


def add_cadres(n, org_unit, units, at):
    """``n`` cadres (users and all, in bulk) who completed each of ``units`` at ``at``,
    their stored totals recounted."""
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"many{next(_names)}", password="!") for _ in range(n)
    )
    cadres = Cadre.objects.bulk_create(
        Cadre(user=user, org_unit=org_unit, name=user.username) for user in users
    )
    Completion.objects.bulk_create(
        Completion(
            cadre=cadre,
            unit=unit,
            completed_at=at,
            credit_hours=unit.credit_hours,
            org_unit=org_unit,
        )
        for cadre in cadres
        for unit in units
    )
    progress_store.rebuild()


def peak_bytes(**slices):
    """The peak of the memory verify() allocates, after a first call has made its
    one-off allocations (imports, caches of the database driver and time zones)."""
    assert progress_verify.verify(**slices) == []
    tracemalloc.start()
    try:
        assert progress_verify.verify(**slices) == []
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_its_memory_does_not_grow_with_the_number_of_cadres(org, make_unit, make_module):
    """A peak for 200 cadres, then for 1,000, in slices of 50: about the same. (Every row
    held at once, the peak for 1,000 cadres was 5.3 times that for 200, here: 1.2 MB
    against 0.22 MB.)"""
    units = [make_unit(study_hours=Decimal("0.5")) for _ in range(4)]
    make_module(units=units[:3])
    make_module(units=units[1:])
    at = timezone.now() - timedelta(days=1)
    slices = {"slice_cadres": 50, "slice_org_units": 1}
    add_cadres(200, org.township_a, units, at)
    small = peak_bytes(**slices)
    add_cadres(800, org.township_b, units, at)
    large = peak_bytes(**slices)
    assert large < 2 * small, (small, large)
