"""Certificates anyone can verify (issue #17): issuing, codes, the PDF, the public
page and revocation (the trainer's zip: tests/training/test_jobs.py)."""

import contextlib
import os
import re
import subprocess
import sys
import zlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from expositions.services import unit_save
from tests.conftest import new_claim
from tests.servers import ROOT
from training import progress_store, progress_verify, services
from training.hours import certificates
from training.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def cadre(org, make_cadre):
    return make_cadre(org.township_a, name="欧阳娜娜")


@pytest.fixture
def finished(cadre, make_unit, make_module, assign):
    """A module of two units (1 and 0.5 学时) the cadre has finished."""
    units = [make_unit(study_hours=Decimal("1")), make_unit(study_hours=Decimal("0.5"))]
    module = make_module(units=units, title="社会救助专题")
    assign(module, cadre)
    for unit in units:
        services.completion_record(cadre=cadre, unit=unit)
    return module


def inflated(pdf):
    """The PDF with every compressed stream (objects, fonts) inflated, to search in.

    A decompressobj, not zlib.decompress: when a stream's last byte (of its checksum) is
    a carriage return, the pattern leaves it out with the line end, and zlib.decompress
    would then refuse the whole stream (about one PDF in 256 lost its fonts' names so)."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompressobj().decompress(stream))
    return b"\n".join(parts)


def issue(client, cadre, module):
    client.force_login(cadre.user)
    response = client.get(reverse("training:module_certificate", args=[module.pk]))
    assert response.status_code == 302
    return Certificate.objects.get(code=response.url.rstrip("/").split("/")[-1])


# --- codes and names -------------------------------------------------------------


def test_a_code_holds_eighty_random_bits():
    codes = {certificates.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(re.fullmatch(r"[A-Z2-7]{16}", code) for code in codes)  # 16 x 5 bits


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧**娜"),
        ("李小明", "李*明"),
        ("Li Wei", "L****i"),
        ("王", "*"),
    ],
)
def test_the_public_page_masks_the_name(name, masked):
    assert certificates.mask_name(name) == masked


def test_a_typed_code_is_read_whatever_its_case_and_dashes():
    assert certificates.normalise_code(" abcd-efgh ijkl-mnop ") == "ABCDEFGHIJKLMNOP"


# --- issuing -----------------------------------------------------------------------


def test_a_finished_module_gives_a_certificate_once(client, cadre, finished):
    first = issue(client, cadre, finished)
    again = issue(client, cadre, finished)
    assert first == again
    assert (first.kind, first.hours, first.holder) == ("module", Decimal("1.5"), "欧阳娜娜")
    assert first.subject_zh == "社会救助专题"
    assert first.org_unit_name == cadre.org_unit.name


def test_an_unfinished_module_gives_none(client, cadre, make_unit, make_module, assign):
    module = make_module(units=[make_unit(), make_unit()])
    assign(module, cadre)
    services.completion_record(cadre=cadre, unit=module.units.first())
    client.force_login(cadre.user)
    url = reverse("training:module_certificate", args=[module.pk])
    assert client.get(url).status_code == 404
    assert not Certificate.objects.exists()


def test_the_print_page_shows_the_qr_code_and_the_full_address(client, cadre, finished):
    certificate = issue(client, cadre, finished)
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert "<svg" in page
    assert f"http://testserver/verify/{certificate.code}/" in page
    assert certificate.formatted_code in page
    assert "欧阳娜娜" in page and "社会救助专题" in page


def test_the_pdf_is_one_a4_page_with_a_cjk_font(client, cadre, finished):
    certificate = issue(client, cadre, finished)
    response = client.get(reverse("training:certificate_pdf", args=[certificate.code]))
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    pdf = inflated(response.content)
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 1
    assert b"Portal-Certificate-Sans" in pdf  # the portal's own CJK font, embedded
    assert re.search(rb"/MediaBox\s*\[\s*0 0 595\.\d+ 841\.\d+", pdf)  # A4 in points


def test_someone_elses_certificate_is_a_404(client, org, cadre, finished, make_cadre):
    certificate = issue(client, cadre, finished)
    client.force_login(make_cadre(org.township_a).user)
    assert client.get(certificate.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("training:certificate_pdf", args=[certificate.code])).status_code == 404
    )


def test_an_annual_certificate_states_the_years_hours(client, cadre, finished, make_trainer, org):
    new_claim(cadre, status="approved")
    year = timezone.localdate().year
    client.force_login(cadre.user)
    response = client.get(reverse("training:annual_certificate", args=[year]))
    certificate = Certificate.objects.get()
    assert response.url == certificate.get_absolute_url()
    assert (certificate.kind, certificate.year, certificate.hours) == (
        "annual",
        year,
        Decimal("9.5"),
    )


def test_an_annual_certificate_is_reissued_when_the_hours_grew(client, cadre, finished, make_unit):
    year = timezone.localdate().year
    client.force_login(cadre.user)
    client.get(reverse("training:annual_certificate", args=[year]))
    services.completion_record(cadre=cadre, unit=make_unit(study_hours=Decimal("2")))
    client.get(reverse("training:annual_certificate", args=[year]))
    hours = sorted(c.hours for c in Certificate.objects.valid())
    assert hours == [Decimal("1.5"), Decimal("3.5")]  # the earlier one stays true as of its day


def test_a_year_without_hours_gives_no_certificate(client, cadre):
    client.force_login(cadre.user)
    year = timezone.localdate().year
    assert client.get(reverse("training:annual_certificate", args=[year])).status_code == 404
    assert client.get(reverse("training:annual_certificate", args=[year + 1])).status_code == 404
    for odd in (0, 1, 1999, 99999):
        url = reverse("training:annual_certificate", args=[odd])
        assert client.get(url).status_code == 404


def test_my_record_links_to_each_certificate(client, cadre, finished):
    certificate = issue(client, cadre, finished)
    page = client.get(reverse("training:my_record")).content.decode()
    assert reverse("training:module_certificate", args=[finished.pk]) in page
    assert certificate.get_absolute_url() in page
    year = timezone.localdate().year
    assert reverse("training:annual_certificate", args=[year]) in page


# --- the public page ------------------------------------------------------------------


def test_anyone_verifies_a_certificate_by_its_code(client, cadre, finished):
    certificate = issue(client, cadre, finished)
    client.logout()
    response = client.get(reverse("verify", args=[certificate.code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "欧**娜" in page and "欧阳娜娜" not in page
    for shown in (certificate.org_unit_name, "社会救助专题", "1.5", certificate.formatted_code):
        assert shown in page
    assert certificate.issuer in page
    assert response.context["certificate"].revoked_at is None


def test_a_code_typed_with_dashes_leads_to_its_page(client, cadre, finished):
    certificate = issue(client, cadre, finished)
    client.logout()
    response = client.get(reverse("verify_lookup"), {"code": certificate.formatted_code.lower()})
    assert response.url == reverse("verify", args=[certificate.code])


def test_a_wrong_code_reveals_nothing(client, cadre, finished):
    issue(client, cadre, finished)
    client.logout()
    response = client.get(reverse("verify", args=["AAAAAAAAAAAAAAAA"]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "欧" not in page and "社会救助专题" not in page


def test_the_public_page_is_rate_limited(client, settings):
    settings.VERIFY_RATE_LIMIT = 3
    codes = ["AAAAAAAAAAAAAAA" + c for c in "ABCDE"]
    statuses = [client.get(reverse("verify", args=[code])).status_code for code in codes]
    assert statuses == [404, 404, 404, 429, 429]
    other = client.get(reverse("verify", args=[codes[0]]), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 404  # another address has its own count


# --- revocation ---------------------------------------------------------------------


def test_undoing_a_completion_revokes_its_certificates(client, cadre, finished):
    module_certificate = issue(client, cadre, finished)
    year = timezone.localdate().year
    client.get(reverse("training:annual_certificate", args=[year]))
    unit = finished.units.first()
    services.completion_undo(cadre=cadre, unit=unit)
    assert Certificate.objects.valid().count() == 0
    client.logout()
    page = client.get(reverse("verify", args=[module_certificate.code])).content.decode()
    module_certificate.refresh_from_db()
    assert module_certificate.revoked_because == "completion_undone"
    revoked = module_certificate.revoked_at.astimezone(timezone.get_current_timezone())
    assert f"{revoked.year}年{revoked.month}月{revoked.day}日 {revoked:%H:%M}" in page


def test_a_finished_module_again_gives_a_new_code(client, cadre, finished):
    first = issue(client, cadre, finished)
    unit = finished.units.first()
    services.completion_undo(cadre=cadre, unit=unit)
    services.completion_record(cadre=cadre, unit=unit)
    second = issue(client, cadre, finished)
    assert second.code != first.code and second.revoked_at is None


def test_undo_of_another_year_leaves_this_years_certificate(client, cadre, finished, make_unit):
    year = timezone.localdate().year
    client.force_login(cadre.user)
    client.get(reverse("training:annual_certificate", args=[year]))
    old = make_unit(study_hours=Decimal("1"))
    completion, _created = services.completion_record(cadre=cadre, unit=old)
    completion.completed_at = timezone.now() - timedelta(days=400)
    completion.save()
    progress_store.rebuild()  # a write around the services (README, "Stored totals")
    services.completion_undo(cadre=cadre, unit=old)
    assert Certificate.objects.valid().filter(kind="annual").count() == 1


def test_rejecting_an_approved_claim_revokes_the_years_certificate(
    client, cadre, org, make_trainer
):
    trainer = make_trainer(org.county)
    claim = new_claim(cadre)
    services.claim_decide(claim=claim, by=trainer, approve=True)
    client.force_login(cadre.user)
    client.get(reverse("training:annual_certificate", args=[timezone.localdate().year]))
    services.claim_decide(claim=claim, by=trainer, approve=False, reason="证明材料不实")
    certificate = Certificate.objects.get()
    assert certificate.revoked_because == "claim_rejected"


# The trainer's zip is a background job: tests/training/test_jobs.py.


def test_search_engines_are_asked_not_to_index_the_public_page(client, cadre, finished):
    certificate = issue(client, cadre, finished)
    client.logout()
    page = client.get(reverse("verify", args=[certificate.code])).content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in page


@pytest.mark.parametrize("odd", ["---", "%00", "²", "A" * 300])
def test_an_odd_code_is_not_known(client, odd):
    response = client.get(f"/verify/{odd}/")
    assert response.status_code in (400, 404)  # a NUL in the path is refused before the view


# --- undo after a certificate: named, then confirmed (issue #31) ------------------------


def unmark(client, unit, **data):
    return client.post(reverse("training:completion_unmark", args=[unit.slug]), data)


@pytest.fixture
def certified(client, cadre, finished):
    """The cadre holds a module certificate of ``finished`` and this year's 学时证明."""
    module_certificate = issue(client, cadre, finished)
    client.get(reverse("training:annual_certificate", args=[timezone.localdate().year]))
    annual = Certificate.objects.get(kind="annual")
    return module_certificate, annual


