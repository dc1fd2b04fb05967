"""A cadre's study hours (学时) against the requirements that apply to them.

Online self-study is what the portal credits: each unit completed, once, in the
calendar year (Beijing time) of its completion, plus approved claims of online study
on another platform. Approved training is what trainers approved of the cadre's
training claims (学时申报), in the year the training ended. Pending and rejected
claims count nothing. Three queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from org.models import OrgUnit

from .models import Completion, Requirement, TrainingClaim

ZERO = Decimal("0")
HOURS = DecimalField(max_digits=8, decimal_places=2)


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


def _in_years(first, last):
    """Completions made in the calendar years first..last, Beijing time (the portal's
    TIME_ZONE): the one place the year's boundaries are drawn."""
    return {
        "completed_at__gte": timezone.make_aware(datetime(first, 1, 1)),
        "completed_at__lt": timezone.make_aware(datetime(last + 1, 1, 1)),
    }


def online_hours_by_year(cadre, first, last):
    """{year: 学时 of units completed that year} for the years first..last."""
    rows = Completion.objects.filter(cadre=cadre, **_in_years(first, last)).values_list(
        "completed_at", "unit__credit_hours"
    )
    hours = defaultdict(lambda: ZERO)
    for completed_at, credit in rows:
        hours[timezone.localtime(completed_at).year] += credit or ZERO
    return hours


def claimed_hours_by_year(cadre, first, last):
    """{(kind, year): approved 学时 of the cadre's claims ending in that year}."""
    rows = (
        TrainingClaim.objects.approved()
        .filter(cadre=cadre, end_on__year__gte=first, end_on__year__lte=last)
        .values_list("kind", "end_on", "hours")
    )
    hours = defaultdict(lambda: ZERO)
    for kind, end_on, claimed in rows:
        hours[kind, end_on.year] += claimed
    return hours


def ledger(cadre, year):
    """(lines, {year: (online, training)} for the five years ending with ``year``)."""
    portal = online_hours_by_year(cadre, year - 4, year)
    claimed = claimed_hours_by_year(cadre, year - 4, year)
    window = range(year - 4, year + 1)
    online = {y: portal[y] + claimed[TrainingClaim.Kind.ONLINE, y] for y in window}
    training = {y: claimed[TrainingClaim.Kind.TRAINING, y] for y in window}
    lines = []
    for requirement in Requirement.applying_to(cadre):
        years = requirement.years(year)
        earned = ZERO
        if requirement.kind in (Requirement.Kind.ONLINE, Requirement.Kind.TOTAL):
            earned += sum((online[y] for y in years), ZERO)
        if requirement.kind in (Requirement.Kind.TRAINING, Requirement.Kind.TOTAL):
            earned += sum((training[y] for y in years), ZERO)
        lines.append(Line(requirement, years, earned, requirement.hours))
    return lines, {y: (online[y], training[y]) for y in window}


def standing(cadres, requirement, year):
    """``cadres`` (a queryset) who owe ``requirement``, each annotated with ``earned``
    (学时 toward it in its years up to ``year``) and ``missing``; one query however
    many cadres: units completed, and approved claims of the kinds it counts."""
    years = requirement.years(year)
    if requirement.category != Requirement.EVERY_CADRE:
        cadres = cadres.filter(category=requirement.category)
    parts = []
    claim_kinds = []
    if requirement.kind in (Requirement.Kind.ONLINE, Requirement.Kind.TOTAL):
        online = (
            Completion.objects.filter(cadre=OuterRef("pk"), **_in_years(years[0], years[-1]))
            .order_by()
            .values("cadre")
            .annotate(total=Sum("unit__credit_hours"))
            .values("total")
        )
        parts.append(online)
        claim_kinds.append(TrainingClaim.Kind.ONLINE)
    if requirement.kind in (Requirement.Kind.TRAINING, Requirement.Kind.TOTAL):
        claim_kinds.append(TrainingClaim.Kind.TRAINING)
    claims = (
        TrainingClaim.objects.approved()
        .filter(
            cadre=OuterRef("pk"),
            kind__in=claim_kinds,
            end_on__year__gte=years[0],
            end_on__year__lte=years[-1],
        )
        .order_by()
        .values("cadre")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    parts.append(claims)
    earned = Value(ZERO, output_field=HOURS)
    for part in parts:
        earned = earned + Coalesce(
            Subquery(part, output_field=HOURS), Value(ZERO), output_field=HOURS
        )
    return cadres.filter(active=True).annotate(
        earned=earned,
        missing=Greatest(
            Value(requirement.hours, output_field=HOURS) - F("earned"),
            Value(ZERO),
            output_field=HOURS,
        ),
    )


def rollup(cadres, node, requirement, year):
    """Per child of ``node`` (and ``node`` itself, for its own cadres): cadres who owe
    the requirement, how many meet it. One query."""
    rows = standing(cadres, requirement, year).values_list("org_unit__path", "missing")
    children = {
        c.path: c for c in OrgUnit.objects.filter(path__startswith=node.path, depth=node.depth + 1)
    }
    child_length = len(node.path) + OrgUnit.steplen
    counts = {}
    for path, missing in rows:
        key = path[:child_length] if len(path) > len(node.path) else node.path
        cadre_count, met = counts.get(key, (0, 0))
        counts[key] = (cadre_count + 1, met + (1 if missing <= 0 else 0))
    table = []
    for path, unit in [(node.path, node), *children.items()]:
        cadre_count, met = counts.get(path, (0, 0))
        if cadre_count:
            table.append(
                {
                    "org_unit": unit,
                    "is_self": path == node.path,
                    "cadres": cadre_count,
                    "met": met,
                    "short": cadre_count - met,
                }
            )
    return table
