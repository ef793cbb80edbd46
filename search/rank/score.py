"""The ranking formula: one place that turns a passage's evidence into its score and order.

A passage's evidence (``Evidence``) is gathered by retrieval, through Whoosh's
matchers or with numpy (``retrieve``, ``accumulate``); neither computes
anything but BM25 sums with ``bm25`` below. The formula is::

    score = BM25F(query syllables) + PAIR_WEIGHT * BM25(query's adjacent syllable pairs)

and passages are ordered by ``order_key``: for a keyword query (at most
``COORDINATE_MAX_WORDS`` content words) first by how many of its content words
a passage holds (all of them first), then by score, then by report and passage.

BM25 here is Whoosh's (``whoosh.scoring.bm25``, same parameters and order of
operations); ``Weighting`` makes Whoosh's matchers call this module's ``bm25``,
so both retrieval paths and the pair scores share one definition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from whoosh.scoring import BM25F, BM25FScorer

K1 = 1.2  # BM25's term-frequency saturation: Whoosh's default, for syllables and pairs alike
B = 0.75  # BM25's length normalisation: Whoosh's default
PAIR_WEIGHT = 2.0  # weight of the pairs' BM25; 1.5 to 3 were within 0.001 MRR@10 on ALQAC's tuning half
COORDINATE_MAX_WORDS = 4  # longer queries are questions: ordered by score, not by words matched
TIE_DECIMALS = 9  # scores equal to this many decimals tie: additions in another order differ in the last bits


def bm25(idf, tf, length, avg_length):
    """BM25 of one term in one passage; ``tf`` and ``length`` may be numpy arrays."""
    return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * length / avg_length)))


def idf(n_passages: int, df: int) -> float:
    """Whoosh's idf (``WeightingModel.idf``), used for the pairs as for the syllables."""
    return math.log(n_passages / (df + 1)) + 1


class _Scorer(BM25FScorer):
    def _score(self, weight, length):
        return bm25(self.idf, weight, length, self.avgfl)


class Weighting(BM25F):
    """Whoosh's BM25F with this module's ``bm25`` and parameters (no per-field B)."""

    def __init__(self):
        super().__init__(B=B, K1=K1)

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf=qf)
        return _Scorer(searcher, fieldname, text, B, K1, qf=qf)


@dataclass
class Evidence:
    """What retrieval found about one passage for one query."""

    doc: str
    passage: int
    syllables: float  # BM25F of the query's syllable terms (and fields) that the passage matches
    pairs: float = 0.0  # BM25 of the query's adjacent syllable pairs in the passage
    words: int = 0  # content words of a keyword query the passage holds (0 when not coordinating)
    every_word: bool = False  # the passage holds every content word
    cites: bool = False  # the passage cites a directive the query names


def passage_score(ev: Evidence) -> float:
    """The score a passage is ranked by and shown with."""
    return ev.syllables + PAIR_WEIGHT * ev.pairs


def order_key(ev: Evidence, coordinate: bool) -> tuple:
    """Best first: citing a directive the query names; then, for a keyword query, holding
    every content word, then most of them; then score; then report and passage.

    Ties are broken by report and passage, never by Whoosh's document numbers,
    which depend on how the index was written.
    """
    group = 0
    if coordinate:
        group = -1_000_000 if ev.every_word else -ev.words
    return (not ev.cites, group, -round(passage_score(ev), TIE_DECIMALS), ev.doc, ev.passage)


def pair_bm25(counts: dict[tuple[str, str], int], pairs_idf: dict[tuple[str, str], float], length: int,
              avg_length: float) -> float:
    """BM25 of the query's adjacent syllable pairs in one passage.

    ``counts``: how often each query pair stands in the passage; ``pairs_idf``:
    the idf of each query pair (a pair typed twice counts twice); ``length``:
    the passage's number of pairs, ``avg_length`` the index's average.
    """
    return math.fsum(bm25(pairs_idf[p], tf, length, avg_length) for p, tf in sorted(counts.items()))
