"""Email digests sent over SMTP to a real server the test starts (aiosmtpd): headers,
the Chinese subject and body, the link that turns reminders off, and the bookkeeping
of the stages sent."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.reminders.conftest import BASE_URL, smtp_settings
from tests.servers import free_port
from training import services
from training.reminders import send_due_reminders
from training.reminders.models import EmailOptOut, Nudge, SentStage
from training.reminders.services import nudge

pytestmark = pytest.mark.django_db


def stages(cadre):
    return sorted(SentStage.objects.filter(cadre=cadre).values_list("stage", flat=True))


@pytest.fixture
def module(make_module):
    return make_module(title="基层治理专题学习")


def test_a_new_assignment_sends_one_digest_in_chinese(inbox, me, org, module, assign):
    assign(module, org.county, days=30)
    result = send_due_reminders()
    assert (result.sent, result.failed, result.connected) == (1, 0, True)
    [(rcpt, raw, mail)] = inbox.mails
    assert rcpt == ["li@example.org"]
    assert mail["To"] == "li@example.org"
    assert mail["From"] == "学习平台 <portal@example.gov.cn>"
    assert mail["Subject"] == "学习提醒：1项新任务"
    # RFC 2047: the subject travels as encoded words, never as raw UTF-8 bytes.
    assert re.search(rb"^Subject: =\?utf-8\?[bq]\?", raw, re.MULTILINE | re.IGNORECASE)
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Message-ID"] and mail["Date"]
    body = mail.get_content()
    assert "李干部，您好：" in body
    assert "新的学习任务" in body
    assert "基层治理专题学习" in body
    assert f"{BASE_URL}/training/my-study/modules/{module.pk}/" in body
    assert stages(me) == ["assigned"]


def test_the_digest_is_in_the_cadres_language(inbox, me, module, assign):
    me.language = "en"
    me.save()
    assign(module, me, days=3)
    send_due_reminders()
    [mail] = inbox.to("li@example.org")
    assert mail["Subject"] == "Study reminders: 1 due soon"
    body = mail.get_content()
    assert "Dear 李干部," in body
    assert "Due in 3 days" in body
    assert stages(me) == ["assigned", "due7"]


def test_the_link_in_the_mail_turns_email_reminders_off(inbox, client, me, module, assign):
    assign(module, me, days=30)
    send_due_reminders()
    [(_rcpt, _raw, mail)] = inbox.mails
    link = re.search(
        rf"{re.escape(BASE_URL)}(/training/reminders/email/[^/\s]+/)", mail.get_content()
    )
    assert mail["List-Unsubscribe"].strip() == f"<{BASE_URL}{link[1]}>"  # may be folded
    page = client.get(link[1])  # nobody signed in
    assert page.status_code == 200
    assert "李干部" in page.content.decode()
    assert not EmailOptOut.objects.exists()  # opening the link changes nothing
    assert client.post(link[1], {"email": "off"}).status_code == 302
    assert EmailOptOut.objects.filter(cadre=me).exists()
    assert send_due_reminders(now=timezone.now() + timedelta(days=23)).sent == 0
    assert len(inbox.mails) == 1
    client.post(link[1], {"email": "on"})
    assert not EmailOptOut.objects.exists()


def test_a_tampered_link_is_404(client, me):
    from training.reminders.unsubscribe import token_for

    token = token_for(me)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(reverse("training:email_reminders", args=[tampered])).status_code == 404
    assert client.post(reverse("training:email_reminders", args=[tampered])).status_code == 404
    assert not EmailOptOut.objects.exists()


def test_a_second_run_sends_nothing_again(inbox, me, module, assign):
    assign(module, me, days=30)
    assert send_due_reminders().sent == 1
    assert send_due_reminders().sent == 0
    assert len(inbox.mails) == 1


def test_a_server_that_refuses_the_connection_leaves_the_stage_for_the_next_run(
    settings, smtp_server, me, module, assign
):
    assign(module, me, days=30)
    smtp_settings(settings, free_port())  # nothing listens there
    result = send_due_reminders()
    assert (result.sent, result.connected) == (0, False)
    assert stages(me) == []
    inbox, port = smtp_server
    smtp_settings(settings, port)
    assert send_due_reminders().sent == 1
    assert len(inbox.mails) == 1
    assert stages(me) == ["assigned"]


def test_a_refused_recipient_is_tried_again_without_resending_the_others(
    inbox, me, org, make_cadre, module, assign
):
    other = make_cadre(org.township_a, name="王干部")
    other.user.email = "wang@example.org"
    other.user.save()
    assign(module, org.county, days=30)
    inbox.refuse.add("li@example.org")
    result = send_due_reminders()
    assert (result.sent, result.failed) == (1, 1)
    assert stages(me) == [] and stages(other) == ["assigned"]
    inbox.refuse.clear()
    assert send_due_reminders().sent == 1
    assert [rcpt for rcpt, _raw, _mail in inbox.mails] == [["wang@example.org"], ["li@example.org"]]


def test_nobody_without_an_address_inactive_or_finished_gets_mail(
    inbox, me, org, make_cadre, module, assign
):
    make_cadre(org.township_a)  # no email address
    gone = make_cadre(org.township_a, active=False)
    gone.user.email = "gone@example.org"
    gone.user.save()
    done = make_cadre(org.township_a)
    done.user.email = "done@example.org"
    done.user.save()
    for unit in module.units.all():
        services.completion_record(cadre=done, unit=unit)
    assign(module, org.county, days=30)
    send_due_reminders()
    assert [rcpt for rcpt, _raw, _mail in inbox.mails] == [["li@example.org"]]


def test_a_trainers_reminder_goes_with_the_next_digest(inbox, me, module, assign, make_user):
    assign(module, me, days=30)
    send_due_reminders()
    trainer = make_user("trainer", first_name="老师", last_name="张")
    nudge(cadre_ids=[me.pk], module=module, by=trainer)
    assert send_due_reminders().sent == 1
    mail = inbox.mails[-1][2]
    assert mail["Subject"] == "学习提醒：1项管理员提醒"
    assert "培训管理员提醒您" in mail.get_content()
    assert Nudge.objects.get().emailed_at is not None
    assert send_due_reminders().sent == 0


def test_the_command_sends_and_says_so(inbox, me, module, assign):
    from io import StringIO

    from django.core.management import call_command

    assign(module, me, days=30)
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "Sent 1 digest(s)" in out.getvalue()
    assert len(inbox.mails) == 1


def test_the_command_fails_when_the_server_cannot_be_reached(settings, me, module, assign):
    from django.core.management import CommandError, call_command

    smtp_settings(settings, free_port())
    assign(module, me, days=30)
    with pytest.raises(CommandError, match="could not be reached"):
        call_command("send_reminders", stdout=None)
    assert stages(me) == []


def test_a_unit_readers_no_longer_see_does_not_count_as_it_does_not_on_the_progress_pages(
    inbox, me, org, make_cadre, module, assign
):
    """The decision reads stored progress less completions of hidden units, as the
    progress pages do: with a unit unpublished, who completed the rest has finished."""
    from expositions.models import StudyUnit
    from training.progress import ModuleProgress

    other = make_cadre(org.township_a, name="王干部")
    other.user.email = "wang@example.org"
    other.user.save()
    units = list(module.units.order_by("module_units__position"))
    for unit in units:
        services.completion_record(cadre=me, unit=unit)
    services.completion_record(cadre=other, unit=units[-1])
    assignment = assign(module, org.county, days=30)
    StudyUnit.objects.filter(pk=units[-1].pk).update(status=StudyUnit.Status.DRAFT)
    progress = ModuleProgress(module, [assignment])
    statuses = dict(progress.cadres().values_list("user__email", "status"))
    assert statuses == {"li@example.org": "complete", "wang@example.org": "not_started"}
    send_due_reminders()
    assert [rcpt for rcpt, _raw, _mail in inbox.mails] == [["wang@example.org"]]


def test_the_worker_sends_the_digests_every_hour_as_a_periodic_task(inbox, me, org, module, assign):
    from training.jobs import periodic, tasks

    task, interval = periodic.SCHEDULE["reminders.send_due"]
    assert task is tasks.send_reminders and interval == timedelta(hours=1)
    assign(module, org.county, days=30)
    assert tasks.send_reminders.call() == {"sent": 1, "failed": 0, "skipped": 0, "connected": True}
    assert tasks.send_reminders.call()["sent"] == 0  # nothing twice
    assert len(inbox.mails) == 1
