"""Sending the digests: one mail per cadre with what is new, due soon and overdue, in
their language, each in its own transaction with the stage rows it sends.

For each cadre, in one transaction: the stages are decided again against what is
stored now (another run may have sent some meanwhile), a row is written for each stage
sent (unique per cadre, assignment and stage: a run that overlaps waits for this one
and then finds them taken), the trainers' reminders carried are marked emailed, and
the mail is sent. A send that fails rolls all of it back, so the next run tries again;
what went out is never sent twice. (A mail sent whose commit then failed would be sent
again: at least once, never silently lost.)
"""

import contextlib
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from org.models import Cadre

from .models import Nudge, SentStage
from .stages import DUE_SOON, LATE, NEW, NUDGED, plan
from .unsubscribe import link_for

logger = logging.getLogger(__name__)
SECTIONS = (LATE, DUE_SOON, NEW, NUDGED)


@dataclass
class Result:
    """What a run did: digests sent, failed (tried again next run), and found already
    sent by another run; ``connected`` is False when the mail server could not be
    reached at all (nothing was sent, everything waits for the next run)."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0
    connected: bool = True


def base_url():
    """The portal's address for links in mails (``DJANGO_BASE_URL``); in debug mode,
    the development server's when unset."""
    if settings.PORTAL_BASE_URL:
        return settings.PORTAL_BASE_URL
    if settings.DEBUG:
        return "http://127.0.0.1:8000"
    raise ImproperlyConfigured("Set DJANGO_BASE_URL: the links in reminder mails need it.")


def subject_of(digest):
    counts = {s: sum(1 for i in digest.items if i.section == s) for s in SECTIONS}
    parts = []
    if counts[LATE]:
        parts.append(ngettext("%(n)d overdue", "%(n)d overdue", counts[LATE]) % {"n": counts[LATE]})
    if counts[DUE_SOON]:
        n = counts[DUE_SOON]
        parts.append(ngettext("%(n)d due soon", "%(n)d due soon", n) % {"n": n})
    if counts[NEW]:
        n = counts[NEW]
        parts.append(ngettext("%(n)d new", "%(n)d new", n) % {"n": n})
    if counts[NUDGED]:
        n = counts[NUDGED]
        parts.append(ngettext("%(n)d reminder", "%(n)d reminders", n) % {"n": n})
    return _("Study reminders: %(summary)s") % {"summary": _(", ").join(parts)}


def message_for(digest, cadre, base, today):
    """The mail of ``digest`` to ``cadre``, in the cadre's language: plain UTF-8 text,
    the subject encoded by RFC 2047 (Django's EmailMessage), and the signed link that
    turns email reminders off, in the body and as List-Unsubscribe."""
    off = link_for(cadre, base)
    with translation.override(cadre.language):
        sections = [
            (s, [i for i in digest.items if i.section == s])
            for s in SECTIONS
            if any(i.section == s for i in digest.items)
        ]
        for _section, items in sections:
            for item in items:
                item.title = item.module.title
                item.days = abs((item.due_on - today).days)
                item.url = base + reverse("training:my_module", args=[item.module.pk])
        body = render_to_string(
            "reminders/digest.txt",
            {
                "cadre": cadre,
                "sections": sections,
                "my_study": base + reverse("training:my_study"),
                "email_off": off,
                "today": today,
            },
        )
        subject = subject_of(digest)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[cadre.user.email],
        headers={"List-Unsubscribe": f"<{off}>", "Auto-Submitted": "auto-generated"},
    )


def _claim(digest, now):
    """In the cadre's transaction: the digest less what is stored as sent now, its
    stage rows written and its trainers' reminders marked; False when nothing is left
    (another run sent it)."""
    assignment_ids = [i.assignment_id for i in digest.items]
    stored = set(
        SentStage.objects.filter(
            cadre_id=digest.cadre_id, assignment_id__in=assignment_ids
        ).values_list("assignment_id", "stage")
    )
    nudges = Nudge.objects.filter(pk__in=digest.nudge_ids, emailed_at__isnull=True)
    carried = set(nudges.values_list("pk", flat=True))
    rows = []
    for item in digest.items:
        item.stages = [s for s in item.stages if (item.assignment_id, s) not in stored]
        rows += [
            SentStage(
                cadre_id=digest.cadre_id, assignment_id=item.assignment_id, stage=s, sent_at=now
            )
            for s in item.stages
        ]
    if not rows and not carried:
        return False
    digest.items = [i for i in digest.items if i.stages or i.nudge_id in carried]
    SentStage.objects.bulk_create(rows)  # unique: an overlapping run waits, then fails here
    Nudge.objects.filter(pk__in=carried).update(emailed_at=now)
    return True


class Unreachable(OSError):
    """The mail server could not be reached."""


class Mailer:
    """One connection to the mail server for a run, opened when the first mail is due
    and again after a send that lost it."""

    def __init__(self, timeout=None):
        self.connection = None
        self.timeout = timeout

    def send(self, message):
        if self.connection is None:
            options = {"timeout": self.timeout} if self.timeout else {}
            connection = get_connection(fail_silently=False, **options)
            try:
                connection.open()
            except OSError as error:  # refused, timed out, TLS or sign-in failed
                raise Unreachable(error) from error
            self.connection = connection
        try:
            if self.connection.send_messages([message]) != 1:
                raise smtplib.SMTPException("The mail was not accepted.")
        except (smtplib.SMTPServerDisconnected, ConnectionError):
            self.close()
            raise

    def close(self):
        if self.connection is not None:
            with contextlib.suppress(OSError):  # smtplib's errors are OSErrors
                self.connection.close()
            self.connection = None


def send_due_reminders(now=None, cadre_ids=None, base=None, timeout=None):
    """Send every cadre with an email address the digest they are owed ``now``; only
    ``cadre_ids`` when given ("remind now", which also waits less for the mail server:
    ``timeout`` seconds). Returns a ``Result``."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    base = base or base_url()
    result, mailer = Result(), Mailer(timeout)
    try:
        for digest in plan(today, cadre_ids):
            cadre = Cadre.objects.select_related("user").get(pk=digest.cadre_id)
            try:
                with transaction.atomic():
                    if not _claim(digest, now):
                        result.skipped += 1
                        continue
                    mailer.send(message_for(digest, cadre, base, today))
            except IntegrityError:
                result.skipped += 1  # an overlapping run sent these stages
            except Unreachable as error:
                result.failed += 1
                result.connected = False
                logger.warning("No reminders sent: the mail server is unreachable: %s", error)
                break  # the rest wait for the next run
            except OSError as error:  # smtplib's errors are OSErrors: this mail only
                result.failed += 1
                logger.warning("Reminder to cadre %s not sent: %s", cadre.pk, error)
            else:
                result.sent += 1
    finally:
        mailer.close()
    return result
