"""Every URL against every role: the status each gets, and that a refused POST
writes nothing. A URL pattern without a row here fails the test.

Roles: anonymous; a cadre; another cadre of the same township; a trainer of
another county; the trainer of this cadre's county; an editor (staff). The
admin's model URLs are checked from one table of what editors may do per model
(ADMIN): a model registered without a row there fails too.
"""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from api.models import ApiToken, TokenUse
from expositions.models import Exposition, Theme
from expositions.services import unit_save, unit_tags_set
from tests.expositions.test_self_check import QUESTIONS
from training import evidence, services
from training.hours import certificates
from training.jobs.models import Job
from training.models import (
    Assignment,
    Completion,
    Module,
    Reflection,
    Requirement,
    SelfCheckPass,
    TrainingClaim,
)
from training.reminders.models import Dismissal, Nudge
from training.reminders.unsubscribe import token_for

ROLES = ["anonymous", "cadre", "other_cadre", "other_trainer", "trainer", "editor"]
LOGIN = "login"  # a redirect to the portal's sign-in
ADMIN_LOGIN = "admin-login"  # a redirect to the admin's sign-in


def row(*statuses):
    return dict(zip(ROLES, statuses, strict=True))


SIGNED_IN = row(LOGIN, 200, 200, 200, 200, 200)
STAFF_ONLY = row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)


def staff(editor_status):
    return {**STAFF_ONLY, "editor": editor_status}