def test_an_undo_that_would_revoke_certificates_names_them_and_changes_nothing(
    client, cadre, finished, certified
):
    module_certificate, annual = certified
    unit = finished.units.first()
    response = unmark(client, unit)
    assert response.status_code == 200
    page = response.content.decode()
    assert "社会救助专题" in page and "结业证书" in page
    assert f"{timezone.localdate().year} 年度学时证明" in page
    for certificate in certified:
        assert certificate.formatted_code in page
        assert timezone.localtime(certificate.issued_at).strftime("%Y-%m-%d") in page
    assert Certificate.objects.valid().count() == 2
    assert cadre.completions.filter(unit=unit).exists()


def test_no_certificate_is_revoked_without_the_confirmation(cadre, finished, certified):
    unit = finished.units.first()
    for revoking in (set(), {certified[0].code}):  # nothing, or only one of the two
        with pytest.raises(services.CertificatesAtStake) as stake:
            services.completion_undo(cadre=cadre, unit=unit, revoking=revoking)
        assert {c.code for c in stake.value.certificates} == {c.code for c in certified}
    assert Certificate.objects.valid().count() == 2
    assert cadre.completions.filter(unit=unit).exists()


def test_the_confirmed_undo_revokes_the_named_certificates(client, cadre, finished, certified):
    unit = finished.units.first()
    response = unmark(client, unit, certificate=[c.code for c in certified])
    assert response.status_code == 302
    assert not cadre.completions.filter(unit=unit).exists()
    assert Certificate.objects.valid().count() == 0
    assert set(Certificate.objects.values_list("revoked_because", flat=True)) == {
        "completion_undone"
    }


