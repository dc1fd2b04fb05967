"""Certificates read as official papers (issue #31, item 9): issued by an organ kept as
data, dates in the reader's form, no stray space before 同志, a verify form that is
easy to use, a /verify/ limit that a county office behind one address can live with,
and a link from a finished module to its certificate."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from org.models import OrgUnit
from tests.portal.test_chinese_pages import english_words, typography_problems
from training import services
from training.hours import certificates
from training.models import Certificate

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")


@pytest.fixture
def organs(org):
    """The province and the county have their civil-affairs department set."""
    org.province.issuing_organ_zh_hans = "某省民政厅"
    org.province.issuing_organ_en = "Provincial Department of Civil Affairs"
    org.province.save()
    org.county.issuing_organ_zh_hans = "某县民政局"
    org.county.issuing_organ_en = "County Civil Affairs Bureau"
    org.county.save()
    return org


@pytest.fixture
def cadre(org, make_cadre):
    return make_cadre(org.township_a, name="李干部")


@pytest.fixture
def finished(cadre, make_unit, make_module, assign):
    units = [make_unit(study_hours=Decimal("1")), make_unit(study_hours=Decimal("0.5"))]
    module = make_module(units=units, title="社会救助专题")
    assign(module, cadre)
    for unit in units:
        services.completion_record(cadre=cadre, unit=unit)
    return module


def _page(client, url, language):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


# --- the issuing organ ---------------------------------------------------------------


def test_the_issuer_is_the_nearest_organ_above_the_cadre(organs, cadre, finished, make_cadre):
    certificate = certificates.module_certificate(cadre, finished)
    assert (certificate.issuer_zh, certificate.issuer_en) == (
        "某县民政局",
        "County Civil Affairs Bureau",
    )
    elsewhere = make_cadre(organs.other_county)  # no organ of its own, nor its city's
    assert organs.other_county.issuing_organ_in_force() == (
        "某省民政厅",
        "Provincial Department of Civil Affairs",
    )
    assert elsewhere.org_unit.issuing_organ_in_force()[0] == "某省民政厅"


def test_an_organ_with_one_language_prints_it_in_both(org):
    org.city.issuing_organ_zh_hans = "某市民政局"
    org.city.save()
    assert org.township_b.issuing_organ_in_force() == ("某市民政局", "某市民政局")


def test_without_any_organ_the_top_org_unit_issues(org):
    assert org.township_a.issuing_organ_in_force() == ("省", "省 (en)")


def test_under_a_national_org_unit_the_province_issues_not_the_nation(org):
    nation = OrgUnit.objects.add_root(
        {"code": "100000", "name": "全国", "name_en": "Nation", "level": 0}
    )
    OrgUnit.objects.move(OrgUnit.objects.get(pk=org.province.pk), nation, "sorted-child")
    township = OrgUnit.objects.get(pk=org.township_a.pk)
    assert township.depth == 5
    assert township.issuing_organ_in_force() == ("省", "省 (en)")


def test_the_sheet_and_the_public_page_name_the_organ_in_the_reader_s_language(
    client, organs, cadre, finished
):
    certificate = certificates.module_certificate(cadre, finished)
    client.force_login(cadre.user)
    assert "某县民政局" in _page(client, certificate.get_absolute_url(), "zh-hans")
    assert "County Civil Affairs Bureau" in _page(client, certificate.get_absolute_url(), "en")
    client.logout()
    verify = reverse("verify", args=[certificate.code])
    assert "某县民政局" in _page(client, verify, "zh-hans")
    assert "County Civil Affairs Bureau" in _page(client, verify, "en")


def test_the_public_page_shows_the_organ_as_issued(client, organs, cadre, finished):
    certificate = certificates.module_certificate(cadre, finished)
    organs.county.issuing_organ_zh_hans = "某县民政局（改名后）"
    organs.county.save()
    page = _page(client, reverse("verify", args=[certificate.code]), "zh-hans")
    assert "某县民政局" in page and "改名后" not in page


def test_the_admin_sets_the_organ_in_both_languages(admin_client, org):
    url = reverse("admin:org_orgunit_change", args=[org.county.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="issuing_organ_zh_hans"' in page and 'name="issuing_organ_en"' in page
    assert 'name="issuing_organ"' not in page  # only the two languages, as for content


def test_the_demo_sets_the_province_s_and_a_city_s_organ(demo):
    from org.models import OrgUnit

    province = OrgUnit.objects.get(code="14")
    assert province.issuing_organ_zh_hans == "山西省民政厅"
    assert OrgUnit.objects.get(code="1401").issuing_organ_zh_hans == "太原市民政局"
    # 小店区 has none of its own: the city's issues there.
    assert OrgUnit.objects.get(code="140105001").issuing_organ_in_force()[0] == "太原市民政局"
    assert OrgUnit.objects.get(code="140221").issuing_organ_in_force()[0] == "大同市民政局"


# --- dates and the text -------------------------------------------------------------


def _dated(cadre, finished):
    certificate = certificates.module_certificate(cadre, finished)
    Certificate.objects.filter(pk=certificate.pk).update(
        first_on=date(2026, 11, 30), last_on=date(2026, 12, 6)
    )
    certificate.refresh_from_db()
    return certificate


def test_the_sheet_gives_dates_in_chinese_form_in_chinese(client, cadre, finished):
    certificate = _dated(cadre, finished)
    client.force_login(cadre.user)
    page = _page(client, certificate.get_absolute_url(), "zh-hans")
    sheet = page[page.index("certificate-sheet") :]
    assert "2026年11月30日至2026年12月6日" in sheet
    assert not ISO_DATE.search(sheet)


@pytest.mark.parametrize(
    ("language", "said", "not_said"),
    [
        ("zh-hans", "李干部同志于2026年12月6日完成", "至2026年12月6日"),
        ("en", "“社会救助专题” on 6 December 2026, for", "from 6 December 2026 to"),
    ],
)
def test_a_module_finished_in_one_day_gives_the_day_once(
    client, cadre, finished, language, said, not_said
):
    certificate = certificates.module_certificate(cadre, finished)
    Certificate.objects.filter(pk=certificate.pk).update(
        first_on=date(2026, 12, 6), last_on=date(2026, 12, 6)
    )
    certificate.refresh_from_db()
    for sheet in _sheets(client, certificate, language):
        assert said in sheet
        assert not_said not in sheet
        dates = re.search(r"<dd>(.*?)</dd>", sheet[sheet.index("cert-facts") :].split("<dt>")[5])
        assert "–" not in dates.group(1)  # the Dates line: one day, not a range


def test_the_sheet_gives_dates_in_english_form_in_english(client, cadre, finished):
    certificate = _dated(cadre, finished)
    client.force_login(cadre.user)
    page = _page(client, certificate.get_absolute_url(), "en")
    sheet = page[page.index("certificate-sheet") :]
    assert "from 30 November 2026 to 6 December 2026" in sheet
    assert not ISO_DATE.search(sheet)


@pytest.mark.parametrize(
    ("language", "shown"), [("zh-hans", "2026年12月6日"), ("en", "6 December 2026")]
)
def test_the_pdf_gives_dates_in_the_reader_s_form(cadre, finished, language, shown):
    certificate = _dated(cadre, finished)
    with translation.override(language):
        html = render_to_string("training/certificate_pdf.html", certificates.context(certificate))
    assert shown in html
    assert not ISO_DATE.search(html)


@pytest.mark.parametrize(
    ("language", "shown"), [("zh-hans", "2026年12月6日"), ("en", "6 December 2026")]
)
def test_the_public_page_gives_dates_in_the_reader_s_form(client, cadre, finished, language, shown):
    certificate = _dated(cadre, finished)
    page = _page(client, reverse("verify", args=[certificate.code]), language)
    assert shown in page
    assert not ISO_DATE.search(page)


def test_no_space_between_the_name_and_tongzhi(client, cadre, finished):
    certificate = certificates.module_certificate(cadre, finished)
    client.force_login(cadre.user)
    page = _page(client, certificate.get_absolute_url(), "zh-hans")
    assert "李干部同志" in page and "李干部 同志" not in page
    year = timezone.localdate().year
    annual = certificates.annual_certificate(cadre, year)
    page = _page(client, annual.get_absolute_url(), "zh-hans")
    assert "李干部同志" in page and "李干部 同志" not in page


@pytest.fixture
def one_hour(cadre, make_unit, make_module, assign):
    """A module of one unit of one 学时, finished: the year's total is one 学时 too."""
    module = make_module(units=[make_unit(study_hours=Decimal("1"))], title="一学时专题")
    assign(module, cadre)
    services.completion_record(cadre=cadre, unit=module.units.get())
    return module