# URL name (or route, for unnamed patterns) -> (method, {role: expected status})
MATRIX = {
    # Reading: every signed-in person.
    "expositions:home": ("get", SIGNED_IN),
    "expositions:theme_detail": ("get", SIGNED_IN),
    "expositions:tag_index": ("get", SIGNED_IN),
    "expositions:tag_detail": ("get", SIGNED_IN),
    "expositions:unit_detail": ("get", SIGNED_IN),
    "expositions:search": ("get", SIGNED_IN),
    # Training: cadres see their own study, trainers their own tree.
    "training:start": ("get", row(LOGIN, 302, 302, 302, 302, 302)),
    "training:my_study": ("get", row(LOGIN, 200, 200, 404, 404, 404)),
    "training:my_record": ("get", row(LOGIN, 200, 200, 404, 404, 404)),
    "training:my_module": ("get", row(LOGIN, 200, 404, 404, 404, 404)),
    "training:completion_mark": ("post", row(LOGIN, 302, 302, 404, 404, 404)),
    # The cadre holds a certificate counting the completion: a page naming it, no write.
    "training:completion_unmark": ("post", row(LOGIN, 200, 302, 404, 404, 404)),
    # Evidence of study (#35): a cadre's own self-check (nothing answered: asked again,
    # nothing written) and reflection page; a reflection is its author's and their
    # trainers' only.
    "training:self_check": ("post", row(LOGIN, 200, 200, 404, 404, 404)),
    "training:reflection": ("get", row(LOGIN, 200, 200, 404, 404, 404)),
    "training:module_reflections": ("get", row(LOGIN, 404, 404, 200, 200, 404)),
    "training:reflections_export": ("get", row(LOGIN, 404, 404, 200, 200, 404)),
    "training:reflection_detail": ("get", row(LOGIN, 404, 404, 404, 200, 404)),
    "training:module_list": ("get", row(LOGIN, 404, 404, 200, 200, 404)),
    "training:module_create": ("get", row(LOGIN, 404, 404, 200, 200, 404)),
    "training:module_detail": ("get", row(LOGIN, 404, 404, 200, 200, 404)),
    "training:module_edit": ("get", row(LOGIN, 404, 404, 404, 200, 404)),
    "training:module_activate": ("post", row(LOGIN, 404, 404, 404, 302, 404)),
    "training:module_assign": ("post", row(LOGIN, 404, 404, 200, 302, 404)),
    "training:module_progress": ("get", row(LOGIN, 404, 404, 200, 200, 404)),
    # Who to remind: each trainer their own tree (the other trainer's is empty).
    "training:module_chase": ("get", row(LOGIN, 404, 404, 200, 200, 404)),
    "training:module_remind": ("post", row(LOGIN, 404, 404, 302, 302, 404)),  # "all"
    "training:chase_overview": ("get", row(LOGIN, 404, 404, 200, 200, 404)),
    # A notice of one's own (the key posted names none here: 404 for everyone).
    "training:notice_dismiss": ("post", row(LOGIN, 404, 404, 404, 404, 404)),
    # The signed link of a reminder mail: anyone holding it, signed in or not.
    "training:email_reminders": ("get", row(200, 200, 200, 200, 200, 200)),
    "training:module_progress_export": ("get", row(LOGIN, 404, 404, 200, 200, 404)),
    "training:assignment_progress": ("get", row(LOGIN, 404, 404, 404, 200, 404)),
    "training:assignment_progress_export": ("get", row(LOGIN, 404, 404, 404, 200, 404)),
    "training:cadre_record": ("get", row(LOGIN, 404, 404, 404, 200, 404)),
    "training:hours_overview": ("get", row(LOGIN, 404, 404, 200, 200, 404)),
    "training:claim_create": ("get", row(LOGIN, 200, 200, 404, 404, 404)),
    "training:claim_withdraw": ("post", row(LOGIN, 200, 404, 404, 404, 404)),  # asks first
    "training:claim_list": ("get", row(LOGIN, 404, 404, 200, 200, 404)),
    "training:claim_detail": ("get", row(LOGIN, 404, 404, 404, 200, 404)),
    "training:claim_file": ("get", row(LOGIN, 200, 404, 404, 200, 404)),
    "training:module_certificate": ("get", row(LOGIN, 302, 404, 404, 404, 404)),
    "training:annual_certificate": ("get", row(LOGIN, 302, 302, 404, 404, 404)),
    "training:certificate": ("get", row(LOGIN, 200, 404, 404, 404, 404)),
    "training:certificate_pdf": ("get", row(LOGIN, 200, 404, 404, 404, 404)),
    # Asks for a background job; nobody finished the module here: back, with a message.
    "training:module_certificates_zip": ("post", row(LOGIN, 404, 404, 302, 302, 404)),
    # Background jobs: the person who asked, and nobody else (the trainer asked here).
    "training:job_list": ("get", SIGNED_IN),  # each person's own
    "training:job_detail": ("get", row(LOGIN, 404, 404, 404, 200, 404)),
    "training:job_status": ("get", row(LOGIN, 404, 404, 404, 200, 404)),
    "training:job_file": ("get", row(LOGIN, 404, 404, 404, 200, 404)),
    "training:job_retry": ("post", row(LOGIN, 404, 404, 404, 302, 404)),
    # The public check of a certificate: anyone, by its code.
    "verify_lookup": ("get", row(200, 200, 200, 200, 200, 200)),
    "verify": ("get", row(200, 200, 200, 200, 200, 200)),
    "org:import_upload": ("post", row(LOGIN, 404, 404, 200, 200, 404)),
    "org:import_template": ("get", row(LOGIN, 404, 404, 200, 200, 200)),
    "org:cadre_search": ("get", row(LOGIN, 404, 404, 200, 200, 404)),
    "org:issue_passwords": ("post", row(LOGIN, 404, 404, 422, 422, 404)),  # nobody chosen
    "org:password_change": ("get", SIGNED_IN),
    # Accounts, language, health: the allow-list that answers anyone.
    "login": ("get", row(200, 302, 302, 302, 302, 302)),
    "logout": ("post", row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)),
    "set_language": ("post", row(302, 302, 302, 302, 302, 302)),
    "set_text_size": ("post", row(302, 302, 302, 302, 302, 302)),
    "healthz": ("get", row(200, 200, 200, 200, 200, 200)),
    "favicon.ico": ("get", row(301, 301, 301, 301, 301, 301)),
    # The admin's own pages: staff only.
    "admin:index": ("get", staff(200)),
    "admin:login": ("get", row(200, 200, 200, 200, 200, 302)),
    "admin:logout": ("post", row(302, 302, 302, 302, 302, LOGIN)),  # 302: to /admin/
    "admin:password_change": ("get", staff(200)),
    "admin:password_change_done": ("get", staff(200)),
    "admin:autocomplete": ("get", staff(403)),  # no field named: refused
    "admin:jsi18n": ("get", staff(200)),
    "admin:view_on_site": ("get", staff(302)),
    "admin:app_list": ("get", staff(200)),
    "admin/(?P<url>.*)$": ("get", staff(404)),
    "admin:expositions_studyunit_preview": ("post", staff(200)),
    "admin:expositions_studyunit_tag_suggestions": ("get", staff(200)),
    "admin:expositions_studyunit_simple_history": ("get", staff(200)),
    "admin/org/orgunit/move/": ("post", staff(400)),  # no node named: refused
    "admin/org/orgunit/children/<str:parent_id>/": ("get", staff(200)),
    # treebeard's translation catalogue: static text, like a file under /static/.
    "admin:javascript-catalog": ("get", row(200, 200, 200, 200, 200, 200)),
    # Accounts are the account managers' (tests/security/test_accounts_admin.py).
    "admin:auth_user_password_change": ("get", staff(403)),
    "admin:org_cadre_import": ("get", staff(200)),
    "admin:org_orgunit_import": ("get", staff(200)),
}