def test_a_certificate_issued_after_the_page_was_shown_is_not_revoked_unseen(
    client, cadre, finished, make_unit
):
    module_certificate = issue(client, cadre, finished)
    unit = finished.units.first()
    assert unmark(client, unit).status_code == 200  # names the module certificate only
    client.get(reverse("training:annual_certificate", args=[timezone.localdate().year]))
    response = unmark(client, unit, certificate=[module_certificate.code])
    assert response.status_code == 200  # asked again, now naming both
    assert len(response.context["certificates"]) == 2
    assert Certificate.objects.valid().count() == 2


def test_an_undo_nothing_depends_on_stays_one_tap(client, cadre, make_unit):
    unit = make_unit()
    services.completion_record(cadre=cadre, unit=unit)
    client.force_login(cadre.user)
    assert unmark(client, unit).status_code == 302
    assert not cadre.completions.exists()


def test_an_undo_already_done_elsewhere_asks_nothing(client, cadre, finished, certified):
    unit = finished.units.first()
    services.completion_undo(cadre=cadre, unit=unit)  # e.g. in another tab, confirmed
    assert unmark(client, unit).status_code == 302


def test_editing_a_units_hours_leaves_last_years_ledger_and_certificates_as_they_were(
    cadre, finished
):
    """Issue #33: completions credit the 学时 their units carried when they were made, so
    an editor's later change touches neither a past ledger nor a certificate issued."""
    last_year = timezone.localdate().year - 1
    moment = timezone.now() - timedelta(days=366)
    cadre.completions.update(completed_at=moment)
    progress_store.rebuild()  # completions moved around the services
    module_certificate = certificates.module_certificate(cadre, finished)
    annual = certificates.annual_certificate(cadre, last_year)
    assert annual.hours == module_certificate.hours == Decimal("1.5")
    for unit in finished.units.all():
        unit.study_hours = Decimal("4")
        unit_save(unit=unit)
    assert certificates.year_hours(cadre, last_year) == Decimal("1.5")
    assert cadre.hours_years.get(year=last_year).online == Decimal("1.5")
    assert certificates.annual_certificate(cadre, last_year) == annual
    assert certificates.module_certificate(cadre, finished) == module_certificate
    assert Certificate.objects.valid().count() == 2
    assert progress_verify.verify() == []


