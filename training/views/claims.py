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
from django.views.decorators.http import require_POST

from org.access import cadre_required, trainer_required
from org.models import OrgUnit

from .. import services
from ..forms import CONTENT_TYPES, ClaimDecisionForm, ClaimForm, file_kind
from ..models import TrainingClaim

PAGE_SIZE = 50


@cadre_required
def claim_create(request):
    if request.method == "POST":
        form = ClaimForm(request.POST, request.FILES)
        if form.is_valid():
            services.claim_submit(cadre=request.cadre, claim=form.save(commit=False))
            messages.success(
                request, _("Your claim is recorded and waits for a trainer's approval.")
            )
            return redirect("training:my_record")
    else:
        form = ClaimForm()
    return render(request, "training/claim_form.html", {"form": form})


@require_POST
@cadre_required
def claim_withdraw(request, pk):
    claim = get_object_or_404(TrainingClaim.objects.filter(cadre=request.cadre), pk=pk)
    if services.claim_withdraw(cadre=request.cadre, pk=claim.pk):
        messages.success(request, _("Your claim is withdrawn."))
    else:
        messages.error(request, _("Only a claim that waits for a decision can be withdrawn."))
    return redirect(reverse("training:my_record") + "#claims")


@trainer_required
def claim_list(request):
    """The claims of the cadres a trainer manages: waiting ones first."""
    status = request.GET.get("status", TrainingClaim.Status.PENDING)
    if status not in TrainingClaim.Status.values and status != "all":
        raise Http404
    claims = TrainingClaim.objects.decidable_by(request.user).select_related("cadre__org_unit")
    if status != "all":
        claims = claims.filter(status=status)
    claims = claims.order_by("submitted_at", "pk")
    return render(
        request,
        "training/claim_list.html",
        {
            "claims": Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page")),
            "status": status,
            "statuses": [*TrainingClaim.Status.choices, ("all", _("All"))],
            "query": f"status={status}",
        },
    )


@trainer_required
def claim_detail(request, pk):
    claim = get_object_or_404(
        TrainingClaim.objects.decidable_by(request.user).select_related(
            "cadre__org_unit", "cadre__user", "decided_by"
        ),
        pk=pk,
    )
    if request.method == "POST":
        form = ClaimDecisionForm(request.POST)
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            try:
                services.claim_decide(
                    claim=claim,
                    by=request.user,
                    approve=approve,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Claim approved: its hours now count.")
                    if approve
                    else _("Claim rejected: its hours do not count."),
                )
                return redirect("training:claim_list")
    else:
        form = ClaimDecisionForm(
            initial={"reason": claim.reason} if claim.status != claim.Status.PENDING else None
        )
    breadcrumbs = OrgUnit.objects.filter(path__in=claim.cadre.org_unit.ancestor_paths()).order_by(
        "depth"
    )
    return render(
        request,
        "training/claim_detail.html",
        {"claim": claim, "form": form, "org_path": breadcrumbs},
    )


@login_required
def claim_file(request, pk):
    """The claim's file, for its cadre and the trainers who manage them only; sent as a
    download with the type its content was checked to be."""
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
        as_attachment=True,
        filename=f"claim-{claim.pk}.{extension}",
        content_type=CONTENT_TYPES[kind],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
