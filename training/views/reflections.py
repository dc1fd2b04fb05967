"""The trainers' reading of reflections (学习心得): a module's reflections by the cadres
they manage, newest first, by unit and org unit, exported; and one reflection, to mark
read or return with a comment. Read, never ranked: no scores, no counts of words. A
reflection outside the trainer's tree answers 404, like every page about someone
else's study."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from org.access import trainer_required
from org.models import OrgUnit
from portal import spreadsheets

from .. import evidence
from ..evidence_forms import ReflectionFilterForm, ReflectionReviewForm
from ..models import Module, Reflection
from ..reflection_exports import reflection_rows

PAGE_SIZE = 50


def _reflections(request, pk):
    """The module (one the trainer may open), the valid filters (404 otherwise) and the
    reflections on its units by the cadres the trainer manages, newest first."""
    module = get_object_or_404(Module.objects.visible_to(request.user), pk=pk)
    filters = ReflectionFilterForm(request.GET, module=module, user=request.user)
    if not filters.is_valid():
        raise Http404
    reflections = Reflection.objects.reviewable_by(request.user).filter(
        unit__module_units__module=module
    )
    return module, filters, filters.filter(reflections).newest_first()


@trainer_required
def module_reflections(request, pk):
    module, filters, reflections = _reflections(request, pk)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/module_reflections.html",
        {
            "module": module,
            "filters": filters,
            "page": Paginator(reflections, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": query.urlencode(),
        },
    )


@trainer_required
def reflections_export(request, pk, fmt):
    module, filters, reflections = _reflections(request, pk)
    label = _("Reflections")
    today = timezone.localdate().isoformat()
    org, unit = filters.cleaned_data.get("org"), filters.cleaned_data.get("unit")
    roots = OrgUnit.objects.scope_roots(request.user)
    scope = str(org) if org else "、".join(str(root) for root in roots)
    name = spreadsheets.file_name(module.title, scope, label, today, extension=fmt)
    table = reflection_rows(reflections)
    if fmt == "csv":
        return spreadsheets.csv_response(name, table.header, table.csv_rows())
    if unit is not None:
        scope = f"{scope} · {unit.title}"
    title = _("%(module)s — %(table)s · %(scope)s · exported %(time)s (%(zone)s)") % {
        "module": module.title,
        "table": label,
        "scope": scope,
        "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "zone": spreadsheets.zone_name(),
    }
    return spreadsheets.xlsx_response(name, table, sheet=label, title=title)


@trainer_required
def reflection_detail(request, pk):
    """One reflection of a cadre the trainer manages, to mark read or to return with a
    comment (training.evidence.reflection_review)."""
    reflections = Reflection.objects.reviewable_by(request.user).newest_first()
    reflection = get_object_or_404(reflections.select_related("reviewed_by"), pk=pk)
    form = ReflectionReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            evidence.reflection_review(
                reflection=reflection,
                by=request.user,
                action=form.cleaned_data["action"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if form.cleaned_data["action"] == evidence.READ:
                messages.success(request, _("Marked read: the cadre can no longer change it."))
            else:
                messages.success(request, _("Returned: the cadre sees your comment."))
            return redirect("training:reflection_detail", pk=reflection.pk)
    return render(
        request, "training/reflection_detail.html", {"reflection": reflection, "form": form}
    )
