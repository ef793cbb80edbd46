"""Top-N BM25 for big indexes: postings summed block by block with numpy.

Whoosh scores a query by walking a tree of Python matchers one posting at a
time, a few microseconds each. On the 84,000-article corpus a pasted
question's common syllables (``được``, ``người``) and an accentless word's
spellings (``doi`` → ``đội đối đổi đời …``) cover hundreds of thousands of
passages, so one search took seconds. Here each term's posting list is read
from the segment file in one piece, its blocks (``codec.PackedCodec``: packed
arrays) turned into numpy arrays and scored with ``score.bm25``, the function
Whoosh's matchers call too (``score.Weighting``), with Whoosh's idf and average
field length: the sums are the Whoosh path's up to the order in which a
passage's term scores are added. Only evidence is gathered here; the
formula that ranks passages is ``score.passage_score``.

Queries built from terms, phrases, ``Or``, ``And`` and ``AndMaybe`` (ranked,
accentless, quoted, ``--all``) go this way; a phrase is scored as the And of
its words, as Whoosh does, and only the candidates that could reach the top
are checked for the words in a row. Anything else (a phrase among optional
words, slop) makes ``top`` return None and the searcher asks Whoosh.

The raw posting lists come from ``whoosh_ext.postings``, the fenced module
that knows Whoosh's private layout; ``tests/test_accumulate.py`` compares both
paths. numpy costs 0.1 s to import, so retrieval only comes here when a query
reads many postings (``retrieve.FAST_MIN_POSTINGS``); a small index never
imports numpy.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq

from search.rank import score as formula
from search.whoosh_ext import codec, postings

_DTYPES = {ord("B"): np.dtype("<u1"), ord("H"): np.dtype("<u2"), ord("I"): np.dtype("<u4")}  # codec.pack_uints

_LENGTH_OF_BYTE = np.array(postings.LENGTH_OF_BYTE, dtype=np.float64)


def _uints(packed: bytes) -> np.ndarray:
    """``codec.unpack_uints`` as a numpy view (no copy)."""
    return np.frombuffer(packed, dtype=_DTYPES[packed[0]], offset=1)


class Unsupported(Exception):
    """A query node this module does not score; the caller falls back to Whoosh."""


class ScoredDoc:
    """What the searcher needs of a Whoosh hit: docnum, score and stored fields."""

    __slots__ = ("docnum", "score", "_searcher", "_fields")

    def __init__(self, searcher, docnum: int, score: float):
        self.docnum = docnum
        self.score = score
        self._searcher = searcher
        self._fields = None

    def fields(self) -> dict:
        if self._fields is None:
            self._fields = self._searcher.stored_fields(self.docnum)
        return self._fields

    def __getitem__(self, key):
        return self.fields()[key]

    def get(self, key, default=None):
        return self.fields().get(key, default)


class _Values:
    """A posting list's encoded positions, one buffer sliced on demand.

    A phrase is checked on a few candidates only, so splitting every
    posting's value into its own bytes object up front was wasted work.
    """

    __slots__ = ("_joined", "_ends")

    def __init__(self, joined: bytes, lengths: np.ndarray):
        self._joined = joined
        self._ends = np.cumsum(lengths, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> bytes:
        return self._joined[int(self._ends[i - 1]) if i else 0:int(self._ends[i])]


class _Segment:
    """One leaf searcher: its postings as arrays and its field lengths."""

    def __init__(self, top, sub, offset: int, cache: dict, positions: frozenset = frozenset()):
        self.top, self.sub, self.offset = top, sub, offset
        self.positions = positions  # (field, term bytes) whose positions a phrase check needs
        self.reader = sub.reader()
        self.size = self.reader.doc_count_all()
        # One search's arrays: the candidate pools read the same terms and
        # lengths two or three times (``retrieve.candidates``).
        self._cache = cache

    def lengths(self, field: str) -> np.ndarray:
        """Each document's field length as Whoosh's scorer sees it (decoded from a byte)."""
        key = (id(self.reader), "lengths", field)
        if key not in self._cache:
            packed = postings.field_length_bytes(self.reader, field)  # one byte per document
            raw = np.zeros(self.size, dtype=np.uint8) if packed is None else np.frombuffer(packed, dtype=np.uint8)
            self._cache[key] = _LENGTH_OF_BYTE[raw]
        return self._cache[key]

    def postings(self, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray, list[bytes] | None]:
        """(document numbers, weights, encoded positions) of a term in this segment.

        Deleted documents are included; the caller masks them. Positions are
        kept (``_Values``) only for the words of phrases.
        """
        cache = self._cache
        key = (id(self.reader), "postings", field, btext)
        if key not in cache or (cache[key][2] is None and (field, btext) in self.positions):
            cache[key] = self._read(field, btext, (field, btext) in self.positions)
        return cache[key]

    def _read(self, field: str, btext: bytes, positions: bool):
        reader = self.reader
        if (field, btext) not in reader:
            return np.zeros(0, dtype=np.int64), np.zeros(0), []
        inlined = postings.inlined_postings(reader, field, btext)
        if inlined is not None:  # a term in one document: its posting sits in the term index
            ids, weights, values = inlined
            return (np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64),
                    list(values or ()) if positions else None)
        ids: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        values: list[bytes] = []
        lengths: list[np.ndarray] = []
        try:
            blocks = list(postings.posting_blocks(reader, field, btext))
        except postings.Unreadable as exc:
            raise Unsupported(str(exc)) from None
        for count, block_id_bytes, block_weights, block_values in blocks:
            ids.append(np.cumsum(_uints(block_id_bytes), dtype=np.int64))
            if block_weights is None or isinstance(block_weights, float):
                weights.append(np.full(count, 1.0 if block_weights is None else block_weights))
            elif isinstance(block_weights, bytes):
                weights.append(np.frombuffer(block_weights, dtype=np.uint8))
            else:
                weights.append(np.asarray(block_weights, dtype=np.float64))
            if positions:
                if codec.is_packed_values(block_values):
                    block_lengths, joined = codec.packed_value_parts(block_values)
                    lengths.append(_uints(block_lengths))
                    values.append(joined)
                elif isinstance(block_values, tuple):
                    lengths.append(np.array([len(v) for v in block_values], dtype=np.int64))
                    values.append(b"".join(block_values))
                else:
                    raise Unsupported("posting block without positions")
        return (np.concatenate(ids), np.concatenate(weights).astype(np.float64),
                _Values(b"".join(values), np.concatenate(lengths)) if positions else None)


def _bytes(schema, t: wq.Term) -> bytes | None:
    """The term's indexed form, or None if its field is not in the index or cannot hold it."""
    if t.fieldname not in schema:
        return None
    try:
        return schema[t.fieldname].to_bytes(t.text)
    except ValueError:
        return None


