"""The cadre's evidence of study on a unit (training.evidence): answering its self-check
and writing or revising a reflection (学习心得). Each is the cadre's own: the POST never
names a cadre."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from expositions.models import SelfCheckQuestion, StudyUnit
from org.access import cadre_required
from org.templatetags.text_tags import space
from portal.params import parse_id

from .. import evidence
from ..evidence_forms import ReflectionForm, SelfCheckForm
from ..models import Reflection
from .refresh import post_or_back
from .study import _back_to, _unit_page

COMPLETED = gettext_lazy("The unit is recorded complete.")


def _from_module(request):
    return parse_id(request.POST.get("module") or request.GET.get("module"))


@cadre_required
@post_or_back(_unit_page)
def self_check(request, slug):
    """Mark the answers. All right: back to the unit, passed (and complete, when that
    was all it asked). Otherwise the questions again, each marked, with its
    explanation, to answer again at once."""
    unit = get_object_or_404(StudyUnit.objects.published(), slug=slug)
    questions = list(SelfCheckQuestion.objects.for_unit(unit))
    if not questions:
        raise Http404
    form = SelfCheckForm(questions, request.POST)
    result = None
    if form.is_valid():
        try:
            result = evidence.self_check_submit(
                cadre=request.cadre, unit=unit, answers=form.answers()
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _back_to(unit, request)
        if result.passed:
            said = _("Every answer is right: you passed the self-check.")
            messages.success(request, f"{said}{space()}{COMPLETED}" if result.completed else said)
            return _back_to(unit, request)
    context = {"unit": unit, "result": result, "from_module": _from_module(request)}
    context["rows"] = form.rows(result.marks if result else None)
    context["form"] = form
    return render(request, "training/self_check.html", context)


@cadre_required
def reflection(request, slug):
    """The cadre's reflection on a unit: the form, with their text while they may still
    change it (the page shows it read only once a trainer has read it); sent, back to
    the unit."""
    unit = get_object_or_404(StudyUnit.objects.published(), slug=slug)
    mine = Reflection.objects.filter(cadre=request.cadre, unit=unit).first()
    initial = {"text": mine.text} if mine is not None else None
    form = ReflectionForm(request.POST or None, initial=initial, auto_id="reflection-%s")
    if request.method == "POST" and form.is_valid():
        try:
            _mine, completed = evidence.reflection_submit(
                cadre=request.cadre, unit=unit, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            said = _("Your reflection is sent to the trainers who manage your org unit.")
            messages.success(request, f"{said}{space()}{COMPLETED}" if completed else said)
            return _back_to(unit, request)
    return render(
        request,
        "training/reflection_form.html",
        {"unit": unit, "reflection": mine, "form": form, "from_module": _from_module(request)},
    )