NO_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{empty}</dir><cachedir>{cache}</cachedir></fontconfig>
"""
RENDER = """
import sys, django
django.setup()
from training.hours.certificates import pdf_of_html
sys.stdout.buffer.write(pdf_of_html(open(sys.argv[1], encoding="utf-8").read()))
"""


def test_the_pdf_needs_no_font_of_the_servers(client, cadre, finished, tmp_path):
    """Issue #33: on a server without CJK fonts (here: fontconfig that knows no font at
    all) a certificate is set, every character of it, in the font the portal ships."""
    certificate = issue(client, cadre, finished)
    html = render_to_string("training/certificate_pdf.html", certificates.context(certificate))
    page = tmp_path / "certificate.html"
    page.write_text(html, encoding="utf-8")
    (tmp_path / "empty").mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text(NO_FONTS.format(empty=tmp_path / "empty", cache=tmp_path), encoding="utf-8")
    rendered = subprocess.run(  # noqa: S603 - the tests' own script
        [sys.executable, "-c", RENDER, str(page)],
        cwd=ROOT,
        env={**os.environ, "FONTCONFIG_FILE": str(config)},
        capture_output=True,
        check=True,
    )
    pdf = inflated(rendered.stdout)
    embedded = {name.split(b"+")[-1] for name in re.findall(rb"/BaseFont\s*/([\w+\-]+)", pdf)}
    assert embedded == {b"Portal-Certificate-Sans", b"Portal-Certificate-Sans-Bold"}
    assert "欧阳娜娜" in html and "同志" in html