def _slots(q) -> list[wq.Query]:
    """A phrase's positions: one query (a term, or an Or of spellings) per word."""
    if isinstance(q, wq.Phrase):
        if q.slop != 1 or q.boost != 1.0:
            raise Unsupported("phrase with slop or boost")
        return [wq.Term(q.fieldname, w) for w in q.words]
    if q.slop != 1 or q.boost != 1.0:
        raise Unsupported("sequence with slop")
    return list(q.children())


def _required_phrases(q) -> list[wq.Query]:
    """The phrases every hit must contain; Unsupported if a phrase is optional.

    An optional phrase (under an Or, or AndMaybe's second part) would change a
    hit's score once checked, which the top-N walk below cannot bound.
    """
    if isinstance(q, (wq.Phrase, wq.Sequence)):
        for slot in _slots(q):
            if _has_phrase(slot):
                raise Unsupported("nested phrase")
        return [q]
    if isinstance(q, wq.And):
        return [p for c in q.children() for p in _required_phrases(c)]
    if isinstance(q, wq.AndMaybe):
        first, second = q.children()
        if _has_phrase(second):
            raise Unsupported("optional phrase")
        return _required_phrases(first)
    if _has_phrase(q):
        raise Unsupported("optional phrase")
    return []


def _has_phrase(q) -> bool:
    if isinstance(q, (wq.Phrase, wq.Sequence)):
        return True
    return any(_has_phrase(c) for c in q.children()) if isinstance(q, wq.CompoundQuery) else False


