"""Search that understands Chinese and English, on SQLite and PostgreSQL.

Design (measured in bench/RESULTS.md):

* Every unit keeps four derived columns, rebuilt on each save and tag change:
  ``search_text`` (its whole text, NFKC-normalised and lower-cased),
  ``search_title`` (title and tags, the same way, for ranking),
  ``search_tokens`` (space-separated index terms: each Latin word, and every
  two-character window of each run of Chinese: the CJK bigrams that Lucene's CJK
  analyzer uses; no dictionary to load; and the starts of each Latin word, from two
  letters up to ``PREFIX_MAX``, so that "elder" finds "elderly" by an exact token) and
  ``search_title_tokens`` (the same for the title and tags).
* A query is cut the same way into terms: runs of Chinese and Latin words.
  A unit matches when it holds every term: a Chinese run as a substring, a Latin
  word as the start of one of its words (case does not matter).
* On PostgreSQL the tokens are parsed once into a stored tsvector column with a
  GIN index (both created by migrations only there): the index finds the units holding all the
  bigrams and word starts, then the substring test drops the rare unit that has
  the bigrams of a run but not the run itself. A word start is an exact token, not
  a ``word:*`` prefix query: GIN's prefix search took 7.8 ms where the exact token
  took 2.1 ms for "grassroots governance" at 50,000 units (bench/RESULTS.md).
  On SQLite the same tests run as LIKE.
* Ranking: units holding every term in their title or tags come first
  (``SearchResults``).
"""

import re
import unicodedata
from contextlib import contextmanager, nullcontext
from functools import lru_cache

import opencc
from django.db import connection, transaction
from django.db.models import Lookup, Q, TextField
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from pypinyin import Style, lazy_pinyin

from portal.planner import local_settings

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TERM_RE = re.compile(rf"[{CJK}]+|[a-z0-9]+")
CJK_RE = re.compile(rf"[{CJK}]")
MAX_TERMS = 12
# Latin word starts are indexed from 2 letters up to this many; a longer or a
# one-letter query word uses PostgreSQL's (slower) prefix search instead.
PREFIX_MAX = 20
DERIVED_FIELDS = ("search_text", "search_title", "search_tokens", "search_title_tokens")
SNIPPET_CHARS = 120


# Traditional characters are folded to simplified ones, in the index and in queries
# alike, so that 社會救助 finds what 社会救助 finds (OpenCC's phrase-aware table).
_T2S = opencc.OpenCC("t2s")
# Pinyin of a title or tag: every run of up to this many syllables, joined, is indexed
# as a word, so that "dibao", "di bao" and "jiceng zhili" find 低保 and 基层治理.
PINYIN_SYLLABLES = 4


def normalise(text):
    """NFKC (full-width letters and digits become ASCII), simplified characters, lower case."""
    return _T2S.convert(unicodedata.normalize("NFKC", text or "")).lower()


@lru_cache(maxsize=4096)
def pinyin_words(text):
    """The pinyin words a Chinese title or tag is found by: for each run of Chinese, the
    syllables from each position joined up to ``PINYIN_SYLLABLES`` (基层治理: jiceng...,
    cengzhili, zhili, li), so that any whole word of it, typed with or without spaces,
    is the start of an indexed word."""
    words = []
    for run in re.findall(rf"[{CJK}]+", normalise(text)):
        syllables = lazy_pinyin(run)
        for i in range(len(syllables)):
            words.append("".join(syllables[i : i + PINYIN_SYLLABLES]))
    return " ".join(dict.fromkeys(words))


@lru_cache(maxsize=4096)
def collation_key(text):
    """How a Chinese reader orders names: by pinyin, syllable by syllable (tone marked
    after each, so 低保 comes before 典型), then by the characters themselves; letters
    and digits as themselves, in lower case. Code-point order put 低保 after 社会救助."""
    text = normalise(text)
    return (tuple(lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)), text)


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


def document_tokens(text):
    """What a unit's token columns hold: its index terms and the starts of its Latin words."""
    tokens = []
    for token in index_tokens(text):
        if not is_cjk(token):
            tokens.extend(token[:n] for n in range(2, min(len(token), PREFIX_MAX + 1)))
        tokens.append(token)
    return " " + " ".join(dict.fromkeys(tokens)) + " "


