"""User text -> Whoosh query.

Whoosh's parser handles the syntax ("phrases", AND/OR/NOT, parentheses,
field:value) and analyses each word with the field's analyser. The default
field is the syllable field ``text``, or ``fold`` (diacritics stripped) when the
query has no diacritic at all, so ``tuyen giao`` finds ``tuyên giáo``. A quoted
phrase becomes a syllable phrase that matches however pyvi segmented the
passage.

``fold`` exists only while parsing: the index has one analysed copy of each
passage (``text``), and ``expand_folded`` rewrites each accentless word as the
alternatives the index holds (``tuyen`` -> ``tuyên | tuyến | tuyen``), the
usual spelling boosted so exact-diacritic matches rank first.

What matches (``matcher``) and how it ranks (``scored``) are kept apart. The
ranking adds optional evidence that never decides whether a passage matches:
the report title (for queries that require all their words). The searcher
uses the query's pyvi words (coordination) and its adjacent syllable pairs
(``pairs``) on the candidates.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from whoosh import qparser
from whoosh import query as wq

from search.errors import BadArgument, VnsearchError
from search.text import codes
from search.text.normalize import clean_text, fold, has_diacritics

MAX_QUERY_CHARS = 2000

# Ranking weights, tuned on ALQAC 2022 (scripts/eval_alqac.py) on a tuning half
# and checked on the held-out half.
TITLE_BOOST = 0.3  # query syllables in the report/article title
EXACT_BOOST = 1.0  # accentless query: the usual diacritic spelling of its words

_SYNTAX_CHARS = re.compile(r"[\"'()\[\]{}:^*?~+\-!\\/]")
_OPERATORS = re.compile(r"\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b")


# Short field names users type, and the fields they mean.
FIELD_ALIASES = {
    "organization": ["org"], "directives": ["directive"], "bodies": ["body"], "title": [],
}
_DATE_TERM = re.compile(r"(?<!\S)date:(\S+)")
# "title:" and the like name a field; the name is not one of the query's words.
_FIELD_PREFIX = re.compile(
    r"(?<![\w:])(?:text|cites|" + "|".join(sorted({*FIELD_ALIASES, *sum(FIELD_ALIASES.values(), [])})) + "):",
    re.IGNORECASE)


@dataclass
class Filters:
    """Restrictions that decide which passages may match but not how they rank."""

    date_from: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    date_to: str | None = None
    org: str | None = None
    directive: str | None = None


@dataclass
class ParsedQuery:
    text: str  # the cleaned user text
    matcher: wq.Query  # decides which passages match
    scored: wq.Query  # matcher plus optional ranking evidence; what the searcher runs
    filter: wq.Query | None  # dates, organization, directive
    field: str  # "text", or "fold" for a query typed without diacritics
    clauses: list[wq.Query]  # top-level alternatives of a ranked (any-term) query
    content: list[tuple[str, ...]]  # the query's content words as syllable keys (coordination)
    variants: dict[str, list[str]]  # folded syllable -> spellings in the index, most used first
    pairs: list[tuple[str, str, str, str]]  # adjacent syllables: as parsed, then as spelled in the index

    def executable(self, q: wq.Query) -> wq.Query:
        """``q`` as the index can run it (``fold`` terms expanded)."""
        return expand_folded(q, self.variants) if self.field == "fold" else q


def _alternatives(key: str, variants: dict[str, list[str]], boost: float = 1.0) -> wq.Query:
    forms = variants.get(key) or [key]
    if len(forms) == 1:
        return wq.Term("text", forms[0], boost=boost)
    return wq.Or([wq.Term("text", f, boost=boost * (1 + EXACT_BOOST) if i == 0 else boost)
                  for i, f in enumerate(forms)])


def expand_folded(q: wq.Query, variants: dict[str, list[str]]) -> wq.Query:
    """Rewrite ``fold`` terms and phrases as alternatives over ``text``.

    A phrase becomes a ``Sequence`` of alternatives: adjacent positions, any
    spelling at each, so ``"dang uy"`` matches ``Đảng ủy`` and ``Đảng uỷ``.
    """

    def fix(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Term) and node.fieldname == "fold":
            return _alternatives(node.text, variants, node.boost)
        if isinstance(node, wq.Phrase) and node.fieldname == "fold":
            parts = [_alternatives(k, variants) for k in node.words]
            return parts[0] if len(parts) == 1 else wq.Sequence(parts, slop=node.slop, boost=node.boost)
        return node

    return q.accept(fix)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _decoded(value: str, parameter: str, what: str) -> str:
    """``value`` if it is text; Python passes bytes of argv that are not UTF-8 on as lone
    surrogates, which nothing can match and the segmenter cannot take."""
    if _SURROGATE.search(value):
        raise BadArgument(parameter, f"{what} is not UTF-8 text (is the terminal set to UTF-8?)")
    return value


def parse_date(value: str, end: bool, parameter: str = "date") -> dt.datetime:
    """First (or last) day of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value.strip())
    if not m:
        raise BadArgument(parameter, f"bad date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if day:
            d = dt.date(year, int(month), int(day))
        elif month:
            d = dt.date(year, int(month), 1)
            if end:
                d = dt.date(year + (d.month == 12), d.month % 12 + 1, 1) - dt.timedelta(days=1)
        else:
            d = dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    except ValueError:
        raise BadArgument(parameter, f"bad date {value!r}: no such day") from None
    return dt.datetime.combine(d, dt.time())


def resolve_directive(spec: str, known: set[str]) -> list[str]:
    """The indexed codes a user's spelling of a directive means (``Chỉ thị 05`` -> ``05-CT/TW``)."""
    wanted = codes.parse_directive_spec(spec)
    if wanted is None:
        raise BadArgument("directive", f"not a directive: {spec!r} (try 05-CT/TW, CT 05 or 'Chỉ thị 05')")
    return sorted(c for c in known if wanted.matches(c))


def _filter_query(filters: Filters, dates: list[str], schema, known: set[str]) -> wq.Query | None:
    """The filter options plus the query's own ``date:VALUE`` terms (``dates``)."""
    parts: list[wq.Query] = []
    periods = [(v, v) for v in dates]
    if filters.date_from or filters.date_to:
        periods.append((filters.date_from, filters.date_to))
    for start, stop in periods:
        # the report's span [date, date_end] must overlap [start, stop]
        if start:
            parts.append(wq.DateRange("date_end", parse_date(start, False, "date_from"), None))
        if stop:
            parts.append(wq.DateRange("date", None, parse_date(stop, True, "date_to")))
    if filters.org:
        org = clean_text(_decoded(filters.org, "org", "the organization"))
        keys = [t.text for t in schema["organization"].analyzer(org)]
        if not keys:
            raise BadArgument("org", f"no words in the organization {filters.org!r}")
        parts.append(wq.Phrase("organization", keys) if len(keys) > 1 else wq.Term("organization", keys[0]))
    if filters.directive:
        matched = resolve_directive(filters.directive, known)
        parts.append(wq.Or([wq.Term("directives", c) for c in matched]) if matched else wq.NullQuery)
    return wq.And(parts) if parts else None


def _parser(schema, fieldname: str, require_all: bool) -> qparser.QueryParser:
    group = qparser.AndGroup if require_all else qparser.OrGroup
    parser = qparser.QueryParser(fieldname, schema, group=group)
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    # Single quotes are apostrophes in pasted text, '?' and '*' are punctuation
    # in questions, not wildcards; '*:*' is never meant.
    for plugin in (qparser.SingleQuotePlugin, qparser.WildcardPlugin, qparser.EveryPlugin,
                   qparser.RangePlugin):
        parser.remove_plugin_class(plugin)
    return parser


def _plain_parser(schema, fieldname: str, require_all: bool) -> qparser.QueryParser:
    """A parser that knows no syntax at all: every word is a word."""
    group = qparser.AndGroup if require_all else qparser.OrGroup
    return qparser.QueryParser(fieldname, schema, plugins=[qparser.WhitespacePlugin()], group=group)


def _nodes(q: wq.Query):
    yield q
    for child in q.children():
        yield from _nodes(child)


def _has_errors(q: wq.Query) -> bool:
    """Whoosh marks what it could not parse with an ``error`` attribute or a NullQuery."""
    return any(getattr(node, "error", None) or node is wq.NullQuery for node in _nodes(q))


def plain_words(text: str) -> str:
    """The query's words with every syntax character and operator removed."""
    return " ".join(_OPERATORS.sub(" ", _SYNTAX_CHARS.sub(" ", text)).split())


_DANGLING_OPS = [
    re.compile(r"^\s*(?:(?:AND|OR|ANDNOT|ANDMAYBE)\s+)+"),  # nothing to join on the left
    re.compile(r"(?:\s+(?:AND|OR|NOT|ANDNOT|ANDMAYBE))+\s*$"),  # nor on the right
    re.compile(r"\b(?:AND|OR|ANDNOT|ANDMAYBE)\s+(?=(?:AND|OR|ANDNOT|ANDMAYBE)\b)"),
]


def _tidy_operators(text: str) -> str:
    """Drop operators with nothing to combine (``AND tuyên``), which Whoosh would search as words."""
    for pattern in _DANGLING_OPS:
        text = pattern.sub(" ", text)
    return text.strip() or text


_QUOTED = re.compile(r'"[^"]*"')


def _directive_alternatives(text: str, known: set[str]) -> str:
    """Let a directive named in the query match every written form of it.

    ``Chỉ thị 05`` becomes ``("Chỉ thị 05" OR cites:"05-CT/TW")``: the words as
    typed, or any passage citing the code (``Chỉ thị số 05-CT/TW``, or a bare
    ``Chỉ thị 05 của Bộ Chính trị`` resolved at indexing). Quoted phrases and
    field values are left as typed.
    """
    if not known:
        return text
    protected = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
    spans = [(m.start(), m.end()) for m in codes.CODE_RE.finditer(text) if "/" in m.group(0)]
    spans += [(m.start(), m.end()) for m in codes.BARE_RE.finditer(text)]
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos or any(a <= start < b for a, b in protected) or text[max(0, start - 1):start] == ":":
            continue
        mention = text[start:end]
        matched = resolve_directive(mention, known) if codes.parse_directive_spec(mention) else []
        if not matched:
            continue
        alternatives = " OR ".join(f'cites:"{c}"' for c in matched)
        out.append(text[pos:start])
        out.append(f'("{mention}" OR {alternatives})')
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _resolve_fields(q: wq.Query, known: set[str]) -> wq.Query:
    """``directive:05-ct/tw`` and friends: any spelling of a code, resolved to the indexed ones."""

    def fix(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Term) and node.fieldname in ("directives", "cites"):
            matched = resolve_directive(node.text, known) if codes.parse_directive_spec(node.text) else []
            if not matched:
                return wq.NullQuery
            return wq.Or([wq.Term(node.fieldname, c, boost=node.boost) for c in matched])
        return node

    return q.accept(fix)


def parse(
    text: str,
    schema,
    filters: Filters | None = None,
    known: set[str] | None = None,
    require_all: bool = False,
    variants: dict[str, list[str]] | None = None,
) -> ParsedQuery:
    """Parse user text; text that is not valid syntax is searched as plain words.

    ``schema``: the index's ``schema.query_schema`` (its fields plus ``fold``).

    ``known``: the directive codes in the index (to understand a directive
    however it is written). ``require_all``: every word must match (else words
    are ranked: passages with all of them first). ``variants``: folded syllable
    -> its spellings in the index, most used first, for accentless queries.
    """
    known = known or set()
    filters = filters or Filters()
    variants = variants or {}
    text = clean_text(_decoded(text, "query", "query")).strip()
    if len(text) > MAX_QUERY_CHARS:
        raise VnsearchError(f"query too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    dates = _DATE_TERM.findall(text)
    text = _DATE_TERM.sub(" ", text).strip()
    if not text:
        if dates:
            raise VnsearchError("a date: term filters a search; add words to search for")
        raise VnsearchError("empty query")
    filter_query = _filter_query(filters, dates, schema, known)
    plain = plain_words(_FIELD_PREFIX.sub(" ", text))
    fieldname = "text" if has_diacritics(plain) or not any(c.isalpha() for c in plain) else "fold"
    try:
        prepared = _directive_alternatives(_tidy_operators(text), known)
        matcher = _parser(schema, fieldname, require_all).parse(prepared)
        matcher = _resolve_fields(matcher, known)
    except Exception:  # Whoosh's parser raises on some malformed input
        matcher = wq.NullQuery
    if _has_errors(matcher):
        matcher = _plain_parser(schema, fieldname, require_all).parse(plain) if plain else wq.NullQuery
    if matcher is wq.NullQuery and not _resolves_nothing(text):
        raise VnsearchError(f"nothing to search for in {text!r}")
    matcher = _require_fields(_exclusions(matcher))
    if not require_all:
        matcher = _without_question_words(matcher)
    clauses = list(matcher.children()) if isinstance(matcher, wq.Or) else [matcher]
    words = [t.text for t in _word_analyzer()(plain)]  # segments the query once
    typed = [t.text for t in schema[fieldname].analyzer(plain)]
    keys = [(variants.get(k) or [k])[0] for k in typed] if fieldname == "fold" else typed
    scored = _with_evidence(matcher, keys, ranked=not require_all)
    content = _content_words(words)
    parsed = ParsedQuery(text, matcher, scored, filter_query, fieldname, clauses, content, variants,
                         _pairs(typed, keys, _negated(matcher)))
    parsed.scored = parsed.executable(scored)
    return parsed


@functools.lru_cache(maxsize=1)
def _word_analyzer():
    from search.text.analysis import word_analyzer

    return word_analyzer()


def _fields_of(q: wq.Query) -> set[str]:
    return {leaf.fieldname for leaf in _nodes(q) if leaf.is_leaf() and getattr(leaf, "fieldname", None)}


def _exclusions(q: wq.Query) -> wq.Query:
    """``a b NOT c`` in a ranked query means (a or b) and not c, never "or anything without c"."""

    def fix(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Or):
            nots = [c for c in node.children() if isinstance(c, wq.Not)]
            keep = [c for c in node.children() if not isinstance(c, wq.Not)]
            if nots and keep:
                positive = keep[0] if len(keep) == 1 else wq.Or(keep)
                negative = [n.query for n in nots]
                return wq.AndNot(positive, negative[0] if len(negative) == 1 else wq.Or(negative))
        return node

    return q.accept(fix)


def _require_fields(q: wq.Query) -> wq.Query:
    """In a ranked query, ``org:X`` or ``title:Y`` restricts; it is not one more optional word."""
    if not isinstance(q, wq.Or):
        return q
    required = [c for c in q.children() if _fields_of(c) and not _fields_of(c) & {"text", "fold", "cites"}]
    if not required:
        return q
    optional = [c for c in q.children() if c not in required]
    if not optional:
        return wq.And(required)
    return wq.And(required + [optional[0] if len(optional) == 1 else wq.Or(optional)])


def _resolves_nothing(text: str) -> bool:
    """True when the query named a field value that no report has (a valid query, no hits)."""
    return bool(re.search(r"\b(?:directive|directives|cites):", text))


# Words that carry the question, not its subject: not counted when ranking
# "passages with every word first" (they still match and score).
STOPWORDS = frozenset("""
    có không là gì nào thì mà và của các những được bị cho với trong khi nếu này đó ai
    bao_nhiêu như_thế_nào thế_nào hay hoặc phải để đã sẽ đang theo về tại từ một
    trường_hợp nào_đó người ra sao vậy ạ nhé
""".split())


# Syllables dropped from a ranked query: the one-syllable question words and
# the syllables of "bao nhiêu", "như thế nào" (not "trường hợp": "trường" and
# "hợp" carry meaning alone). Compared as typed: "ma" (túy) is not "mà", and
# "nhũng" (tham nhũng) is not "những"; only an accentless query compares folded.
_STOP_SYLLABLES = frozenset({w for w in STOPWORDS if "_" not in w} | {"bao", "nhiêu", "như", "thế"})
_FOLDED_STOP = frozenset(fold(s) for s in _STOP_SYLLABLES)


def _without_question_words(q: wq.Query) -> wq.Query:
    """Drop question-word syllables ("có", "không", "bao") from a ranked query's top-level
    alternatives when content words remain: they match nearly every passage, add
    almost nothing to BM25 and make Whoosh walk every posting."""
    if not isinstance(q, wq.Or):
        return q
    def question_word(c: wq.Query) -> bool:
        if not isinstance(c, wq.Term):
            return False
        return c.text in _FOLDED_STOP if c.fieldname == "fold" else c.text in _STOP_SYLLABLES

    keep = [c for c in q.children() if not question_word(c)]
    if not keep or len(keep) == len(list(q.children())):
        return q
    return keep[0] if len(keep) == 1 else wq.Or(keep)


def _content_words(words: list[str]) -> list[tuple[str, ...]]:
    """The query's pyvi words minus question words, each as its syllable keys."""
    content = [w for w in dict.fromkeys(words) if w not in STOPWORDS]
    return [tuple(w.split("_")) for w in content]


def _with_evidence(matcher: wq.Query, keys: list[str], ranked: bool) -> wq.Query:
    """``matcher`` plus optional ranking evidence (see the module docstring).

    Title terms would add every passage of a report whose title matches, so
    they only rank queries that require all their words.
    """
    if ranked and isinstance(matcher, wq.Or) and all(
        isinstance(c, wq.Term) and c.fieldname in ("text", "fold") for c in matcher.children()
    ):
        return matcher  # a bag of syllables: title terms would make every passage of a report match
    extra = [wq.Term("title", k, boost=TITLE_BOOST) for k in sorted(set(keys))]
    if not extra:
        return matcher
    return wq.AndMaybe(matcher, wq.Or(extra))


def _negated(q: wq.Query) -> set[str]:
    """The keys of the words a query excludes (``NOT x``, ``a ANDNOT x``)."""
    out: set[str] = set()
    for node in _nodes(q):
        excluded = node.query if isinstance(node, wq.Not) else node.b if isinstance(node, wq.AndNot) else None
        if excluded is not None:
            out |= {t for _, t in excluded.iter_all_terms() if isinstance(t, str)}
    return out


def _pairs(typed: list[str], keys: list[str], negated: set[str]) -> list[tuple[str, str, str, str]]:
    """Each two adjacent syllables of the query, except those of excluded words.

    ``typed`` are the query's keys as parsed (folded for an accentless query),
    ``keys`` their spellings in the index (the usual one for an accentless
    query): ``(typed, typed, spelled, spelled)`` per pair. Question words count
    here ("có bị", "bị xử", "được hưởng"): a question is phrased like the text
    that answers it. A pair typed twice counts twice, as BM25 counts a
    repeated query word.
    """
    return [(typed[i], typed[i + 1], keys[i], keys[i + 1]) for i in range(len(typed) - 1)
            if typed[i] not in negated and typed[i + 1] not in negated]
