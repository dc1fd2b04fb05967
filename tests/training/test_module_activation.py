"""A new module is saved as a draft; its page leads on to activating and then assigning
it (issue #31, item 8)."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse
from django.utils import timezone

from tests.portal.test_chinese_pages import english_words
from training import services
from training.models import Assignment, Module

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer(org, make_trainer):
    return make_trainer(org.county, username="county-trainer")


@pytest.fixture
def draft(make_module, trainer):
    return make_module(created_by=trainer, title="草稿模块", status=Module.Status.DRAFT)


def _activate(client, module):
    url = reverse("training:module_activate", args=[module.pk])
    return client.post(url, HTTP_ACCEPT_LANGUAGE="en")


def test_a_draft_s_page_offers_to_activate_it(client, trainer, draft):
    client.force_login(trainer)
    page = client.get(draft.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    action = reverse("training:module_activate", args=[draft.pk])
    assert f'<form method="post" action="{action}"' in page
    assert "草稿" in page and "启用" in page
    assert reverse("training:module_assign", args=[draft.pk]) not in page
    note = page[page.index('<div class="activation-note"') :]
    assert english_words(note[: note.index("</div>")]) == []


def test_activating_makes_the_module_assignable_and_is_audited(client, trainer, draft):
    client.force_login(trainer)
    response = _activate(client, draft)
    assert response.status_code == 302 and response.url == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.status == Module.Status.ACTIVE
    entry = LogEntry.objects.get(object_id=str(draft.pk), action_flag=CHANGE)
    assert entry.user == trainer
    page = client.get(draft.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("training:module_assign", args=[draft.pk]) in page
    assert "you can assign it now" in page


def test_activating_twice_changes_and_logs_nothing_more(trainer, draft):
    assert services.module_activate(module=draft, by=trainer) is True
    assert services.module_activate(module=draft, by=trainer) is False
    assert LogEntry.objects.filter(object_id=str(draft.pk)).count() == 1


def test_activating_is_a_post_and_a_refresh_goes_back_to_the_module(client, trainer, draft):
    client.force_login(trainer)
    response = client.get(reverse("training:module_activate", args=[draft.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("training:module_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == Module.Status.DRAFT


def test_only_who_may_edit_the_module_activates_it(client, org, make_trainer, draft):
    client.force_login(make_trainer(org.county, username="colleague"))
    assert _activate(client, draft).status_code == 404
    draft.refresh_from_db()
    assert draft.status == Module.Status.DRAFT


def test_the_assign_page_of_a_draft_explains_and_points_to_activation(client, trainer, draft):
    client.force_login(trainer)
    url = reverse("training:module_assign", args=[draft.pk])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    assert "草稿" in page
    assert f'action="{reverse("training:module_activate", args=[draft.pk])}"' in page
    assert 'name="due_on"' not in page  # no assigning form to fill in for nothing
    assert english_words(page) == []


def test_posting_an_assignment_of_a_draft_assigns_nothing(client, org, trainer, draft):
    client.force_login(trainer)
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        reverse("training:module_assign", args=[draft.pk]),
        {"org_unit": org.township_a.pk, "due_on": due, "confirm": "yes"},
    )
    assert response.status_code == 409
    assert not Assignment.objects.exists()


def test_a_draft_stays_a_404_to_who_may_not_see_it(client, org, make_trainer, draft):
    client.force_login(make_trainer(org.county, username="colleague"))
    assert client.get(reverse("training:module_assign", args=[draft.pk])).status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 404