def _phrase_terms(seg: _Segment, phrase: wq.Query) -> list[list[tuple[str, bytes, object]]]:
    """Each slot's spellings as (field, term bytes, field object), worked out once a search."""
    key = ("phrase", id(phrase))  # the phrase lives in the query for the whole search
    if key not in seg._cache:
        slots = []
        for slot in _slots(phrase):
            terms = []
            for t in [slot] if isinstance(slot, wq.Term) else list(slot.children()):
                if not isinstance(t, wq.Term):
                    raise Unsupported(type(t).__name__)
                btext = _bytes(seg.top.schema, t)
                if btext is not None:
                    terms.append((t.fieldname, btext, seg.top.schema[t.fieldname]))
            slots.append(terms)
        seg._cache[key] = slots
    return seg._cache[key]


def _slot_positions(seg: _Segment, terms: list[tuple[str, bytes, object]], docs: np.ndarray) -> list[set[int]]:
    """Where in each document of ``docs`` (of ``seg``) any spelling of a phrase slot occurs.

    One ``searchsorted`` per spelling for all the documents: an accentless
    phrase has a dozen spellings per word, and a scalar search per spelling
    and document was a fifth of such a search's time.
    """
    out: list[set[int]] = [set() for _ in range(len(docs))]
    for fieldname, btext, field in terms:
        ids, _, values = seg.postings(fieldname, btext)
        if not len(ids) or not values:
            continue
        at = np.minimum(np.searchsorted(ids, docs), len(ids) - 1)
        for j in np.flatnonzero(ids[at] == docs).tolist():
            out[j].update(field.format.decode_positions(values[int(at[j])]))
    return out


def _in_a_row(seg: _Segment, phrase: wq.Query, docs: np.ndarray) -> list[bool]:
    """Whether each document of ``docs`` holds the phrase's words at consecutive positions."""
    slots = [_slot_positions(seg, terms, docs) for terms in _phrase_terms(seg, phrase)]
    return [any(all(p + i in slots[i][j] for i in range(1, len(slots))) for p in slots[0][j])
            for j in range(len(docs))]


#: Candidates checked for a phrase's words in a row at a time (``top``): in order of score, so a
#: batch may check a few past the last one needed, which changes nothing but the work done.
PHRASE_BATCH = 32


