"""The stored roll-ups of big org units (training.rollup_snapshots, issue #37): what
the periodic task writes, and what the progress page reads from them."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from org.models import Cadre
from training import progress_verify, rollup_snapshots, services
from training.jobs import periodic, tasks
from training.models import Assignment, RollupRow, RollupRowQuerySet
from training.progress import ModuleProgress

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(org, make_cadre, make_module, make_unit, assign):
    """A module of 4 units assigned to the city, overdue; two cadres in each township,
    one in the county itself and one in the other county."""
    units = [make_unit() for _ in range(4)]
    module = make_module(units=units, title="大单位模块")
    assign(module, org.city, days=-1)
    people = {
        "done": make_cadre(org.township_a, name="全部完成"),
        "half": make_cadre(org.township_a, name="完成一半"),
        "none": make_cadre(org.township_b, name="尚未开始"),
        "b": make_cadre(org.township_b, name="乙镇干部"),
        "county": make_cadre(org.county, name="县里干部"),
        "outside": make_cadre(org.other_county, name="别县干部"),
    }
    for unit in units:
        services.completion_record(cadre=people["done"], unit=unit)
    for unit in units[:2]:
        services.completion_record(cadre=people["half"], unit=unit)
    return module, units, people


@pytest.fixture
def big_county(settings):
    """The county (5 cadres) and everything above it are big; the townships are not."""
    settings.PROGRESS_SNAPSHOT_CADRES = 4


@pytest.fixture
def county_client(client, org, make_trainer):
    client.force_login(make_trainer(org.county, username="county-trainer"))
    return client


def live_rollup(module, node):
    progress = ModuleProgress(module, list(module.assignments.select_related("org_unit")))
    return progress.rollup(node, progress.cadres(Cadre.objects.in_subtree(node)))


def shown(rows):
    keys = ("is_self", "percent", *rollup_snapshots.COUNTS)
    return [(r["org_unit"].code, *(r[k] for k in keys)) for r in rows]


def progress_url(module):
    return reverse("training:module_progress", args=[module.pk])


# --- which nodes, what is stored ----------------------------------------------------------


def test_big_nodes_are_those_holding_more_active_cadres_than_the_setting(org, course):
    _module, _units, people = course
    assert {n.code for n in rollup_snapshots.big_nodes(4)} == {"P", "P-C", "P-C-K"}
    Cadre.objects.filter(pk=people["b"].pk).update(active=False)
    assert {n.code for n in rollup_snapshots.big_nodes(4)} == {"P", "P-C"}


def test_the_stored_rollup_is_the_live_one_at_each_big_node(org, course, big_county):
    module, _units, _people = course
    rollup_snapshots.recount()
    for node in (org.province, org.city, org.county):
        stored, _counted_at = rollup_snapshots.stored_rollup(module, node)
        assert shown(stored) == shown(live_rollup(module, node))
    assert rollup_snapshots.stored_rollup(module, org.township_a) is None


def test_nested_big_nodes_are_counted_in_one_query_and_each_equals_its_live_rollup(org, course):
    module, _units, _people = course
    progress = ModuleProgress(module, list(module.assignments.select_related("org_unit")))
    nodes = [org.province, org.city, org.county]
    with CaptureQueriesContext(connection) as queries:
        counted = rollup_snapshots.count_rollups(progress, nodes)
    # The GROUP BY, and the rows' org units (on PostgreSQL, in a transaction with its
    # planner setting: portal.planner).
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    reads = [sql for sql in reads if not sql.startswith("SELECT set_config(")]
    assert len(reads) == 2
    for node in nodes:
        assert shown(counted[node]) == shown(live_rollup(module, node))


def _parallel_workers():
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        return cursor.fetchone()[0]


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_count_runs_without_parallel_workers_and_leaves_the_connection_as_it_was(
    org, course, big_county, monkeypatch
):
    """One core of the primary at a time, and nothing left on the connection (behind
    PgBouncer, the next client's)."""
    seen, count = [], ModuleProgress.counts_by_path

    def watched(self, cadres, length):
        seen.append(_parallel_workers())
        return count(self, cadres, length)

    monkeypatch.setattr(ModuleProgress, "counts_by_path", watched)
    before = _parallel_workers()
    rollup_snapshots.recount()
    assert seen and set(seen) == {"0"}
    assert _parallel_workers() == before != "0"


def test_a_recount_replaces_a_nodes_rows_whole_or_not_at_all(org, course, big_county, monkeypatch):
    module, units, people = course
    rollup_snapshots.recount()
    before = list(RollupRow.objects.filter(node=org.county).values().order_by("org_unit_id"))
    services.completion_record(cadre=people["none"], unit=units[0])

    def broken(self, objs, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(RollupRowQuerySet, "bulk_create", broken)
    progress = ModuleProgress(module, list(module.assignments.select_related("org_unit")))
    with pytest.raises(RuntimeError):
        rollup_snapshots.recount_node(progress, org.county)
    after = list(RollupRow.objects.filter(node=org.county).values().order_by("org_unit_id"))
    assert after == before


def test_a_recount_that_the_table_refuses_fails_loudly(org, course, big_county, monkeypatch):
    """A count the table cannot hold (a negative one) is a bug, not an overlap: it is
    raised, not logged as another recount's write."""

    def negative(progress, nodes):
        row = {"cadre_count": 1, "completed": 2, "in_progress": -1, "not_started": 0}
        return {node: [{"org_unit": node, **row, "overdue_count": 0}] for node in nodes}

    monkeypatch.setattr(rollup_snapshots, "count_rollups", negative)
    with pytest.raises(IntegrityError):
        rollup_snapshots.recount()


def test_a_recount_leaves_a_rollup_an_overlapping_one_wrote_since(
    org, course, big_county, monkeypatch
):
    module, _units, _people = course
    write = rollup_snapshots.write_node

    def overlapped(module, node, rows, counted_at):
        write(module, node, rows, timezone.now())  # the other recount, finishing first
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(rollup_snapshots, "write_node", overlapped)
    assert rollup_snapshots.recount()["rollups"] == 0
    assert RollupRow.objects.filter(module=module, node=org.county).exists()


def test_a_recount_drops_the_rows_of_org_units_no_longer_reached(org, course, big_county):
    module, _units, people = course
    rollup_snapshots.recount()
    services.cadre_move(cadre=people["county"], org_unit=org.township_b)
    rollup_snapshots.recount()
    codes = set(RollupRow.objects.filter(node=org.county).values_list("org_unit__code", flat=True))
    assert codes == {"P-C-K-A", "P-C-K-B"}


def test_a_recount_drops_the_rollups_of_modules_no_longer_assigned(org, course, big_county):
    module, _units, _people = course
    rollup_snapshots.recount()
    Assignment.objects.filter(module=module).delete()
    rollup_snapshots.recount()
    assert not RollupRow.objects.filter(module=module).exists()


def test_a_recount_drops_the_rollups_of_nodes_no_longer_big(org, course, settings):
    module, _units, _people = course
    settings.PROGRESS_SNAPSHOT_CADRES = 4
    rollup_snapshots.recount()
    settings.PROGRESS_SNAPSHOT_CADRES = 5
    rollup_snapshots.recount()
    nodes = set(RollupRow.objects.values_list("node__code", flat=True))
    assert nodes == {"P", "P-C"}


# --- the periodic task and the commands -------------------------------------------------------


def test_the_worker_recounts_the_rollups_every_interval(org, course, big_county, settings):
    task, interval = periodic.SCHEDULE["progress.recount_rollups"]
    assert task is tasks.recount_rollups
    assert interval == timedelta(seconds=settings.PROGRESS_SNAPSHOT_SECONDS)
    assert tasks.recount_rollups.call()["rollups"] == 3  # one module at three big nodes
    assert RollupRow.objects.filter(node=org.county).count() == 3


def test_the_command_recounts_the_rollups_once(org, course, big_county, capsys):
    call_command("recount_rollups")
    assert "Recounted 3 stored roll-ups" in capsys.readouterr().out
    assert RollupRow.objects.filter(node=org.province).exists()


def test_verify_progress_fails_when_the_rollups_stopped_being_recounted(course, big_county):
    rollup_snapshots.recount()
    call_command("verify_progress")
    RollupRow.objects.update(counted_at=timezone.now() - timedelta(minutes=10))
    with pytest.raises(CommandError, match="is the task worker running"):
        call_command("verify_progress")


def test_verify_finds_a_rollup_that_reads_back_otherwise_than_counted(
    org, course, big_county, monkeypatch
):
    rollup_snapshots.recount()
    original = RollupRowQuerySet.bulk_create

    def miscounting(self, objs, *args, **kwargs):
        objs = list(objs)
        objs[0].completed += 1
        return original(self, objs, *args, **kwargs)

    monkeypatch.setattr(RollupRowQuerySet, "bulk_create", miscounting)
    found = progress_verify.verify()
    assert any("reads back wrong" in line for line in found)


def test_verify_changes_no_stored_rollup(org, course, big_county):
    module, units, people = course
    rollup_snapshots.recount()
    before = list(RollupRow.objects.values().order_by("pk"))
    services.completion_record(cadre=people["none"], unit=units[0])
    assert progress_verify.verify() == []
    assert list(RollupRow.objects.values().order_by("pk")) == before


# --- the page -------------------------------------------------------------------------------


def test_the_page_of_a_big_node_shows_the_stored_rollup(
    org, course, big_county, county_client, django_assert_max_num_queries
):
    module, units, people = course
    rollup_snapshots.recount()
    stored = shown(rollup_snapshots.stored_rollup(module, org.county)[0])
    services.completion_record(cadre=people["none"], unit=units[0])  # after the count
    # The roll-up and its chart in one query, and no cadre list (bench/rollups.py: 15
    # queries against 18 counted live, at province scale).
    with django_assert_max_num_queries(17):
        response = county_client.get(progress_url(module))
    assert shown(response.context["rows"]) == stored != shown(live_rollup(module, org.county))


@pytest.mark.parametrize(
    "language, text",
    [("en", "Counted at {}, recounted every minute"), ("zh-hans", "统计于 {}，每分钟更新")],
)
def test_the_page_says_when_a_stored_rollup_was_counted(
    org, course, big_county, county_client, language, text
):
    module, _units, _people = course
    rollup_snapshots.recount()
    counted_at = RollupRow.objects.filter(node=org.county).first().counted_at
    response = county_client.get(progress_url(module), HTTP_ACCEPT_LANGUAGE=language)
    expected = text.format(timezone.localtime(counted_at).strftime("%H:%M:%S"))
    assert expected in response.content.decode()


def test_the_page_counts_live_until_the_first_recount(org, course, big_county, county_client):
    module, _units, _people = course
    response = county_client.get(progress_url(module), HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["counted_at"] is None
    assert shown(response.context["rows"]) == shown(live_rollup(module, org.county))
    assert "Counted at" not in response.content.decode()


def test_a_small_node_is_counted_live(org, course, big_county, county_client):
    module, units, people = course
    rollup_snapshots.recount()
    services.completion_record(cadre=people["none"], unit=units[0])
    response = county_client.get(progress_url(module), {"org": org.township_b.pk})
    assert response.context["counted_at"] is None
    assert shown(response.context["rows"]) == shown(live_rollup(module, org.township_b))


def test_an_assignments_page_counts_its_own_rollup_at_a_big_node(
    org, course, big_county, county_client, assign
):
    module, _units, _people = course
    assignment = assign(module, org.county, days=5)  # not overdue, unlike the city's
    rollup_snapshots.recount()
    response = county_client.get(reverse("training:assignment_progress", args=[assignment.pk]))
    assert response.context["counted_at"] is None
    assert response.context["node"] == org.county
    progress = ModuleProgress(module, [assignment])
    live = progress.rollup(org.county, progress.cadres(Cadre.objects.in_subtree(org.county)))
    assert shown(response.context["rows"]) == shown(live)
    assert shown(live) != shown(rollup_snapshots.stored_rollup(module, org.county)[0])


def test_the_cadre_list_of_a_big_node_waits_for_a_name(org, course, big_county, county_client):
    module, _units, _people = course
    rollup_snapshots.recount()
    response = county_client.get(progress_url(module), HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["list_withheld"]
    assert "cadres" not in response.context
    body = response.content.decode()
    assert "5 cadres here: too many to list on one page" in body
    assert "table=cadres" in body  # the exports stay


def test_a_name_lists_the_cadres_of_a_big_node(org, course, big_county, county_client):
    module, _units, _people = course
    rollup_snapshots.recount()
    response = county_client.get(progress_url(module), {"q": "完成"})
    assert [c.name for c in response.context["cadres"]] == ["完成一半", "全部完成"]


def test_a_trainer_sees_only_their_nodes_stored_rollup(org, course, big_county, county_client):
    module, _units, _people = course
    rollup_snapshots.recount()
    response = county_client.get(progress_url(module))
    assert {r["org_unit"].code for r in response.context["rows"]} == {"P-C-K", "P-C-K-A", "P-C-K-B"}
    for node in (org.city, org.province):
        assert county_client.get(progress_url(module), {"org": node.pk}).status_code == 404


def test_another_countys_trainer_cannot_see_a_big_nodes_rollup(
    org, course, big_county, client, make_trainer
):
    module, _units, _people = course
    rollup_snapshots.recount()
    client.force_login(make_trainer(org.other_county))
    assert client.get(progress_url(module), {"org": org.county.pk}).status_code == 404