def _sheets(client, certificate, language):
    """The certificate's page and its PDF's HTML, in one language."""
    client.force_login(certificate.cadre.user)
    page = _page(client, certificate.get_absolute_url(), language)
    with translation.override(language):
        pdf = render_to_string("training/certificate_pdf.html", certificates.context(certificate))
    return [page[page.index("certificate-sheet") :], pdf]


def test_one_study_hour_is_singular_in_english(client, cadre, one_hour):
    module_certificate = certificates.module_certificate(cadre, one_hour)
    annual = certificates.annual_certificate(cadre, timezone.localdate().year)
    for sheet in _sheets(client, module_certificate, "en"):
        assert "for 1 study hour (学时)." in sheet
    for sheet in _sheets(client, annual, "en"):
        assert "had earned 1 study hour (学时) in" in sheet
        assert "1 study hours" not in sheet


def test_a_fraction_of_a_study_hour_is_plural_in_english(client, cadre, finished):
    certificate = certificates.module_certificate(cadre, finished)
    for sheet in _sheets(client, certificate, "en"):
        assert "for 1.5 study hours (学时)." in sheet


def test_one_study_hour_reads_in_chinese(client, cadre, one_hour):
    certificate = certificates.module_certificate(cadre, one_hour)
    for sheet in _sheets(client, certificate, "zh-hans"):
        assert "计 1 学时。" in sheet