def _phrase_hits(segments: list[_Segment], phrases: list, docnum: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Which of the candidates ``docnum`` (index-wide numbers, in ``segments[owner]``) hold every phrase."""
    ok = np.ones(len(docnum), dtype=bool)
    for k in sorted(set(owner.tolist())):  # not np.unique: it imports numpy.ma (20 ms)
        mine = np.flatnonzero(owner == k)
        seg = segments[k]
        local = docnum[mine] - seg.offset
        for phrase in phrases:
            ok[mine] &= np.array(_in_a_row(seg, phrase, local), dtype=bool)
    return ok


def _term(seg: _Segment, q: wq.Term) -> tuple[np.ndarray, np.ndarray]:
    """(documents, BM25) of one term in ``seg``: only the documents that hold it."""
    btext = _bytes(seg.top.schema, q)
    if btext is None:  # as Whoosh: a field or value the index cannot hold matches nothing
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    ids, tf, _ = seg.postings(q.fieldname, btext)
    if not len(ids):
        return ids, np.zeros(0)
    idf = seg.top.idf(q.fieldname, btext)
    avgfl = seg.top.avg_field_length(q.fieldname) or 1
    s = formula.bm25(idf, tf, seg.lengths(q.fieldname)[ids], avgfl)
    return ids, s * q.boost if q.boost != 1.0 else s


def _score(seg: _Segment, q: wq.Query) -> tuple[np.ndarray, np.ndarray]:
    """(matches, BM25 sums) of ``q`` over every document of ``seg``; 0 off the matches.

    Only evidence is gathered here: each term's BM25 comes from ``score.bm25``,
    with Whoosh's idf and average field length, summed as Whoosh's matchers sum it:
    child by child in query order, so each document's sum is the same float.
    A term child is added at its own documents only: arrays over the whole
    segment for every term (two of 180,000 entries each, for each of a
    question's dozen terms and every segment) were a third of a search's time.
    """
    if isinstance(q, wq.Term):
        matched = np.zeros(seg.size, dtype=bool)
        scores = np.zeros(seg.size)
        ids, s = _term(seg, q)
        matched[ids] = True
        scores[ids] = s
        return matched, scores
    if isinstance(q, (wq.Phrase, wq.Sequence)):
        # Whoosh scores a phrase as the And of its words; which of the And's
        # documents hold the words in a row is checked later (``_in_a_row``).
        children, q_kind = _slots(q), wq.And
    elif isinstance(q, (wq.Or, wq.And, wq.AndMaybe)):
        children, q_kind = list(q.children()), type(q)
    else:
        raise Unsupported(type(q).__name__)
    if not children:  # as Whoosh: an empty Or or And matches nothing
        return np.zeros(seg.size, dtype=bool), np.zeros(seg.size)
    if issubclass(q_kind, wq.AndMaybe):
        (matched, a), (_, b) = (_score(seg, c) for c in children)
        scores = np.where(matched, a + b, 0.0)
    else:
        every = issubclass(q_kind, wq.And)
        scores = np.zeros(seg.size)  # 0.0 + the first child's score is that score, exactly
        held = np.zeros(seg.size, dtype=np.int32) if every else None  # And: children matched
        matched = None if every else np.zeros(seg.size, dtype=bool)
        for child in children:  # in query order: a fixed order of additions, one child at a time
            if isinstance(child, wq.Term):
                ids, sc = _term(seg, child)
                scores[ids] += sc  # a term's documents are distinct
                if every:
                    held[ids] += 1
                else:
                    matched[ids] = True
            else:
                m, sc = _score(seg, child)
                scores += sc
                if every:
                    held += m
                else:
                    matched |= m
        if every:
            matched = held == len(children)
            scores[~matched] = 0.0
    if q.boost != 1.0:
        scores = scores * q.boost
    return matched, scores


def _allowed(s, segments: list[_Segment], q: wq.Query) -> np.ndarray:
    """The documents a filter lets through, as a mask over the whole index.

    Date ranges become Whoosh's own ranges of encoded terms, read like any
    term; what is not a term, range, And or Or (an organization phrase) is
    left to Whoosh, which is quick on those small fields.
    """
    mask = np.zeros(s.doc_count_all(), dtype=bool)
    if isinstance(q, wq.ConstantScoreQuery):
        return _allowed(s, segments, q.child)
    if isinstance(q, wq.NumericRange):
        return _allowed(s, segments, postings.numeric_range_query(q, s.reader()))
    if isinstance(q, (wq.Term, wq.TermRange)):
        if q.fieldname not in s.schema:
            return mask
        if isinstance(q, wq.Term):
            btext = _bytes(s.schema, q)
            texts = [] if btext is None else [btext]
        else:
            texts = list(postings.term_range_texts(q, s.reader()))
        for seg in segments:
            for btext in texts:
                ids, _, _ = seg.postings(q.fieldname, btext)
                mask[ids + seg.offset] = True
        return mask
    if isinstance(q, (wq.And, wq.Or)):
        parts = [_allowed(s, segments, c) for c in q.children()]
        if not parts:
            return mask
        out = parts[0]
        for part in parts[1:]:
            out = out & part if isinstance(q, wq.And) else out | part
        return out
    mask[np.fromiter(q.docs(s), dtype=np.int64)] = True
    return mask


def top(s, q: wq.Query, n: int | None, filter: wq.Query | None, cache: dict,
        mask: wq.Query | None = None, keep: frozenset = frozenset()) -> list[ScoredDoc] | None:
    """The best ``n`` hits of ``q`` plus every hit tied with the ``n``-th (all when None).

    None when ``q`` holds something this module does not score. Phrases are
    scored as the And of their words (as Whoosh does) and checked for the
    words in a row from the best candidate down, until ``n`` hits and their
    ties are found: only the candidates that could make the top are checked.
    ``keep``: (field, term bytes) whose positions to keep in ``cache`` as they
    are read, for ``positions`` (the evidence of the candidates).
    """
    if not isinstance(s.weighting, formula.Weighting):
        return None
    try:
        phrases = _required_phrases(q)
    except Unsupported:
        return None
    positions = frozenset(
        (t.fieldname, b) for p in phrases for slot in _slots(p)
        for t in ([slot] if isinstance(slot, wq.Term) else slot.children())
        if isinstance(t, wq.Term) and (b := _bytes(s.schema, t)) is not None) | keep
    segments = [_Segment(s, sub, offset, cache, positions) for sub, offset in s.leaf_searchers()]
    allowed = None if filter is None else _allowed(s, segments, filter)
    if mask is not None:  # passages of an earlier level (``retrieve.levels``)
        masked = ~_allowed(s, segments, mask)
        allowed = masked if allowed is None else allowed & masked
    docnums, scores, owners = [], [], []
    try:
        for k, seg in enumerate(segments):
            offset = seg.offset
            matched, sc = _score(seg, q)
            if seg.reader.has_deletions():
                dead = np.fromiter(postings.deleted_docs(seg.reader), dtype=np.int64)
                matched[dead[dead < seg.size]] = False
            local = np.flatnonzero(matched)
            if allowed is not None:
                local = local[allowed[local + offset]]
            docnums.append(local + offset)
            scores.append(sc[local])
            owners.append(np.full(len(local), k, dtype=np.int64))
    except Unsupported:
        return None
    docnum = np.concatenate(docnums) if docnums else np.zeros(0, dtype=np.int64)
    score = np.concatenate(scores) if scores else np.zeros(0)
    owner = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
    if not phrases:
        if n is not None and len(score) > n:
            cutoff = np.partition(score, len(score) - n)[len(score) - n]
            keep = score >= cutoff
            docnum, score = docnum[keep], score[keep]
        order = np.lexsort((docnum, -score))
        return [ScoredDoc(s, int(docnum[i]), float(score[i])) for i in order]
    hits: list[ScoredDoc] = []
    order = np.lexsort((docnum, -score))
    try:
        for start in range(0, len(order), PHRASE_BATCH):
            batch = order[start:start + PHRASE_BATCH]
            if n is not None and len(hits) >= n and score[batch[0]] < hits[n - 1].score:
                break
            held = _phrase_hits(segments, phrases, docnum[batch], owner[batch])
            for i, ok in zip(batch.tolist(), held.tolist()):
                if n is not None and len(hits) >= n and score[i] < hits[n - 1].score:
                    return hits
                if ok:
                    hits.append(ScoredDoc(s, int(docnum[i]), float(score[i])))
    except Unsupported:
        return None
    return hits


def positions(s, keys, docnums: list[int], cache: dict) -> dict[int, dict[str, list[int]]]:
    """Where each of ``keys`` stands in each passage of ``docnums`` (``text`` positions).

    Each key's posting list is read whole (or taken from ``cache``, where
    ``top`` left it with its positions) and the candidates found in it with
    one ``searchsorted``; only their positions are decoded.
    """
    field = s.schema["text"]
    wanted = frozenset(("text", k.encode("utf-8")) for k in keys)
    docs = np.array(sorted(set(docnums)), dtype=np.int64)  # not np.unique: it imports numpy.ma (20 ms)
    out: dict[int, dict[str, list[int]]] = {}
    for sub, offset in s.leaf_searchers():
        seg = _Segment(s, sub, offset, cache, wanted)
        local = docs[(docs >= offset) & (docs < offset + seg.size)] - offset
        if not len(local):
            continue
        for _, btext in sorted(wanted):
            ids, _, values = seg.postings("text", btext)
            if not len(ids):
                continue
            at = np.minimum(np.searchsorted(ids, local), len(ids) - 1)
            found = ids[at] == local
            key = btext.decode("utf-8")
            for doc, i in zip(local[found].tolist(), at[found].tolist()):
                out.setdefault(doc + offset, {})[key] = field.format.decode_positions(values[i])
    return out


def has_positions(s, cache: dict, key: str) -> bool:
    """Whether ``top`` left the ``text`` posting list of ``key`` in ``cache`` with its positions, in every segment."""
    btext = key.encode("utf-8")
    for sub, _ in s.leaf_searchers():
        entry = cache.get((id(sub.reader()), "postings", "text", btext))
        if entry is None or entry[2] is None:
            return False
    return True
