"""portal/prepared.py: the hand-written queries behind every page, prepared once per
connection on PostgreSQL and sent as they are elsewhere."""

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from portal.prepared import _numbered, prepared

SQL = "SELECT username FROM auth_user WHERE id = %s AND username LIKE %s ORDER BY id"


def run(sql, params):
    with prepared(sql, params) as (text, args), connection.cursor() as cursor:
        cursor.execute(text, args)
        return cursor.fetchall()


def sent(sql, params):
    with CaptureQueriesContext(connection) as queries:
        rows = run(sql, params)
    assert len(queries) == 1, "the statement is prepared in the round trip that first uses it"
    return rows, queries[0]["sql"]


def test_placeholders_are_numbered_and_percent_signs_kept():
    assert _numbered("SELECT %s, %s WHERE a LIKE 'x%%'") == "SELECT $1, $2 WHERE a LIKE 'x%%'"


@pytest.mark.sqlite_only
@pytest.mark.django_db
def test_elsewhere_the_statement_is_sent_as_it_is():
    user = User.objects.create(username="wang")
    rows, sql = sent(SQL, [user.pk, "w%"])
    assert rows == [("wang",)]
    assert sql.startswith("SELECT username")


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_prepared_once_then_executed_by_name_with_the_same_answers():
    wang = User.objects.create(username="wang%li")
    User.objects.create(username="zhao")
    connection.close()  # a fresh connection has nothing prepared
    first, first_sql = sent(SQL, [wang.pk, "wang\\%%"])
    second, second_sql = sent(SQL, [wang.pk, "wang\\%%"])
    assert first_sql.startswith("PREPARE portal_") and "EXECUTE portal_" in first_sql
    assert second_sql.startswith("EXECUTE portal_")
    assert first == second == [("wang%li",)]
    with connection.cursor() as cursor:
        cursor.execute(SQL, [wang.pk, "wang\\%%"])
        assert cursor.fetchall() == first
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'portal_%%'")
        assert cursor.fetchone() == (1,)
    assert run(SQL, [wang.pk, "z%"]) == []


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again():
    user = User.objects.create(username="li")
    run(SQL, [user.pk, "l%"])
    connection.close()
    rows, sql = sent(SQL, [user.pk, "l%"])
    assert rows == [("li",)]
    assert sql.startswith("PREPARE portal_")


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_after_a_failure_the_next_call_prepares_under_a_fresh_name():
    user = User.objects.create(username="chen")
    bad = "SELECT username FROM auth_user WHERE id = %s AND 100 / (id - %s) <> 0"
    with pytest.raises(DatabaseError):
        run(bad, [user.pk, user.pk])  # 100 / 0, after the PREPARE took effect
    rows, sql = sent(bad, [user.pk, user.pk + 1])
    assert rows == [("chen",)]
    assert sql.startswith("PREPARE portal_") and sql.split()[1].endswith("_1")


@pytest.mark.postgresql_only
@pytest.mark.django_db
def test_prepared_statements_run_with_a_generic_plan():
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)