def document(unit, tag_names):
    """The derived search columns of a unit, from its fields (both languages) and tags."""
    tags = " ".join(sorted(tag_names))  # one order, whichever order the database gives
    titles = " ".join(unit.text_in("title", code) for code in ("zh-hans", "en"))
    title = f"{titles} {tags} {pinyin_words(f'{titles} {tags}')}"
    parts = [title]
    for code in ("zh-hans", "en"):
        html = unit.text_in("body_html", code)
        parts += [
            unit.text_in("summary", code),
            unit.text_in("key_points", code),
            strip_tags(html) if html else unit.text_in("body", code),
        ]
    parts += [unit.source_passage, unit.source_translation or ""]
    text = " ".join(parts)
    # Padded with spaces so that "starts a word" is LIKE '% word%' on SQLite.
    return {
        "search_text": normalise(text),
        "search_title": normalise(title),
        "search_tokens": document_tokens(text),
        "search_title_tokens": document_tokens(title),
    }


VECTOR_COLUMNS = {"search_title_tokens": "search_title_vector", "search_tokens": "search_vector"}


@TextField.register_lookup
class TokensMatch(Lookup):
    """``search_tokens__tokens_match="tsquery"``: the GIN-indexed match on PostgreSQL."""

    lookup_name = "tokens_match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        # The stored, GIN-indexed tsvector beside the tokens column (migrations 0004, 0005).
        vector = lhs
        for tokens, column in VECTOR_COLUMNS.items():
            vector = vector.replace(
                connection.ops.quote_name(tokens), connection.ops.quote_name(column)
            )
        return f"{vector} @@ to_tsquery('simple', {rhs})", lhs_params + rhs_params

    def as_sqlite(self, compiler, connection):  # pragma: no cover - never built on SQLite
        raise NotImplementedError("tokens_match is for PostgreSQL")


def _tsquery(terms):
    parts = []
    for term in terms:
        if is_cjk(term):
            if len(term) > 1:  # a lone character has no token of its own
                parts.extend(index_tokens(term))
        elif 2 <= len(term) <= PREFIX_MAX:
            parts.append(term)  # its starts are indexed: an exact token
        else:
            parts.append(f"{term}:*")
    return " & ".join(dict.fromkeys(parts))


def _match_q(terms, vendor, text_field, tokens_field):
    """Q for units whose ``text_field``/``tokens_field`` hold every term.

    On PostgreSQL the tsvector match (on the stored vector beside ``tokens_field``)
    already decides a Latin word and a two-character Chinese word exactly: the word
    is one token. Longer Chinese runs also need the substring test (their bigrams may
    be apart), and a single character, which has no token, only has that test.
    """
    q = Q()
    for term in terms:
        if is_cjk(term):
            if not (vendor == "postgresql" and len(term) == 2):
                q &= Q(**{f"{text_field}__contains": term})
        elif vendor != "postgresql":
            q &= Q(**{f"{tokens_field}__contains": f" {term}"})
    tsquery = _tsquery(terms)
    if vendor == "postgresql" and tsquery:
        q &= Q(**{f"{tokens_field}__tokens_match": tsquery})
    return q


