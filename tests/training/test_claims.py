"""Training claims (学时申报): recording, the checks on the file, who decides, and what
counts in the ledger (issue #17)."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from tests.conftest import new_claim
from training import services
from training.hours.ledger import claimed_hours_by_year, ledger, standing
from training.models import Requirement, TrainingClaim

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def form_data(**overrides):
    today = timezone.localdate()
    data = {
        "course": "全省民政干部业务培训班",
        "organiser": "省民政厅",
        "kind": "training",
        "start_on": (today - timedelta(days=3)).isoformat(),
        "end_on": (today - timedelta(days=1)).isoformat(),
        "hours": "24",
    }
    data.update(overrides)
    return data


def claim_for(cadre, *, status="pending", kind="training", hours="10", end_on=None):
    return new_claim(cadre, status=status, kind=kind, hours=hours, end_on=end_on)


@pytest.fixture
def cadre(org, make_cadre):
    return make_cadre(org.township_a, category="township_down")


@pytest.fixture
def trainer(org, make_trainer):
    return make_trainer(org.county)


def post_claim(client, cadre, upload=None, **overrides):
    client.force_login(cadre.user)
    data = form_data(**overrides)
    if upload is not None:
        data["attachment"] = upload
    return client.post(reverse("training:claim_create"), data)


# --- recording --------------------------------------------------------------------


def test_a_cadre_records_a_claim_that_waits_for_approval(client, cadre):
    response = post_claim(client, cadre, SimpleUploadedFile("通知.pdf", PDF))
    assert response.status_code == 302
    claim = TrainingClaim.objects.get()
    assert (claim.cadre, claim.status, claim.hours) == (cadre, "pending", Decimal("24"))
    assert claim.attachment.name.startswith("claims/") and "通知" not in claim.attachment.name
    assert LogEntry.objects.filter(object_id=str(claim.pk), user=cadre.user).count() == 1


def test_the_claim_form_page_renders(client, cadre):
    client.force_login(cadre.user)
    response = client.get(reverse("training:claim_create"))
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_an_image_is_accepted(client, cadre):
    assert post_claim(client, cadre, SimpleUploadedFile("证书.png", png_bytes())).status_code == 302
    assert TrainingClaim.objects.get().attachment.name.endswith(".png")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.txt", b"just some text"),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),  # a renamed executable
        ("tool.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 64),  # a renamed ELF binary
        ("page.pdf", b"<html><script>alert(1)</script></html>"),
        ("image.pdf", None),  # a PNG named as a PDF
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),  # a PNG header, no image
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_saved(
    client, cadre, name, content
):
    upload = SimpleUploadedFile(name, content if content is not None else png_bytes())
    response = post_claim(client, cadre, upload)
    assert response.status_code == 200
    assert response.context["form"].errors["attachment"]
    assert not TrainingClaim.objects.exists()


def test_a_file_over_five_megabytes_is_refused(client, cadre, settings):
    big = PDF + b"0" * (settings.CLAIM_FILE_MAX_BYTES + 1 - len(PDF))
    response = post_claim(client, cadre, SimpleUploadedFile("big.pdf", big))
    assert response.status_code == 200
    assert "5.0" in str(response.context["form"].errors["attachment"])
    assert not TrainingClaim.objects.exists()


def test_a_file_of_exactly_five_megabytes_is_accepted(client, cadre, settings):
    exact = PDF + b"0" * (settings.CLAIM_FILE_MAX_BYTES - len(PDF))
    assert post_claim(client, cadre, SimpleUploadedFile("ok.pdf", exact)).status_code == 302


def test_the_last_day_cannot_be_before_the_first(client, cadre):
    today = timezone.localdate()
    response = post_claim(
        client,
        cadre,
        start_on=(today - timedelta(days=1)).isoformat(),
        end_on=(today - timedelta(days=5)).isoformat(),
    )
    assert response.context["form"].errors["end_on"]
    assert not TrainingClaim.objects.exists()


def test_training_not_yet_ended_cannot_be_claimed(client, cadre):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = post_claim(client, cadre, end_on=tomorrow.isoformat())
    assert response.context["form"].errors["end_on"]


@pytest.mark.parametrize("hours", ["0", "-3", "abc"])
def test_hours_must_be_positive(client, cadre, hours):
    response = post_claim(client, cadre, hours=hours)
    assert response.context["form"].errors["hours"]


def test_a_person_without_a_cadre_profile_cannot_claim(client, trainer):
    client.force_login(trainer)
    assert client.get(reverse("training:claim_create")).status_code == 404


# --- deciding -----------------------------------------------------------------------


def test_a_trainer_approves_a_claim_in_their_tree(client, cadre, trainer):
    claim = claim_for(cadre)
    client.force_login(trainer)
    response = client.post(
        reverse("training:claim_detail", args=[claim.pk]), {"decision": "approve", "reason": ""}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by) == ("approved", trainer)
    assert LogEntry.objects.filter(object_id=str(claim.pk), user=trainer).count() == 1


def test_a_rejection_needs_a_reason(client, cadre, trainer):
    claim = claim_for(cadre)
    client.force_login(trainer)
    response = client.post(
        reverse("training:claim_detail", args=[claim.pk]), {"decision": "reject", "reason": " "}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    claim.refresh_from_db()
    assert claim.status == "pending"


@pytest.mark.parametrize(("hours", "shown"), [("16", "16"), ("1.5", "1.5"), ("100", "100")])
def test_the_hours_to_count_are_shown_as_people_write_them(client, cadre, trainer, hours, shown):
    claim = claim_for(cadre, hours=hours)
    client.force_login(trainer)
    page = client.get(reverse("training:claim_detail", args=[claim.pk])).content.decode()
    assert re.search(r'<input[^>]*name="hours"[^>]*value="([^"]*)"', page).group(1) == shown


def test_the_reason_s_help_says_a_flagged_claim_needs_one_to_be_approved(client, cadre, trainer):
    plain = claim_for(cadre)
    flagged = claim_for(cadre)  # the same course on the same dates: a duplicate
    client.force_login(trainer)
    with translation.override("zh-hans"):
        helps = [
            client.get(
                reverse("training:claim_detail", args=[c.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
            )
            .context["form"]["reason"]
            .help_text
            for c in (plain, flagged)
        ]
    assert "批准" in str(helps[0]) and "驳回" in str(helps[0])
    assert "此申报被标记" in str(helps[1])


def test_a_rejection_with_a_reason_is_shown_to_the_cadre(client, cadre, trainer):
    claim = claim_for(cadre)
    services.claim_decide(claim=claim, by=trainer, approve=False, reason="没有结业证明")
    client.force_login(cadre.user)
    page = client.get(reverse("training:my_record")).content.decode()
    assert "没有结业证明" in page


def test_a_trainer_of_another_tree_cannot_see_or_decide(client, org, cadre, make_trainer):
    claim = claim_for(cadre)
    stranger = make_trainer(org.other_county)
    client.force_login(stranger)
    url = reverse("training:claim_detail", args=[claim.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "approve"}).status_code == 404
    assert client.get(reverse("training:claim_file", args=[claim.pk])).status_code == 404
    assert claim.cadre.name not in client.get(reverse("training:claim_list")).content.decode()
    with pytest.raises(ValidationError):
        services.claim_decide(claim=claim, by=stranger, approve=True)
    claim.refresh_from_db()
    assert claim.status == "pending"


def test_a_trainer_cannot_approve_their_own_claim(client, org, make_cadre, make_trainer):
    trainer = make_trainer(org.county)
    own = make_cadre(org.county)
    own.user = trainer
    own.save()
    claim = claim_for(own)
    client.force_login(trainer)
    assert client.get(reverse("training:claim_detail", args=[claim.pk])).status_code == 404
    with pytest.raises(ValidationError):
        services.claim_decide(claim=claim, by=trainer, approve=True)
    claim.refresh_from_db()
    assert claim.status == "pending"


def test_the_trainers_list_shows_waiting_claims_of_their_tree(
    client, org, cadre, trainer, make_cadre, django_assert_max_num_queries
):
    for i in range(5):
        claim_for(make_cadre(org.township_b, name=f"乙镇干部{i}"))
    claim_for(make_cadre(org.other_county, name="别县干部"))
    claim_for(cadre, status="approved")
    client.force_login(trainer)
    client.get(reverse("training:claim_list"))
    with django_assert_max_num_queries(8):
        page = client.get(reverse("training:claim_list")).content.decode()
    assert page.count("乙镇干部") == 5
    assert "别县干部" not in page and cadre.name not in page
    every = client.get(reverse("training:claim_list"), {"status": "all"}).content.decode()
    assert cadre.name in every


def test_a_cadre_cannot_reach_the_trainers_claim_pages(client, cadre):
    claim = claim_for(cadre)
    client.force_login(cadre.user)
    assert client.get(reverse("training:claim_list")).status_code == 404
    assert client.get(reverse("training:claim_detail", args=[claim.pk])).status_code == 404


# --- the file --------------------------------------------------------------------------


@pytest.fixture
def claim_with_file(client, cadre):
    post_claim(client, cadre, SimpleUploadedFile("a.pdf", PDF))
    client.logout()
    return TrainingClaim.objects.get()


def test_the_cadre_and_their_trainer_open_the_file_in_the_page(client, claim_with_file, trainer):
    url = reverse("training:claim_file", args=[claim_with_file.pk])
    for user in (claim_with_file.cadre.user, trainer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("inline")
        assert b"".join(response.streaming_content) == PDF


def test_the_file_still_downloads_from_its_link(client, claim_with_file, trainer):
    url = reverse("training:claim_file", args=[claim_with_file.pk])
    client.force_login(trainer)
    page = client.get(reverse("training:claim_detail", args=[claim_with_file.pk]))
    assert f'href="{url}?download=1"' in page.content.decode()
    response = client.get(url, {"download": "1"})
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_image_opens_in_the_page_as_an_image(client, cadre):
    post_claim(client, cadre, SimpleUploadedFile("证书.png", png_bytes()))
    claim = TrainingClaim.objects.get()
    response = client.get(reverse("training:claim_file", args=[claim.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")


def test_nobody_else_downloads_the_file(client, org, claim_with_file, make_cadre):
    url = reverse("training:claim_file", args=[claim_with_file.pk])
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(make_cadre(org.township_a).user)
    assert client.get(url).status_code == 404


# --- what counts ---------------------------------------------------------------------


def test_only_approved_claims_count(cadre, trainer):
    year = timezone.localdate().year
    claim_for(cadre, status="pending", hours="5")
    claim_for(cadre, status="rejected", hours="7")
    claim_for(cadre, status="approved", hours="11")
    assert claimed_hours_by_year(cadre, year, year)["training", year] == Decimal("11")


def test_a_claim_counts_in_the_year_the_training_ended(cadre):
    claim_for(cadre, status="approved", hours="8", end_on=date(2025, 12, 31))
    claim_for(cadre, status="approved", hours="3", end_on=date(2026, 1, 1))
    hours = claimed_hours_by_year(cadre, 2025, 2026)
    assert (hours["training", 2025], hours["training", 2026]) == (Decimal("8"), Decimal("3"))


def test_an_online_claim_counts_toward_online_study(cadre):
    year = timezone.localdate().year
    claim_for(cadre, status="approved", kind="online", hours="6")
    online = Requirement.objects.create(
        name="网络学习", category="all", kind="online", hours=50, period="year"
    )
    training = Requirement.objects.create(
        name="培训", category="all", kind="training", hours=90, period="year"
    )
    lines, by_year = ledger(cadre, year)
    earned = {line.requirement: line.earned for line in lines}
    assert earned[online] == Decimal("6") and earned[training] == Decimal("0")
    assert by_year[year] == (Decimal("6"), Decimal("0"))


def test_the_five_year_window_counts_claims_of_five_years(cadre):
    year = timezone.localdate().year
    claim_for(cadre, status="approved", hours="100", end_on=date(year - 4, 6, 1))
    claim_for(cadre, status="approved", hours="1000", end_on=date(year - 5, 6, 1))
    five = Requirement.objects.create(
        name="五年", category="all", kind="total", hours=550, period="five_years"
    )
    lines, _years = ledger(cadre, year)
    assert next(line for line in lines if line.requirement == five).earned == Decimal("100")


def test_approval_changes_the_trainers_shortfall_list(cadre, trainer):
    from org.models import Cadre

    requirement = Requirement.objects.create(
        name="培训", category="township_down", kind="training", hours=20, period="year"
    )
    year = timezone.localdate().year
    claim = claim_for(cadre, hours="24")
    short = standing(Cadre.objects.all(), requirement, year).get(pk=cadre.pk)
    assert short.missing == Decimal("20")
    services.claim_decide(claim=claim, by=trainer, approve=True)
    met = standing(Cadre.objects.all(), requirement, year).get(pk=cadre.pk)
    assert (met.earned, met.missing) == (Decimal("24"), Decimal("0"))


def test_my_record_shows_approved_training_in_the_years_total(client, cadre, trainer):
    claim = claim_for(cadre, hours="12.5")
    services.claim_decide(claim=claim, by=trainer, approve=True)
    client.force_login(cadre.user)
    response = client.get(reverse("training:my_record"))
    assert response.context["this_year"]["training"] == Decimal("12.5")
    assert response.context["this_year"]["total"] == Decimal("12.5")


def test_a_file_lost_from_the_disk_is_a_404(client, claim_with_file):
    claim_with_file.attachment.storage.delete(claim_with_file.attachment.name)
    client.force_login(claim_with_file.cadre.user)
    response = client.get(reverse("training:claim_file", args=[claim_with_file.pk]))
    assert response.status_code == 404


# --- withdrawing -------------------------------------------------------------------------


def test_withdrawing_first_shows_what_will_be_deleted_and_deletes_nothing(
    client, claim_with_file, django_capture_on_commit_callbacks
):
    storage, name = claim_with_file.attachment.storage, claim_with_file.attachment.name
    client.force_login(claim_with_file.cadre.user)
    url = reverse("training:claim_withdraw", args=[claim_with_file.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert claim_with_file.course in page
    assert reverse("training:claim_file", args=[claim_with_file.pk]) in page  # the file to go
    assert 'name="confirm" value="yes"' in page
    assert TrainingClaim.objects.filter(pk=claim_with_file.pk).exists()
    assert storage.exists(name)
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


def test_a_cadre_withdraws_a_claim_that_waits(
    client, claim_with_file, django_capture_on_commit_callbacks
):
    storage, name = claim_with_file.attachment.storage, claim_with_file.attachment.name
    cadre = claim_with_file.cadre
    client.force_login(cadre.user)
    url = reverse("training:claim_withdraw", args=[claim_with_file.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    assert not TrainingClaim.objects.exists()
    assert not storage.exists(name)  # the file goes with it
    deleted = LogEntry.objects.filter(object_id=str(claim_with_file.pk), action_flag=DELETION)
    assert deleted.exists()


def test_a_decided_claim_cannot_be_withdrawn(client, cadre, trainer):
    claim = claim_for(cadre)
    services.claim_decide(claim=claim, by=trainer, approve=True)
    client.force_login(cadre.user)
    for data in ({}, {"confirm": "yes"}):
        response = client.post(reverse("training:claim_withdraw", args=[claim.pk]), data)
        assert response.status_code == 302
    assert TrainingClaim.objects.filter(pk=claim.pk, status="approved").exists()


def test_nobody_withdraws_someone_elses_claim(client, org, cadre, make_cadre):
    claim = claim_for(cadre)
    client.force_login(make_cadre(org.township_a).user)
    response = client.post(reverse("training:claim_withdraw", args=[claim.pk]))
    assert response.status_code == 404
    assert TrainingClaim.objects.filter(pk=claim.pk).exists()


def test_a_refresh_of_the_withdrawal_goes_back_to_my_record_and_keeps_the_claim(client, cadre):
    """GET (a refresh or Back after the confirmation page) deletes nothing and lands on
    the claims of My record, not on an empty 405."""
    claim = claim_for(cadre)
    client.force_login(cadre.user)
    response = client.get(reverse("training:claim_withdraw", args=[claim.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("training:my_record") + "#claims"
    assert TrainingClaim.objects.filter(pk=claim.pk).exists()


# --- checks: hours a day, duplicates, overlapping dates (issue #31) --------------------


def days_ago(n):
    return (timezone.localdate() - timedelta(days=n)).isoformat()


def test_more_than_eight_hours_a_day_is_refused_with_a_clear_message(client, cadre):
    response = post_claim(client, cadre, start_on=days_ago(1), end_on=days_ago(1), hours="2000")
    assert response.status_code == 200
    error = str(response.context["form"].errors["hours"])
    assert "8" in error and "1" in error
    assert not TrainingClaim.objects.exists()


def test_the_bound_is_eight_hours_for_each_day(client, cadre):
    one_day = {"start_on": days_ago(1), "end_on": days_ago(1)}
    assert post_claim(client, cadre, hours="8.25", **one_day).status_code == 200
    assert post_claim(client, cadre, hours="8", **one_day).status_code == 302


def test_the_bound_is_said_in_chinese(client, cadre):
    response = post_claim(client, cadre, start_on=days_ago(2), end_on=days_ago(1), hours="17")
    assert "最多" in str(response.context["form"].errors["hours"])


def test_the_service_refuses_hours_over_the_bound(cadre):
    claim = TrainingClaim(
        course="培训班",
        organiser="省民政厅",
        kind="training",
        start_on=timezone.localdate(),
        end_on=timezone.localdate(),
        hours=Decimal("9"),
    )
    with pytest.raises(ValidationError):
        services.claim_submit(cadre=cadre, claim=claim)
    assert not TrainingClaim.objects.exists()


def test_a_duplicate_is_shown_to_the_cadre_and_needs_a_confirmation(client, cadre):
    assert post_claim(client, cadre).status_code == 302
    first = TrainingClaim.objects.get()
    response = post_claim(client, cadre)
    assert response.status_code == 200
    form = response.context["form"]
    assert [(c.pk, c.duplicate) for c in form.clashes] == [(first.pk, True)]
    assert form.errors["confirm"]
    page = response.content.decode()
    assert 'id="clashes"' in page and 'name="confirm"' in page
    assert TrainingClaim.objects.count() == 1
    assert post_claim(client, cadre, confirm="on").status_code == 302
    second = TrainingClaim.objects.exclude(pk=first.pk).get()
    logged = LogEntry.objects.get(object_id=str(second.pk))
    assert f"#{first.pk}" in logged.change_message


def test_overlapping_dates_are_flagged_to_the_cadre(client, cadre):
    post_claim(client, cadre, start_on=days_ago(5), end_on=days_ago(3), hours="8")
    response = post_claim(
        client, cadre, course="另一个培训", start_on=days_ago(3), end_on=days_ago(1), hours="8"
    )
    assert response.status_code == 200
    assert [c.duplicate for c in response.context["form"].clashes] == [False]


def test_claims_of_other_dates_or_rejected_ones_are_no_clash(client, cadre, trainer):
    post_claim(client, cadre, start_on=days_ago(9), end_on=days_ago(7), hours="8")
    rejected = TrainingClaim.objects.get()
    services.claim_decide(claim=rejected, by=trainer, approve=False, reason="重复")
    post_claim(client, cadre, start_on=days_ago(9), end_on=days_ago(7), hours="8")
    assert post_claim(client, cadre, start_on=days_ago(6), end_on=days_ago(4)).status_code == 302


def test_the_service_refuses_an_unconfirmed_clash(cadre):
    existing = claim_for(cadre, hours="8")
    twin = TrainingClaim(
        course=existing.course,
        organiser="省民政厅",
        kind="training",
        start_on=existing.start_on,
        end_on=existing.end_on,
        hours=Decimal("8"),
    )
    with pytest.raises(ValidationError):
        services.claim_submit(cadre=cadre, claim=twin)
    assert TrainingClaim.objects.count() == 1
    services.claim_submit(cadre=cadre, claim=twin, clashes_confirmed=True)
    assert TrainingClaim.objects.count() == 2


def test_the_trainers_list_and_claim_page_flag_what_to_check(
    client, org, cadre, trainer, make_cadre, django_assert_max_num_queries
):
    clean = claim_for(make_cadre(org.township_b, name="无问题干部"), hours="8")
    first = claim_for(cadre, hours="8")
    claim_for(cadre, hours="8")  # the same course on the same day
    legacy = claim_for(make_cadre(org.township_b, name="超时干部"), hours="8")
    TrainingClaim.objects.filter(pk=legacy.pk).update(hours=Decimal("2000"))
    client.force_login(trainer)
    client.get(reverse("training:claim_list"))
    with django_assert_max_num_queries(8):  # as many as without the flags
        response = client.get(reverse("training:claim_list"), HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        flags = {c.pk: [str(f) for f in c.flags()] for c in response.context["claims"]}
    assert flags[clean.pk] == []
    assert flags[first.pk] == ["Duplicate of another claim"]
    assert flags[legacy.pk] == ["More than 8 study hours a day"]
    page = response.content.decode()
    assert page.count("badge-flag") == 3
    url = reverse("training:claim_detail", args=[first.pk])
    detail = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="flags"' in detail and "Duplicate of another claim" in detail
    url = reverse("training:claim_detail", args=[legacy.pk])
    detail = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "at most 8 study hours without a reason" in detail


def test_approving_a_flagged_claim_needs_a_reason_kept_in_the_audit_log(client, cadre, trainer):
    first = claim_for(cadre, hours="8")
    claim_for(cadre, hours="8")
    client.force_login(trainer)
    url = reverse("training:claim_detail", args=[first.pk])
    response = client.post(url, {"decision": "approve", "reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    first.refresh_from_db()
    assert first.status == "pending"
    with pytest.raises(ValidationError):
        services.claim_decide(claim=first, by=trainer, approve=True)
    response = client.post(url, {"decision": "approve", "reason": "两期培训，日期相同"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.reason) == ("approved", "两期培训，日期相同")
    logged = LogEntry.objects.filter(object_id=str(first.pk), user=trainer).get()
    assert "两期培训，日期相同" in logged.change_message


def test_a_trainer_records_more_hours_only_with_a_reason(client, cadre, trainer):
    claim = claim_for(cadre, hours="16")  # two days
    client.force_login(trainer)
    url = reverse("training:claim_detail", args=[claim.pk])
    response = client.post(url, {"decision": "approve", "hours": "20", "reason": ""})
    assert response.context["form"].errors["reason"]
    claim.refresh_from_db()
    assert (claim.status, claim.hours) == ("pending", Decimal("16"))
    reason = "证书载明晚间课程 4 学时"
    client.post(url, {"decision": "approve", "hours": "20", "reason": reason})
    claim.refresh_from_db()
    assert (claim.status, claim.hours, claim.reason) == ("approved", Decimal("20"), reason)
    year = timezone.localdate().year
    assert claimed_hours_by_year(cadre, year, year)["training", year] == Decimal("20")
    stored = cadre.hours_years.get(year=year)
    assert stored.training == Decimal("20")  # the stored total follows the recorded hours
    logged = LogEntry.objects.filter(object_id=str(claim.pk), user=trainer).get()
    assert "16" in logged.change_message


def test_the_admin_list_shows_the_same_checks(client, cadre, editor_user):
    claim_for(cadre, hours="8")
    claim_for(cadre, hours="8")
    client.force_login(editor_user)
    url = reverse("admin:training_trainingclaim_changelist")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count("Duplicate of another claim") == 2


# --- the trainer's landing page and the list's filter (issue #31) ---------------------


def test_the_trainers_landing_page_counts_the_claims_waiting_for_them(
    client, org, cadre, trainer, make_cadre
):
    claim_for(cadre)
    claim_for(make_cadre(org.township_b))
    claim_for(make_cadre(org.township_b), status="approved")
    claim_for(make_cadre(org.other_county))  # not theirs
    client.force_login(trainer)
    response = client.get(reverse("training:module_list"))
    assert response.context["claims_waiting"] == 2
    assert "2 条待审核" in response.content.decode()
    english = client.get(reverse("training:module_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "2 waiting" in english.content.decode()


def test_the_claims_filter_says_what_it_shows_and_how_many(client, cadre, trainer):
    claim_for(cadre, status="approved", end_on=date(2025, 3, 1))
    claim_for(cadre, status="approved", end_on=date(2025, 4, 1))
    claim_for(cadre, end_on=date(2025, 5, 1))
    client.force_login(trainer)
    page = client.get(
        reverse("training:claim_list"), {"status": "approved"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Showing: Approved · 2 claims" in page
    assert 'aria-current="page"><span aria-hidden="true">✓ </span>Approved' in page
    page = client.get(reverse("training:claim_list")).content.decode()
    assert "当前显示：待审核 · 共 1 条" in page
