"""Training claims (学时申报): a cadre records training taken elsewhere, a trainer who
manages the cadre approves or rejects it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from org.access import cadre_required, trainer_required
from org.models import OrgUnit

from .. import services
from ..forms import CONTENT_TYPES, ClaimDecisionForm, ClaimForm, file_kind
from ..models import TrainingClaim
from ..reminders.notices import forget_count
from .refresh import post_or_back

PAGE_SIZE = 50


@cadre_required
def claim_create(request):
    """The claim form. Hours over the daily bound are refused; a claim repeating or
    overlapping another of the cadre's is shown with them and needs a tick."""
    if request.method == "POST":
        form = ClaimForm(request.POST, request.FILES, cadre=request.cadre)
        if form.is_valid():
            claim = form.save(commit=False)
            try:
                services.claim_submit(
                    cadre=request.cadre,
                    claim=claim,
                    clashes_confirmed=form.cleaned_data["confirm"],
                )
            except ValidationError as error:  # another claim came in meanwhile
                form.add_error(None, error)
                form.clashes = claim.clashes()
            else:
                forget_count(request)  # a claim made again ends its rejection's notice
                messages.success(
                    request, _("Your claim is recorded and waits for a trainer's approval.")
                )
                return redirect("training:my_record")
    else:
        form = ClaimForm(cadre=request.cadre)
    return render(request, "training/claim_form.html", {"form": form})


@cadre_required
@post_or_back(lambda pk: reverse("training:my_record") + "#claims")
def claim_withdraw(request, pk):
    """Withdrawing deletes the claim and its file: the first tap shows what will go,
    the second (``confirm``) withdraws."""
    claim = get_object_or_404(TrainingClaim.objects.filter(cadre=request.cadre), pk=pk)
    if request.POST.get("confirm") != "yes" and claim.status == TrainingClaim.Status.PENDING:
        return render(request, "training/claim_withdraw_confirm.html", {"claim": claim})
    if services.claim_withdraw(cadre=request.cadre, pk=claim.pk):
        messages.success(request, _("Your claim is withdrawn."))
    else:
        messages.error(request, _("Only a claim that waits for a decision can be withdrawn."))
    return redirect(reverse("training:my_record") + "#claims")


@trainer_required
def claim_list(request):
    """The claims of the cadres a trainer manages: waiting ones first, each with what
    its checks flag; the filter says which claims it shows and how many."""
    status = request.GET.get("status", TrainingClaim.Status.PENDING)
    if status not in TrainingClaim.Status.values and status != "all":
        raise Http404
    claims = (
        TrainingClaim.objects.decidable_by(request.user)
        .with_flags()
        .select_related("cadre__org_unit")
    )
    if status != "all":
        claims = claims.filter(status=status)
    claims = claims.order_by("submitted_at", "pk")
    statuses = [*TrainingClaim.Status.choices, ("all", _("All"))]
    return render(
        request,
        "training/claim_list.html",
        {
            "claims": Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page")),
            "status": status,
            "status_label": dict(statuses)[status],
            "statuses": statuses,
            "query": f"status={status}",
        },
    )


def _decided(request, claim, form):
    """Record the trainer's decision on ``claim``; False (the reason on the form) when
    the service refuses it."""
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.claim_decide(
            claim=claim,
            by=request.user,
            approve=approve,
            reason=form.cleaned_data["reason"],
            hours=form.cleaned_data["hours"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    messages.success(
        request,
        _("Claim approved: its hours now count.")
        if approve
        else _("Claim rejected: its hours do not count."),
    )
    return True


@trainer_required
def claim_detail(request, pk):
    claim = get_object_or_404(
        TrainingClaim.objects.decidable_by(request.user).select_related(
            "cadre__org_unit", "cadre__user", "decided_by"
        ),
        pk=pk,
    )
    if request.method == "POST":
        form = ClaimDecisionForm(request.POST, claim=claim)
        if form.is_valid() and _decided(request, claim, form):
            return redirect("training:claim_list")
    else:
        form = ClaimDecisionForm(
            initial={"reason": claim.reason} if claim.status != claim.Status.PENDING else None,
            claim=claim,
        )
    breadcrumbs = OrgUnit.objects.filter(path__in=claim.cadre.org_unit.ancestor_paths()).order_by(
        "depth"
    )
    return render(
        request,
        "training/claim_detail.html",
        {
            "claim": claim,
            "form": form,
            "org_path": breadcrumbs,
            "flags": claim.flags(),
            "clashes": claim.clashes(),
        },
    )


@login_required
def claim_file(request, pk):
    """The claim's file, for its cadre and the trainers who manage them only, with the
    type its content was checked to be: shown in the browser (PDF, PNG, JPEG), or as a
    download with ``?download=1``. Browsers are told not to sniff another type, and
    the site's CSP applies to it as to every page."""
    claim = get_object_or_404(
        TrainingClaim.objects.visible_to(request.user).exclude(attachment=""), pk=pk
    )
    try:
        handle = claim.attachment.open("rb")
    except FileNotFoundError:  # lost from the disk (a restore without the uploads)
        raise Http404 from None
    kind = file_kind(handle)
    if kind is None:
        handle.close()
        raise Http404
    extension = "jpg" if kind == "jpeg" else kind
    response = FileResponse(
        handle,
        as_attachment=request.GET.get("download") == "1",
        filename=f"claim-{claim.pk}.{extension}",
        content_type=CONTENT_TYPES[kind],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
