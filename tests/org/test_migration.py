"""The org app took over OrgUnit and Cadre from training: a populated database
migrates forward with every row, link, permission and log entry in place."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from org.models import Cadre, OrgUnit
from training.models import Assignment, Completion, Progress

BEFORE = [("training", "0002_progress"), ("org", None), ("expositions", "0005_search_tags_sorted")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.long
@pytest.mark.django_db(transaction=True)
def test_a_populated_database_keeps_its_organisation(django_user_model):
    _migrate(BEFORE)
    executor = MigrationExecutor(connection)  # reads which migrations are applied now
    old = executor._create_project_state(with_applied_migrations=True).apps
    OldOrgUnit = old.get_model("training", "OrgUnit")
    OldCadre = old.get_model("training", "Cadre")
    User = old.get_model("auth", "User")
    OldContentType = old.get_model("contenttypes", "ContentType")
    trainer = User.objects.create(username="trainer")
    cadre_user = User.objects.create(username="cadre")
    root = OldOrgUnit.objects.create(path="0001", depth=1, numchild=1, code="P", name="省", level=1)
    town = OldOrgUnit.objects.create(
        path="00010001", depth=2, numchild=0, code="P-T", name="镇", level=4
    )
    root.trainers.add(trainer)
    cadre = OldCadre.objects.create(user=cadre_user, org_unit=town, name="王芳")
    exposition = old.get_model("expositions", "Exposition").objects.create(
        slug="e", title="E", author="A", source_text="x"
    )
    theme = old.get_model("expositions", "Theme").objects.create(
        slug="t", name_en="T", name_zh="主题"
    )
    unit = old.get_model("expositions", "StudyUnit").objects.create(
        exposition=exposition,
        theme=theme,
        title="U",
        slug="u",
        summary="s",
        body="b",
        source_passage="x",
        status="published",
    )
    module = old.get_model("training", "Module").objects.create(title="M")
    old.get_model("training", "ModuleUnit").objects.create(module=module, unit=unit, position=1)
    old.get_model("training", "Assignment").objects.create(
        module=module, org_unit=town, due_on="2026-12-31"
    )
    old.get_model("training", "Completion").objects.create(cadre=cadre, unit=unit, org_unit=town)
    old.get_model("training", "Progress").objects.create(module=module, cadre=cadre, done=1)
    # The test database has its content types (moved back by the reverse migration).
    cadre_type = OldContentType.objects.get_or_create(app_label="training", model="cadre")[0]
    permission = old.get_model("auth", "Permission").objects.get_or_create(
        content_type=cadre_type, codename="view_cadre", defaults={"name": "Can view cadre"}
    )[0]
    group = old.get_model("auth", "Group").objects.create(name="migration-test-group")
    group.permissions.add(permission)
    old.get_model("admin", "LogEntry").objects.create(
        user_id=trainer.pk,
        content_type=cadre_type,
        object_id=str(cadre.pk),
        object_repr="王芳",
        action_flag=ADDITION,
    )

    _migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    town = OrgUnit.objects.get(code="P-T")
    assert town.path.startswith(OrgUnit.objects.get(code="P").path)
    assert list(OrgUnit.objects.get(code="P").trainers.values_list("username", flat=True)) == [
        "trainer"
    ]
    cadre = Cadre.objects.get(user__username="cadre")
    assert (cadre.name, cadre.org_unit) == ("王芳", town)
    assert Completion.objects.get().cadre == cadre
    assert Assignment.objects.get().org_unit == town
    assert Progress.objects.get().cadre == cadre
    assert Permission.objects.get(codename="view_cadre").content_type.app_label == "org"
    assert Group.objects.get(name="migration-test-group").permissions.get().codename == "view_cadre"
    assert LogEntry.objects.get().get_edited_object() == cadre
    assert not ContentType.objects.filter(app_label="training", model="cadre").exists()
