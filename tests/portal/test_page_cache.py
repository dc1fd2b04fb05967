"""Whole pages cached per user (portal/page_cache.py): a repeat view costs what a trivial
signed-in view costs, and every change a page shows reaches it at once."""

import datetime
import io
import re
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.checks import run_checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from expositions.models import StudyUnit
from training import imports, services
from training.models import Completion
from training.roles import TRAINER

pytestmark = pytest.mark.django_db
MY_STUDY = reverse("training:my_study")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


@pytest.fixture
def me(org, make_cadre):
    return make_cadre(org.township_a, name="李干部", username="me")


@pytest.fixture
def my_client(me):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(me.user)
    return client


@pytest.fixture
def module(me, make_module, make_unit, assign):
    module = make_module(units=[make_unit(title=f"Unit {i}") for i in range(4)], title="民生")
    assign(module, me)
    return module


def queries(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def without_tokens(html):
    return TOKEN.sub("", html)


def test_a_repeat_view_is_served_from_the_cache_with_two_queries(my_client, module):
    url = module.units.first().get_absolute_url()
    first_count, first = queries(my_client, url)
    again_count, again = queries(my_client, url)
    assert first_count > 8
    assert again_count == 2  # the session and the user, as for any signed-in request
    assert without_tokens(again) == without_tokens(first)
    assert queries(my_client, MY_STUDY)[0] > 2
    assert queries(my_client, MY_STUDY)[0] == 2


def test_with_the_cache_off_every_view_renders(my_client, module, settings):
    settings.PAGE_CACHE = False
    url = module.units.first().get_absolute_url()
    queries(my_client, url)
    assert queries(my_client, url)[0] > 2


def test_a_cached_page_carries_a_working_csrf_token(me, module):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(me.user)
    unit = module.units.first()
    client.get(unit.get_absolute_url())
    html = client.get(unit.get_absolute_url()).content.decode()  # from the cache
    tokens = set(TOKEN.findall(html))
    assert len(tokens) == 1 and "csrf-" not in html
    response = client.post(
        reverse("training:completion_mark", args=[unit.slug]),
        {"csrfmiddlewaretoken": tokens.pop()},
    )
    assert response.status_code == 302
    assert Completion.objects.filter(cadre=me, unit=unit).exists()


def test_marking_complete_shows_at_once_on_both_pages(my_client, module):
    unit = module.units.first()
    assert "0 of 4 units" in queries(my_client, MY_STUDY)[1]
    assert "Mark as complete" in queries(my_client, unit.get_absolute_url())[1]
    my_client.post(reverse("training:completion_mark", args=[unit.slug]))
    assert "Marked as complete." in queries(my_client, unit.get_absolute_url())[1]
    assert "1 of 4 units" in queries(my_client, MY_STUDY)[1]
    html = queries(my_client, unit.get_absolute_url())[1]
    assert "Marked as complete." not in html and "Completed on" in html
    my_client.post(reverse("training:completion_unmark", args=[unit.slug]))
    assert "0 of 4 units" in queries(my_client, MY_STUDY)[1]


def test_a_completion_removed_elsewhere_shows(me, my_client, module):
    unit = module.units.first()
    services.completion_record(cadre=me, unit=unit)
    assert "1 of 4 units" in queries(my_client, MY_STUDY)[1]
    Completion.objects.get(cadre=me, unit=unit).delete()  # fetched afresh, as the admin does
    assert "0 of 4 units" in queries(my_client, MY_STUDY)[1]


def test_another_cadres_completion_keeps_my_pages_cached(org, make_cadre, my_client, module):
    other = make_cadre(org.township_a)
    queries(my_client, MY_STUDY)
    services.completion_record(cadre=other, unit=module.units.first())
    assert queries(my_client, MY_STUDY)[0] == 2


def test_each_cadre_gets_their_own_page(org, make_cadre, me, my_client, module, assign):
    other = make_cadre(org.township_a)
    assign(module, other)
    services.completion_record(cadre=other, unit=module.units.first())
    other_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    other_client.force_login(other.user)
    assert "1 of 4 units" in queries(other_client, MY_STUDY)[1]
    assert "0 of 4 units" in queries(my_client, MY_STUDY)[1]
    assert "1 of 4 units" in queries(other_client, MY_STUDY)[1]


def test_an_editors_change_to_a_unit_shows_at_once(my_client, module):
    unit = module.units.first()
    queries(my_client, unit.get_absolute_url())
    unit.title = "A new title"
    unit.save()
    assert "A new title" in queries(my_client, unit.get_absolute_url())[1]
    next_unit = module.units.all()[1]
    next_unit.title = "Renamed neighbour"
    next_unit.save()
    assert "Renamed neighbour" in queries(my_client, unit.get_absolute_url())[1]


def test_a_new_assignment_and_new_module_units_show_at_once(
    me, my_client, module, make_module, make_unit, assign
):
    assert "第二模块" not in queries(my_client, MY_STUDY)[1]
    second = make_module(n_units=2, title="第二模块")
    assign(second, me.org_unit)
    assert "第二模块" in queries(my_client, MY_STUDY)[1]
    assert '<progress max="4" value="0"' in queries(my_client, MY_STUDY)[1]
    services.module_set_units(module=module, units=[make_unit()])
    assert '<progress max="1" value="0"' in queries(my_client, MY_STUDY)[1]


def test_an_import_moving_the_cadre_shows_at_once(
    org, me, my_client, make_module, assign, editor_user
):
    module = make_module(n_units=2, title="甲镇的模块")
    assign(module, org.township_a)
    assert "甲镇的模块" in queries(my_client, MY_STUDY)[1]
    rows = "username,name,org_code\nme,李干部,P-C-K-B\n"
    upload = SimpleUploadedFile("cadres.csv", rows.encode(), "text/csv")
    result = imports.run(upload, imports.CADRES, user=editor_user)
    assert result.ok and result.updated == 1
    assert "甲镇的模块" not in queries(my_client, MY_STUDY)[1]


def test_becoming_a_trainer_shows_in_the_navigation(me, my_client, module):
    assert ">Modules<" not in queries(my_client, MY_STUDY)[1]
    me.user.groups.add(Group.objects.get(name=TRAINER))
    me.org_unit.trainers.add(me.user)
    assert ">Modules<" in queries(my_client, MY_STUDY)[1]


def test_signing_in_elsewhere_keeps_my_pages_cached(make_user, my_client, module):
    make_user("someone-else")
    queries(my_client, MY_STUDY)
    sign_in = {"username": "someone-else", "password": "a-long-test-password-2026"}
    assert Client().post(reverse("login"), sign_in).status_code == 302
    assert queries(my_client, MY_STUDY)[0] == 2  # last_login changed, nothing a page shows


def test_a_scheduled_unit_appears_at_its_publication_time(my_client, module, make_unit):
    later = timezone.now() + datetime.timedelta(hours=1)
    scheduled = make_unit(title="Scheduled unit", published_at=later)
    services.module_set_units(module=module, units=[*module.units.all(), scheduled])
    assert "0 of 4 units" in queries(my_client, MY_STUDY)[1]
    assert "0 of 4 units" in queries(my_client, MY_STUDY)[1]
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert "0 of 5 units" in queries(my_client, MY_STUDY)[1]


def test_a_due_date_passing_shows_overdue_the_next_day(me, module, settings):
    settings.SESSION_COOKIE_AGE = 30 * 24 * 3600  # the session must outlive the jump
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(me.user)
    assert "Overdue" not in queries(client, MY_STUDY)[1]
    in_ten_days = timezone.now() + datetime.timedelta(days=10)
    with mock.patch("django.utils.timezone.now", return_value=in_ten_days):
        assert "Overdue" in queries(client, MY_STUDY)[1]


def test_pages_are_cached_per_language(my_client, module):
    english = queries(my_client, MY_STUDY)[1]
    chinese = queries(my_client, MY_STUDY, HTTP_ACCEPT_LANGUAGE="zh-hans")[1]
    assert "My study" in english and "我的学习" in chinese
    assert queries(my_client, MY_STUDY)[0] == 2


def test_a_query_string_is_not_cached(my_client, module):
    url = module.units.first().get_absolute_url()
    assert 'value="民政"' in queries(my_client, url + "?q=民政")[1]
    assert 'value="民政"' not in queries(my_client, url)[1]
    assert queries(my_client, url + "?q=民政")[0] > 2


def test_rebuilding_progress_forgets_cached_pages(me, my_client, module):
    queries(my_client, MY_STUDY)
    Completion.objects.bulk_create([Completion(cadre=me, unit=module.units.first())])
    call_command("rebuild_progress", stdout=io.StringIO())
    assert "1 of 4 units" in queries(my_client, MY_STUDY)[1]


def test_a_missing_page_is_not_cached(my_client, make_unit):
    draft = make_unit(status=StudyUnit.Status.DRAFT)
    assert my_client.get(draft.get_absolute_url()).status_code == 404
    StudyUnit.objects.filter(pk=draft.pk).update(
        status=StudyUnit.Status.PUBLISHED, published_at=timezone.now()
    )
    assert my_client.get(draft.get_absolute_url()).status_code == 200


def test_the_cache_with_per_process_memory_in_production_is_a_warning(settings):
    settings.DEBUG = False
    settings.PAGE_CACHE = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert "portal.W001" in [m.id for m in run_checks()]
    settings.PAGE_CACHE = False
    assert "portal.W001" not in [m.id for m in run_checks()]


@pytest.mark.django_db(transaction=True)
def test_a_restore_forgets_cached_pages(me, my_client, module, tmp_path):
    path = tmp_path / "portal.backup"
    call_command("backup", str(path), stdout=io.StringIO())
    services.completion_record(cadre=me, unit=module.units.first())
    assert "1 of 4 units" in queries(my_client, MY_STUDY)[1]
    call_command("restore", str(path), "--yes", stdout=io.StringIO())
    assert "0 of 4 units" in queries(my_client, MY_STUDY)[1]
