"""Certificates: the cadre's own (print page and PDF), a trainer's zip of a module's,
and the public verification page."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from org.access import cadre_required, trainer_required
from org.models import Cadre
from portal import spreadsheets
from portal.ratelimit import key_over_limit, over_limit

from ..hours import certificates
from ..models import Certificate
from ..progress import COMPLETE, my_modules
from .progress import _module_page

# Certificates per zip (about 0.07 s each to render): beyond it, a smaller org unit.
ZIP_LIMIT = 200


@cadre_required
def module_certificate(request, pk):
    """Issue (or find) the certificate of a module the cadre finished, and show it."""
    module = next((m for m in my_modules(request.cadre) if m.pk == pk and m.finished), None)
    if module is None:
        raise Http404
    certificate = certificates.module_certificate(request.cadre, module)
    if certificate is None:
        raise Http404
    return redirect(certificate)


@cadre_required
def annual_certificate(request, year):
    certificate = certificates.annual_certificate(request.cadre, year)
    if certificate is None:
        raise Http404
    return redirect(certificate)


def _own(request, code):
    return get_object_or_404(Certificate.objects.filter(cadre=request.cadre), code=code)


@cadre_required
def certificate(request, code):
    """The certificate as one printable A4 page, with the portal around it on screen."""
    certificate = _own(request, code)
    return render(
        request,
        "training/certificate.html",
        certificates.context(certificate, request),
    )


@cadre_required
def certificate_pdf(request, code):
    certificate = _own(request, code)
    response = HttpResponse(certificates.pdf(certificate, request), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, certificates.pdf_name(certificate)
    )
    return response


@trainer_required
def module_certificates_zip(request, pk):
    """The certificates of the module's finished cadres in the chosen part of the
    trainer's tree, one PDF each, as one zip (issued where a cadre holds none yet)."""
    page, _none = _module_page(request, pk)
    if page.node is None:
        raise Http404
    base = Cadre.objects.managed_by(request.user).in_subtree(page.node)
    finished = page.progress.filter_status(page.progress.cadres(base), COMPLETE).order_by(
        "org_unit__path", "name", "pk"
    )
    cadres = list(finished[: ZIP_LIMIT + 1])
    if len(cadres) > ZIP_LIMIT:
        return HttpResponse(
            _("More than %(limit)s cadres finished the module here: choose a smaller org unit.")
            % {"limit": ZIP_LIMIT},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    issued = certificates.module_certificates_for(cadres, page.module)
    response = HttpResponse(certificates.zip_of(issued, request), content_type="application/zip")
    name = spreadsheets.file_name(
        page.module.title, str(page.node), _("certificates"), extension="zip"
    )
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_GET
def verify_lookup(request):
    """The form where a code is typed: on to its page."""
    code = certificates.normalise_code(request.GET.get("code", ""))
    if code:
        return redirect("verify", code=code)
    return render(request, "training/verify.html", {"certificate": None, "asked": False})


@require_GET
@never_cache
def verify(request, code):
    """Public: the whole record of a certificate, the holder's name partly masked.
    Limited per address and per code (settings.VERIFY_RATE_LIMIT and
    VERIFY_CODE_RATE_LIMIT); a wrong code tells nothing but that it is not known."""
    window = settings.VERIFY_RATE_WINDOW_SECONDS
    if over_limit(request, "verify", settings.VERIFY_RATE_LIMIT, window):
        return _too_many(request, "address")
    normal = certificates.normalise_code(code)
    if normal and normal != code:
        return redirect("verify", code=normal)
    if normal and key_over_limit("verify-code", normal, settings.VERIFY_CODE_RATE_LIMIT, window):
        return _too_many(request, "code")
    certificate = Certificate.objects.filter(code=normal).first() if normal else None
    context = {"asked": True, "certificate": certificate, "checked_at": timezone.now()}
    if certificate is not None:
        context["holder"] = certificates.mask_name(certificate.holder)
    return render(request, "training/verify.html", context, status=200 if certificate else 404)


def _too_many(request, limited):
    response = render(request, "training/verify.html", {"limited": limited}, status=429)
    response["Retry-After"] = str(settings.VERIFY_RATE_WINDOW_SECONDS)
    return response
