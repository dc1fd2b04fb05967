"""Read endpoints: every kind of record, cursor pages on (updated_at, id), and
?updated_since= for incremental pulls, deletions included."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.models import Deletion
from org.models import Cadre
from training import services
from training.hours import certificates
from training.hours.ledger import online_hours_by_year
from training.models import Completion, HoursYear, Module

RESOURCES = [
    "org-units",
    "cadres",
    "modules",
    "assignments",
    "completions",
    "hours",
    "certificates",
    "deletions",
]


@pytest.fixture
def studied(org, make_cadre, make_module, assign):
    """A cadre of township A who finished a module (a certificate), another who did one
    unit, an assignment to the township and one to the cadre."""
    cadre, other = make_cadre(org.township_a), make_cadre(org.township_a)
    module = make_module(status=Module.Status.ACTIVE)
    assign(module, org.township_a)
    assign(module, cadre)
    units = list(module.units.all())
    for unit in units:
        services.completion_record(cadre=cadre, unit=unit)
    services.completion_record(cadre=other, unit=units[0])
    certificate = certificates.module_certificate(cadre, module)
    return cadre, other, module, units, certificate


def pull(api, secret, resource, **params):
    """Every record of a list, following ``next``."""
    rows, url = [], f"/api/v1/{resource}/"
    while url:
        response = api.get(secret, url, params)
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        url, params = body["next"], None
    return rows


def test_every_list_and_detail_answers(studied, token_for, api, org):
    _token, secret = token_for(org.province)
    for resource in RESOURCES:
        rows = pull(api, secret, resource)
        if resource == "deletions":
            assert rows == []
            continue
        assert rows, resource
        detail = api.get(secret, f"/api/v1/{resource}/{rows[0]['id']}/")
        assert detail.status_code == 200 and detail.json() == rows[0]


def test_the_records_say_what_the_portal_says(studied, token_for, api, org):
    cadre, _other, module, units, certificate = studied
    _token, secret = token_for(org.county)
    [record] = [c for c in pull(api, secret, "cadres") if c["id"] == cadre.pk]
    assert record["username"] == cadre.user.username and record["org_code"] == org.township_a.code
    [unit_row] = [o for o in pull(api, secret, "org-units") if o["code"] == org.township_a.code]
    assert (unit_row["parent"], unit_row["parent_code"]) == (org.county.pk, org.county.code)
    [mod] = pull(api, secret, "modules")
    assert mod["units"] == [u.pk for u in units] and mod["title_zh"] == module.title
    [cert] = pull(api, secret, "certificates")
    assert (cert["code"], cert["status"]) == (certificate.code, "valid")
    assert cert["verify_url"].endswith(f"/verify/{certificate.code}/")
    completions = [c for c in pull(api, secret, "completions") if c["cadre"] == cadre.pk]
    assert sorted(c["unit"] for c in completions) == sorted(u.pk for u in units)


def test_hours_are_the_ledgers_numbers(studied, token_for, api, org):
    cadre, other, *_ = studied
    _token, secret = token_for(org.county)
    year = timezone.localdate().year
    rows = {(r["cadre"], r["year"]): r for r in pull(api, secret, "hours")}
    for who in (cadre, other):
        online = online_hours_by_year(who, year, year)[year]
        row = rows[who.pk, year]
        assert float(row["online"]) == float(online) and float(row["total"]) == float(online)


def test_pages_follow_the_cursor_without_gaps_or_repeats(org, make_cadre, token_for, api):
    made = {make_cadre(org.township_a).pk for _ in range(7)}
    _token, secret = token_for(org.county)
    seen = [c["id"] for c in pull(api, secret, "cadres", page_size=2)]
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    first = api.get(secret, "/api/v1/cadres/", {"page_size": 3}).json()
    assert len(first["results"]) == 3 and "cursor=" in first["next"]


def test_cadres_written_in_one_moment_page_by_id(org, make_cadre, token_for, api):
    """Rows sharing one updated_at (a bulk write) are paged by id, none lost."""
    made = [make_cadre(org.township_a).pk for _ in range(5)]
    Cadre.objects.update(updated_at=timezone.now())
    _token, secret = token_for(org.county)
    assert [c["id"] for c in pull(api, secret, "cadres", page_size=2)] == sorted(made)


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": "0"},
        {"page_size": "1001"},
        {"page_size": "x"},
        {"cursor": "not-a-cursor"},
        {"cursor": "WzEsMl0"},
        {"updated_since": "2026-12-01"},
        {"updated_since": "yesterday"},
        {"updated_since": "2026-12-01T10:00:00"},  # no time zone
    ],
)
def test_bad_paging_parameters_get_400_problems(org, token_for, api, params):
    _token, secret = token_for(org.county)
    response = api.get(secret, "/api/v1/cadres/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["errors"][0]["field"] in params


def _queries(context):
    """The queries of a request, the rate limit's in the shared cache aside."""
    return [
        q["sql"]
        for q in context.captured_queries
        if "api_shared_cache" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]


