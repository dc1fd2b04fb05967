"""The trainer's chase: who is overdue or has not started in their tree, when each was
last reminded, a list to copy, and "remind now" (once a day per cadre, 404 outside
the trainer's tree)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from training import rollup_snapshots, services
from training.reminders import send_due_reminders
from training.reminders.models import Nudge

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer(org, make_trainer):
    return make_trainer(org.county, username="county-trainer")


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


@pytest.fixture
def world(org, me, make_cadre, make_module, assign):
    """A module assigned to the county, overdue: me (not started), a cadre part way, one
    who finished, one in the other county (outside the trainer's tree)."""
    module = make_module(n_units=2, title="基层治理")
    assign(module, org.county, days=-3)
    assign(module, org.other_county, days=-3)
    halfway = make_cadre(org.township_b, name="半途", phone="13800000000")
    services.completion_record(cadre=halfway, unit=module.units.first())
    finished = make_cadre(org.township_b, name="学完")
    for unit in module.units.all():
        services.completion_record(cadre=finished, unit=unit)
    elsewhere = make_cadre(org.other_county, name="别县")
    me.phone = "0351-1234567"
    me.save()
    return {"module": module, "halfway": halfway, "elsewhere": elsewhere}


def chase_url(module, org_unit=None):
    url = reverse("training:module_chase", args=[module.pk])
    return f"{url}?org={org_unit.pk}" if org_unit else url


def remind_url(module, org_unit):
    return reverse("training:module_remind", args=[module.pk]) + f"?org={org_unit.pk}"


def test_the_chase_lists_the_overdue_and_not_started_of_the_tree(trainer_client, world, org):
    response = trainer_client.get(chase_url(world["module"], org.county))
    assert response.status_code == 200
    names = [c.name for c in response.context["cadres"]]
    assert set(names) == {"李干部", "半途"}  # not the one who finished, nor elsewhere
    html = response.content.decode()
    assert "0351-1234567" in html and "13800000000" in html


def test_the_list_to_copy_has_name_org_unit_and_phone(trainer_client, world, org):
    response = trainer_client.get(chase_url(world["module"], org.county))
    lines = sorted(response.context["copy"].splitlines())
    assert lines == ["半途\t乙镇\t13800000000", "李干部\t甲镇\t0351-1234567"]


def test_a_cadre_who_has_not_started_but_is_not_overdue_is_listed(
    trainer_client, me, org, make_module, assign
):
    module = make_module()
    assign(module, me, days=20)
    response = trainer_client.get(chase_url(module, org.county))
    assert [c.name for c in response.context["cadres"]] == ["李干部"]


def test_remind_now_for_one_cadre_writes_a_reminder_and_emails_at_once(
    trainer_client, trainer, world, me, org, inbox
):
    module = world["module"]
    response = trainer_client.post(remind_url(module, org.county), {"cadre": me.pk})
    assert response.status_code == 302
    assert response["Location"] == chase_url(module, org.county)
    nudge = Nudge.objects.get()
    assert (nudge.cadre, nudge.module, nudge.by) == (me, module, trainer)
    assert [rcpt for rcpt, _raw, _mail in inbox.mails] == [["li@example.org"]]
    assert nudge.__class__.objects.get().emailed_at is not None
    page = trainer_client.get(chase_url(module, org.county))
    mine = next(c for c in page.context["cadres"] if c.pk == me.pk)
    assert mine.reminded_today and mine.last_nudged and mine.last_emailed
    assert "Remind 李干部 now" not in page.content.decode()


def test_a_cadre_is_reminded_once_a_day(trainer_client, world, me, org, make_trainer, inbox):
    module = world["module"]
    trainer_client.post(remind_url(module, org.county), {"cadre": me.pk})
    trainer_client.post(remind_url(module, org.county), {"cadre": me.pk})
    trainer_client.force_login(make_trainer(org.city))  # another trainer, same day
    trainer_client.post(remind_url(module, org.city), {"cadre": me.pk})
    assert Nudge.objects.count() == 1
    assert len(inbox.mails) == 1


def test_remind_all_reminds_the_whole_list(trainer_client, world, me, org, inbox, settings):
    settings.REMINDERS_SEND_NOW_LIMIT = 1
    halfway = world["halfway"]
    halfway.user.email = "half@example.org"
    halfway.user.save()
    trainer_client.post(remind_url(world["module"], org.county), {"all": "1"})
    assert sorted(Nudge.objects.values_list("cadre__name", flat=True)) == ["半途", "李干部"]
    assert len(inbox.mails) == 1  # at once: the first; the other with the next run
    send_due_reminders()
    assert sorted(r[0] for r, _raw, _mail in inbox.mails) == ["half@example.org", "li@example.org"]


def test_remind_now_outside_the_tree_is_404_and_writes_nothing(trainer_client, world, org):
    response = trainer_client.post(
        remind_url(world["module"], org.county), {"cadre": world["elsewhere"].pk}
    )
    assert response.status_code == 404
    response = trainer_client.post(
        remind_url(world["module"], org.other_county), {"cadre": world["elsewhere"].pk}
    )
    assert response.status_code == 404
    assert not Nudge.objects.exists()


def test_remind_now_of_a_cadre_not_on_the_list_is_404(trainer_client, world, org):
    finished = world["module"].progress_rows.filter(done=2).get().cadre
    response = trainer_client.post(remind_url(world["module"], org.county), {"cadre": finished.pk})
    assert response.status_code == 404


def test_remind_by_get_goes_back_to_the_chase(trainer_client, world, org):
    response = trainer_client.get(reverse("training:module_remind", args=[world["module"].pk]))
    assert response.status_code == 302
    assert response["Location"] == chase_url(world["module"])


def test_the_chase_shows_when_an_email_went_out(trainer_client, world, me, org, inbox):
    send_due_reminders()
    page = trainer_client.get(chase_url(world["module"], org.county))
    mine = next(c for c in page.context["cadres"] if c.pk == me.pk)
    assert mine.last_emailed is not None and mine.last_nudged is None
    assert (
        "(email)"
        in trainer_client.get(
            chase_url(world["module"], org.county), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    )


def test_the_overview_counts_each_module_in_the_trainers_tree(trainer_client, world):
    response = trainer_client.get(reverse("training:chase_overview"))
    [row] = response.context["rows"]
    assert (row.module, row.reached, row.overdue, row.not_started) == (world["module"], 3, 2, 1)


def test_the_overview_reads_only_assignments_meeting_the_trainers_tree(
    trainer_client, org, make_module, make_cadre, assign
):
    """A module given only beside the tree is not listed; one given one by one to a
    cadre who has since moved into the tree counts that cadre, by that assignment's
    due date."""
    make_module(title="别县的").assignments.create(
        org_unit=org.other_county, due_on=timezone.localdate()
    )
    moved = make_module(title="调入的")
    newcomer = make_cadre(org.other_county, name="调入")
    assign(moved, newcomer, days=-1)
    services.cadre_move(cadre=newcomer, org_unit=org.township_a)
    rows = trainer_client.get(reverse("training:chase_overview")).context["rows"]
    assert [(r.module, r.reached, r.overdue, r.not_started) for r in rows] == [(moved, 1, 1, 1)]


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_chase_page_costs_the_same_queries_for_2_cadres_or_30(
    trainer_client, world, org, make_cadre
):
    url = chase_url(world["module"], org.county)
    trainer_client.get(url)
    few = _queries(trainer_client, url)
    for i in range(28):
        make_cadre(org.township_a if i % 2 else org.township_b, phone=f"1380000{i:04d}")
    assert _queries(trainer_client, url) == few


# --- the overview of big org units: their stored roll-ups ----------------------------


@pytest.fixture
def big_county(settings):
    """The county (3 cadres of the world) and everything above it are big
    (training.rollup_snapshots)."""
    settings.PROGRESS_SNAPSHOT_CADRES = 2


def _overview(client):
    response = client.get(reverse("training:chase_overview"))
    assert response.status_code == 200
    return response


def test_the_overview_counts_live_where_nothing_is_stored(trainer_client, world, big_county):
    response = _overview(trainer_client)
    [row] = response.context["rows"]
    assert (row.reached, row.overdue, row.not_started, row.counted_at) == (3, 2, 1, None)
    assert 'id="counted-at"' not in response.content.decode()


def test_the_overview_of_a_big_org_unit_reads_its_stored_rollup_and_says_when(
    trainer_client, world, me, big_county
):
    rollup_snapshots.recount()
    services.completion_record(cadre=me, unit=world["module"].units.first())
    response = _overview(trainer_client)
    [row] = response.context["rows"]
    # As counted at the recount, before my completion: the live count says 0 not started.
    assert (row.reached, row.overdue, row.not_started) == (3, 2, 1)
    assert row.counted_at is not None
    assert 'id="counted-at"' in response.content.decode()
    rollup_snapshots.recount()
    [row] = _overview(trainer_client).context["rows"]
    assert (row.reached, row.overdue, row.not_started) == (3, 2, 0)


def test_the_overview_of_nested_org_units_counts_each_cadre_once(
    client, world, org, make_trainer, big_county
):
    trainer = make_trainer(org.city, username="city-and-county")
    org.county.trainers.add(trainer)
    client.force_login(trainer)
    live = [(r.reached, r.overdue, r.not_started) for r in _overview(client).context["rows"]]
    rollup_snapshots.recount()
    rows = _overview(client).context["rows"]
    assert all(r.counted_at is not None for r in rows)
    assert [(r.reached, r.overdue, r.not_started) for r in rows] == live == [(4, 3, 2)]


def test_a_module_with_no_unit_to_study_is_counted_live(trainer_client, world, big_county):
    """The roll-up counts its cadres complete; the overview, not started."""
    world["module"].units.update(published_at=timezone.now() + timedelta(days=9))
    rollup_snapshots.recount()
    [row] = _overview(trainer_client).context["rows"]
    assert (row.reached, row.overdue, row.not_started, row.counted_at) == (3, 0, 3, None)


def test_the_overview_from_stored_rollups_costs_the_same_queries_for_1_module_or_4(
    trainer_client, world, org, make_module, assign, big_county
):
    url = reverse("training:chase_overview")
    rollup_snapshots.recount()
    trainer_client.get(url)
    one = _queries(trainer_client, url)
    for i in range(3):
        assign(make_module(n_units=2, title=f"模块{i}"), org.county, days=5)
    rollup_snapshots.recount()
    assert len(_overview(trainer_client).context["rows"]) == 4
    assert _queries(trainer_client, url) == one
