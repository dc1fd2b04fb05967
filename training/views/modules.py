"""The trainer's module pages: list, build and edit, detail, assign."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from expositions.models import StudyUnit
from org.access import trainer_required
from portal import audit

from .. import services
from ..builder import Builder
from ..forms import MAX_UNITS_PER_MODULE, AssignForm, ModuleForm
from ..models import Assignment, Module, TrainingClaim
from .refresh import post_or_back


@trainer_required
def module_list(request):
    modules = (
        Module.objects.visible_to(request.user)
        .with_hours()
        .annotate(unit_count=Count("module_units", distinct=True))
        .order_by("status", "title")
    )
    waiting = TrainingClaim.objects.decidable_by(request.user).filter(
        status=TrainingClaim.Status.PENDING
    )
    return render(
        request,
        "training/module_list.html",
        {"modules": modules, "claims_waiting": waiting.count()},
    )


def _available_units():
    return (
        StudyUnit.objects.published()
        .select_related("theme")
        .order_by("theme__order", "order", "pk")
    )


def _save_module(request, form, creating):
    with transaction.atomic():
        module = form.save(commit=False)
        if creating:
            module.created_by = request.user
        module.save()
        recount = services.module_set_units(
            module=module, units=form.ordered_units, by=request.user
        )
        audit.record_form(
            request.user,
            module,
            form,
            creating,
            extra_changed=(["study units"] if form.units_changed and not creating else []),
        )
    if recount is not None:
        recounting = _(
            "The module's progress is being recounted in the background (job %(number)s, "
            "under My background jobs): its progress page shows the new totals in a moment."
        )
        messages.info(request, recounting % {"number": recount.pk})
    return module


def _module_form_page(request, module=None):
    creating = module is None
    units = list(_available_units())
    instance = module or Module()
    if request.method != "POST":
        form = ModuleForm(instance=instance, available_units=units)
        builder = Builder(units, list(form.current))
        return _render_form(request, form, builder, module)
    builder = Builder.from_post(units, request.POST)
    action = Builder.action(request.POST)
    if action is not None:
        # A builder button without JavaScript: apply it and draw the page again, with
        # what was typed kept and nothing saved or checked yet.
        builder.apply(*action)
        fields = ("title", "description", "status", "evidence")
        initial = {name: request.POST.get(name, "") for name in fields}
        form = ModuleForm(instance=instance, initial=initial, available_units=units)
        return _render_form(request, form, builder, module)
    form = ModuleForm(request.POST, instance=instance, available_units=units)
    if form.is_valid():
        try:
            module = _save_module(request, form, creating)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The module was saved."))
            return redirect(module)
    return _render_form(request, form, builder, module)


def _render_form(request, form, builder, module):
    return render(
        request,
        "training/module_form.html",
        {"form": form, "module": module, "builder": builder, "max_units": MAX_UNITS_PER_MODULE},
    )


@trainer_required
def module_create(request):
    return _module_form_page(request)


@trainer_required
def module_edit(request, pk):
    module = get_object_or_404(Module.objects.editable_by(request.user), pk=pk)
    return _module_form_page(request, module)


@trainer_required
def module_detail(request, pk):
    module = get_object_or_404(Module.objects.visible_to(request.user).with_hours(), pk=pk)
    units = module.module_units.select_related("unit__theme").order_by("position")
    assignments = (
        Assignment.objects.visible_to(request.user)
        .filter(module=module)
        .select_related("org_unit", "cadre__org_unit", "assigned_by")
        .order_by("due_on", "pk")
    )
    from_above = (
        Assignment.objects.from_above(request.user)
        .filter(module=module)
        .select_related("org_unit", "assigned_by")
        .order_by("due_on", "pk")
    )
    can_edit = Module.objects.editable_by(request.user).filter(pk=module.pk).exists()
    return render(
        request,
        "training/module_detail.html",
        {
            "module": module,
            "units": units,
            "assignments": assignments,
            "from_above": from_above,
            "can_edit": can_edit,
        },
    )


@trainer_required
@post_or_back(lambda pk: reverse("training:module_detail", args=[pk]))
def module_activate(request, pk):
    """Make a draft (or archived) module of one's own active, then back to its page,
    where it can be assigned."""
    module = get_object_or_404(Module.objects.editable_by(request.user), pk=pk)
    if services.module_activate(module=module, by=request.user):
        messages.success(request, _("The module is active: you can assign it now."))
    return redirect(module)


def _assign_confirm(request, module, form, target):
    """Before assigning: how many cadres it reaches and the assignments already covering
    them."""
    covering = (
        Assignment.objects.covering(**target)
        .filter(module=module)
        .select_related("org_unit", "cadre", "assigned_by")
        .order_by("due_on", "pk")
    )
    context = {"module": module, "form": form, "covering": covering, **target}
    context["reach"] = services.assignment_reach(**target)
    return render(request, "training/assign_confirm.html", context)


def _assigned(request, module, form, target):
    """Assign ``module`` as the form says: the assignment (new, or the one already
    there), or None with the reason on the form."""
    try:
        assignment, created = services.assignment_create(
            module=module, due_on=form.cleaned_data["due_on"], by=request.user, **target
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    if created:
        messages.success(request, _("The module was assigned."))
    else:
        messages.info(
            request,
            _("This module was already assigned to %(target)s, due %(due)s.")
            % {"target": assignment.target, "due": assignment.due_on.isoformat()},
        )
    return assignment


@trainer_required
def module_assign(request, pk):
    module = get_object_or_404(Module.objects.visible_to(request.user), pk=pk)
    if module.status != Module.Status.ACTIVE:
        # Only its own trainer sees a draft: tell them why, and how to go on.
        can_edit = Module.objects.editable_by(request.user).filter(pk=module.pk).exists()
        return render(
            request,
            "training/assign_inactive.html",
            {"module": module, "can_edit": can_edit},
            status=409 if request.method == "POST" else 200,
        )
    form = AssignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        target = {
            "cadre": form.cleaned_data["cadre"],
            "org_unit": form.cleaned_data["org_unit"],
        }
        if request.POST.get("confirm") != "yes":
            return _assign_confirm(request, module, form, target)
        assignment = _assigned(request, module, form, target)
        if assignment is not None:
            return redirect(assignment)
    return render(request, "training/assign_form.html", {"module": module, "form": form})
