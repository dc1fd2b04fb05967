from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from portal.replica import reads_may_lag

from . import providers
from .models import StudyUnit, Tag, Theme, in_reading_order
from .search import highlight, snippet
from .search import search as search_units

RECENT_UNITS = 6


@login_required
def home(request):
    visible = StudyUnit.objects.visible_to(request.user)
    themes = Theme.objects.annotate(
        unit_count=Count("units", filter=Q(units__in=visible))
    ).order_by("order", "slug")
    recent = visible.select_related("theme").order_by("-updated_at")[:RECENT_UNITS]
    return render(request, "expositions/home.html", {"themes": themes, "recent_units": recent})


@login_required
def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    units = StudyUnit.objects.visible_to(request.user).for_theme(theme).for_listing()
    done = providers.done_units(request, units)
    return render(
        request, "expositions/theme_detail.html", {"theme": theme, "units": units, "done": done}
    )


@login_required
def tag_index(request):
    tags = in_reading_order(_tags_with_counts(request.user))
    return render(request, "expositions/tag_list.html", {"tags": tags})


@login_required
def tag_detail(request, slug):
    visible = StudyUnit.objects.visible_to(request.user)
    tag = get_object_or_404(visible.tags(), slug=slug)
    units = visible.for_tag(slug).for_listing()
    done = providers.done_units(request, units)
    return render(
        request, "expositions/tag_detail.html", {"tag": tag, "units": units, "done": done}
    )


@login_required
@reads_may_lag
def unit_detail(request, slug):
    page = StudyUnit.page(slug, request.user)
    if page is None:
        raise Http404
    context = {"unit": page.unit, "previous_unit": page.previous, "next_unit": page.next}
    context.update(providers.unit_page(request, page.unit))
    return render(request, "expositions/studyunit_detail.html", context)


SEARCH_PAGE_SIZE = 20
SUGGESTED_TAGS = 12


def _highlight(page, terms):
    """Each result's title, snippet and tags with the search terms marked."""
    # The reader's language first (settings order when it is neither).
    reader = get_language() or settings.LANGUAGE_CODE
    snippet_languages = sorted(
        (code for code, _name in settings.LANGUAGES), key=lambda c: c != reader
    )
    for unit in page:
        unit.title_html = highlight(unit.title, terms)
        unit.snippet_html, unit.snippet_lang = snippet(unit, terms, snippet_languages)
        unit.tag_items = [
            (tag, highlight(tag.label, terms)) for tag in in_reading_order(unit.tags.all())
        ]


@login_required
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    theme_slug = request.GET.get("theme", "")
    tag_slug = request.GET.get("tag", "")
    units = StudyUnit.objects.visible_to(request.user)
    theme = Theme.objects.filter(slug=theme_slug).first() if theme_slug else None
    tag = units.tags().filter(slug=tag_slug).first() if tag_slug else None
    if theme:
        units = units.for_theme(theme)
    if tag:
        units = units.for_tag(tag.slug)
    results = search_units(units.select_related("theme").prefetch_related("tags"), query)
    terms = results.terms
    with results.transaction():
        page = Paginator(results, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    _highlight(page, terms)
    context = {
        "done": providers.done_units(request, page.object_list),
        "query": query,
        "terms": terms,
        "page": page,
        "capped": results.capped,
        "themes": Theme.objects.order_by("order"),
        "theme": theme,
        "tag": tag,
        "tags": _popular_tags(request.user) if not page.object_list else None,
        "querystring": urlencode(
            {k: v for k, v in {"q": query, "theme": theme_slug, "tag": tag_slug}.items() if v}
        ),
    }
    return render(request, "expositions/search.html", context)


def _popular_tags(user):
    popular = _tags_with_counts(user).order_by("-unit_count", "name")[:SUGGESTED_TAGS]
    return in_reading_order(popular)


def _tags_with_counts(user):
    """Tags on units the user may see, with how many such units each has."""
    visible = StudyUnit.objects.visible_to(user)
    return Tag.objects.annotate(
        unit_count=Count(
            "tagged_units",
            filter=Q(tagged_units__content_object__in=visible),
        )
    ).filter(unit_count__gt=0)
