"""Importing cadres and org units: a trainer into their own tree (here), an editor
anywhere (the admin's import pages in training.admin use the same service)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .. import imports
from .access import is_trainer, trainer_required


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file lists"),
        choices=[(imports.CADRES, _("Cadres")), (imports.ORG_UNITS, _("Org units"))],
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A .csv (UTF-8 or GB18030) or .xlsx file with a header row, like the template."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


def limits():
    return {"max_kb": imports.max_bytes() // 1024, "max_rows": imports.max_rows()}


@trainer_required
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = imports.run(
            form.cleaned_data["file"], form.cleaned_data["kind"], request.user, request.user
        )
    return render(
        request,
        "training/import.html",
        {"form": form, "result": result, **limits()},
        status=422 if result is not None and not result.ok else 200,
    )


def template_response(kind):
    if kind not in imports.COLUMNS:
        raise Http404
    response = HttpResponse(imports.template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response


@login_required
def import_template(request, kind):
    """The template to fill in: for trainers, and for editors who may add cadres."""
    user = request.user
    if not (is_trainer(user) or (user.is_staff and user.has_perm("training.add_cadre"))):
        raise Http404
    return template_response(kind)
