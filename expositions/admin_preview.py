"""The unit form's preview: the unit page's own part as a reader would see it, from the
form as posted (nothing saved)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.http import require_POST

from .models import StudyUnit, Tag

PREVIEW_LANGUAGES = ("zh-hans", "en")


@require_POST
def preview(request, model_admin):
    """The unit page's own part, rendered from the form as posted (nothing saved), in
    the language asked for, with the site's stylesheet: exactly what a reader would
    see. Fields that do not validate yet are left empty rather than refused."""
    if not model_admin.has_change_permission(request) and not model_admin.has_add_permission(
        request
    ):
        raise PermissionDenied
    language = request.POST.get("preview_language")
    if language not in PREVIEW_LANGUAGES:
        language = translation.get_language()
    form = model_admin.get_form(request)(request.POST, instance=StudyUnit())
    form.is_valid()  # fills form.instance with every field that validates
    unit = form.instance
    unit.prepare_for_readers()
    names = form.cleaned_data.get("tags") or []
    known = {t.name: t for t in Tag.objects.filter(name__in=names)}
    tags = [known.get(name) or Tag(name=name, slug="preview") for name in names]
    with translation.override(language):
        html = render_to_string(
            "expositions/unit_preview.html",
            {"unit": unit, "tags": tags, "LANGUAGE_CODE": language},
            request=request,
        )
    return HttpResponse(html)
