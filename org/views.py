"""Importing cadres and org units: a trainer into their own tree (here), an editor
anywhere (the admin's import pages in org.admin use the same service)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import imports
from .access import is_trainer, trainer_required
from .forms import ImportForm
from .models import Cadre

PICKER_LIMIT = 20


@require_GET
@trainer_required
def cadre_search(request):
    """The cadre picker's suggestions: active cadres in the trainer's org units and below
    whose name holds the words typed or whose username starts with them, at most 20,
    with what tells two 张伟 apart (org unit, position). Nobody outside the scope is
    ever listed."""
    words = request.GET.get("q", "")[:50]
    cadres = (
        Cadre.objects.managed_by(request.user)
        .filter(active=True)
        .matching(words)
        .select_related("user", "org_unit")
        .order_by("name", "org_unit__path", "pk")[: PICKER_LIMIT + 1]
    )
    found = [
        {
            "id": c.pk,
            "name": c.name,
            "username": c.user.username,
            "org_unit": str(c.org_unit),
            "position": c.position,
        }
        for c in cadres
    ]
    return JsonResponse(
        {"results": found[:PICKER_LIMIT], "more": len(found) > PICKER_LIMIT},
        json_dumps_params={"ensure_ascii": False},
    )


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
        "org/import.html",
        {"form": form, "result": result, **imports.help_context()},
        status=422 if result is not None and not result.ok else 200,
    )


@login_required
def import_template(request, kind):
    """The template to fill in: for trainers, and for editors who may add cadres."""
    user = request.user
    if not (is_trainer(user) or (user.is_staff and user.has_perm("org.add_cadre"))):
        raise Http404
    if kind not in imports.COLUMNS:
        raise Http404
    chinese = imports.reader_reads_chinese()
    response = HttpResponse(
        imports.template_csv(kind, chinese), content_type="text/csv; charset=utf-8"
    )
    suffix = "zh" if chinese else "en"
    response["Content-Disposition"] = f'attachment; filename="{kind}-template-{suffix}.csv"'
    return response
