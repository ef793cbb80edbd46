"""Run a query against an index: ranked passages with highlight offsets."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import math
import pickle
import struct
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

from search.index import store
from search.text.analysis import syllable_keys, syllable_spans
from search.text.normalize import fold
from search.index.pairs import FILE as PAIRS_FILE, PairTable, pair_key
from search.errors import DamagedIndex, VnsearchError
from whoosh import query as wq

from search.rank.parse import Filters, ParsedQuery, highlight_patterns, parse
from search.index.schema import SCHEMA_VERSION, VARIANTS, build_schema

# What Whoosh raises when a segment file is missing, truncated or garbled
# (found by truncating and bit-flipping a seed index); anything else is a bug.
_DAMAGE = (EOFError, struct.error, zlib.error, pickle.UnpicklingError, UnicodeDecodeError)
# Keys of a report record (store.DOCUMENTS) that the docs and directives listings read.
_DOC_KEYS = frozenset(("title", "date", "organization", "directives", "passages"))


def _no_index(index_dir: Path):
    """No CURRENT pointer: nothing built here yet, or something that is not a vnsearch index."""
    if (index_dir / store.META).is_file():
        raise DamagedIndex(
            f"{index_dir} is one generation of an index; use the directory above it "
            f"(--index-dir {index_dir.parent})"
        )
    if any(index_dir.glob("*.toc")):
        raise DamagedIndex(
            f"{index_dir} holds a Whoosh index that vnsearch did not build; "
            f"build one with `vnsearch index --rebuild --index-dir {index_dir}` or use another directory"
        )
    raise VnsearchError(
        f"no index at {index_dir}; build one with `vnsearch index SOURCE --index-dir {index_dir}`"
    )


def _meta_is_sound(meta: dict) -> bool:
    codes = meta.get("codes", [])
    return isinstance(codes, list) and all(isinstance(c, str) for c in codes)


def _documents_are_sound(docs) -> bool:
    return isinstance(docs, dict) and all(isinstance(d, dict) and _DOC_KEYS <= d.keys() for d in docs.values())


@contextlib.contextmanager
def _reading(index: "Index"):
    """Turn what Whoosh raises on damaged files met while searching into a one-line error."""
    try:
        yield
    except OSError as exc:
        raise store.unreadable(index.index_dir, exc) from None
    except Exception as exc:
        # Whoosh reports a bad block with a bare Exception; our own bugs raise subclasses
        if not isinstance(exc, _DAMAGE) and type(exc) is not Exception:
            raise
        raise DamagedIndex(
            f"index at {index.index_dir} is damaged ({type(exc).__name__}); "
            "run `vnsearch index --rebuild`"
        ) from None


@dataclass
class Hit:
    """One ranked passage; ``highlights`` are [start, end) offsets into ``text``."""

    rank: int
    score: float
    doc: str
    passage: int
    title: str
    date: str | None  # YYYY-MM-DD
    organization: str | None
    directives: list[str]
    text: str
    highlights: list[list[int]]

    def to_dict(self) -> dict:
        return asdict(self)


def open_whoosh(gen: Path):
    """Open a generation's Whoosh index without memory-mapping its segments.

    With mmap, whoosh-reloaded wraps each part of a compound segment file it
    opens in ``BytesIO(memoryview)``, which copies it: on an 84,000-article
    index every search copied hundreds of MB (0.5 s, 1.2 GB resident). Plain
    file reads only load what a query touches.
    """
    from whoosh.filedb.filestore import FileStorage

    return FileStorage(str(gen), supports_mmap=False).open_index()


class Index:
    """An opened index generation: its Whoosh index and its metadata.

    Every way the directory can be wrong (no index, a damaged or foreign one,
    unreadable files) raises a one-line ``VnsearchError`` here, or from
    ``_reading`` for damage Whoosh only notices while searching.
    """

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        gen = store.current_generation(index_dir)
        if gen is None:
            _no_index(index_dir)
        self.gen = gen
        self._variants: dict[str, list[str]] | None = None
        self.meta = store.read_meta(gen)
        version = self.meta.get("schema_version") if isinstance(self.meta, dict) else None
        if version != SCHEMA_VERSION:
            raise DamagedIndex(
                f"index at {index_dir} has schema version {version}, this vnsearch needs "
                f"{SCHEMA_VERSION}; run `vnsearch index --rebuild`"
            )
        if not _meta_is_sound(self.meta):
            raise DamagedIndex(
                f"index metadata in {gen} is not what vnsearch writes; run `vnsearch index --rebuild`"
            )
        try:
            self.ix = open_whoosh(gen)
            self.ix.reader().close()  # opens every segment: catches missing or truncated files
        except OSError as exc:
            raise store.unreadable(index_dir, exc) from None
        except Exception as exc:  # Whoosh raises many kinds on damaged files
            raise DamagedIndex(
                f"index at {index_dir} is damaged ({type(exc).__name__}); run `vnsearch index --rebuild`"
            ) from None
        if set(self.ix.schema.names()) != set(build_schema().names()):
            raise DamagedIndex(
                f"index at {index_dir} has fields vnsearch does not write; run `vnsearch index --rebuild`"
            )

    @functools.cached_property
    def documents(self) -> dict[str, dict]:
        """Per-report records (large: read only by the commands that list reports)."""
        documents = store.read_documents(self.gen)
        if not _documents_are_sound(documents):
            raise DamagedIndex(
                f"index metadata in {self.gen} is not what vnsearch writes; run `vnsearch index --rebuild`"
            )
        return documents

    @property
    def variants(self) -> dict[str, list[str]]:
        """Folded syllable -> its spellings in the index, most used first."""
        if self._variants is None:
            try:
                variants = json.loads((self.gen / VARIANTS).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                variants = {}
            self._variants = variants if isinstance(variants, dict) else {}
        return self._variants

    @functools.cached_property
    def pairs(self) -> PairTable:
        """How many passages hold each syllable pair (``pairs``)."""
        try:
            return PairTable(self.gen / PAIRS_FILE)
        except OSError as exc:
            raise store.unreadable(self.index_dir, exc) from None
        except ValueError:
            raise store.damaged_pairs(self.index_dir) from None

    @functools.cached_property
    def known_codes(self) -> set[str]:
        """Every directive code any indexed report cites."""
        return set(self.meta.get("codes", []))


def find_spans(text: str, patterns: list[tuple[str, ...]], known: set[str] = frozenset()) -> list[list[int]]:
    """Offsets of every occurrence of every pattern in ``text``, overlaps merged.

    The passage is re-tokenised with the indexing analyser, so a span starts and
    ends exactly on the characters that produced the matching tokens. A cited
    directive is marked in whatever form the passage writes it.
    """
    tokens = syllable_spans(text)
    keyed = {"text": [k for k, _, _ in tokens]}
    spans = []
    cited = {p[1] for p in patterns if p[0] == "cites"}
    if cited:
        from search.ingest.extract import code_mentions

        spans += [[s, e] for code, s, e in code_mentions(text, set(known)) if code in cited]
    for field, *pattern in patterns:
        if field == "cites":
            continue
        if field not in keyed:
            keyed[field] = [fold(k) for k in keyed["text"]]
        keys = keyed[field]
        pattern = tuple(pattern)
        n = len(pattern)
        if not n:
            continue
        for i in range(len(keys) - n + 1):
            if keys[i] == pattern[0] and tuple(keys[i : i + n]) == pattern:
                spans.append([tokens[i][1], tokens[i + n - 1][2]])
    spans.sort()
    merged: list[list[int]] = []
    for s in spans:
        if merged and s[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], s[1])
        else:
            merged.append(s)
    return merged


def _word_query(field: str, syllables: tuple[str, ...]) -> wq.Query:
    keys = [fold(k) for k in syllables] if field == "fold" else list(syllables)
    return wq.Term(field, keys[0]) if len(keys) == 1 else wq.And([wq.Term(field, k) for k in keys])


PAIR_WEIGHT = 2.0  # weight of BM25 over the query's adjacent syllable pairs (see pairs)
K1, B = 1.2, 0.75  # Whoosh's BM25F defaults, for the pairs too
COORDINATE_MAX_WORDS = 4  # longer queries are questions: ranked by score, not by words matched
POOL = 100  # candidates looked at for ordering


@dataclass
class Candidate:
    """A Whoosh hit with the evidence our ordering adds to its score."""

    result: object  # whoosh.searching.Hit
    group: int  # lower first: passages with every content word, then by how many
    score: float  # Whoosh's score plus the syllable pairs' BM25
    key: tuple[str, int]  # (doc, passage): ties never depend on segment layout


def _search(s, q: wq.Query, limit: int | None, filter) -> list:
    """Whoosh's best ``limit`` hits (all when None), without matcher replacement.

    Whoosh's top-N collector "replaces" the matcher every few hits with one
    it thinks is cheaper given the current minimum score. For an
    ``AndMaybe`` that rewrite loses documents: passages scoring 31.6 went
    missing from a top 101 whose last hit scored 21.8, and which ones went
    missing depended on the segment layout. Block-quality skipping alone is
    exact, so it stays on.
    """
    from whoosh import collectors

    if limit is None or limit >= s.doc_count():
        c = collectors.UnlimitedCollector()
    else:
        c = collectors.TopCollector(limit, usequality=True, replace=0)
    if filter is not None:
        c = collectors.FilterCollector(c, filter)
    s.search_with_collector(q, c)
    return list(c.results())


FAST_MIN_POSTINGS = 2_000  # postings above which a query is summed with numpy (see accumulate)


def _terms(q: wq.Query) -> list[wq.Term] | None:
    """The terms of a query made only of terms, phrases, Or, And and AndMaybe; None otherwise."""
    if isinstance(q, wq.Term):
        return [q]
    if isinstance(q, wq.Phrase):
        return [wq.Term(q.fieldname, w) for w in q.words]
    if isinstance(q, (wq.Or, wq.And, wq.AndMaybe, wq.Sequence)):
        out = []
        for child in q.children():
            terms = _terms(child)
            if terms is None:
                return None
            out += terms
        return out
    return None


def _worth_summing(s, q: wq.Query, filter=None) -> bool:
    """Whether ``q`` reads enough postings to pay for numpy (0.1 s to import).

    A filter counts as the whole index: Whoosh walks every passage a date
    range or organization lets through (0.4 s for "--to 2006-12" over 21,000
    articles) where ``accumulate`` reads the range's terms as arrays.
    """
    terms = _terms(q)
    if terms is None:
        return False
    total = 0 if filter is None else s.doc_count_all()
    for t in terms:
        try:
            total += s.doc_frequency(t.fieldname, s.schema[t.fieldname].to_bytes(t.text))
        except (KeyError, ValueError):
            pass
    return total >= FAST_MIN_POSTINGS


def _top(s, q: wq.Query, n: int | None, filter) -> list:
    """Whoosh's best ``n`` hits plus every hit tied with the ``n``-th.

    Whoosh breaks ties by document number, which depends on how the index was
    written (segments, parallel jobs, updates); keeping the whole tie makes the
    candidates, and so the results, the same however the index was built.
    Queries over many postings are summed with numpy instead (``accumulate``).
    """
    if _worth_summing(s, q, filter):
        from search.rank import accumulate

        hits = accumulate.top(s, q, n, filter)
        if hits is not None:
            return hits
    if n is None:
        return _search(s, q, None, filter)
    k = n
    while True:
        hits = _search(s, q, k + 1, filter)
        if len(hits) <= n:
            return hits
        cutoff = hits[n - 1].score
        if len(hits) <= k or hits[k].score < cutoff or k >= 50 * n:
            return [h for h in hits if h.score >= cutoff]
        k *= 4


def every_word_first(parsed: ParsedQuery) -> wq.Query:
    """The passages with every content word, scored as ``parsed.scored`` plus their own score."""
    every = parsed.executable(
        wq.And([parsed.matcher] + [_word_query(parsed.field, w) for w in parsed.content]))
    return wq.AndMaybe(every, parsed.scored)


def _pair_scorer(s, parsed: ParsedQuery, table: PairTable):
    """BM25 of the query's adjacent syllable pairs in a passage's keys, with the idf
    of each pair over the index (``pairs``) and Whoosh's formula and parameters."""
    if not parsed.pairs:
        return lambda keys: 0.0
    n = s.doc_count_all()
    avg = max(s.avg_field_length("text") - 1, 1.0)
    weights: dict[tuple[str, str], float] = {}
    for a, b, spelled_a, spelled_b in parsed.pairs:
        idf = math.log(n / (table.passages(pair_key(spelled_a, spelled_b)) + 1)) + 1
        weights[a, b] = weights.get((a, b), 0.0) + idf  # a pair typed twice counts twice

    def score(keys: list[str]) -> float:
        found: dict[tuple[str, str], int] = {}
        for pair in zip(keys, keys[1:]):
            if pair in weights:
                found[pair] = found.get(pair, 0) + 1
        norm = K1 * (1 - B + B * max(len(keys) - 1, 0) / avg)
        return math.fsum(weights[p] * tf * (K1 + 1) / (tf + norm) for p, tf in sorted(found.items()))

    return score


