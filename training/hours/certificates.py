"""Certificates: issuing, revoking and rendering them.

A module certificate (结业证书) is issued when a cadre who finished a module asks for
it; an annual certificate (学时证明) states a year's 学时 as of the day it is issued.
Both keep what they state, so the public page (/verify/<code>/) shows the record a
printout must match. Undoing a completion revokes the certificates that counted it
(its modules', and its year's), withdrawing the approval of a claim revokes the
certificates of its year: both are called by training.services in the transaction of
the change. Asked again, the portal issues a new certificate with a new code.
"""

import base64
import secrets
from datetime import date
from decimal import Decimal

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from expositions.models import StudyUnit
from org.models import Cadre
from portal.spreadsheets import file_name

from ..models import Certificate, Completion, ModuleUnit, TrainingClaim
from .ledger import claimed_hours_by_year, online_hours_by_year

CODE_BYTES = 10  # 80 random bits: 16 characters of base32
FIRST_YEAR = 2000  # no study hours are recorded before it (and year 1 would overflow)


def new_code():
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")


def normalise_code(text):
    """What a person typed or scanned (lower case, dashes, spaces) as a stored code."""
    return "".join(ch for ch in (text or "").upper() if ch.isascii() and ch.isalnum())


def mask_name(name):
    """张三 → 张*, 欧阳娜娜 → 欧**娜, Li Wei → L****i: enough to match a printout."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _issue(cadre, **fields):
    """A new certificate stating, as issued, the holder, their org unit and the organ
    that issues it (``OrgUnit.issuing_organ_in_force``, in both languages)."""
    issuer_zh, issuer_en = cadre.org_unit.issuing_organ_in_force()
    return Certificate.objects.create(
        code=new_code(),
        cadre=cadre,
        holder=cadre.name,
        org_unit_name=cadre.org_unit.name,
        issuer_zh=issuer_zh,
        issuer_en=issuer_en,
        **fields,
    )


def module_certificate(cadre, module):
    """The cadre's valid certificate for ``module``, issued now if they have finished
    every unit readers can see in it and hold none; None if they have not."""
    with transaction.atomic():
        Cadre.objects.select_for_update().filter(pk=cadre.pk).first()  # one issue at a time
        existing = (
            Certificate.objects.valid()
            .filter(cadre=cadre, kind=Certificate.Kind.MODULE, module=module)
            .first()
        )
        if existing:
            return existing
        units = list(
            ModuleUnit.objects.filter(
                module=module, unit__in=StudyUnit.objects.published()
            ).values_list("unit_id", flat=True)
        )
        if not units:
            return None
        # The 学时 the cadre's completions credited, whatever the units credit today.
        done = Completion.objects.filter(cadre=cadre, unit_id__in=units).aggregate(
            count=Count("pk"),
            first=Min("completed_at"),
            last=Max("completed_at"),
            hours=Sum("credit_hours"),
        )
        if done["count"] < len(units):
            return None
        return _issue(
            cadre,
            kind=Certificate.Kind.MODULE,
            module=module,
            subject_zh=module.title_zh_hans or module.title_en or "",
            subject_en=module.title_en or module.title_zh_hans or "",
            hours=done["hours"],
            first_on=timezone.localtime(done["first"]).date(),
            last_on=timezone.localtime(done["last"]).date(),
        )


def year_hours(cadre, year):
    """学时 of ``year``: units completed online plus approved claims of either kind."""
    online = online_hours_by_year(cadre, year, year)[year]
    claimed = claimed_hours_by_year(cadre, year, year)
    return online + sum((claimed[kind, year] for kind in TrainingClaim.Kind.values), Decimal(0))


def annual_certificate(cadre, year):
    """The cadre's certificate of ``year``'s 学时 as of today: the valid one already
    issued if it states today's hours, else a new one; None for a year without hours
    or one not begun."""
    today = timezone.localdate()
    if not FIRST_YEAR <= year <= today.year:
        return None
    with transaction.atomic():
        Cadre.objects.select_for_update().filter(pk=cadre.pk).first()
        hours = year_hours(cadre, year)
        if not hours:
            return None
        existing = (
            Certificate.objects.valid()
            .filter(cadre=cadre, kind=Certificate.Kind.ANNUAL, year=year, hours=hours)
            .first()
        )
        if existing:
            return existing
        return _issue(
            cadre,
            kind=Certificate.Kind.ANNUAL,
            year=year,
            subject_zh=f"{year}年度学时",
            subject_en=f"Study hours of {year}",
            hours=hours,
            first_on=date(year, 1, 1),
            last_on=min(today, date(year, 12, 31)),
        )


def counting(completion):
    """The valid certificates that count ``completion``: the cadre's certificates of
    the modules holding its unit, and of its year. What undoing it would revoke."""
    modules = ModuleUnit.objects.filter(unit_id=completion.unit_id).values("module_id")
    year = timezone.localtime(completion.completed_at).year
    return (
        Certificate.objects.valid()
        .filter(cadre_id=completion.cadre_id)
        .filter(
            Q(kind=Certificate.Kind.MODULE, module_id__in=modules)
            | Q(kind=Certificate.Kind.ANNUAL, year=year)
        )
        .order_by("kind", "year", "issued_at", "pk")
    )


def revoke_for_completion(completion):
    """Revoke what counted ``completion`` (just deleted): ``counting``. Returns how many."""
    now = timezone.now()
    return counting(completion).update(
        revoked_at=now,
        revoked_because=Certificate.Revocation.COMPLETION_UNDONE,
        updated_at=now,
    )


def revoke_for_claim(claim, because=Certificate.Revocation.CLAIM_REJECTED):
    """Revoke the cadre's annual certificates of the year ``claim`` counted in."""
    return (
        Certificate.objects.valid()
        .filter(cadre_id=claim.cadre_id, kind=Certificate.Kind.ANNUAL, year=claim.year)
        .update(revoked_at=timezone.now(), revoked_because=because, updated_at=timezone.now())
    )


def verify_url(certificate, request=None, base_url=""):
    """The full address of the certificate's public page, as printed and in the QR code:
    on the portal's address (settings.PORTAL_BASE_URL), else on the address it was asked
    on (``request``, or ``base_url`` noted from one for a background job)."""
    path = certificate.get_verify_url()
    if settings.PORTAL_BASE_URL:
        return settings.PORTAL_BASE_URL + path
    if request is not None:
        return request.build_absolute_uri(path)
    return base_url + path


def qr_svg(url):
    """The QR code of ``url`` as inline SVG (segno; medium error correction)."""
    return segno.make(url, error="m").svg_inline(scale=4, border=2, title=url)


def context(certificate, request=None, base_url=""):
    url = verify_url(certificate, request, base_url)
    return {"certificate": certificate, "verify_url": url, "qr": qr_svg(url)}


def pdf(certificate, request=None, base_url=""):
    """The certificate as one A4 page of PDF, in the active language (WeasyPrint), set
    in the portal's own font (static/fonts: the @font-face rules of certificate.css), so
    it looks the same on every server, with or without CJK fonts of its own."""
    html = render_to_string(
        "training/certificate_pdf.html", context(certificate, request, base_url)
    )
    return pdf_of_html(html)


def pdf_of_html(html):
    """A certificate page's HTML as PDF, with certificate.css and its fonts."""
    from weasyprint import CSS, HTML  # imported when used: it loads Pango
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()  # what makes WeasyPrint load @font-face fonts
    stylesheet = CSS(filename=finders.find("css/certificate.css"), font_config=fonts)
    return HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=fonts)


def pdf_name(certificate):
    return file_name(certificate.formatted_code, extension="pdf")
