"""Retrieval: the candidate passages of a parsed query and their evidence.

Whoosh (or, for queries over many postings, ``accumulate`` with numpy) finds
the best ``POOL`` passages by BM25F over the query's syllables; for a keyword
query a second pool holds the passages with every content word. Each
candidate's evidence (``score.Evidence``) is completed here with its syllable
pairs and the content words it holds; ``score`` alone turns evidence into a
score and an order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from whoosh import query as wq

from search.index.pairs import PairTable, pair_key
from search.index.schema import LENGTH, indexed_text
from search.rank import score as formula
from search.rank.parse import ParsedQuery
from search.text.analysis import syllable_keys

Titles = Callable[[list[str]], dict[str, str]]  # report ids -> their titles

POOL = 100  # the rescoring window: passages taken in syllable order and ordered by the formula together
FAST_MIN_POSTINGS = 2_000  # postings above which a query is summed with numpy (see accumulate)
# A candidate's evidence needs where the query's keys stand in it (``_positions``): read from their
# posting lists, about 50 ns a posting (full corpus: "có", 241,191 postings, 12 ms), or by
# re-tokenising the candidate, about 35 µs (500 characters). Whichever is cheaper is done.
POSTING_NS = 50
RETOKENIZE_NS = 35_000


def _search(s, q: wq.Query, limit: int | None, filter, mask=None) -> list:
    """Whoosh's best ``limit`` hits (all when None) among ``filter`` less ``mask``, without matcher replacement.

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
    if filter is not None or mask is not None:
        c = collectors.FilterCollector(c, filter, mask)
    s.search_with_collector(q, c)
    # iter(): list() of Whoosh's Results first asks its len(), which runs the query again
    # to count every match (a third of a small query's time).
    return list(iter(c.results()))


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


def _top(s, q: wq.Query, n: int | None, filter, cache: dict, mask=None, keep: frozenset = frozenset()) -> list:
    """The best ``n`` hits plus every hit tied with the ``n``-th (all when ``n`` is None).

    Whoosh breaks ties by document number, which depends on how the index was
    written (segments, parallel jobs, updates); keeping the whole tie makes the
    candidates, and so the results, the same however the index was built.
    Queries over many postings are summed with numpy instead (``accumulate``).
    """
    if _worth_summing(s, q, filter if filter is not None else mask):
        from search.rank import accumulate

        hits = accumulate.top(s, q, n, filter, cache, mask, keep)
        if hits is not None:
            return hits
    if n is None:
        return _search(s, q, None, filter, mask)
    k = n
    while True:
        hits = _search(s, q, k + 1, filter, mask)
        if len(hits) <= n:
            return hits
        cutoff = hits[n - 1].score
        if len(hits) <= k or hits[k].score < cutoff or k >= 50 * n:
            return [h for h in hits if h.score >= cutoff]
        k *= 4


def _word_query(slots: tuple[frozenset[str], ...]) -> wq.Query:
    """A content word: each of its syllables, in any spelling it may take, anywhere in the passage."""
    parts = [wq.Term("text", next(iter(slot))) if len(slot) == 1 else wq.Or([wq.Term("text", k) for k in sorted(slot)])
             for slot in slots]
    return parts[0] if len(parts) == 1 else wq.And(parts)


def coordinates(parsed: ParsedQuery) -> bool:
    """Whether the query is a keyword query whose passages are grouped by content words held."""
    return len(parsed.clauses) > 1 and 1 < len(parsed.content) <= formula.COORDINATE_MAX_WORDS


def levels(parsed: ParsedQuery) -> list[wq.Query | None]:
    """Filters that split the matching passages into levels, best first; None: the rest.

    A passage belongs to the first level it matches, and every passage of a
    level ranks above every passage of the next: passages citing a directive
    the query names (``CT 05``, ``Chỉ thị 05``), then, for a keyword query,
    passages holding all its content words, all but one, ... (``score.order_key``
    orders by the same facts).
    """
    out: list[wq.Query | None] = []
    if parsed.directives:
        out.append(wq.Or([wq.Term("cites", c) for c in parsed.directives]))
    if coordinates(parsed):
        words = [_word_query(w) for w in parsed.content]
        for held in range(len(words), 0, -1):
            combos = [wq.And(list(c)) for c in itertools.combinations(words, held)]
            out.append(combos[0] if len(combos) == 1 else wq.Or(combos))
    out.append(None)
    return out


