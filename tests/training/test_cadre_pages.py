import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from training import services
from training.models import Completion

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(org, make_cadre):
    return make_cadre(org.township_a, name="李干部", username="me")


@pytest.fixture
def my_client(client, me):
    client.force_login(me.user)
    return client


def test_signing_in_lands_a_cadre_on_my_study(client, me):
    response = client.post(
        reverse("login"), {"username": "me", "password": "a-long-test-password-2026"}
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).url == reverse("training:my_study")


def test_my_study_shows_modules_with_progress_due_and_next_unit(
    my_client, me, org, make_module, make_unit, assign
):
    units = [make_unit(title=f"单元{i}") for i in range(4)]
    module = make_module(units=units, title="民生保障模块")
    assign(module, org.county, days=-3)
    services.completion_record(cadre=me, unit=units[0])
    html = my_client.get(reverse("training:my_study"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "民生保障模块" in html
    assert '<progress max="4" value="1"' in html
    assert "1 of 4 units · 25%" in html
    assert "Overdue" in html
    assert units[1].get_absolute_url() in html


def test_my_study_lists_finished_modules_after(my_client, me, make_module, assign):
    module = make_module(n_units=1, title="已学完")
    assign(module, me)
    services.completion_record(cadre=me, unit=module.units.get())
    response = my_client.get(reverse("training:my_study"))
    assert [m.title for m in response.context["finished"]] == ["已学完"]
    assert response.context["current"] == []


def test_my_study_empty_state(my_client):
    html = my_client.get(reverse("training:my_study"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing is assigned to you right now." in html


def test_my_study_is_404_without_a_cadre_profile(cadre_client):
    assert cadre_client.get(reverse("training:my_study")).status_code == 404


def _my_study_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("training:my_study")).status_code == 200
    return len(ctx.captured_queries)


def test_my_study_query_count_is_constant(my_client, me, org, make_module, make_unit, assign):
    units = [make_unit() for _ in range(10)]
    for i in range(2):
        assign(make_module(units=units[i : i + 5]), me if i else org.county)
    my_client.get(reverse("training:my_study"))
    few = _my_study_queries(my_client)
    for i in range(18):
        assign(make_module(units=units[i % 5 : i % 5 + 5]), me if i % 2 else org.township_a)
    assert _my_study_queries(my_client) == few <= 10


def test_mark_complete_twice_leaves_one_record(my_client, me, make_module, assign):
    module = make_module(n_units=2)
    assign(module, me)
    unit = module.units.first()
    url = reverse("training:completion_mark", args=[unit.slug])
    first = my_client.post(url)
    second = my_client.post(url)
    assert first.status_code == second.status_code == 302
    assert first["Location"].endswith("#completion")
    assert Completion.objects.filter(cadre=me, unit=unit).count() == 1
    html = my_client.get(unit.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Completed on" in html
    assert "1 of 2 units · 50%" in html


def test_mark_complete_needs_post(my_client, make_unit):
    unit = make_unit()
    assert my_client.get(reverse("training:completion_mark", args=[unit.slug])).status_code == 405


def test_mark_complete_needs_csrf(client, me, make_unit):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(me.user)
    unit = make_unit()
    assert strict.post(reverse("training:completion_mark", args=[unit.slug])).status_code == 403
    assert not Completion.objects.exists()


def test_mark_complete_of_a_missing_or_draft_unit_is_404(my_client, make_unit):
    draft = make_unit(status="draft")
    assert my_client.post(reverse("training:completion_mark", args=["nope"])).status_code == 404
    assert my_client.post(reverse("training:completion_mark", args=[draft.slug])).status_code == 404
    assert not Completion.objects.exists()


def test_undo(my_client, me, make_unit):
    unit = make_unit()
    services.completion_record(cadre=me, unit=unit)
    response = my_client.post(reverse("training:completion_unmark", args=[unit.slug]))
    assert response.status_code == 302
    assert not Completion.objects.exists()
    html = my_client.get(unit.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Mark as complete" in html


def test_non_cadre_cannot_mark(cadre_client, make_unit):
    unit = make_unit()
    assert (
        cadre_client.post(reverse("training:completion_mark", args=[unit.slug])).status_code == 404
    )
    assert not Completion.objects.exists()


def test_unit_page_without_a_cadre_profile_has_no_button(editor_client, make_unit):
    html = editor_client.get(make_unit().get_absolute_url()).content.decode()
    assert "completion_mark" not in html and 'id="completion"' not in html


def test_my_record_lists_completions_and_hours(my_client, me, make_module, make_unit, assign):
    module = make_module(n_units=2, study_hours="1.5")
    assign(module, me)
    for unit in module.units.all():
        services.completion_record(cadre=me, unit=unit)
    other = make_unit(title="额外单元")
    services.completion_record(cadre=me, unit=other)
    response = my_client.get(reverse("training:my_record"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.context["hours"] == pytest.approx(1.5)
    assert response.context["year"] == timezone.localdate().year
    assert "额外单元" in html
    assert len(response.context["page"].object_list) == 3


def test_my_record_shows_only_my_completions(my_client, me, org, make_cadre, make_unit):
    other = make_cadre(org.township_a)
    services.completion_record(cadre=other, unit=make_unit(title="别人的单元"))
    html = my_client.get(reverse("training:my_record")).content.decode()
    assert "别人的单元" not in html


def test_my_record_is_in_the_navigation_of_every_page(my_client):
    for url in (reverse("expositions:home"), reverse("training:my_study")):
        html = my_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        nav = html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
        assert f'<a href="{reverse("training:my_record")}">My record</a>' in nav
    html = my_client.get(reverse("training:my_record"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<a href="{reverse("training:my_record")}" aria-current="page">My record</a>' in html
