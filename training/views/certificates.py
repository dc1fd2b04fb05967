"""Certificates: the cadre's own (print page and PDF), a trainer's zip of a module's
(asked for here, made by a background job), and the public verification page."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from org.access import cadre_required, trainer_required
from portal.ratelimit import key_over_limit, over_limit

from .. import progress_pages
from ..hours import certificates
from ..jobs import services as jobs
from ..jobs import work
from ..jobs.models import Job
from ..models import Certificate
from ..my_study import my_modules
from .refresh import post_or_back


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
@post_or_back(lambda pk: reverse("training:module_progress", args=[pk]))
def module_certificates_zip(request, pk):
    """Ask for the certificates of the module's finished cadres in the chosen org unit of
    the trainer's tree as one zip: a background job (training.jobs.work), whose page
    the trainer is sent to."""
    page, _none = progress_pages.module_page(request.user, request.POST, pk)
    if page.node is None:
        raise Http404
    back = reverse("training:module_progress", args=[pk]) + f"?org={page.node.pk}"
    finished = page.finished_cadres().count()
    if finished > work.ZIP_LIMIT:
        messages.error(request, Job.ERRORS["too_many"])
        return redirect(back)
    if not finished:
        messages.info(request, _("Nobody has finished the module here yet."))
        return redirect(back)
    job = jobs.job_start(
        kind=Job.Kind.CERTIFICATES,
        requested_by=request.user,
        parameters={
            "module": page.module.pk,
            "org": page.node.pk,
            **jobs.request_parameters(request),
        },
        label=f"{page.module.title} — {page.node}",
    )
    return redirect(job)


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