# What the editor gets on each registered model's admin pages:
# (changelist, add, change, delete, history); everyone else is sent to sign in.
ADMIN = {
    "admin.logentry": (200, 403, 200, 403, 200),  # the audit log: read only
    "auth.group": (403, 403, 403, 403, 403),
    "auth.user": (403, 403, 403, 403, 403),
    "expositions.tag": (200, 200, 200, 200, 200),
    "axes.accessattempt": (200, 403, 200, 200, 200),
    "axes.accesslog": (200, 403, 200, 403, 200),
    "axes.accessfailurelog": (200, 403, 200, 403, 200),
    "expositions.exposition": (200, 200, 200, 200, 200),
    "expositions.theme": (200, 200, 200, 200, 200),
    "expositions.studyunit": (200, 200, 200, 200, 200),
    "org.orgunit": (200, 200, 200, 200, 200),
    "org.cadre": (200, 200, 200, 200, 200),
    "training.module": (200, 200, 200, 200, 200),
    "training.assignment": (200, 200, 200, 200, 200),
    "training.completion": (200, 200, 200, 200, 200),
    "training.requirement": (200, 200, 200, 200, 200),
    # Decided by trainers, issued by the portal: read only here.
    "training.trainingclaim": (200, 403, 200, 403, 200),
    "training.certificate": (200, 403, 200, 403, 200),
    # Superusers only: who asked for which file, and the tasks' tracebacks.
    "jobs.job": (403, 403, 403, 403, 403),
    # The account managers' (tests/api/test_tokens.py): issued and revoked, never deleted.
    "api.apitoken": (403, 403, 403, 403, 403),
    "api.tokenuse": (403, 403, 403, 403, 403),
    "django_tasks_database.dbtaskresult": (403, 403, 403, 403, 403),
}
ADMIN_KINDS = ("changelist", "add", "change", "delete", "history")


