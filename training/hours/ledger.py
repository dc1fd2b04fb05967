"""A cadre's study hours (学时) against the requirements that apply to them.

Online self-study is what the portal credits: each unit completed, once, in the
calendar year (Beijing time) of its completion, plus approved claims of online study
on another platform. Approved training is what trainers approved of the cadre's
training claims (学时申报), in the year the training ended. Pending and rejected
claims count nothing.

A cadre's own ledger (My record) is read from the source rows, three small queries;
the trainers' tables from the stored 学时 of each cadre and year (``HoursYear``,
kept by training.progress_store), one query each whatever the number of cadres."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Q,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Substr
from django.utils import timezone

from org.models import OrgUnit

from ..models import Completion, Requirement, TrainingClaim

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
        "completed_at", "credit_hours"
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
    many cadres. It reads the stored 学时 of each year (``HoursYear``, one LEFT JOIN
    per year on its unique key), not the completions: at province scale summing 2.5
    million completions took seconds (bench/RESULTS.md)."""
    years = requirement.years(year)
    if requirement.category != Requirement.EVERY_CADRE:
        cadres = cadres.filter(category=requirement.category)
    columns = []
    if requirement.kind in (Requirement.Kind.ONLINE, Requirement.Kind.TOTAL):
        columns.append("online")
    if requirement.kind in (Requirement.Kind.TRAINING, Requirement.Kind.TOTAL):
        columns.append("training")
    joins = {
        f"hours_{y}": FilteredRelation("hours_years", condition=Q(hours_years__year=y))
        for y in years
    }
    earned = Value(ZERO, output_field=HOURS)
    for y in years:
        for column in columns:
            earned = earned + Coalesce(F(f"hours_{y}__{column}"), Value(ZERO), output_field=HOURS)
    return (
        cadres.filter(active=True)
        .annotate(**joins)
        .annotate(earned=ExpressionWrapper(earned, output_field=HOURS))
        .annotate(
            missing=Greatest(
                Value(requirement.hours, output_field=HOURS) - F("earned"),
                Value(ZERO),
                output_field=HOURS,
            ),
        )
    )


def owing(cadres, requirements):
    """{requirement pk: how many of ``cadres`` (active) owe it}, one query grouped by
    category: what the hours page opens on, and the others it offers."""
    by_category = dict(
        cadres.filter(active=True)
        .order_by()
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    everyone = sum(by_category.values())
    return {
        r.pk: everyone if r.category == Requirement.EVERY_CADRE else by_category.get(r.category, 0)
        for r in requirements
    }


def widest(requirements, counts):
    """The requirement most of the cadres counted owe: on a tie the every-cadre one,
    then the first in the editors' order. None without requirements."""
    ranked = sorted(
        enumerate(requirements),
        key=lambda item: (
            -counts.get(item[1].pk, 0),
            item[1].category != Requirement.EVERY_CADRE,
            item[0],
        ),
    )
    return ranked[0][1] if ranked else None


def rollup(cadres, node, requirement, year):
    """Per child of ``node`` (and ``node`` itself, for its own cadres): cadres who owe
    the requirement, how many meet it. One query, grouped in the database."""
    child_length = len(node.path) + OrgUnit.steplen
    rows = (
        standing(cadres, requirement, year)
        .order_by()
        .annotate(child_path=Substr("org_unit__path", 1, child_length))
        .values("child_path")
        .annotate(cadres=Count("pk"), met=Count("pk", filter=Q(missing__lte=0)))
    )
    counts = {r["child_path"]: (r["cadres"], r["met"]) for r in rows}
    children = {
        c.path: c for c in OrgUnit.objects.filter(path__startswith=node.path, depth=node.depth + 1)
    }
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
