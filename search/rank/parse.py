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

import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass

from whoosh import qparser
from whoosh import query as wq

from search.errors import BadArgument, VnsearchError
from search.rank.spelling import PairCount, Spelling, allowed_spellings, respell
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
# ``directive:`` (a field of the query schema only) restricts to the passages citing a
# code: it becomes ``cites`` terms once restrictions are told from ranked words; the
# report-level ``directives`` field serves the --directive filter.
FIELD_ALIASES = {
    "organization": ["org"], "directive": ["directives"], "bodies": ["body"], "title": [],
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
    # The query's content words (coordination): per syllable, the ``text`` keys it may match.
    content: list[tuple[frozenset[str], ...]]
    variants: dict[str, list[str]]  # folded syllable -> spellings in the index, most used first
    pairs: list[tuple[str, str, str, str]]  # adjacent syllables: as parsed, then as spelled in the index
    spelling: Spelling | None = None  # an accentless query's spellings (``spelling``)
    directives: list[str] = dataclasses.field(default_factory=list)  # indexed codes the query names

    def executable(self, q: wq.Query) -> wq.Query:
        """``q`` as the index can run it (``fold`` terms and accentless titles expanded)."""
        return expand_folded(q, self.variants, self.spelling)


def _alternatives(forms: list[str], boost: float = 1.0, field: str = "text") -> wq.Query:
    """Any of ``forms`` (a syllable's spellings); the first, the likely one, boosted."""
    if len(forms) == 1:
        return wq.Term(field, forms[0], boost=boost)
    return wq.Or([wq.Term(field, f, boost=boost * (1 + EXACT_BOOST) if i == 0 else boost)
                  for i, f in enumerate(forms)])


def expand_folded(q: wq.Query, variants: dict[str, list[str]], spelling: Spelling | None = None) -> wq.Query:
    """Rewrite ``fold`` terms and phrases as alternatives over ``text``, and accentless titles.

    A term becomes the spellings ``spelling`` allows it (``spelling``: a
    syllable of a word only the spellings that stand together in the index).
    A phrase becomes a ``Sequence`` of alternatives: adjacent positions, any
    spelling at each, so ``"dang uy"`` matches ``Đảng ủy`` and ``Đảng uỷ``. A
    ``title:`` word typed without diacritics matches every spelling, like text.
    """
    spelling = spelling or Spelling()

    def fix(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Term) and node.fieldname == "fold":
            return _alternatives(spelling.forms(node.text, variants), node.boost)
        if isinstance(node, wq.Phrase) and node.fieldname == "fold":
            parts = [_alternatives(variants.get(k) or [k]) for k in node.words]
            return parts[0] if len(parts) == 1 else wq.Sequence(parts, slop=node.slop, boost=node.boost)
        if isinstance(node, wq.Term) and node.fieldname == "title" and not has_diacritics(node.text):
            return _alternatives(variants.get(node.text) or [node.text], node.boost, "title")
        if isinstance(node, wq.Phrase) and node.fieldname == "title" and not has_diacritics(" ".join(node.words)):
            parts = [_alternatives(variants.get(k) or [k], field="title") for k in node.words]
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


def _directive_alternatives(text: str, known: set[str]) -> tuple[str, list[str]]:
    """Let a directive named in the query match every written form of it.

    ``Chỉ thị 05`` (or ``CT 05``, ``chi thi 05``, ``05-ct/tw``) becomes
    ``("Chỉ thị 05" OR cites:"05-CT/TW")``: the words as typed, or any passage
    citing the code (``Chỉ thị số 05-CT/TW``, or a bare ``Chỉ thị 05 của Bộ
    Chính trị`` resolved at indexing). Quoted phrases and field values are
    left as typed. Returns the rewritten text and the indexed codes named.
    """
    if not known:
        return text, []
    protected = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
    out, pos, named = [], 0, []
    for start, end in codes.query_mentions(text):
        if start < pos or any(a <= start < b for a, b in protected) or text[max(0, start - 1):start] == ":":
            continue
        mention = text[start:end]
        matched = resolve_directive(mention, known) if codes.parse_directive_spec(mention) else []
        if not matched:
            continue
        alternatives = " OR ".join(f'cites:"{c}"' for c in matched)
        out.append(text[pos:start])
        out.append(f'("{mention}" OR {alternatives})')
        named += [c for c in matched if c not in named]
        pos = end
    out.append(text[pos:])
    return "".join(out), named


def _resolve_fields(q: wq.Query, known: set[str]) -> wq.Query:
    """``directive:05-ct/tw`` and friends: any spelling of a code, resolved to the indexed ones."""

    def fix(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Term) and node.fieldname in ("directive", "cites"):
            matched = resolve_directive(node.text, known) if codes.parse_directive_spec(node.text) else []
            if not matched:
                return wq.NullQuery
            return wq.Or([wq.Term("cites", c, boost=node.boost) for c in matched])
        return node

    return q.accept(fix)


def parse(
    text: str,
    schema,
    filters: Filters | None = None,
    known: set[str] | None = None,
    require_all: bool = False,
    variants: dict[str, list[str]] | None = None,
    pair_count: PairCount | None = None,
) -> ParsedQuery:
    """Parse user text; text that is not valid syntax is searched as plain words.

    ``schema``: the index's ``schema.query_schema`` (its fields plus ``fold``).

    ``known``: the directive codes in the index (to understand a directive
    however it is written). ``require_all``: every word must match (else words
    are ranked: passages with all of them first). ``variants``: folded syllable
    -> its spellings in the index, most used first, for accentless queries;
    ``pair_count(a, b)``: in how many passages ``a b`` stand together (the pair
    table), to spell an accentless query as the index does (``spelling``).
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
        prepared, named = _directive_alternatives(_tidy_operators(text), known)
        matcher = _parser(schema, fieldname, require_all).parse(prepared)
    except Exception:  # Whoosh's parser raises on some malformed input
        matcher, named = wq.NullQuery, []
    if _has_errors(matcher):
        matcher = _plain_parser(schema, fieldname, require_all).parse(plain) if plain else wq.NullQuery
    if matcher is wq.NullQuery and not _resolves_nothing(text):
        raise VnsearchError(f"nothing to search for in {text!r}")
    typed = [t.text for t in schema[fieldname].analyzer(plain)]
    spelled, words, spelling = _segmented(plain, typed, fieldname, variants, pair_count)
    matcher = _resolve_fields(_require_fields(_exclusions(matcher)), known)
    if not require_all:
        matcher = _without_question_words(matcher, _question_syllables(typed, words, fieldname == "fold"))
    clauses = list(matcher.children()) if isinstance(matcher, wq.Or) else [matcher]
    scored = _with_evidence(matcher, spelled, ranked=not require_all)
    content = _content_words(typed, words, spelling, variants)
    named += [c for c in _cited(matcher) if c not in named]
    parsed = ParsedQuery(text, matcher, scored, filter_query, fieldname, clauses, content, variants,
                         _pairs(typed, spelled, _negated(matcher)), spelling, named)
    parsed.scored = parsed.executable(scored)
    return parsed


def _segmented(plain: str, typed: list[str], fieldname: str, variants: dict[str, list[str]],
               pair_count: PairCount | None) -> tuple[list[str], list[str | None], Spelling | None]:
    """The query's syllables as the index spells them, the pyvi word each belongs to, and
    (accentless) the spellings each may match.

    pyvi segments the query as typed, or an accentless query once respelled
    (``ma tuy`` -> ``ma túy`` -> ``ma_túy``: pyvi hardly segments text without
    marks). ``words[i]`` is syllable ``i``'s word (``ma_túy``), or None where
    pyvi's tokens do not line up with the syllables.
    """
    if fieldname == "fold":
        spelled = respell(typed, variants, pair_count)
        segmented = " ".join(spelled)
    else:
        spelled, segmented = typed, plain
    tokens = [t.text for t in _word_analyzer()(segmented)]
    flat = [(syllable, word, n) for n, word in enumerate(tokens) for syllable in word.split("_")]
    aligned = [syllable for syllable, _, _ in flat] == spelled
    words: list[str | None] = [word for _, word, _ in flat] if aligned else [None] * len(spelled)
    if fieldname != "fold":
        return spelled, words, None
    numbered = [n for _, _, n in flat] if aligned else list(range(len(spelled)))
    return spelled, words, allowed_spellings(typed, numbered, variants, pair_count, spelled)


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


# pyvi words that carry a question, not its subject: a ranked query drops their
# syllables, but only where pyvi makes them words of their own in the query:
# "không" in "... không?" goes, "không" in "không gian" stays, as do "ma" in
# "ma túy", "có" in "có thể" and "thị" in "chỉ thị". ("trường hợp" is a stop
# word for coordination but its syllables carry meaning alone: kept.)
QUESTION_WORDS = frozenset({w for w in STOPWORDS if "_" not in w} | {"bao_nhiêu", "như_thế_nào", "thế_nào"})


_FOLDED_QUESTION = frozenset(fold(w) for w in QUESTION_WORDS if "_" not in w)


def _question_syllables(typed: list[str], words: list[str | None], accentless: bool) -> set[str]:
    """The typed syllables every occurrence of which is (part of) a question word.

    Typed without marks, a syllable that stands alone and could be a question
    word (``co``: có or cơ?) counts as one: the index's own spelling of the
    query cannot tell which was meant.
    """
    question: dict[str, bool] = {}
    for key, word in zip(typed, words):
        alone = word is None or "_" not in word
        is_question = word in QUESTION_WORDS or (accentless and alone and key in _FOLDED_QUESTION)
        question[key] = question.get(key, True) and is_question
    return {key for key, q in question.items() if q}


def _without_question_words(q: wq.Query, question: set[str]) -> wq.Query:
    """Drop question-word syllables (``question``) from a ranked query's top-level
    alternatives when content words remain: they match nearly every passage, add
    almost nothing to BM25 and make Whoosh walk every posting."""
    if not isinstance(q, wq.Or):
        return q

    def question_word(c: wq.Query) -> bool:
        return isinstance(c, wq.Term) and c.fieldname in ("text", "fold") and c.text in question

    keep = [c for c in q.children() if not question_word(c)]
    if not keep or len(keep) == len(list(q.children())):
        return q
    return keep[0] if len(keep) == 1 else wq.Or(keep)


def _content_words(typed: list[str], words: list[str | None], spelling: Spelling | None,
                   variants: dict[str, list[str]]) -> list[tuple[frozenset[str], ...]]:
    """The query's pyvi words minus stop words, each as the ``text`` keys each syllable may match.

    Typed with diacritics a syllable matches itself; typed without, the
    spellings ``spelling`` allows it.
    """
    out: dict[tuple[frozenset[str], ...], None] = {}
    i = 0
    while i < len(typed):
        word = words[i]
        n = len(word.split("_")) if word else 1
        if word is None or word not in STOPWORDS:
            keys = typed[i:i + n]
            slots = tuple(frozenset(spelling.forms(k, variants)) if spelling else frozenset({k}) for k in keys)
            out.setdefault(slots)
        i += n
    return list(out)


def _cited(q: wq.Query) -> list[str]:
    """The codes a ``directive:`` field term of the query asks for."""
    return sorted({t for f, t in q.iter_all_terms() if f == "cites" and isinstance(t, str)})


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