def test_a_page_costs_the_same_queries_however_many_rows(studied, token_for, api, org):
    """The token, the page (and a module's units), the log of the use."""
    _token, secret = token_for(org.province)
    for resource in RESOURCES:
        with CaptureQueriesContext(connection) as small:
            api.get(secret, f"/api/v1/{resource}/", {"page_size": 1})
        with CaptureQueriesContext(connection) as large:
            api.get(secret, f"/api/v1/{resource}/", {"page_size": 1000})
        assert len(_queries(large)) == len(_queries(small)) <= 4, resource


def test_updated_since_returns_what_changed_deletions_included(studied, token_for, api, org):
    cadre, other, module, units, certificate = studied
    _token, secret = token_for(org.county)
    since = timezone.now()
    for resource in RESOURCES:
        assert pull(api, secret, resource, updated_since=since.isoformat()) == []
    # An undone completion (and the certificate it revokes), a new completion.
    services.completion_undo(cadre=cadre, unit=units[0])
    new, _ = services.completion_record(cadre=other, unit=units[1])
    changed = {r: pull(api, secret, r, updated_since=since.isoformat()) for r in RESOURCES}
    assert [c["id"] for c in changed["completions"]] == [new.pk]
    assert [(c["code"], c["status"]) for c in changed["certificates"]] == [
        (certificate.code, "revoked")
    ]
    assert {(h["cadre"], h["year"]) for h in changed["hours"]} == {
        (cadre.pk, timezone.localdate().year),
        (other.pk, timezone.localdate().year),
    }
    [deletion] = changed["deletions"]
    assert deletion["resource"] == "completions"
    assert deletion["object_id"] not in [c["id"] for c in pull(api, secret, "completions")]
    assert changed["cadres"] == changed["org-units"] == changed["modules"] == []


def test_the_time_may_be_written_with_a_space_for_the_plus(org, make_cadre, token_for, api):
    make_cadre(org.township_a)
    _token, secret = token_for(org.county)
    moment = (timezone.localtime() - timedelta(hours=1)).isoformat()  # …+08:00
    url = f"/api/v1/cadres/?updated_since={moment.replace('+', ' ')}"
    response = api.get(secret, url)
    assert response.status_code == 200 and len(response.json()["results"]) == 1


def test_deleting_a_cadre_leaves_tombstones_for_them_and_their_records(
    studied, token_for, api, org
):
    cadre, *_ = studied
    _token, secret = token_for(org.county)
    since = timezone.now()
    completions = set(cadre.completions.values_list("pk", flat=True))
    cadre.user.delete()
    gone = pull(api, secret, "deletions", updated_since=since.isoformat())
    kinds = {d["resource"] for d in gone}
    assert {"cadres", "completions", "hours", "certificates", "assignments"} <= kinds
    assert {d["object_id"] for d in gone if d["resource"] == "completions"} == completions
    assert not HoursYear.objects.filter(cadre_id=cadre.pk).exists()


def test_writes_around_save_touch_updated_at(studied, org):
    cadre, _other, module, units, _certificate = studied
    year = timezone.localdate().year
    before = HoursYear.objects.get(cadre=cadre, year=year).updated_at
    services.completion_undo(cadre=cadre, unit=units[0])  # _hours_taken
    after_undo = HoursYear.objects.get(cadre=cadre, year=year).updated_at
    services.completion_record(cadre=cadre, unit=units[0])  # HOURS_ADD
    after_add = HoursYear.objects.get(cadre=cadre, year=year).updated_at
    assert before < after_undo < after_add
    moved_before = Cadre.objects.get(pk=cadre.pk).updated_at
    services.cadre_move(cadre=cadre, org_unit=org.township_b)
    assert Cadre.objects.get(pk=cadre.pk).updated_at > moved_before
    assert Deletion.objects.filter(resource="completions").count() == 1