REVOKED = re.compile(r'<p class="cert-revoked">(.*?)</p>', re.S)


def test_the_revoked_line_has_a_full_width_colon_in_chinese(client, cadre, finished):
    certificate = certificates.module_certificate(cadre, finished)
    services.completion_undo(cadre=cadre, unit=finished.units.first())
    certificate.refresh_from_db()
    for sheet in _sheets(client, certificate, "zh-hans"):
        line = REVOKED.search(sheet).group(1)
        assert "作废：" in line, line
        assert typography_problems(f"<p>{line}</p>") == []


def test_the_revoked_line_keeps_its_colon_in_english(client, cadre, finished):
    certificate = certificates.module_certificate(cadre, finished)
    services.completion_undo(cadre=cadre, unit=finished.units.first())
    certificate.refresh_from_db()
    for sheet in _sheets(client, certificate, "en"):
        line = REVOKED.search(sheet).group(1)
        assert line.startswith("Revoked on "), line
        assert line.endswith(": A study unit it counted was undone"), line


# --- the verify form -------------------------------------------------------------------


def test_the_verify_form_has_a_labelled_code_box_and_a_real_button(client):
    page = _page(client, reverse("verify_lookup"), "zh-hans")
    form = page[page.index('<form method="get" action="/verify/"') :]
    form = form[: form.index("</form>")]
    assert '<label for="id_code">' in form
    box = re.search(r"<input [^>]*id=\"id_code\"[^>]*>", form).group(0)
    assert 'class="code-input"' in box and 'size="19"' in box and 'maxlength="40"' in box
    assert '<button type="submit" class="button">' in form
    assert english_words(page) == []


# --- a finished module links to its certificate --------------------------------------


def test_a_finished_module_s_page_links_to_its_certificate(client, cadre, finished):
    client.force_login(cadre.user)
    url = reverse("training:my_module", args=[finished.pk])
    page = _page(client, url, "zh-hans")
    assert reverse("training:module_certificate", args=[finished.pk]) in page
    certificate = certificates.module_certificate(cadre, finished)
    page = _page(client, url, "zh-hans")
    assert certificate.get_absolute_url() in page  # the one already issued, straight


def test_an_unfinished_module_s_page_has_no_certificate_link(client, cadre, finished):
    services.completion_undo(cadre=cadre, unit=finished.units.first())
    client.force_login(cadre.user)
    page = _page(client, reverse("training:my_module", args=[finished.pk]), "zh-hans")
    assert "/certificates/" not in page


# --- the /verify/ limits: per address and per code -----------------------------------


def _check(client, code, address="10.1.1.1"):
    return client.get(reverse("verify", args=[code]), REMOTE_ADDR=address)


def test_a_county_office_checks_a_batch_behind_one_address(client):
    """The default lets one shared address check 300 certificates in 10 minutes."""
    codes = [certificates.new_code() for _ in range(301)]
    statuses = [_check(client, code).status_code for code in codes]
    assert statuses[:300] == [404] * 300
    assert statuses[300] == 429


def test_one_code_checked_too_often_is_paused_from_any_address(client, settings):
    settings.VERIFY_CODE_RATE_LIMIT = 3
    code = certificates.new_code()
    statuses = [_check(client, code, f"10.2.0.{i}").status_code for i in range(5)]
    assert statuses == [404, 404, 404, 429, 429]
    assert _check(client, certificates.new_code(), "10.2.0.9").status_code == 404  # another code
    page = _check(client, code, "10.2.0.10").content.decode()
    assert "证书" in page and "您的网络地址" not in page  # says it is the code, not the address


def test_a_code_typed_with_dashes_is_counted_once_on_its_own_page(client, settings):
    settings.VERIFY_CODE_RATE_LIMIT = 2
    code = certificates.new_code()
    dashed = "-".join(code[i : i + 4] for i in range(0, 16, 4)).lower()
    assert _check(client, code, "10.3.0.1").status_code == 404
    assert client.get(f"/verify/{dashed}/", REMOTE_ADDR="10.3.0.2").status_code == 302
    assert _check(client, code, "10.3.0.3").status_code == 404
    assert _check(client, code, "10.3.0.4").status_code == 429


def test_the_limits_come_from_the_environment():
    from tests.portal.test_settings import _run

    show = "import portal.settings as s; print(s.VERIFY_RATE_LIMIT, s.VERIFY_CODE_RATE_LIMIT)"
    defaults = _run(["-c", show])
    assert defaults.stdout.split() == ["300", "20"], defaults.stderr
    chosen = _run(["-c", show], DJANGO_VERIFY_RATE_LIMIT="1000", DJANGO_VERIFY_CODE_RATE_LIMIT="50")
    assert chosen.stdout.split() == ["1000", "50"], chosen.stderr