class SearchResults:
    """The units that hold every term, best first, for a Paginator.

    Two tiers: units holding every term in their title or tags, then the others;
    newest first within a tier. Each is an indexed query that stops after a page,
    so a page costs about the same whether a word is in ten units or in most of
    them; the count stops at ``cap`` (counting every hit of 民政 would read them all).
    """

    def __init__(self, queryset, terms, cap=200):
        self.vendor = connection.vendor
        self.terms = terms
        self.cap = cap
        if not terms:
            self.matches = self.in_title = self.in_body = queryset.none()
        else:
            in_title = _match_q(terms, self.vendor, "search_title", "search_title_tokens")
            self.matches = queryset.filter(
                _match_q(terms, self.vendor, "search_text", "search_tokens")
            )
            # The title and tags are part of the whole text, so a title match is a match.
            self.in_title = queryset.filter(in_title)
            self.in_body = self.matches.exclude(in_title)
        self._count = self._title_count = None

    @contextmanager
    def _planner(self, scan):
        """On PostgreSQL, choose how a query reads the table, for one transaction
        (portal.planner).

        The planner costs ``@@`` on a stored tsvector as cheap and misjudges how many
        units hold several bigrams at once, so left alone it decompresses vectors it
        need not read, or fetches thousands of rows to keep 20 (bench/RESULTS.md).
        What we know decides instead: counting reads the GIN index (``"bitmap"``); a
        page of a tier with at least ``cap`` hits walks the primary key newest first
        and stops after 20 (``"walk"``); a page of a sparser tier reads the index.
        """
        indexscan, bitmapscan = {
            "bitmap": ("off", "on"),
            "walk": ("on", "off"),
            "index": ("on", "on"),
        }[scan]
        # jit off too: a scan switched off is costed at 10^10, so any later query of the
        # page's transaction that still needs it passes jit_above_cost and PostgreSQL
        # spent 25-30 ms compiling it (EXPLAIN ANALYZE); JIT changes no result.
        with local_settings(
            enable_seqscan="off",
            enable_indexscan=indexscan,
            enable_bitmapscan=bitmapscan,
            jit="off",
        ):
            yield

    def transaction(self):
        """One transaction for a whole page of results on PostgreSQL (fewer round trips).

        Not on SQLite, where the portal opens transactions with BEGIN IMMEDIATE: a
        read-only page should not take the write lock.
        """
        return transaction.atomic() if self.vendor == "postgresql" else nullcontext()

    def _capped_count(self, queryset):
        with self._planner("bitmap"):
            return queryset.order_by()[: self.cap].count()

    def count(self):
        if self._count is None:
            self._count = self._capped_count(self.matches)
        return self._count

    @property
    def capped(self):
        return self.count() >= self.cap

    def __len__(self):
        return self.count()

    def _page(self, queryset, hits, offset, size):
        with self._planner("walk" if hits >= self.cap else "index"):
            # The derived columns are several times the unit's own text; a page never shows them.
            page = queryset.defer(*DERIVED_FIELDS).order_by("-pk")
            return list(page[offset : offset + size])

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if self._title_count is None:
            self._title_count = self._capped_count(self.in_title)
        titles = self._title_count
        page = []
        if start < titles:
            page = self._page(self.in_title, titles, start, stop - start)
        if len(page) < stop - start:
            offset = max(0, start - titles)
            # When the count stopped at the cap, the body tier may be far larger than
            # what is left of it: treat it as dense.
            body_hits = self.cap if self.capped else self.count() - titles
            page += self._page(self.in_body, body_hits, offset, stop - start - len(page))
        return page


def search(queryset, query):
    """The units of ``queryset`` that hold every term of ``query``, ranked."""
    return SearchResults(queryset, query_terms(query))


def _pattern(terms):
    return re.compile(
        "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE
    )


def highlight(text, terms):
    """HTML-escaped ``text`` with each term wrapped in <mark>."""
    # Shown as written: NFKC would turn Chinese full-width punctuation (，：) into ASCII.
    text = text or ""
    if not terms or not text:
        return escape(text)
    pattern = _pattern(terms)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(text[match.start() : match.end()])}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    # Every piece is escaped above; only our own <mark> tags are added.
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703


def _reading_text(unit, language):
    """What a reader of ``language`` reads of the unit, in order, as one line of text:
    a Chinese reader reads the passages' 译文, an English reader the verbatim passages."""
    body_html = unit.text_in("body_html", language)
    parts = [
        unit.text_in("summary", language),
        " ".join(unit.key_points_in(language)),
        strip_tags(body_html) if body_html else unit.text_in("body", language),
        unit.source_translation if language.startswith("zh") else unit.source_passage,
    ]
    return re.sub(r"\s+", " ", " ".join(part for part in parts if part)).strip()


def snippet(unit, terms, languages):
    """A short piece of the unit's text around the first term found, highlighted, and
    the language it is in.

    ``languages`` are language codes, the reader's first: the piece comes from the
    reader's language unless only the other holds a term (an English word searched by a
    Chinese reader), so that a result is never shown in a language it was not found in."""
    pattern = _pattern(terms) if terms else None
    texts = [(language, _reading_text(unit, language)) for language in languages]
    texts = [(language, text) for language, text in texts if text] or [(languages[0], "")]
    for language, text in texts:
        match = pattern.search(text) if pattern else None
        if match is not None:
            start = max(0, match.start() - SNIPPET_CHARS // 3)
            end = min(len(text), start + SNIPPET_CHARS)
            piece = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
            return highlight(piece, terms), language
    language, text = texts[0]
    piece = text[:SNIPPET_CHARS] + ("…" if len(text) > SNIPPET_CHARS else "")
    return highlight(piece, terms), language
