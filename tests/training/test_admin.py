import pytest
from django.urls import reverse

from training import services
from training.models import Completion

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    ["org_orgunit", "org_cadre", "training_module", "training_assignment", "training_completion"],
)
def test_changelists_and_add_pages_load(editor_client, org, make_cadre, model):
    make_cadre(org.township_a, name="张三")
    assert editor_client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    assert editor_client.get(reverse(f"admin:{model}_add")).status_code == 200


def test_org_units_are_shown_as_a_tree(editor_client, org):
    html = editor_client.get(reverse("admin:org_orgunit_changelist")).content.decode()
    assert "省" in html
    assert 'id="tree-context"' in html and '"has-children": 1' in html


def test_cadre_search(editor_client, org, make_cadre):
    make_cadre(org.township_a, name="张三")
    make_cadre(org.township_a, name="李四")
    response = editor_client.get(reverse("admin:org_cadre_changelist"), {"q": "张"})
    assert [c.name for c in response.context["cl"].result_list] == ["张三"]


def test_undo_action_calls_the_service(editor_client, org, make_cadre, make_unit):
    cadre, unit = make_cadre(org.township_a), make_unit()
    completion, _ = services.completion_record(cadre=cadre, unit=unit)
    response = editor_client.post(
        reverse("admin:training_completion_changelist"),
        {"action": "undo_completions", "_selected_action": [completion.pk]},
    )
    assert response.status_code == 302
    assert not Completion.objects.exists()


def test_adding_a_completion_in_the_admin_is_idempotent(editor_client, org, make_cadre, make_unit):
    cadre, unit = make_cadre(org.township_a), make_unit()
    data = {
        "cadre": cadre.pk,
        "unit": unit.pk,
        "completed_at_0": "2026-11-01",
        "completed_at_1": "10:00:00",
    }
    url = reverse("admin:training_completion_add")
    assert editor_client.post(url, data).status_code == 302
    response = editor_client.post(url, data)
    assert response.status_code == 200  # the form says it exists already
    assert Completion.objects.count() == 1


def test_a_trainer_cannot_open_the_admin(client, org, make_trainer):
    client.force_login(make_trainer(org.county))
    response = client.get(reverse("admin:org_cadre_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
