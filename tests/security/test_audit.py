"""The audit log: who assigned, changed or deleted what and when, visible to editors
in the admin, and not editable by anyone."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from training.models import Assignment, Module

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer(org, make_trainer):
    return make_trainer(org.county, username="trainer")


@pytest.fixture
def editor(make_user):
    from org.roles import EDITOR

    client = Client()
    client.force_login(make_user("editor", role=EDITOR, is_staff=True))
    return client


def entries(obj):
    return LogEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)


def test_an_assignment_made_in_the_portal_is_logged(client, org, trainer, make_module):
    module = make_module(created_by=trainer)
    client.force_login(trainer)
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    client.post(
        reverse("training:module_assign", args=[module.pk]),
        {"org_unit": org.township_a.pk, "due_on": due, "confirm": "yes"},
    )
    assignment = Assignment.objects.get()
    entry = entries(assignment).get()
    assert (entry.user, entry.action_flag) == (trainer, ADDITION)
    assert module.title in entry.object_repr


def test_repeating_an_assignment_logs_nothing_more(org, trainer, make_module):
    from training import services

    module = make_module(created_by=trainer)
    for _ in range(2):
        services.assignment_create(
            module=module, org_unit=org.township_a, due_on=timezone.localdate(), by=trainer
        )
    assert LogEntry.objects.filter(action_flag=ADDITION).count() == 1


def test_creating_and_editing_a_module_is_logged_with_the_fields_changed(
    client, trainer, make_unit
):
    units = [make_unit(), make_unit()]
    client.force_login(trainer)
    data = {
        "title": "低保政策",
        "description": "",
        "study_hours": "2",
        "status": "active",
        "units": [units[0].pk],
        f"position_{units[0].pk}": 1,
    }
    client.post(reverse("training:module_create"), data)
    module = Module.objects.get()
    data |= {
        "title": "低保政策（修订）",
        "units": [u.pk for u in units],
        f"position_{units[1].pk}": 2,
    }
    client.post(reverse("training:module_edit", args=[module.pk]), data)
    added, changed = entries(module).order_by("pk")
    assert (added.action_flag, changed.action_flag) == (ADDITION, CHANGE)
    assert added.user == changed.user == trainer
    message = changed.get_change_message()
    assert "title" in message.lower() or "标题" in message
    assert "study units" in message or "学习单元" in message


def test_a_change_and_a_deletion_in_the_admin_are_logged(editor, make_module, trainer):
    module = make_module(created_by=trainer, title="To delete")
    url = reverse("admin:training_module_delete", args=[module.pk])
    assert editor.post(url, {"post": "yes"}).status_code == 302
    entry = LogEntry.objects.get(action_flag=DELETION)
    assert entry.object_repr == "To delete"
    assert entry.user.username == "editor"


def test_editors_read_the_audit_log(editor, org, trainer, make_module):
    from training import services

    module = make_module(created_by=trainer, title="养老服务专题")
    services.assignment_create(
        module=module, org_unit=org.township_a, due_on=timezone.localdate(), by=trainer
    )
    page = editor.get(reverse("admin:admin_logentry_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "养老服务专题" in text and "trainer" in text


def test_nobody_edits_or_deletes_an_entry(editor, org, trainer, make_module):
    from training import services

    services.assignment_create(
        module=make_module(created_by=trainer),
        org_unit=org.township_a,
        due_on=timezone.localdate(),
        by=trainer,
    )
    entry = LogEntry.objects.get()
    delete = reverse("admin:admin_logentry_delete", args=[entry.pk])
    assert editor.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:admin_logentry_change", args=[entry.pk])
    editor.post(change, {"change_message": "nothing happened"})
    assert LogEntry.objects.get().change_message == entry.change_message


def test_cadres_and_trainers_do_not_see_the_audit_log(client, trainer):
    client.force_login(trainer)
    response = client.get(reverse("admin:admin_logentry_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