def test_a_subtree_moved_in_the_admin_reaches_its_new_scopes_pull(
    org, make_cadre, token_for, api, editor_client
):
    """treebeard moves with update(): the moved org unit and its cadres are marked
    changed, so that the other county's incremental pull brings them."""
    cadre = make_cadre(org.township_b)
    _token, secret = token_for(org.other_county)
    since = timezone.now().isoformat()
    response = editor_client.post(
        "/admin/org/orgunit/move/",
        {"node": org.township_b.pk, "target": org.other_county.pk, "relation": "child"},
    )
    assert response.status_code == 200
    assert [o["id"] for o in pull(api, secret, "org-units", updated_since=since)] == [
        org.township_b.pk
    ]
    assert [c["id"] for c in pull(api, secret, "cadres", updated_since=since)] == [cadre.pk]


def test_completions_of_one_moment_page_by_id_within_the_scope(
    org, make_cadre, make_module, token_for, api
):
    """A page's keys are found first, then its rows: the same rows, in order, none from
    outside the token's subtree, however the cadres inside and outside interleave."""
    module = make_module(status=Module.Status.ACTIVE)
    inside = [make_cadre(org.township_a), make_cadre(org.township_b)]
    outside = make_cadre(org.other_county)
    for unit in module.units.all():
        for cadre in (inside[0], outside, inside[1]):
            services.completion_record(cadre=cadre, unit=unit)
    Completion.objects.update(updated_at=timezone.now())
    _token, secret = token_for(org.county)
    rows = pull(api, secret, "completions", page_size=2)
    expected = Completion.objects.filter(cadre__in=inside).order_by("pk")
    assert [r["id"] for r in rows] == [c.pk for c in expected]
    assert {r["unit_slug"] for r in rows} == {u.slug for u in module.units.all()}


def test_a_page_of_completions_finds_its_keys_without_a_join(studied, token_for, api, org):
    """The walk over (updated_at, id) reads the completions alone (on PostgreSQL their
    index, which carries the cadre); the unit's slug is joined for the page's rows."""
    _token, secret = token_for(org.county)
    with CaptureQueriesContext(connection) as context:
        api.get(secret, "/api/v1/completions/", {"page_size": 2})
    [sql] = [q for q in _queries(context) if "unit_slug" in q]
    rows, keys = sql.split(' IN (SELECT V0."id"', 1)
    assert "expositions_studyunit" in rows and "expositions_studyunit" not in keys


@pytest.mark.postgresql_only
def test_the_completions_index_of_updated_at_carries_the_cadre(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'completion_updated'")
        [(definition,)] = cursor.fetchall()
    assert definition.endswith("(updated_at, id) INCLUDE (cadre_id)")


def test_a_window_of_completions_may_hold_none_of_the_token_s_and_the_pull_goes_on(
    org, make_cadre, make_module, token_for, api, monkeypatch
):
    """Where the token's completions are sparse a page looks at one window of the whole
    table: it may hold fewer rows than asked, even none, and ``next`` goes on from the
    window's end; following it returns each of the token's completions once, in order."""
    from api.pagination import UpdatedCursorPagination

    monkeypatch.setattr(UpdatedCursorPagination, "WINDOW_PAGES", 1)
    module = make_module(status=Module.Status.ACTIVE)
    inside, outside = make_cadre(org.township_a), make_cadre(org.other_county)
    for unit in module.units.all():
        for cadre in (outside, inside):
            services.completion_record(cadre=cadre, unit=unit)
    _token, secret = token_for(org.county)
    url, params, pages = "/api/v1/completions/", {"page_size": 1}, []
    while url:
        body = api.get(secret, url, params).json()
        pages.append([r["id"] for r in body["results"]])
        url, params = body["next"], None
    expected = [c.pk for c in Completion.objects.filter(cadre=inside).order_by("updated_at", "pk")]
    assert [pk for page in pages for pk in page] == expected
    assert [] in pages  # a window of another county's completion alone
    assert len(pages) == Completion.objects.count() + 1  # one window each, then the end
