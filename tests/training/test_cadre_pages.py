from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from expositions.models import StudyUnit
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
    my_client.get(reverse("training:my_study"))  # the new count of notices kept once
    # The session; the user with their roles (org.backends); the modules, their stored
    # progress, their units (my_modules); the notices: the assignments, rejected claims,
    # returned reflections, dismissals (training.reminders).
    assert _my_study_queries(my_client) == few == 9


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
    my_client.get(reverse("training:completion_mark", args=[unit.slug]))
    assert not Completion.objects.exists()


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


@pytest.mark.parametrize("action", ["completion_mark", "completion_unmark"])
def test_a_refresh_of_mark_or_undo_goes_back_to_the_unit_and_changes_nothing(
    my_client, me, make_unit, action
):
    """GET (a refresh, or Back after the undo's confirmation page) is sent to the unit's
    page, not answered 405 with an empty body."""
    unit = make_unit()
    services.completion_record(cadre=me, unit=unit)
    response = my_client.get(reverse(f"training:{action}", args=[unit.slug]))
    assert response.status_code == 302
    assert response["Location"] == unit.get_absolute_url() + "#completion"
    assert Completion.objects.filter(cadre=me, unit=unit).exists()


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
    units = [make_unit(study_hours=Decimal("0.5")), make_unit(study_hours=Decimal("1"))]
    module = make_module(units=units)
    assign(module, me)
    for unit in units:
        services.completion_record(cadre=me, unit=unit)
    other = make_unit(title="额外单元", study_hours=Decimal("0.25"))
    services.completion_record(cadre=me, unit=other)
    response = my_client.get(reverse("training:my_record"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    # Every unit completed this year counts, in a module or not.
    assert response.context["this_year"]["total"] == Decimal("1.75")
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


# --- a module as a course -------------------------------------------------------------


@pytest.fixture
def course(me, org, make_module, make_unit, assign):
    """Four units in a module whose order is not their theme's: 3, 1, 0, 2."""
    units = [make_unit(title=f"课{i}") for i in range(4)]
    ordered = [units[3], units[1], units[0], units[2]]
    module = make_module(units=ordered, title="基层治理专题")
    assign(module, org.county, days=10)
    return module, ordered


def _zh(client, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_a_module_card_links_to_the_module_page(my_client, course):
    module, _units = course
    html = _zh(my_client, reverse("training:my_study")).content.decode()
    assert reverse("training:my_module", args=[module.pk]) in html


def test_the_module_page_lists_units_in_module_order_ticking_those_done(my_client, me, course):
    module, units = course
    services.completion_record(cadre=me, unit=units[1])
    response = _zh(my_client, reverse("training:my_module", args=[module.pk]))
    rows = response.context["units"]
    assert [mu.unit.title for mu in rows] == ["课3", "课1", "课0", "课2"]
    assert [mu.done for mu in rows] == [False, True, False, False]
    html = response.content.decode()
    assert html.count('class="course-unit is-done"') == 1
    assert '<progress max="4" value="1"' in html


def test_continue_opens_the_first_unfinished_unit_in_the_module(my_client, me, course):
    module, units = course
    services.completion_record(cadre=me, unit=units[0])
    response = _zh(my_client, reverse("training:my_module", args=[module.pk]))
    assert response.context["continue_unit"] == units[1]
    html = response.content.decode()
    assert f'href="{units[1].get_absolute_url()}?module={module.pk}">继续学习' in html


def test_a_finished_module_says_so_instead_of_continue(my_client, me, course):
    module, units = course
    for unit in units:
        services.completion_record(cadre=me, unit=unit)
    response = _zh(my_client, reverse("training:my_module", args=[module.pk]))
    assert response.context["continue_unit"] is None
    assert "您已学完本模块。" in response.content.decode()


def test_the_module_page_says_who_assigned_it_and_which_due_date_applies(
    my_client, me, org, course, make_trainer
):
    module, _units = course
    trainer = make_trainer(org.province, username="sheng")
    trainer.first_name = "王省"  # a Chinese full name is kept whole, as the demo does
    trainer.save()
    county = module.assignments.get()
    county.assigned_by = trainer
    county.save()
    mine = module.assignments.create(
        cadre=me, due_on=county.due_on - timezone.timedelta(days=4), assigned_by=trainer
    )
    html = _zh(my_client, reverse("training:my_module", args=[module.pk])).content.decode()
    due_county = county.due_on.isoformat()
    assert f"由王省布置给县，截止 {due_county}" in html
    assert f"由王省布置给您本人，截止 {mine.due_on.isoformat()}" in html
    assert f"以最早的截止日期为准：{mine.due_on.isoformat()}" in html


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_the_module_page_of_an_inactive_module_is_404(my_client, course, status):
    module, _units = course
    module.status = status
    module.save()
    assert my_client.get(reverse("training:my_module", args=[module.pk])).status_code == 404


def test_the_module_page_of_a_module_not_assigned_to_me_is_404(my_client, org, make_module, assign):
    elsewhere = make_module(n_units=2)
    assign(elsewhere, org.other_county)
    response = my_client.get(reverse("training:my_module", args=[elsewhere.pk]))
    assert response.status_code == 404


def test_the_module_page_asks_a_constant_number_of_queries(
    my_client, me, course, make_unit, django_assert_max_num_queries
):
    module, units = course
    for unit in units[:2]:
        services.completion_record(cadre=me, unit=unit)
    my_client.get(reverse("training:my_study"))  # a session's first page asks one more
    with django_assert_max_num_queries(10):
        assert my_client.get(reverse("training:my_module", args=[module.pk])).status_code == 200


def _pager(response):
    html = response.content.decode()
    return html[html.index('class="pager"') :]


def test_reached_from_a_module_previous_and_next_follow_the_module(my_client, course):
    module, units = course
    response = _zh(my_client, f"{units[1].get_absolute_url()}?module={module.pk}")
    pager = _pager(response)
    assert f'href="{units[0].get_absolute_url()}?module={module.pk}"' in pager
    assert f'href="{units[2].get_absolute_url()}?module={module.pk}"' in pager
    assert "第 2 / 4 个单元" in pager
    assert reverse("training:my_module", args=[module.pk]) in pager


def test_without_a_module_previous_and_next_follow_the_theme(my_client, course):
    _module, units = course
    pager = _pager(_zh(my_client, units[1].get_absolute_url()))
    # Theme order is creation order: 课0 课1 课2 课3.
    assert f'href="{units[2].get_absolute_url()}"' in pager  # 课0
    assert f'href="{units[3].get_absolute_url()}"' in pager  # 课2
    assert "?module=" not in pager


def test_a_module_that_does_not_reach_the_cadre_is_ignored_on_the_unit_page(
    my_client, org, course, make_module, assign
):
    _module, units = course
    elsewhere = make_module(units=[units[3], units[1]])
    assign(elsewhere, org.other_county)
    pager = _pager(_zh(my_client, f"{units[1].get_absolute_url()}?module={elsewhere.pk}"))
    assert "?module=" not in pager


@pytest.mark.parametrize("value", ["abc", "-1", "9" * 30, "0"])
def test_a_malformed_module_parameter_falls_back_to_the_theme(my_client, course, value):
    _module, units = course
    response = _zh(my_client, f"{units[1].get_absolute_url()}?module={value}")
    assert response.status_code == 200
    assert "?module=" not in _pager(response)


def test_marking_complete_from_a_module_returns_to_the_unit_in_that_module(my_client, course):
    module, units = course
    response = my_client.post(
        reverse("training:completion_mark", args=[units[1].slug]), {"module": str(module.pk)}
    )
    assert response.url == f"{units[1].get_absolute_url()}?module={module.pk}#completion"


def test_a_trainer_following_a_module_gets_its_order_and_its_trainer_page(
    client, org, course, make_trainer
):
    module, units = course
    client.force_login(make_trainer(org.county))
    pager = _pager(_zh(client, f"{units[1].get_absolute_url()}?module={module.pk}"))
    assert reverse("training:module_detail", args=[module.pk]) in pager
    assert f'href="{units[2].get_absolute_url()}?module={module.pk}"' in pager


def test_theme_pages_and_search_mark_the_units_i_have_done(my_client, me, course):
    _module, units = course
    services.completion_record(cadre=me, unit=units[2])
    theme = units[2].theme
    for url in (theme.get_absolute_url(), reverse("expositions:search") + "?q=课"):
        html = _zh(my_client, url).content.decode()
        assert html.count('class="done-mark"') == 1, url
        card = html[html.index("done-mark") - 400 : html.index("done-mark")]
        assert units[2].get_absolute_url() in card, url


def test_theme_page_query_count_does_not_grow_with_done_units(
    my_client, me, course, django_assert_max_num_queries
):
    _module, units = course
    for unit in units:
        services.completion_record(cadre=me, unit=unit)
    my_client.get(reverse("training:my_study"))  # a session's first page asks one more
    with django_assert_max_num_queries(10):
        my_client.get(units[0].theme.get_absolute_url())


def test_reached_from_a_module_the_pager_skips_units_readers_cannot_see(
    my_client, course, django_assert_max_num_queries
):
    module, units = course
    StudyUnit.objects.filter(pk=units[2].pk).update(status=StudyUnit.Status.DRAFT)
    StudyUnit.objects.filter(pk=units[0].pk).update(published_at=timezone.now() + timedelta(days=1))
    url = f"{units[1].get_absolute_url()}?module={module.pk}"
    _zh(my_client, url)
    # Hidden units cost no query of their own: my_modules reads every unit's state.
    with django_assert_max_num_queries(10):
        pager = _pager(_zh(my_client, url))
    assert "第 1 / 2 个单元" in pager
    assert 'rel="prev"' not in pager
    assert f'href="{units[3].get_absolute_url()}?module={module.pk}"' in pager


@pytest.mark.parametrize(
    ("language", "counting", "words"),
    [
        ("zh-hans", "units", "7 个单元中已完成 3 个 · 43%"),
        ("en", "units", "3 of 7 units · 43%"),
        ("zh-hans", "cadres", "7 名干部中 3 名 · 43%"),
        ("en", "cadres", "3 of 7 cadres · 43%"),
    ],
)
def test_a_progress_bar_says_its_figures_in_words_and_escapes_its_label(language, counting, words):
    from django.template import engines
    from django.utils.translation import override

    template = engines["django"].from_string(
        "{% load training_tags %}{% progress_bar 3 7 label counting %}"
    )
    with override(language):
        html = template.render({"label": '<b>"民政"</b>', "counting": counting})
    assert '<progress max="7" value="3" aria-label="&lt;b&gt;&quot;民政&quot;&lt;/b&gt;">' in html
    assert f'<span class="progress-text">{words}</span>' in html


def test_a_progress_bar_of_nothing_is_empty_not_an_error():
    from django.template import engines

    html = (
        engines["django"].from_string("{% load training_tags %}{% progress_bar 0 0 %}").render({})
    )
    assert '<progress max="1" value="0">0%</progress>' in html
