from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from taggit.models import Tag

from .models import StudyUnit, Theme

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
    return render(request, "expositions/theme_detail.html", {"theme": theme, "units": units})


@login_required
def tag_index(request):
    visible = StudyUnit.objects.visible_to(request.user)
    tags = (
        Tag.objects.annotate(
            unit_count=Count(
                "expositions_taggedstudyunit_items",
                filter=Q(expositions_taggedstudyunit_items__content_object__in=visible),
            )
        )
        .filter(unit_count__gt=0)
        .order_by("name")
    )
    return render(request, "expositions/tag_list.html", {"tags": tags})


@login_required
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    units = StudyUnit.objects.visible_to(request.user).for_tag(slug).for_listing()
    return render(request, "expositions/tag_detail.html", {"tag": tag, "units": units})


@login_required
def unit_detail(request, slug):
    visible = StudyUnit.objects.visible_to(request.user)
    unit = get_object_or_404(
        visible.select_related("theme", "exposition").prefetch_related("tags"), slug=slug
    )
    siblings = visible.for_theme(unit.theme).only("slug", "title", "order")
    previous_unit = (
        siblings.filter(Q(order__lt=unit.order) | Q(order=unit.order, pk__lt=unit.pk))
        .order_by("-order", "-pk")
        .first()
    )
    next_unit = (
        siblings.filter(Q(order__gt=unit.order) | Q(order=unit.order, pk__gt=unit.pk))
        .order_by("order", "pk")
        .first()
    )
    return render(
        request,
        "expositions/studyunit_detail.html",
        {"unit": unit, "previous_unit": previous_unit, "next_unit": next_unit},
    )
