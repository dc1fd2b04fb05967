"""Trainers see who is short of study hours (学时) in their scope: per org unit, how
many cadres meet a requirement, and the cadres below it with what they still need."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from org.access import trainer_required
from org.models import Cadre, OrgUnit
from portal.params import parse_id

from .. import exports
from ..ledger import rollup, standing
from ..models import Requirement

PAGE_SIZE = 50
YEARS_BACK = 5


@trainer_required
def hours_overview(request):
    this_year = timezone.localdate().year
    years = list(range(this_year, this_year - YEARS_BACK, -1))
    year = parse_id(request.GET.get("year", "")) or this_year
    if year not in years:
        raise Http404
    requirements = list(Requirement.objects.all())
    if not requirements:
        return render(request, "training/hours.html", {"requirements": []})
    wanted = parse_id(request.GET.get("requirement", ""))
    requirement = next((r for r in requirements if r.pk == wanted), None)
    if requirement is None:
        if wanted is not None or request.GET.get("requirement"):
            raise Http404
        requirement = requirements[0]
    roots = list(OrgUnit.objects.scope_roots(request.user))
    org_id = request.GET.get("org")
    if org_id:
        node = get_object_or_404(OrgUnit.objects.managed_by(request.user), pk=parse_id(org_id))
    elif roots:
        node = roots[0]
    else:
        raise Http404
    cadres = Cadre.objects.managed_by(request.user).in_subtree(node)
    short = (
        standing(cadres, requirement, year)
        .filter(missing__gt=0)
        .select_related("org_unit", "user")
        .order_by("-missing", "name", "pk")
    )
    if request.GET.get("format") == "csv":
        return _csv(short, requirement, node, year)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/hours.html",
        {
            "requirements": requirements,
            "requirement": requirement,
            "years": years,
            "year": year,
            "node": node,
            "roots": roots,
            "children": OrgUnit.objects.managed_by(request.user).filter(
                path__startswith=node.path, depth=node.depth + 1
            ),
            "table": rollup(cadres, node, requirement, year),
            "short": Paginator(short, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": query.urlencode(),
        },
    )


def _csv(short, requirement, node, year):
    header = [
        _("Name"),
        _("Username"),
        _("Org unit"),
        _("category"),
        _("Study hours earned"),
        _("Study hours required"),
        _("Study hours missing"),
    ]
    rows = (
        [
            c.name,
            c.user.username,
            str(c.org_unit),
            c.get_category_display(),
            c.earned,
            requirement.hours,
            c.missing,
        ]
        for c in short.iterator(chunk_size=2000)
    )
    name = exports.file_name(requirement.name, str(node), year, _("short"), extension="csv")
    return exports.csv_response(name, header, rows)
