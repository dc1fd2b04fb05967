"""The four ways the stored totals used to drift from the rows they summarise, each
with the write that now keeps them equal (training.progress_store; progress_verify.verify())."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from expositions.models import StudyUnit, Tag
from expositions.services import tag_delete, unit_save
from tests.servers import at_once
from training import progress_store, progress_verify, services
from training.models import Completion, Progress
from training.my_study import my_modules
from training.progress import ModuleProgress


@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_undos_take_one_completion_away_once(
    org, make_cadre, make_unit, make_module
):
    units = [make_unit() for _ in range(3)]
    module = make_module(units=units)
    cadre = make_cadre(org.township_a)
    for unit in units[:2]:
        services.completion_record(cadre=cadre, unit=unit)
    results, errors = at_once(
        [lambda: services.completion_undo(cadre=cadre, unit=units[0]) for _ in range(8)]
    )
    assert errors == []
    assert sorted(results) == [False] * 7 + [True]
    assert Progress.objects.get(module=module, cadre=cadre).done == 1
    assert progress_verify.verify() == []


@pytest.mark.django_db(transaction=True)
def test_simultaneous_completions_and_undos_keep_the_totals(
    org, make_cadre, make_unit, make_module
):
    """Completing and undoing the same unit from many threads at once: whatever order
    wins, the stored totals equal a recount."""
    units = [make_unit() for _ in range(2)]
    make_module(units=units)
    cadre = make_cadre(org.township_a)
    calls = []
    for _ in range(6):
        calls.append(lambda: services.completion_record(cadre=cadre, unit=units[0]))
        calls.append(lambda: services.completion_undo(cadre=cadre, unit=units[0]))
    _results, errors = at_once(calls)
    assert errors == []
    assert progress_verify.verify() == []


@pytest.mark.django_db
def test_the_admin_cannot_move_a_completion_to_another_unit_or_date(
    editor_client, org, make_cadre, make_unit, make_module
):
    units = [make_unit() for _ in range(2)]
    make_module(units=units[:1])
    make_module(units=units[1:])
    cadre = make_cadre(org.township_a)
    completion, _ = services.completion_record(cadre=cadre, unit=units[0])
    url = reverse("admin:training_completion_change", args=[completion.pk])
    later = timezone.localtime() - timedelta(days=30)
    editor_client.post(
        url,
        {
            "cadre": cadre.pk,
            "unit": units[1].pk,
            "completed_at_0": later.date().isoformat(),
            "completed_at_1": later.strftime("%H:%M:%S"),
        },
    )
    completion.refresh_from_db()
    assert completion.unit == units[0]
    assert completion.completed_at != later
    assert progress_verify.verify() == []


@pytest.mark.django_db
def test_a_unit_rescheduled_into_the_future_counts_when_its_time_comes(
    org, make_cadre, make_unit, make_module, assign
):
    units = [make_unit() for _ in range(2)]
    module = make_module(units=units)
    assign(module, org.province, days=30)
    cadre = make_cadre(org.township_a)
    for unit in units:
        services.completion_record(cadre=cadre, unit=unit)
    unit = StudyUnit.objects.get(pk=units[1].pk)
    unit.published_at = timezone.now() + timedelta(hours=1)
    unit_save(unit=unit)

    def progress():
        mine = my_modules(cadre)[0]
        page = ModuleProgress(module, list(module.assignments.all())).cadres().get()
        return (mine.done, mine.total), (page.done, page.status)

    assert progress() == ((1, 1), (1, "complete"))
    later = timezone.now() + timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert progress() == ((2, 2), (2, "complete"))
    assert progress_verify.verify() == []


@pytest.mark.django_db
def test_a_deleted_tag_no_longer_finds_the_unit(make_unit, client, cadre_user):
    unit = make_unit(tags=["最低生活保障"])
    client.force_login(cadre_user)
    search = reverse("expositions:search")
    assert unit in client.get(search, {"q": "最低生活保障"}).context["page"].object_list
    tag_delete(tag=Tag.objects.get(name="最低生活保障"))
    assert list(client.get(search, {"q": "最低生活保障"}).context["page"].object_list) == []
    assert progress_verify.verify() == []


@pytest.mark.django_db
def test_deleting_a_cadre_takes_their_completions_out_of_the_weekly_counts(
    org, make_cadre, make_unit, make_module
):
    units = [make_unit() for _ in range(2)]
    make_module(units=units)
    leaving, staying = make_cadre(org.township_a), make_cadre(org.township_a)
    for cadre in (leaving, staying):
        services.completion_record(cadre=cadre, unit=units[0])
    leaving.user.delete()  # as in the admin's user pages: the cadre goes by cascade
    assert Completion.objects.count() == 1
    assert progress_verify.verify() == []


@pytest.mark.django_db
def test_verify_progress_names_a_drift_and_fails(org, make_cadre, make_unit, make_module):
    units = [make_unit() for _ in range(2)]
    module = make_module(units=units)
    cadre = make_cadre(org.township_a)
    services.completion_record(cadre=cadre, unit=units[0])
    call_command("verify_progress", stdout=open("/dev/null", "w"))  # noqa: SIM115
    Progress.objects.filter(module=module, cadre=cadre).update(done=2)
    with pytest.raises(
        CommandError, match=rf"progress \(module, cadre\) \({module.pk}, {cadre.pk}\)"
    ):
        call_command("verify_progress")


@pytest.mark.django_db
def test_verify_progress_finds_a_stale_search_column(make_unit):
    unit = make_unit()
    StudyUnit.objects.filter(pk=unit.pk).update(search_text="stale")
    assert progress_verify.verify() == [
        f"search column search_text of unit {unit.pk} ({unit.slug}) is out of date"
    ]
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.mark.django_db
def test_a_cadre_s_last_completion_leaves_out_a_unit_scheduled_for_later(
    org, make_cadre, make_unit, make_module, assign
):
    """The stored last completion stands unless it is a hidden unit's; then the page
    shows the last completion of a unit readers can see."""
    units = [make_unit() for _ in range(3)]
    module = make_module(units=units)
    assign(module, org.province, days=30)
    # recent completed the three units 3, 2 and 1 days ago; earlier the first and the
    # last, both 3 days ago.
    recent, earlier = make_cadre(org.township_a), make_cadre(org.township_a)
    moments = [timezone.now() - timedelta(days=d) for d in (3, 2, 1)]
    for unit, moment in zip(units, moments, strict=True):
        services.completion_record(cadre=recent, unit=unit)
        Completion.objects.filter(cadre=recent, unit=unit).update(completed_at=moment)
    for unit in (units[0], units[2]):
        services.completion_record(cadre=earlier, unit=unit)
        Completion.objects.filter(cadre=earlier, unit=unit).update(completed_at=moments[0])
    progress_store.rebuild()  # .update() wrote around the stored last completions
    unit = StudyUnit.objects.get(pk=units[1].pk)  # the middle one: neither's last
    unit.published_at = timezone.now() + timedelta(hours=1)
    unit_save(unit=unit)
    rows = {c.pk: c for c in ModuleProgress(module, list(module.assignments.all())).cadres()}
    assert rows[recent.pk].last_completed_at == moments[2]
    last = StudyUnit.objects.get(pk=units[2].pk)  # now the last one of both
    last.published_at = timezone.now() + timedelta(hours=1)
    unit_save(unit=last)
    rows = {c.pk: c for c in ModuleProgress(module, list(module.assignments.all())).cadres()}
    assert rows[recent.pk].last_completed_at == moments[0]  # the hidden units' left out
    assert rows[earlier.pk].last_completed_at == moments[0]
    assert (rows[recent.pk].done, rows[earlier.pk].done) == (1, 1)


@pytest.mark.django_db
def test_a_module_with_no_unit_to_read_counts_its_cadres_once(
    org, make_cadre, make_unit, make_module, assign
):
    """Every unit scheduled for later: nothing to study, so each cadre counts as complete
    (as their status says), not as complete and not started at once."""
    units = [make_unit() for _ in range(2)]
    module = make_module(units=units)
    assign(module, org.province, days=30)
    for place in (org.township_a, org.township_a, org.township_b):
        make_cadre(place)
    for unit in StudyUnit.objects.filter(pk__in=[u.pk for u in units]):
        unit.published_at = timezone.now() + timedelta(hours=1)
        unit_save(unit=unit)
    progress = ModuleProgress(module, list(module.assignments.all()))
    rows = progress.rollup(org.province, progress.cadres())
    assert [
        (r["cadre_count"], r["completed"], r["in_progress"], r["not_started"]) for r in rows
    ] == [(3, 3, 0, 0)]