def _pair_idf(s, parsed: ParsedQuery, table: PairTable) -> dict[tuple[str, str], float]:
    """The idf of each of the query's pairs (a pair typed twice counts twice), from the pair table."""
    n = s.doc_count_all()
    pairs_idf: dict[tuple[str, str], float] = {}
    for a, b, spelled_a, spelled_b in parsed.pairs:
        idf = formula.idf(n, table.passages(pair_key(spelled_a, spelled_b)))
        pairs_idf[a, b] = pairs_idf.get((a, b), 0.0) + idf
    return pairs_idf


def _spellings(parsed: ParsedQuery) -> Callable[[str], list[str]]:
    """The ``text`` keys a syllable of the query's pairs stands for.

    Typed with diacritics, itself; typed without (``fold``), every key of the
    index that folds to it (``variants``), as the passage's keys were folded
    before pairs were matched.
    """
    if parsed.field != "fold":
        return lambda key: [key]
    return lambda key: parsed.variants.get(key) or [key]


def _position_keys(parsed: ParsedQuery, pairs_idf: dict, coordinate: bool) -> set[str]:
    """The ``text`` keys whose positions in the candidates the evidence needs."""
    spell = _spellings(parsed)
    keys = {k for pair in pairs_idf for syllable in pair for k in spell(syllable)}
    if coordinate:
        keys |= {k for word in parsed.content for slot in word for k in slot}
    return keys


def _leaf_positions(s, keys: set[str], docnums: list[int]) -> dict[int, dict[str, list[int]]]:
    """Where each of ``keys`` stands in each of ``docnums``, read with Whoosh's matchers.

    For short posting lists; long ones are read whole as arrays
    (``accumulate.positions``), as retrieval read them.
    """
    out: dict[int, dict[str, list[int]]] = {}
    docs = sorted(set(docnums))
    for sub, offset in s.leaf_searchers():
        reader = sub.reader()
        local = [d - offset for d in docs if offset <= d < offset + reader.doc_count_all()]
        if not local:
            continue
        for key in keys:
            btext = key.encode("utf-8")
            if ("text", btext) not in reader:
                continue
            m = reader.postings("text", btext)
            for d in local:
                if not m.is_active():
                    break
                if m.id() < d:
                    m.skip_to(d)
                    if not m.is_active():
                        break
                if m.id() == d:
                    out.setdefault(d + offset, {})[key] = m.value_as("positions")
    return out


def _text_positions(keys: set[str], found: list, titles: Titles) -> dict[int, dict[str, list[int]]]:
    """``_positions`` by re-tokenising the candidates' stored text, as indexed (``schema.indexed_text``)."""
    heads = titles([r["doc"] for r in found if r["passage"] == 1])
    out: dict[int, dict[str, list[int]]] = {}
    for r in found:
        text = r["text"] if r["passage"] != 1 else indexed_text(heads[r["doc"]], 1, r["text"])
        held: dict[str, list[int]] = {}
        for i, key in enumerate(syllable_keys(text)):
            if key in keys:
                held.setdefault(key, []).append(i)
        if held:
            out[r.docnum] = held
    return out


def _positions(s, keys: set[str], found: list, cache: dict,
               titles: Titles | None = None) -> dict[int, dict[str, list[int]]]:
    """Where each of ``keys`` stands in each passage of ``found`` (``text`` field positions).

    From the posting lists (those retrieval read are in ``cache``), or, when
    lists it did not read are long and ``titles`` gives report titles, by
    re-tokenising the candidates (``POSTING_NS``, ``RETOKENIZE_NS``): the same
    positions either way (``tests/test_evidence.py``).
    """
    docnums = [r.docnum for r in found]
    if not keys or not docnums:
        return {}
    field = s.schema["text"]
    frequency = {k: s.doc_frequency("text", field.to_bytes(k)) for k in keys}
    if sum(frequency.values()) >= FAST_MIN_POSTINGS:
        from search.rank import accumulate

        unread = sum(n for k, n in frequency.items() if not accumulate.has_positions(s, cache, k))
        if titles is not None and unread * POSTING_NS > len(docnums) * RETOKENIZE_NS:
            return _text_positions(keys, found, titles)
        try:
            return accumulate.positions(s, keys, docnums, cache)
        except accumulate.Unsupported:  # a posting list this Whoosh layout cannot read as arrays
            pass
    return _leaf_positions(s, keys, docnums)


