"""The study-hour requirements the portal ships (migration 0007 writes them on every
database; the demo loader writes them again on a database that was emptied, as the
browser tests' databases are between tests)."""

from decimal import Decimal

from ..models import Requirement

DEFAULTS = [
    # (Chinese name, English name, category, kind, hours, period): the 2023
    # 干部教育培训工作条例 and the 全国干部教育培训规划 (2023-2027).
    (
        "县处级及以上领导干部：每五年参加培训累计不少于 550 学时",
        "County/division level leading cadres and above: 550 study hours of training "
        "in every five years",
        "county_up",
        "total",
        Decimal("550"),
        "five_years",
    ),
    (
        "乡科级及以下干部：每年参加经批准的培训不少于 90 学时",
        "Township/section level and below: 90 study hours of approved training a year",
        "township_down",
        "training",
        Decimal("90"),
        "year",
    ),
    (
        "全体干部：每年网络自学不少于 50 学时",
        "Every cadre: 50 study hours of online self-study a year",
        "all",
        "online",
        Decimal("50"),
        "year",
    ),
]


def ensure_defaults():
    """Write the shipped requirements that are missing (by Chinese name); editors'
    changes to the others are kept."""
    for order, (zh, en, category, kind, hours, period) in enumerate(DEFAULTS, 1):
        Requirement.objects.get_or_create(
            name_zh_hans=zh,
            defaults={
                "name_en": en,
                "category": category,
                "kind": kind,
                "hours": hours,
                "period": period,
                "order": order,
            },
        )
