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
from ..ledger import owing, rollup, standing, widest
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
    roots = list(OrgUnit.objects.scope_roots(request.user))
    org_id = request.GET.get("org")
    if org_id:
        node = get_object_or_404(OrgUnit.objects.managed_by(request.user), pk=parse_id(org_id))
    elif roots:
        node = roots[0]
    else:
        raise Http404
    cadres = Cadre.objects.managed_by(request.user).in_subtree(node)
    category = request.GET.get("category", "")
    if category:
        if category not in Cadre.Category.values:
            raise Http404
        cadres = cadres.filter(category=category)
    counts = owing(cadres, requirements)
    requirement = _chosen(request, requirements, counts)
    short = (
        standing(cadres, requirement, year)
        .filter(missing__gt=0)
        .select_related("org_unit", "user")
        .order_by("-missing", "name", "pk")
    )
    if request.GET.get("format") in ("csv", "xlsx"):
        return _export(short, requirement, node, year, request.GET["format"])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/hours.html",
        {
            "requirements": requirements,
            "requirement": requirement,
            # When nobody here owes the one shown: those somebody does, to switch to.
            "others": [(r, n) for r in requirements if r != requirement and (n := counts[r.pk])],
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
            "categories": Cadre.Category.choices,
            "category": category,
        },
    )


def _chosen(request, requirements, counts):
    """The requirement asked for (404 if unknown), else the one most cadres here owe:
    a county trainer opens on the every-cadre requirement, not on the county-level one
    that none of their township cadres owes."""
    if not request.GET.get("requirement"):
        return widest(requirements, counts)
    wanted = parse_id(request.GET["requirement"])
    requirement = next((r for r in requirements if r.pk == wanted), None)
    if requirement is None:
        raise Http404
    return requirement


def _export(short, requirement, node, year, fmt):
    """The cadres still short, as CSV or as an Excel sheet with a title row."""
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
    name = exports.file_name(requirement.name, str(node), year, _("short"), extension=fmt)
    table = exports.Table(header, rows, hour_columns=frozenset({4, 5, 6}))
    if fmt == "xlsx":
        title = _("%(requirement)s · %(scope)s · %(year)s · exported %(time)s (%(zone)s)") % {
            "requirement": requirement.name,
            "scope": str(node),
            "year": year,
            "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "zone": exports.zone_name(),
        }
        return exports.xlsx_response(name, table, sheet=_("short"), title=title)
    return exports.csv_response(name, header, table.csv_rows())