def candidates(s, parsed: ParsedQuery, limit: int | None, table: PairTable) -> list[Candidate]:
    """The best ``POOL`` (or ``limit``) Whoosh hits with their evidence, unordered.

    Pairs: each candidate's score gets ``PAIR_WEIGHT`` times the BM25 of the
    query's adjacent syllable pairs in the passage, so "xử lý hành chính"
    written together outranks the same syllables scattered (``pairs``).
    Coordination: for a ranked (any-word) query of at most
    ``COORDINATE_MAX_WORDS`` content words (keywords), the group of passages
    with every content word is exact, from its own query; the others count
    their content words. A longer query is a pasted question: a passage rarely
    holds all its words, and BM25 over its syllables and syllable pairs
    already rewards the passages that hold most of them (on ALQAC, grouping
    questions by words matched cost 0.04 MRR@10).
    """
    pool_size = None if limit is None else max(POOL, limit)
    pool = _top(s, parsed.scored, pool_size, parsed.filter)
    content = parsed.content
    coordinate = len(parsed.clauses) > 1 and 1 < len(content) <= COORDINATE_MAX_WORDS
    first: list = []
    if coordinate:
        first = _top(s, every_word_first(parsed), pool_size, parsed.filter)
    by_docnum = {r.docnum: r for r in pool + first}
    in_first = {r.docnum for r in first}
    if parsed.field == "fold":
        content = [tuple(fold(k) for k in w) for w in content]
    pair_score = _pair_scorer(s, parsed, table)
    out = []
    for r in by_docnum.values():
        keys: list[str] = []
        if coordinate or parsed.pairs:  # one-word queries need not re-read the passage
            keys = syllable_keys(r["text"])
            if parsed.field == "fold":
                keys = [fold(k) for k in keys]
        group = 0
        if coordinate:
            present = set(keys)
            group = -len(content) - 1 if r.docnum in in_first else -sum(
                all(k in present for k in w) for w in content)
        score = r.score + PAIR_WEIGHT * pair_score(keys)
        out.append(Candidate(r, group, score, (r["doc"], r["passage"])))
    return out


