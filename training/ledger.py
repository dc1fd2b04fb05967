"""A cadre's study hours (学时) against the requirements that apply to them.

Online self-study is what the portal credits: each unit completed, once, in the
calendar year (Beijing time) of its completion. Approved training taken elsewhere is
not recorded in the portal yet, and counts 0 here until it is. Two queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from .models import Completion, Requirement

ZERO = Decimal("0")


@dataclass
class Line:
    requirement: Requirement
    years: list
    earned: Decimal
    required: Decimal

    @property
    def missing(self):
        return max(ZERO, self.required - self.earned)

    @property
    def met(self):
        return self.earned >= self.required

    @property
    def percent(self):
        return min(100, round(100 * self.earned / self.required)) if self.required else 100


def online_hours_by_year(cadre, first, last):
    """{year: 学时 of units completed that year} for the years first..last."""
    start = timezone.make_aware(datetime(first, 1, 1))
    end = timezone.make_aware(datetime(last + 1, 1, 1))
    rows = Completion.objects.filter(
        cadre=cadre, completed_at__gte=start, completed_at__lt=end
    ).values_list("completed_at", "unit__credit_hours")
    hours = defaultdict(lambda: ZERO)
    for completed_at, credit in rows:
        hours[timezone.localtime(completed_at).year] += credit or ZERO
    return hours


def ledger(cadre, year):
    """(lines, online hours by year for the five years ending with ``year``)."""
    online = online_hours_by_year(cadre, year - 4, year)
    training = defaultdict(lambda: ZERO)  # approved training: not recorded yet
    lines = []
    for requirement in Requirement.applying_to(cadre):
        years = requirement.years(year)
        earned = ZERO
        if requirement.kind in (Requirement.Kind.ONLINE, Requirement.Kind.TOTAL):
            earned += sum((online[y] for y in years), ZERO)
        if requirement.kind in (Requirement.Kind.TRAINING, Requirement.Kind.TOTAL):
            earned += sum((training[y] for y in years), ZERO)
        lines.append(Line(requirement, years, earned, requirement.hours))
    return lines, {y: online[y] for y in range(year - 4, year + 1)}
