"""Cursor pagination on (updated_at, id), with ``?updated_since=`` on every list.

Why not DRF's CursorPagination: it orders on one field and steps over ties by counting
rows (an OFFSET); 2.5 million completions written in one COPY share one updated_at, so
every page would count from the first of them. Here the cursor is the last row's
(updated_at, id), the next page is the rows after it in that order (a row-value
comparison, served by an index of exactly (updated_at, id) on every listed table), and
a page costs the same wherever it is in the list.

A big table's list (completions: ``scoped`` on the view) is walked a window at a time:
a page looks at most ``WINDOW_PAGES`` pages' worth of the whole table's keys, and
returns the token's rows among them. Where the token's rows are sparse (a province's
are one in 31 of the nation's, and after its last one come the other provinces'), a
page may hold fewer rows than asked, even none, and its ``next`` goes on from the
window's end: a client follows ``next`` until it is null. (Without the window, the last
page of a province read the 49 million keys after its rows to find there were no more:
over gunicorn's 30 s.)
"""

import base64
import binascii
import json
import re
from datetime import UTC, datetime

from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThanOrEqual
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

PARAMETERS = [
    OpenApiParameter(
        "updated_since",
        OpenApiTypes.DATETIME,
        description=(
            "只返回此时刻（含）之后新增或修改的记录，ISO 8601，带时区。"
            "Only records added or changed at or after this moment (ISO 8601, with a time "
            "zone). Deletions: /api/v1/deletions/."
        ),
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        description=f"每页条数，默认 {DEFAULT_PAGE_SIZE}，最多 {MAX_PAGE_SIZE}。"
        f"Records per page: {DEFAULT_PAGE_SIZE} by default, at most {MAX_PAGE_SIZE}.",
    ),
    OpenApiParameter(
        "cursor",
        {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"},
        description="上一页返回的 next 中的游标，原样传回。"
        "The cursor from the previous page's `next`; pass it back as it is.",
    ),
]


def encode_cursor(moment, pk):
    raw = json.dumps([moment.isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text):
    """(updated_at, id) of a cursor, or a 400 for anything else."""
    try:
        padded = text + "=" * (-len(text) % 4)
        moment, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        moment = datetime.fromisoformat(moment)
        if timezone.is_naive(moment) or not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError
        return moment, pk
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise ValidationError({"cursor": [_("Not a cursor this API gave.")]}) from None


# "…T10:00:00 08:00": a "+" sent unencoded in a query string arrives as a space.
UNENCODED_PLUS = re.compile(r" (\d\d:?\d\d)$")


def parse_updated_since(text):
    """The moment of ``?updated_since=``: ISO 8601 with a time zone; a date or a time
    without a zone is refused (whose midnight would it be?)."""
    text = UNENCODED_PLUS.sub(r"+\1", text.strip())
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None or timezone.is_naive(moment):
        raise ValidationError(
            {"updated_since": [_("Give a date and time with a time zone (ISO 8601).")]}
        )
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+14:00 is before the first moment a datetime holds
        return (
            datetime.min.replace(tzinfo=UTC)
            if moment.year == 1
            else datetime.max.replace(tzinfo=UTC)
        )


def parse_page_size(text):
    if text is None:
        return DEFAULT_PAGE_SIZE
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_PAGE_SIZE:
        raise ValidationError(
            {"page_size": [_("A whole number from 1 to %(max)s.") % {"max": MAX_PAGE_SIZE}]}
        )
    return int(text)


class UpdatedCursorPagination(BasePagination):
    """Pages of a list in (updated_at, id) order: ``results`` and the ``next`` page's
    address (null on the last page). ``?updated_since=`` keeps rows changed from then."""

    field = "updated_at"

    WINDOW_PAGES = 50

    def paginate_queryset(self, queryset, request, view=None):
        """A view with ``scoped`` and ``with_fields`` (a big table's) has its page's
        keys found in the scoped rows of one window alone, then the rows read by key."""
        keys_first = hasattr(view, "scoped")
        size = parse_page_size(request.query_params.get("page_size"))
        bound = None
        if keys_first:
            queryset = view.scoped()
            # The key that ends this page's window of the whole table (None: the table
            # ends within it), read from the (updated_at, id) index alone.
            window = size * self.WINDOW_PAGES
            ahead = self._after(queryset.model.objects.all(), request)
            ends = ahead.order_by(self.field, "pk").values_list(self.field, "pk")
            bound = next(iter(ends[window - 1 : window]), None)
        queryset = self._after(queryset, request)
        if bound is not None:
            queryset = queryset.filter(TupleLessThanOrEqual(Tuple(F(self.field), F("pk")), bound))
        page = queryset.order_by(self.field, "pk")[: size + 1]
        if keys_first:
            model = queryset.model
            page = view.with_fields(model.objects.filter(pk__in=page.values("pk")))
            page = page.order_by(self.field, "pk")
        rows = list(page)
        self.request = request
        self.next_cursor = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            self.next_cursor = encode_cursor(getattr(last, self.field), last.pk)
        elif bound is not None:
            self.next_cursor = encode_cursor(*bound)
        return rows

    def _after(self, queryset, request):
        """``queryset`` from ``?updated_since=`` and after ``?cursor=``."""
        params = request.query_params
        # A parameter given is read strictly, empty or not: "?updated_since=" is a
        # client's bug (a variable it forgot), not a request for everything.
        if "updated_since" in params:
            since = parse_updated_since(params["updated_since"])
            queryset = queryset.filter(**{f"{self.field}__gte": since})
        if "cursor" in params:
            after = decode_cursor(params["cursor"])
            queryset = queryset.filter(TupleGreaterThan(Tuple(F(self.field), F("pk")), after))
        return queryset

    def get_next_link(self):
        if self.next_cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, "cursor", self.next_cursor)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "下一页的地址，最后一页为 null。一页的条数可能少于 page_size，"
                    "甚至为零：一直跟随 next，直到它为 null。"
                    "The next page's address; null on the last page. A page may hold "
                    "fewer records than page_size, even none: follow next until it is null.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return []  # stated by the views' extend_schema (PARAMETERS), in both languages


def first_page_link(request):
    return remove_query_param(request.build_absolute_uri(), "cursor")
