"""What the trainer's page of who is short of study hours shows, without the request: the
filters, the org unit, the requirement and year, and the cadres still short. The page
(training.views.hours) and the background Excel export (training.jobs) build it from
the same parameters."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import Cadre, OrgUnit
from portal import spreadsheets

from .forms import HoursFilterForm
from .hours.ledger import owing, standing, widest
from .models import Requirement

YEARS_BACK = 5


class Shortfall:
    """For ``user`` and the filters ``params`` (404 for filters they may not use):
    ``requirements`` (none: nothing else is set), ``node``, ``requirement``, ``year``,
    ``cadres`` of the node (and category) and ``short``, those below the requirement."""

    def __init__(self, user, params):
        this_year = timezone.localdate().year
        self.years = list(range(this_year, this_year - YEARS_BACK, -1))
        self.requirements = list(Requirement.objects.all())
        form = HoursFilterForm(params, user=user, years=self.years, requirements=self.requirements)
        if not form.is_valid():
            raise Http404
        self.chosen = chosen = form.cleaned_data
        if not self.requirements:
            return
        self.roots = list(OrgUnit.objects.scope_roots(user))
        self.node = chosen["org"] or (self.roots[0] if self.roots else None)
        if self.node is None:
            raise Http404
        self.cadres = Cadre.objects.managed_by(user).in_subtree(self.node)
        if chosen["category"]:
            self.cadres = self.cadres.filter(category=chosen["category"])
        self.counts = owing(self.cadres, self.requirements)
        # Unless one is asked for, the requirement most cadres here owe: a county trainer
        # opens on the every-cadre requirement, not on the county-level one that none of
        # their township cadres owes.
        self.requirement = chosen["requirement"] or widest(self.requirements, self.counts)
        self.year = chosen["year"] or this_year
        self.short = (
            standing(self.cadres, self.requirement, self.year)
            .filter(missing__gt=0)
            .select_related("org_unit", "user")
            .order_by("-missing", "name", "pk")
        )

    def label(self):
        return f"{self.requirement.name} — {self.node} — {self.year}"

    def export(self, fmt):
        """(file name, ``portal.spreadsheets.Table``, title) of the cadres still short."""
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
                self.requirement.hours,
                c.missing,
            ]
            for c in self.short.iterator(chunk_size=2000)
        )
        name = spreadsheets.file_name(
            self.requirement.name, str(self.node), self.year, _("short"), extension=fmt
        )
        table = spreadsheets.Table(header, rows, hour_columns=frozenset({4, 5, 6}))
        title = _("%(requirement)s · %(scope)s · %(year)s · exported %(time)s (%(zone)s)") % {
            "requirement": self.requirement.name,
            "scope": str(self.node),
            "year": self.year,
            "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "zone": spreadsheets.zone_name(),
        }
        return name, table, title
