"""Retrieval: the candidate passages of a parsed query and their evidence.

Whoosh (or, for queries over many postings, ``accumulate`` with numpy) finds
the best ``POOL`` passages by BM25F over the query's syllables; for a keyword
query a second pool holds the passages with every content word. Each
candidate's evidence (``score.Evidence``) is completed here with its syllable
pairs and the content words it holds; ``score`` alone turns evidence into a
score and an order.
"""

from __future__ import annotations

from whoosh import query as wq

from search.index.pairs import PairTable, pair_key
from search.rank import score as formula
from search.rank.parse import ParsedQuery
from search.text.analysis import syllable_keys
from search.text.normalize import fold

POOL = 100  # candidates looked at for ordering
FAST_MIN_POSTINGS = 2_000  # postings above which a query is summed with numpy (see accumulate)


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


def _top(s, q: wq.Query, n: int | None, filter, cache: dict) -> list:
    """The best ``n`` hits plus every hit tied with the ``n``-th (all when ``n`` is None).

    Whoosh breaks ties by document number, which depends on how the index was
    written (segments, parallel jobs, updates); keeping the whole tie makes the
    candidates, and so the results, the same however the index was built.
    Queries over many postings are summed with numpy instead (``accumulate``).
    """
    if _worth_summing(s, q, filter):
        from search.rank import accumulate

        hits = accumulate.top(s, q, n, filter, cache)
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


def _word_query(field: str, syllables: tuple[str, ...]) -> wq.Query:
    keys = [fold(k) for k in syllables] if field == "fold" else list(syllables)
    return wq.Term(field, keys[0]) if len(keys) == 1 else wq.And([wq.Term(field, k) for k in keys])


def every_word_filter(parsed: ParsedQuery) -> wq.Query:
    """The passages holding every content word (and the query's filter), as a filter.

    The pool of these passages runs ``parsed.scored`` with this filter, so a
    passage has the same syllable evidence whichever pool found it. (Whoosh's
    ``Require`` would say the same, but its matcher fails an assertion when
    skipping by block quality.)
    """
    every = parsed.executable(
        wq.And([parsed.matcher] + [_word_query(parsed.field, w) for w in parsed.content]))
    return every if parsed.filter is None else wq.And([every, parsed.filter])


def coordinates(parsed: ParsedQuery) -> bool:
    """Whether the query is a keyword query whose passages are grouped by content words held."""
    return len(parsed.clauses) > 1 and 1 < len(parsed.content) <= formula.COORDINATE_MAX_WORDS


def _pair_scorer(s, parsed: ParsedQuery, table: PairTable):
    """``score.pair_scorer`` for the query's pairs, each pair's idf from the pair table."""
    n = s.doc_count_all()
    pairs_idf: dict[tuple[str, str], float] = {}
    for a, b, spelled_a, spelled_b in parsed.pairs:
        idf = formula.idf(n, table.passages(pair_key(spelled_a, spelled_b)))
        pairs_idf[a, b] = pairs_idf.get((a, b), 0.0) + idf  # a pair typed twice counts twice
    return formula.pair_scorer(pairs_idf, max(s.avg_field_length("text") - 1, 1.0))


def candidates(s, parsed: ParsedQuery, limit: int | None, table: PairTable) -> list[tuple[formula.Evidence, object]]:
    """The best ``POOL`` (or ``limit``) passages with their evidence, unordered.

    Each comes with what it was found as (a Whoosh hit or ``accumulate.ScoredDoc``:
    stored fields on demand). Pairs: the BM25 of the query's adjacent
    syllable pairs in the passage, so "xử lý hành chính" written together
    outranks the same syllables scattered. Coordination (``coordinates``): the
    group of passages with every content word is exact, from its own pool;
    the others count their content words. A longer query is a pasted
    question: a passage rarely holds all its words, and on ALQAC grouping
    questions by words matched cost 0.04 MRR@10.
    """
    cache: dict = {}  # one search's posting arrays (accumulate), shared by the pools
    pool_size = None if limit is None else max(POOL, limit)
    pool = _top(s, parsed.scored, pool_size, parsed.filter, cache)
    coordinate = coordinates(parsed)
    first = _top(s, parsed.scored, pool_size, every_word_filter(parsed), cache) if coordinate else []
    found = {r.docnum: r for r in pool}
    found.update((r.docnum, r) for r in first)
    in_first = {r.docnum for r in first}
    content = parsed.content
    if parsed.field == "fold":
        content = [tuple(fold(k) for k in w) for w in content]
    pair_score = _pair_scorer(s, parsed, table) if parsed.pairs else None
    out = []
    for docnum, r in found.items():
        ev = formula.Evidence(doc=r["doc"], passage=r["passage"], syllables=r.score)
        if coordinate or pair_score:  # one-word queries need not re-read the passage
            keys = syllable_keys(r["text"])
            if parsed.field == "fold":
                keys = [fold(k) for k in keys]
            if pair_score:
                ev.pairs = pair_score(keys)
            if coordinate:
                present = set(keys)
                ev.every_word = docnum in in_first
                ev.words = sum(all(k in present for k in w) for w in content)
        out.append((ev, r))
    return out


def ranked(s, parsed: ParsedQuery, limit: int | None, table: PairTable) -> list[tuple[formula.Evidence, object]]:
    """The candidates in ``score``'s order, the best ``limit`` of them."""
    coordinate = coordinates(parsed)
    found = sorted(candidates(s, parsed, limit, table), key=lambda c: formula.order_key(c[0], coordinate))
    return found if limit is None else found[:limit]
