"""Search that understands Chinese and English, on SQLite and PostgreSQL.

Design (measured in bench/RESULTS.md):

* Every unit keeps three derived columns, rebuilt on each save and tag change:
  ``search_text`` (its whole text, NFKC-normalised and lower-cased),
  ``search_title`` (title and tags, the same way, for ranking) and
  ``search_tokens`` (space-separated index terms: each Latin word, and every
  two-character window of each run of Chinese: the CJK bigrams that Lucene's CJK
  analyzer uses; no dictionary to load).
* A query is cut the same way into terms: runs of Chinese and Latin words.
  A unit matches when it holds every term: a Chinese run as a substring, a Latin
  word as the start of one of its words (case does not matter).
* On PostgreSQL the tokens are parsed once into a stored tsvector column with a
  GIN index (both created by migrations only there): the index finds the units holding all the
  bigrams and word prefixes, then the substring test drops the rare unit that has
  the bigrams of a run but not the run itself. On SQLite the same tests run as LIKE.
* Ranking: terms found in the title or the tags count double.
"""

import re
import unicodedata

from django.db import connection
from django.db.models import Case, IntegerField, Lookup, Q, TextField, Value, When
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TERM_RE = re.compile(rf"[{CJK}]+|[a-z0-9]+")
CJK_RE = re.compile(rf"[{CJK}]")
MAX_TERMS = 12
DERIVED_FIELDS = ("search_text", "search_title", "search_tokens")
SNIPPET_CHARS = 120


def normalise(text):
    """NFKC (full-width letters and digits become ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def is_cjk(term):
    return bool(CJK_RE.match(term))


def query_terms(query):
    """The distinct terms of a query, in order: Chinese runs and Latin words."""
    seen = []
    for term in TERM_RE.findall(normalise(query)):
        if term not in seen:
            seen.append(term)
    return seen[:MAX_TERMS]


def index_tokens(text):
    """Index terms of a text: Latin words and CJK bigrams (a lone CJK character as is)."""
    tokens = []
    for run in TERM_RE.findall(normalise(text)):
        if is_cjk(run):
            tokens.extend(run[i : i + 2] for i in range(max(1, len(run) - 1)))
        else:
            tokens.append(run)
    return tokens


def document(unit, tag_names):
    """The derived search columns of a unit, from its fields and tag names."""
    tags = " ".join(tag_names)
    title = f"{unit.title} {tags}"
    body = strip_tags(unit.body_html) if unit.body_html else unit.body
    text = " ".join([title, unit.summary, unit.key_points, body, unit.source_passage])
    # Padded with spaces so that "starts a word" is LIKE '% word%' on SQLite.
    tokens = " " + " ".join(dict.fromkeys(index_tokens(text))) + " "
    return {
        "search_text": normalise(text),
        "search_title": normalise(title),
        "search_tokens": tokens,
    }


@TextField.register_lookup
class TokensMatch(Lookup):
    """``search_tokens__tokens_match="tsquery"``: the GIN-indexed match on PostgreSQL."""

    lookup_name = "tokens_match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        # The stored tsvector beside search_tokens (migration 0004), GIN-indexed.
        column = connection.ops.quote_name("search_vector")
        vector = lhs.replace(connection.ops.quote_name("search_tokens"), column)
        return f"{vector} @@ to_tsquery('simple', {rhs})", lhs_params + rhs_params

    def as_sqlite(self, compiler, connection):  # pragma: no cover - never built on SQLite
        raise NotImplementedError("tokens_match is for PostgreSQL")


def _tsquery(terms):
    parts = []
    for term in terms:
        if is_cjk(term):
            if len(term) > 1:  # a lone character has no token of its own
                parts.extend(index_tokens(term))
        else:
            parts.append(f"{term}:*")
    return " & ".join(dict.fromkeys(parts))


def term_q(term, vendor):
    """Q for units that hold ``term`` (see the module docstring).

    On PostgreSQL the tsvector match already decides a Latin word and a two-character
    Chinese word exactly (the word is one bigram token), so only longer Chinese runs,
    and single characters, which have no token, need the substring test.
    """
    if is_cjk(term):
        if vendor == "postgresql" and len(term) == 2:
            return Q()
        return Q(search_text__contains=term)
    if vendor == "postgresql":
        return Q()
    return Q(search_tokens__contains=f" {term}")


def search(queryset, query):
    """Filter and rank ``queryset`` (study units) by ``query``; returns (queryset, terms)."""
    terms = query_terms(query)
    if not terms:
        return queryset.none().annotate(rank=Value(0)), terms
    vendor = connection.vendor
    q = Q()
    for term in terms:
        q &= term_q(term, vendor)
    tsquery = _tsquery(terms)
    if vendor == "postgresql" and tsquery:
        q &= Q(search_tokens__tokens_match=tsquery)
    rank = sum(
        (
            Case(
                When(search_title__contains=term, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
            for term in terms
        ),
        Value(0),
    )
    return queryset.filter(q).annotate(rank=rank), terms


def _pattern(terms):
    return re.compile(
        "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE
    )


def highlight(text, terms):
    """HTML-escaped ``text`` with each term wrapped in <mark>."""
    text = unicodedata.normalize("NFKC", text or "")
    if not terms or not text:
        return escape(text)
    pattern = _pattern(terms)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(text[match.start() : match.end()])}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def snippet(unit, terms):
    """A short piece of the unit's text around the first term found, highlighted."""
    body = strip_tags(unit.body_html) if unit.body_html else unit.body
    text = " ".join(
        part
        for part in [unit.summary, " ".join(unit.key_point_list), body, unit.source_passage]
        if part
    )
    text = unicodedata.normalize("NFKC", re.sub(r"\s+", " ", text))
    match = _pattern(terms).search(text) if terms else None
    if match is None:
        piece = text[:SNIPPET_CHARS]
        return highlight(piece + ("…" if len(text) > SNIPPET_CHARS else ""), terms)
    start = max(0, match.start() - SNIPPET_CHARS // 3)
    end = min(len(text), start + SNIPPET_CHARS)
    piece = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return highlight(piece, terms)


def reindex(unit_ids=None):
    """Recompute the search columns of the given units (all when None); returns how many."""
    from .models import StudyUnit

    units = StudyUnit.objects.prefetch_related("tags").order_by("pk")
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    batch, count = [], 0
    for unit in units.iterator(chunk_size=500):
        for name, value in document(unit, [t.name for t in unit.tags.all()]).items():
            setattr(unit, name, value)
        batch.append(unit)
        if len(batch) >= 500:
            count += StudyUnit.objects.bulk_update(batch, DERIVED_FIELDS)
            batch = []
    if batch:
        count += StudyUnit.objects.bulk_update(batch, DERIVED_FIELDS)
    return count


class CappedResults:
    """Ranked results for a Paginator that counts at most ``cap`` hits.

    Counting every hit of a common word (民政 is in most units) costs a scan of
    them all; "1,000+" tells a reader as much, at a fraction of the cost.
    """

    def __init__(self, queryset, cap=1000):
        self.queryset = queryset
        self.cap = cap
        self._count = None

    def count(self):
        if self._count is None:
            self._count = self.queryset[: self.cap].count()
        return self._count

    @property
    def capped(self):
        return self.count() >= self.cap

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        return list(self.queryset[index])