def ordered(cands: list[Candidate]) -> list[Candidate]:
    """Best first; equal scores by report and passage.

    Scores are compared to 9 decimals: a passage's term scores are added in an
    order that depends on the index layout and on the path (Whoosh or numpy),
    so equal scores can differ in their last bits.
    """
    def key(c: Candidate):
        return (c.group, -round(c.score, 9), c.key)

    return sorted(cands, key=key)


def _ranked(s, parsed: ParsedQuery, limit: int | None, table: PairTable) -> list[Candidate]:
    """The candidates in our order (see ``candidates``)."""
    ranked = ordered(candidates(s, parsed, limit, table))
    return ranked if limit is None else ranked[:limit]


def search(
    index: Index,
    text: str,
    limit: int | None = 10,
    filters: Filters | None = None,
    require_all: bool = False,
) -> list[Hit]:
    """The best ``limit`` passages for ``text`` (all of them when ``limit`` is None)."""
    parsed = parse(text, index.ix.schema, filters, index.known_codes, require_all, index.variants)
    patterns = highlight_patterns(parsed.matcher)
    hits: list[Hit] = []
    with _reading(index), index.ix.searcher() as s:
        for rank, c in enumerate(_ranked(s, parsed, limit, index.pairs), start=1):
            f = c.result.fields()
            date = f.get("date")
            hits.append(
                Hit(
                    rank=rank,
                    score=round(float(c.score), 4),
                    doc=f["doc"],
                    passage=f["passage"],
                    title=f.get("title", ""),
                    date=date.date().isoformat() if isinstance(date, dt.datetime) else None,
                    organization=f.get("organization") or None,
                    directives=[d for d in f.get("directives", "").split(",") if d],
                    text=f["text"],
                    highlights=find_spans(f["text"], patterns, set(f.get("directives", "").split(","))),
                )
            )
    return hits


def did_you_mean(index: Index, text: str, found: bool) -> str | None:
    """A respelling of ``text`` from the index vocabulary, or None (see ``suggest``).

    ``field:value`` terms (``date:2020``, ``org:"Bắc Kạn"``) restrict, they are not
    words to respell, so they are left out.
    """
    import re

    from search.text.normalize import has_diacritics
    from search.rank.parse import plain_words
    from search.rank.suggest import suggest

    plain = plain_words(re.sub(r'(?<!\S)\w+:(?:"[^"]*"|\S+)', " ", text))
    accentless = not has_diacritics(plain)
    with _reading(index), index.ix.reader() as reader:
        if accentless:
            def df(key: str) -> int:
                return sum(reader.doc_frequency("text", k) for k in index.variants.get(key) or [key])
        else:
            def df(key: str) -> int:
                return reader.doc_frequency("text", key)
        return suggest(df, plain, accentless=accentless, found=found)