def _evidence(parsed: ParsedQuery, found: list, cited: set, pairs_idf: dict, avg_pairs: float,
              positions: dict[int, dict[str, list[int]]]) -> list[tuple[formula.Evidence, object]]:
    """Each hit's evidence: its syllables' BM25F (from retrieval), its pairs, its content words.

    Pairs and content words come from the positions of the query's keys in
    the passage as indexed (a first passage after its report's headline,
    ``schema.indexed_text``), and its indexed length (``schema.LENGTH``): the
    same facts as re-reading and re-tokenising the passage (``tests/test_evidence.py``),
    without doing so (a third of a search's time on the full corpus).
    """
    coordinate = coordinates(parsed)
    spell = _spellings(parsed)
    out = []
    for r in found:
        ev = formula.Evidence(doc=r["doc"], passage=r["passage"], syllables=r.score, cites=r.docnum in cited)
        held = positions.get(r.docnum, {})
        if pairs_idf:
            counts: dict[tuple[str, str], int] = {}
            for a, b in pairs_idf:
                first = {p for k in spell(a) for p in held.get(k, ())}
                if not first:
                    continue
                second = {p for k in spell(b) for p in held.get(k, ())}
                n = sum(1 for p in first if p + 1 in second)
                if n:
                    counts[a, b] = n
            ev.pairs = formula.pair_bm25(counts, pairs_idf, max(r[LENGTH] - 1, 0), avg_pairs)
        if coordinate:
            ev.words = sum(all(any(k in held for k in slot) for slot in w) for w in parsed.content)
            ev.every_word = ev.words == len(parsed.content)
        out.append((ev, r))
    return out


def ranked(s, parsed: ParsedQuery, limit: int | None, table: PairTable,
           titles: Titles | None = None) -> list[tuple[formula.Evidence, object]]:
    """The best ``limit`` passages (all when None) with their evidence, in ``score``'s order.

    Level by level (``levels``), the passages are taken in order of their
    syllables' BM25F (ties by report and passage) in blocks of ``POOL``, and
    each block is ordered by the formula (``score.order_key``): a rescoring
    window of fixed size, as in Elasticsearch's rescore. Nothing depends on
    ``limit`` but where the list stops, so the hits of ``--limit k`` are the
    first k of any larger limit.
    """
    coordinate = coordinates(parsed)
    pairs_idf = _pair_idf(s, parsed, table) if parsed.pairs else {}
    avg_pairs = max(s.avg_field_length("text") - 1, 1.0)
    keys = _position_keys(parsed, pairs_idf, coordinate)
    keep = frozenset(("text", k.encode("utf-8")) for k in keys)  # positions accumulate keeps as it reads
    cache: dict = {}  # one search's posting arrays (accumulate), shared by the levels
    out: list[tuple[formula.Evidence, object]] = []
    filters = levels(parsed)
    cited_filter = filters[0] if parsed.directives else None
    for i, level in enumerate(filters):
        need = None if limit is None else limit - len(out)
        if need is not None and need <= 0:
            break
        earlier = [f for f in filters[:i] if f is not None]
        mask = None if not earlier else earlier[0] if len(earlier) == 1 else wq.Or(earlier)
        flt = parsed.filter if level is None else level if parsed.filter is None else wq.And([level, parsed.filter])
        n = None if need is None else -(-need // POOL) * POOL
        found = _top(s, parsed.scored, n, flt, cache, mask, keep)
        found.sort(key=lambda r: (-round(r.score, formula.TIE_DECIMALS), r["doc"], r["passage"]))
        if n is not None:
            found = found[:n]
        cited = {r.docnum for r in found} if i == 0 and cited_filter is not None else set()
        for start in range(0, len(found), POOL):
            window = found[start:start + POOL]
            positions = _positions(s, keys, window, cache, titles)
            block = _evidence(parsed, window, cited, pairs_idf, avg_pairs, positions)
            out += sorted(block, key=lambda c: formula.order_key(c[0], coordinate))
    return out if limit is None else out[:limit]
