"""Every training URL against every role: the status each gets, and that a refused
POST writes nothing. A new training URL without a row here fails."""

from datetime import timedelta

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from training import services
from training.models import Assignment, Completion, Module

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "cadre", "other_cadre", "other_trainer", "trainer", "editor"]
LOGIN = "login"

# url name -> (method, {role: expected status}); LOGIN means a redirect to sign-in.
MATRIX = {
    "start": ("get", dict(zip(ROLES, [LOGIN, 302, 302, 302, 302, 302], strict=True))),
    "my_study": ("get", dict(zip(ROLES, [LOGIN, 200, 200, 404, 404, 404], strict=True))),
    "my_record": ("get", dict(zip(ROLES, [LOGIN, 200, 200, 404, 404, 404], strict=True))),
    "completion_mark": ("post", dict(zip(ROLES, [LOGIN, 302, 302, 404, 404, 404], strict=True))),
    "completion_unmark": ("post", dict(zip(ROLES, [LOGIN, 302, 302, 404, 404, 404], strict=True))),
    "module_list": ("get", dict(zip(ROLES, [LOGIN, 404, 404, 200, 200, 404], strict=True))),
    "module_create": ("get", dict(zip(ROLES, [LOGIN, 404, 404, 200, 200, 404], strict=True))),
    "module_detail": ("get", dict(zip(ROLES, [LOGIN, 404, 404, 200, 200, 404], strict=True))),
    "module_edit": ("get", dict(zip(ROLES, [LOGIN, 404, 404, 404, 200, 404], strict=True))),
    "module_assign": ("post", dict(zip(ROLES, [LOGIN, 404, 404, 200, 302, 404], strict=True))),
    "module_progress": ("get", dict(zip(ROLES, [LOGIN, 404, 404, 200, 200, 404], strict=True))),
    "module_progress_export": (
        "get",
        dict(zip(ROLES, [LOGIN, 404, 404, 200, 200, 404], strict=True)),
    ),
    "assignment_progress": ("get", dict(zip(ROLES, [LOGIN, 404, 404, 404, 200, 404], strict=True))),
    "assignment_progress_export": (
        "get",
        dict(zip(ROLES, [LOGIN, 404, 404, 404, 200, 404], strict=True)),
    ),
    "cadre_record": ("get", dict(zip(ROLES, [LOGIN, 404, 404, 404, 200, 404], strict=True))),
}


def test_every_training_url_is_in_the_matrix():
    names = {
        p.name
        for p in get_resolver().url_patterns
        if getattr(p, "namespace", "") == "training"
        for p in p.url_patterns
    }
    assert names == set(MATRIX)


@pytest.fixture
def world(org, make_cadre, make_trainer, make_module, make_user):
    from training.roles import EDITOR

    trainer = make_trainer(org.county, username="trainer")
    cadre = make_cadre(org.township_a, username="cadre")
    other_cadre = make_cadre(org.township_a, username="other_cadre")
    module = make_module(created_by=trainer)
    assignment, _ = services.assignment_create(
        module=module, org_unit=org.township_b, due_on=timezone.localdate(), by=trainer
    )
    return {
        "users": {
            "cadre": cadre.user,
            "other_cadre": other_cadre.user,
            "other_trainer": make_trainer(org.other_county, username="other_trainer"),
            "trainer": trainer,
            "editor": make_user("editor", role=EDITOR, is_staff=True),
        },
        "cadre": cadre,
        "module": module,
        "assignment": assignment,
        "unit": module.units.first(),
        "org": org,
    }


def _url(name, world):
    args = {
        "completion_mark": [world["unit"].slug],
        "completion_unmark": [world["unit"].slug],
        "module_detail": [world["module"].pk],
        "module_edit": [world["module"].pk],
        "module_assign": [world["module"].pk],
        "module_progress": [world["module"].pk],
        "module_progress_export": [world["module"].pk, "csv"],
        "assignment_progress": [world["assignment"].pk],
        "assignment_progress_export": [world["assignment"].pk, "xlsx"],
        "cadre_record": [world["cadre"].pk],
    }.get(name, [])
    return reverse(f"training:{name}", args=args)


def _snapshot():
    return (Completion.objects.count(), Assignment.objects.count(), Module.objects.count())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_gets_the_expected_status(client, world, name, role):
    method, expected = MATRIX[name]
    if role != "anonymous":
        client.force_login(world["users"][role])
    data = {}
    if name == "module_assign":
        data = {
            "org_unit": world["org"].township_a.pk,
            "confirm": "yes",
            "due_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        }
    before = _snapshot()
    response = getattr(client, method)(_url(name, world), data)
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == want
    if method == "post" and want not in (302,):
        assert _snapshot() == before  # a refused POST writes nothing


def test_a_post_carrying_another_cadres_id_is_ignored(client, world):
    """Completions are always the signed-in cadre's own, whatever the POST says."""
    client.force_login(world["users"]["other_cadre"])
    client.post(
        _url("completion_mark", world), {"cadre": world["cadre"].pk, "cadre_id": world["cadre"].pk}
    )
    assert not Completion.objects.filter(cadre=world["cadre"]).exists()
    assert Completion.objects.filter(cadre__user=world["users"]["other_cadre"]).count() == 1