def url_patterns(patterns=None, namespace="", prefix=""):
    """(key, route) of every URL pattern: key is the qualified name, or the route."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from url_patterns(p.url_patterns, ns, prefix + str(p.pattern))
        else:
            route = prefix + str(p.pattern)
            yield (namespace + p.name if p.name else route), route


MODEL_ADMIN = re.compile(r"^admin:(?P<app>[a-z_]+)_(?P<model>[a-z]+)_(?P<kind>[a-z]+)$")
MODEL_ROUTE = re.compile(r"^admin/(?P<app>[a-z_]+)/(?P<model>[a-z]+)/<path:object_id>/$")


def model_admin_url(key):
    """(model label, kind) for a standard model-admin URL, else None."""
    if m := MODEL_ADMIN.match(key):
        label = f"{m['app']}.{m['model']}"
        if label in ADMIN and m["kind"] in ADMIN_KINDS:
            return label, m["kind"]
    if m := MODEL_ROUTE.match(key):  # /<id>/ alone: a redirect to the change page
        return f"{m['app']}.{m['model']}", "redirect"
    return None


def is_api(key):
    """The API's URLs (api:…) answer tokens, not sessions: tests/api/test_scope.py is
    their matrix (every list and detail against four tokens' scopes)."""
    return key.startswith("api:")


def test_every_url_pattern_is_in_the_matrix():
    unlisted = [
        key
        for key, _ in url_patterns()
        if key not in MATRIX and model_admin_url(key) is None and not is_api(key)
    ]
    assert unlisted == []


def test_every_admin_model_is_in_the_table():
    assert {m._meta.label_lower for m in admin.site._registry} == set(ADMIN)


def test_every_matrix_row_is_a_url_pattern():
    keys = {key for key, _ in url_patterns()}
    assert set(MATRIX) - keys == set()


@pytest.fixture(scope="module")
def world_rows(module_db):
    """The world every role meets, made once for the module (each test rolls back its own
    writes): 919 tests used to build it 919 times."""
    from org.roles import ACCOUNT_MANAGER, EDITOR
    from tests.conftest import (
        cadre_maker,
        module_maker,
        new_exposition,
        new_theme,
        org_tree,
        trainer_maker,
        unit_maker,
        user_maker,
    )

    org = org_tree()
    make_user = user_maker()
    make_cadre, make_trainer = cadre_maker(make_user), trainer_maker(make_user)
    make_module = module_maker(unit_maker(new_exposition(), new_theme()))
    trainer = make_trainer(org.county, username="trainer")
    cadre = make_cadre(org.township_a, username="cadre")
    other_cadre = make_cadre(org.township_a, username="other_cadre")
    module = make_module(created_by=trainer)
    unit = module.units.first()
    unit_tags_set(unit=unit, tags=[*unit.tags.all(), "民政"])
    unit_save(unit=unit, questions=QUESTIONS)  # a self-check (the modules ask nothing)
    assignment, _ = services.assignment_create(
        module=module, org_unit=org.township_b, due_on=timezone.localdate(), by=trainer
    )
    completion, _ = services.completion_record(cadre=other_cadre, unit=module.units.last())
    # A module assigned to the cadre alone: their module page, nobody else's.
    own_module = make_module(created_by=trainer, units=[unit])
    services.assignment_create(
        module=own_module, cadre=cadre, due_on=timezone.localdate(), by=trainer
    )
    # The cadre finished it: a certificate of theirs, and a training claim with a file.
    services.completion_record(cadre=cadre, unit=unit)
    certificate = certificates.module_certificate(cadre, own_module)
    claim = TrainingClaim(
        course="培训班",
        organiser="省民政厅",
        kind="training",
        start_on=timezone.localdate() - timedelta(days=2),
        end_on=timezone.localdate() - timedelta(days=1),
        hours=8,
    )
    claim.attachment.save("notice.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    services.claim_submit(cadre=cadre, claim=claim)
    job = Job.objects.create(
        requested_by=trainer, kind="certificates", label="证书", state="done", total=1, done=1
    )
    job.file.save("certificates.zip", ContentFile(b"PK\x05\x06" + bytes(18)), save=False)
    job.expires_at = timezone.now() + timedelta(hours=1)
    job.file_name = "certificates.zip"
    job.save()
    reflection, _completed = evidence.reflection_submit(cadre=cadre, unit=unit, text="字" * 60)
    attempt = AccessAttempt.objects.create(
        username="someone",
        ip_address="10.0.0.1",
        failures_since_start=1,
        attempt_time=timezone.now(),
    )
    log = AccessLog.objects.create(
        username="cadre", ip_address="10.0.0.1", attempt_time=timezone.now()
    )
    failure = AccessFailureLog.objects.create(
        username="cadre", ip_address="10.0.0.1", attempt_time=timezone.now()
    )
    token = ApiToken(
        name="省系统",
        user=trainer,
        org_unit=org.county,
        expires_at=timezone.now() + timedelta(days=30),
    )
    token.issue()
    token.save()
    objects = {
        "api.apitoken": token,
        "api.tokenuse": TokenUse.objects.create(
            token=token, token_name=token.name, method="GET", path="/api/v1/cadres/", status=200
        ),
        "admin.logentry": LogEntry.objects.filter(
            object_id=str(assignment.pk), content_type=ContentType.objects.get_for_model(assignment)
        ).get(),
        "auth.group": Group.objects.get(name="cadre"),
        "auth.user": cadre.user,
        "expositions.tag": unit.tags.get(),
        "axes.accessattempt": attempt,
        "axes.accesslog": log,
        "axes.accessfailurelog": failure,
        "expositions.exposition": Exposition.objects.first(),
        "expositions.theme": Theme.objects.first(),
        "expositions.studyunit": unit,
        "org.orgunit": org.township_a,
        "org.cadre": cadre,
        "training.module": module,
        "training.assignment": assignment,
        "training.completion": completion,
        "training.requirement": Requirement.objects.first(),  # shipped by a migration
        "training.trainingclaim": claim,
        "training.certificate": certificate,
        "jobs.job": job,
        "django_tasks_database.dbtaskresult": DBTaskResult.objects.create(
            args_kwargs={"args": [job.pk], "kwargs": {}},
            task_path="training.jobs.tasks.run_job",
            backend_name="default",
            run_after=timezone.now(),
        ),
    }
    return {
        "users": {
            "cadre": cadre.user,
            "other_cadre": other_cadre.user,
            "other_trainer": make_trainer(org.other_county, username="other_trainer"),
            "trainer": trainer,
            "editor": make_user("editor", role=EDITOR, is_staff=True),
            # Only in the odd-input sweep: the accounts' admin pages are theirs.
            "accounts": make_user("accounts", role=ACCOUNT_MANAGER, is_staff=True),
        },
        "cadre": cadre,
        "module": module,
        "own_module": own_module,
        "assignment": assignment,
        "unit": unit,
        "org": org,
        "objects": objects,
        "claim": claim,
        "certificate": certificate,
        "job": job,
        "reflection": reflection,
    }


@pytest.fixture
def world(world_rows, db):
    return world_rows


def _url(key, world):
    unit, module = world["unit"], world["module"]
    args = {
        "expositions:theme_detail": [unit.theme.slug],
        "expositions:tag_detail": ["民政"],
        "expositions:unit_detail": [unit.slug],
        "training:completion_mark": [unit.slug],
        "training:completion_unmark": [unit.slug],
        "training:self_check": [unit.slug],
        "training:reflection": [unit.slug],
        "training:module_reflections": [module.pk],
        "training:reflections_export": [module.pk, "csv"],
        "training:reflection_detail": [world["reflection"].pk],
        "training:module_detail": [module.pk],
        "training:my_module": [world["own_module"].pk],
        "training:module_edit": [module.pk],
        "training:module_activate": [module.pk],
        "training:module_assign": [module.pk],
        "training:module_progress": [module.pk],
        "training:module_progress_export": [module.pk, "csv"],
        "training:assignment_progress": [world["assignment"].pk],
        "training:assignment_progress_export": [world["assignment"].pk, "xlsx"],
        "training:cadre_record": [world["cadre"].pk],
        "training:claim_detail": [world["claim"].pk],
        "training:claim_file": [world["claim"].pk],
        "training:claim_withdraw": [world["claim"].pk],
        "training:module_certificate": [world["own_module"].pk],
        "training:annual_certificate": [timezone.localdate().year],
        "training:certificate": [world["certificate"].code],
        "training:certificate_pdf": [world["certificate"].code],
        "training:module_certificates_zip": [module.pk],
        "training:module_chase": [module.pk],
        "training:module_remind": [module.pk],
        "training:email_reminders": [token_for(world["cadre"])],
        "verify": [world["certificate"].code],
        "training:job_detail": [world["job"].pk],
        "training:job_status": [world["job"].pk],
        "training:job_file": [world["job"].pk],
        "training:job_retry": [world["job"].pk],
        "admin:view_on_site": [ContentType.objects.get_for_model(unit).pk, unit.pk],
        "admin:app_list": ["training"],
        "admin:auth_user_password_change": [world["cadre"].user.pk],
        "org:import_template": ["cadres"],
        "admin:expositions_studyunit_simple_history": [
            unit.pk,
            unit.history.latest().history_id,
        ],
    }
    literal = {
        "favicon.ico": "/favicon.ico",
        "admin/(?P<url>.*)$": "/admin/no-such-page/",
        "admin/org/orgunit/move/": "/admin/org/orgunit/move/",
        "admin/org/orgunit/children/<str:parent_id>/": (
            f"/admin/org/orgunit/children/{world['org'].county.pk}/"
        ),
    }
    if key in literal:
        return literal[key]
    return reverse(key, args=args.get(key, []))


def _snapshot():
    return (
        Completion.objects.count(),
        Assignment.objects.count(),
        Module.objects.count(),
        Nudge.objects.count(),
        Dismissal.objects.count(),
        list(Reflection.objects.values_list("pk", "status", "text")),
        SelfCheckPass.objects.count(),
    )


def _check(response, want):
    if want == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif want == ADMIN_LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == want


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(MATRIX))
def test_role_gets_the_expected_status(client, world, key, role):
    method, expected = MATRIX[key]
    if role != "anonymous":
        client.force_login(world["users"][role])
    data = {}
    if key == "training:module_remind":
        data = {"all": "1"}
    if key == "training:notice_dismiss":
        data = {"key": "overdue:1:2026-12-01"}
    if key == "training:module_assign":
        data = {
            "org_unit": world["org"].township_a.pk,
            "confirm": "yes",
            "due_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        }
    before = _snapshot()
    response = getattr(client, method)(_url(key, world), data)
    _check(response, expected[role])
    if method == "post" and expected[role] != 302:
        assert _snapshot() == before  # a refused POST writes nothing


# What answers a stranger: signing in, the health check, static files (the favicon,
# the tree widget's translation catalogue), the language switch and the text size (a
# cookie of the reader's own, for the sign-in page too), the check of a certificate
# by its code (rate-limited; the holder's name partly masked), and the signed link of
# a reminder mail (it names one cadre and only turns their email reminders off or on).
ALLOW_LIST = {
    "verify_lookup",
    "verify",
    "set_text_size",
    "login",
    "admin:login",
    "healthz",
    "favicon.ico",
    "admin:javascript-catalog",
    "set_language",
    "training:email_reminders",
}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("key", sorted(set(MATRIX) - ALLOW_LIST))
def test_anonymous_requests_are_sent_to_sign_in_or_refused(client, world, key, method):
    """The route sweep: nothing outside the allow-list answers a stranger."""
    before = _snapshot()
    response = getattr(client, method)(_url(key, world))
    assert _snapshot() == before
    if response.status_code in (403, 405):
        return
    assert response.status_code == 302, response.status_code
    location = response["Location"]
    assert location.startswith((reverse("login"), reverse("admin:login"), reverse("admin:index")))


def test_the_allow_list_is_small_and_exists():
    assert set(MATRIX) >= ALLOW_LIST
    assert len(ALLOW_LIST) == 10


def _admin_cases():
    for label in sorted(ADMIN):
        for kind in (*ADMIN_KINDS, "redirect"):
            yield label, kind


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("label", "kind"), list(_admin_cases()))
def test_admin_model_pages(client, world, label, kind, role):
    obj = world["objects"][label]
    app, model = label.split(".")
    if kind == "redirect":
        url = reverse(f"admin:{app}_{model}_change", args=[obj.pk]).removesuffix("change/")
        editor = 302
    else:
        args = [] if kind in ("changelist", "add") else [obj.pk]
        url = reverse(f"admin:{app}_{model}_{kind}", args=args)
        editor = ADMIN[label][ADMIN_KINDS.index(kind)]
    if role != "anonymous":
        client.force_login(world["users"][role])
    _check(client.get(url), editor if role == "editor" else ADMIN_LOGIN)


@pytest.mark.parametrize("parent_id", ["x", "999999"])
def test_the_org_tree_children_view_answers_a_bad_id_with_404(client, world, parent_id):
    client.force_login(world["users"]["editor"])
    assert client.get(f"/admin/org/orgunit/children/{parent_id}/").status_code == 404


def test_a_post_carrying_another_cadres_id_is_ignored(client, world):
    """Completions are always the signed-in cadre's own, whatever the POST says."""
    client.force_login(world["users"]["other_cadre"])
    theirs = Completion.objects.filter(cadre=world["cadre"])
    before = list(theirs.values_list("pk", flat=True))
    client.post(
        _url("training:completion_mark", world),
        {"cadre": world["cadre"].pk, "cadre_id": world["cadre"].pk},
    )
    assert list(theirs.values_list("pk", flat=True)) == before
    assert Completion.objects.filter(cadre__user=world["users"]["other_cadre"]).count() == 2


# The odd-input sweep (issue #13): every GET URL of the matrix and every model admin
# page, with every query parameter the portal reads set at once to a value that once
# reached int() or the database as a 500. Each answer must be an ordinary one: a page,
# a redirect, 400 or 404.
ODD_VALUES = ["²", "٣", "\x00", "9" * 30, "-1"]  # odd digits, NUL, huge, negative
PARAMETERS = ["org", "module", "page", "table", "theme", "tag", "q", "status"]


@pytest.mark.parametrize("role", ["trainer", "cadre", "editor", "accounts"])
@pytest.mark.parametrize("value", ODD_VALUES)
def test_odd_parameters_never_give_a_server_error(client, world, role, value):
    client.force_login(world["users"][role])
    client.raise_request_exception = False
    for key in sorted(MATRIX):
        method, _expected = MATRIX[key]
        if method != "get" or key == "admin:view_on_site":
            continue
        response = client.get(_url(key, world), dict.fromkeys(PARAMETERS, value))
        assert response.status_code < 500, (key, value, response.status_code)
    # Every registered model's admin pages too, the accounts' included.
    for label in sorted(ADMIN):
        app, model = label.split(".")
        obj = world["objects"][label]
        for url in (
            reverse(f"admin:{app}_{model}_changelist"),
            reverse(f"admin:{app}_{model}_change", args=[obj.pk]),
            reverse(f"admin:{app}_{model}_history", args=[obj.pk]),
        ):
            response = client.get(url, dict.fromkeys([*PARAMETERS, "p", "o", "e"], value))
            assert response.status_code < 500, (url, value, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/tags/%00/",
        "/search/?theme=%00",
        "/search/?tag=%00",
        "/admin/expositions/studyunit/tag-suggestions/?q=%00",
        "/admin/org/orgunit/children/%C2%B2/",
        "/admin/org/orgunit/children/99999999999999999999999/",
        "/units/%00/",
    ],
)
def test_odd_paths_never_give_a_server_error(client, world, path):
    client.force_login(world["users"]["editor"])
    client.raise_request_exception = False
    assert client.get(path).status_code in (400, 404, 200)
