"""axe-core on the pages people use: no serious or critical violation.

axe-core comes from the npm registry (package.json; `npm ci`, which .ci/run does)
and is injected into the page by the test: nothing is loaded from a CDN.
"""

from pathlib import Path

import pytest

from tests.browser.test_reading import TEXT, sign_in

pytestmark = [pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules/axe-core/axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def demo(demo):
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run `npm ci`")


def violations(page):
    # Evaluated through the DevTools protocol: a <script> tag would be refused by the
    # page's Content Security Policy (no inline script), as it should be.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def check(page, path):
    if path == "/no/such/page/":
        page.expect_error_status(path, 404)
    page.goto(page.base_url + path)
    found = violations(page)
    assert found == [], f"{path}: {found}"


def test_sign_in_page(visit, demo):
    check(visit, "/accounts/login/")


def test_cadre_pages(visit, language, demo):
    from django.utils import timezone

    from org.models import Cadre
    from training.hours import certificates

    cadre = Cadre.objects.get(user__username="cadre")
    certificate = certificates.annual_certificate(cadre, timezone.localdate().year)
    sign_in(visit, "cadre", "cadre-demo-2026", TEXT[language], landing="/training/my-study/")
    for path in [
        "/training/my-record/claims/new/",
        certificate.get_absolute_url(),
        certificate.get_verify_url(),
        "/verify/",
        "/training/my-study/",
        "/",
        "/themes/livelihood-guarantee/",
        "/units/do-our-best-and-do-what-we-can/",
        "/tags/",
        "/search/?q=民政",
        "/search/?q=不存在的词",
        "/training/my-record/",
        "/no/such/page/",
    ]:
        check(visit, path)


def test_trainer_pages(visit, language, demo):
    from django.contrib.auth import get_user_model

    from training.models import Module, TrainingClaim

    sign_in(visit, "trainer-county", "trainer-demo-2026", TEXT[language], landing="/training/")
    module = Module.objects.order_by("pk").first().pk
    # The builder with units chosen: a demo module made the county trainer's own.
    county = get_user_model().objects.get(username="trainer-county")
    Module.objects.filter(pk=module).update(created_by=county)
    own = module
    claim = TrainingClaim.objects.get(cadre__user__username="cadre").pk
    for path in [
        "/training/",
        f"/training/modules/{module}/",
        f"/training/modules/{module}/progress/",
        "/training/modules/new/",
        f"/training/modules/{module}/assign/",
        f"/training/modules/{own}/edit/",
        "/org/import/",
        "/org/passwords/",
        "/training/hours/",
        "/training/claims/",
        f"/training/claims/{claim}/",
        "/org/password/",
        "/training/jobs/",
        *[job.get_absolute_url() for job in _jobs(county)],
    ]:
        check(visit, path)


def _jobs(trainer):
    """The county trainer's background jobs: running, done with its file, failed."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from training.jobs.models import Job

    made = []
    for state in ("running", "done", "failed"):
        job = Job.objects.create(
            requested_by=trainer,
            kind="certificates",
            label="民生保障专题学习 — 小店区",
            state=state,
            done=3,
            total=7,
            error="failed" if state == "failed" else "",
            file_name="证书.zip" if state == "done" else "",
            expires_at=timezone.now() + timedelta(hours=1),
        )
        if state == "done":
            job.file.save("certificates.zip", ContentFile(b"PK"), save=True)
        made.append(job)
    return made


def test_axe_finds_a_planted_violation(visit, demo):
    """The harness itself works: an image without alt text is a critical violation."""
    visit.goto(visit.base_url + "/accounts/login/")
    visit.evaluate(
        "() => { const i = document.createElement('img'); i.src = '/static/favicon.svg';"
        " document.querySelector('main').appendChild(i); }"
    )
    assert any(v.startswith("image-alt") for v in violations(visit))


@pytest.mark.parametrize("status", [403, 500])
def test_error_pages(visit, language, demo, status):
    """The 403 and 500 pages as Django renders them, served at a path the browser opens."""
    from django.test import RequestFactory
    from django.utils import translation
    from django.views.csrf import csrf_failure
    from django.views.defaults import server_error

    request = RequestFactory().get("/")
    with translation.override(language):
        response = csrf_failure(request) if status == 403 else server_error(request)
    html = response.content.decode()
    path = f"/error-{status}/"
    visit.expect_error_status(path, status)
    visit.route(
        visit.base_url + path,
        lambda route: route.fulfill(status=status, body=html, content_type="text/html"),
    )
    check(visit, path)
    assert visit.locator("h1").is_visible()
