"""The cadre's pages: My study, My record, and marking a unit complete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from expositions.models import StudyUnit
from org.access import cadre_of, cadre_required, is_trainer
from portal.params import parse_id
from portal.replica import reads_may_lag

from .. import evidence, services
from ..hours.ledger import ledger
from ..models import (
    Assignment,
    Certificate,
    Completion,
    ModuleUnit,
    Progress,
    Reflection,
    TrainingClaim,
)
from ..my_study import my_modules
from ..reminders.notices import forget_count, notices_of_request
from .refresh import post_or_back

RECORD_PAGE_SIZE = 50
CLAIMS_SHOWN = 50
CERTIFICATES_SHOWN = 50
REFLECTIONS_SHOWN = 100


@login_required
def start(request):
    """Where signing in lands: a cadre's study, a trainer's modules, an editor's admin,
    else the themes."""
    if cadre_of(request) is not None:
        return redirect("training:my_study")
    if is_trainer(request.user):
        return redirect("training:module_list")
    if request.user.is_staff:
        return redirect("admin:index")
    return redirect("expositions:home")


@cadre_required
@reads_may_lag
def my_study(request):
    modules = my_modules(request.cadre)
    return render(
        request,
        "training/my_study.html",
        {
            "cadre": request.cadre,
            "notices": notices_of_request(request, request.cadre, modules),
            "current": [m for m in modules if not m.finished],
            "finished": [m for m in modules if m.finished],
        },
    )


@cadre_required
@reads_may_lag
def my_module(request, pk):
    """A module as a course: its units in order, ticked when done, who assigned it and
    by when, and a button to the first unit not done yet. Only modules reaching the
    cadre (404 for any other, like every page about someone else's study)."""
    cadre = request.cadre
    module = next((m for m in my_modules(cadre) if m.pk == pk), None)
    if module is None:
        raise Http404
    units = (
        ModuleUnit.objects.filter(module=module, unit__in=StudyUnit.objects.published())
        .select_related("unit__theme")
        .annotate(done=Exists(Completion.objects.filter(cadre=cadre, unit=OuterRef("unit_id"))))
        .order_by("position")
    )
    units = list(units)
    continue_unit = next((mu.unit for mu in units if mu.unit_id == module.next_unit_id), None)
    assignments = (
        Assignment.objects.reaching(cadre)
        .filter(module=module)
        .select_related("org_unit", "assigned_by")
        .order_by("due_on", "pk")
    )
    # Finished: the certificate already issued, else the address that issues it.
    certificate = None
    if module.finished:
        certificate = Certificate.objects.valid().of_module(cadre, module).first()
    return render(
        request,
        "training/my_module.html",
        {
            "module": module,
            "units": units,
            "continue_unit": continue_unit,
            "assignments": assignments,
            "certificate": certificate,
        },
    )


@cadre_required
@reads_may_lag
def my_record(request):
    completions = (
        Completion.objects.filter(cadre=request.cadre)
        .select_related("unit__theme")
        .order_by("-completed_at", "-pk")
    )
    page = Paginator(completions, RECORD_PAGE_SIZE).get_page(request.GET.get("page"))
    year = timezone.localdate().year
    modules = list(my_modules(request.cadre))
    lines, by_year = ledger(request.cadre, year)
    years = [
        {"year": y, "online": online, "training": training, "total": online + training}
        for y, (online, training) in sorted(by_year.items(), reverse=True)
    ]
    return render(
        request,
        "training/my_record.html",
        {
            "page": page,
            "year": year,
            "this_year": years[0],
            "lines": lines,
            "earlier": [y for y in years[1:] if y["total"]],
            "finished": [m for m in modules if m.finished],
            "claims": TrainingClaim.objects.filter(cadre=request.cadre).select_related(
                "decided_by"
            )[:CLAIMS_SHOWN],
            "certificates": Certificate.objects.filter(cadre=request.cadre)[:CERTIFICATES_SHOWN],
            "reflections": Reflection.objects.filter(cadre=request.cadre).newest_first()[
                :REFLECTIONS_SHOWN
            ],
        },
    )


def _unit_page(slug):
    return reverse("expositions:unit_detail", args=[slug]) + "#completion"


def _unit_for(request, slug):
    return get_object_or_404(StudyUnit.objects.published(), slug=slug)


def _back_to(unit, request):
    """The unit page again, in the module it was reached from when there was one."""
    module = parse_id(request.POST.get("module"))
    query = f"?module={module}" if module is not None else ""
    return redirect(f"{unit.get_absolute_url()}{query}#completion")


@cadre_required
@post_or_back(_unit_page)
def completion_mark(request, slug):
    unit = _unit_for(request, slug)
    try:
        # The evidence the unit asks for first, if any (training.evidence).
        _completion, created = evidence.completion_request(cadre=request.cadre, unit=unit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if created:
            # A module started or finished changes the notices; other completions do not.
            if Progress.objects.starting_or_finished(request.cadre, unit).exists():
                forget_count(request)
            messages.success(request, _("Marked as complete."))
    return _back_to(unit, request)


@cadre_required
@post_or_back(_unit_page)
def completion_unmark(request, slug):
    """Undo: one tap while no certificate counts the completion; otherwise a page
    naming the certificates it would revoke, whose button posts here again with
    their codes (the service refuses to revoke any other)."""
    unit = _unit_for(request, slug)
    try:
        undone = services.completion_undo(
            cadre=request.cadre, unit=unit, revoking=set(request.POST.getlist("certificate"))
        )
    except services.CertificatesAtStake as stake:
        return render(
            request,
            "training/completion_undo_confirm.html",
            {
                "unit": unit,
                "certificates": stake.certificates,
                "from_module": parse_id(request.POST.get("module")),
            },
        )
    if undone:
        forget_count(request)
        messages.info(request, _("The completion was removed."))
    return _back_to(unit, request)
