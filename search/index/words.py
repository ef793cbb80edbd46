"""pyvi's words in the index: each passage's word boundaries, and how many passages hold each word.

At index time every passage is segmented with pyvi's model (``text.segment``,
in the processes that read the files, so ``--jobs`` parallelises it). The
index keeps the result in two compact forms:

* **boundaries** (the ``words`` stored field of each passage): one bit per gap
  between adjacent syllable keys of the passage, as ``analysis.syllable_keys``
  yields them, set when the two syllables belong to the same pyvi word. The
  bits are kept as one Python int (bit ``i``: gap ``i``): Whoosh pickles stored
  values with protocol 2, which writes an int in ``ceil((n - 1) / 8) + 2`` bytes
  and wraps ``bytes`` in a ``_codecs.encode`` call three times larger (measured
  on 1,500 VNTC articles: 66 against 25 bytes a passage). A document code
  (``05-CT/TW``) is one syllable key and one word, although pyvi cuts it apart. ``words_of(keys, bits)`` gives
  the passage's words back: pyvi's words as lower-cased keys, exactly
  (``tests/test_words.py`` checks this against pyvi on every seed passage).
* **the word table** (``words.bin``, one per generation): for each word of two
  syllables or more (key: ``word_key``, 64 bits of BLAKE2b over its syllable
  keys), in how many passages it occurs; the same sorted-key table as the
  pair table (``pairs.CountTable``), exact through updates: the passages an
  update removes take their words back out. A one-syllable word's count is
  its syllable's document frequency in the ``text`` field (how many passages
  hold the syllable, in a word or alone).

Why not a Whoosh field of words: the index has one analysed copy of the text
(syllables with positions, README "How Vietnamese is handled"); a second
analysed field costs Whoosh as much indexing work and about 200 bytes of
term dictionary and postings per distinct term, while what the words are
used for (``vnsearch terms``, counting words in a few hundred passages)
needs only the boundaries of passages already found and one count per word.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable
from functools import lru_cache

from search.index.pairs import CountTable, KeyCounter
from search.text.analysis import syllable_keys, syllable_spans

FILE = "words.bin"
FIELD = "words"  # the stored field holding a passage's boundaries


def boundaries(text: str) -> tuple[list[str], int]:
    """The syllable keys of ``text`` (a stored passage: NFC) and pyvi's word boundaries between them.

    Bit ``i`` of the int is set when keys ``i`` and ``i + 1`` are in one pyvi
    word. Each syllable belongs to the pyvi token
    holding its first character; a syllable in no token (none was found on
    the seeds or on 7,500 VNTC passages) is a word of its own.
    """
    from search.text.segment import segment  # loads the CRF model on first use

    spans = syllable_spans(text)
    keys = [k for k, _, _ in spans]
    if len(spans) < 2:
        return keys, 0
    tokens = segment(text)
    owner: list[int] = []
    t = 0
    for _, start, _ in spans:
        while t < len(tokens) and tokens[t].end <= start:
            t += 1
        owner.append(t if t < len(tokens) and tokens[t].start <= start else -1 - len(owner))
    joined = "".join("1" if owner[i] == owner[i + 1] else "0" for i in range(len(spans) - 2, -1, -1))
    return keys, int(joined, 2)


def words_of(keys: list[str], bits: int | bytes) -> list[tuple[str, ...]]:
    """The passage's words, in order, each as its syllable keys.

    ``bits`` as ``boundaries`` gives them (``bytes``, little-endian, are read too).
    """
    if not keys:
        return []
    if not isinstance(bits, int):
        bits = int.from_bytes(bits, "little")
    gaps = format(bits, "b")[::-1]  # gaps[i] == "1": keys i and i + 1 are one word
    out: list[tuple[str, ...]] = []
    start = 0
    for i in range(len(keys) - 1):
        if i >= len(gaps) or gaps[i] != "1":
            out.append(tuple(keys[start:i + 1]))
            start = i + 1
    out.append(tuple(keys[start:]))
    return out


@lru_cache(maxsize=1 << 16)
def word_key(syllables: tuple[str, ...]) -> int:
    """The word table's key of a word (its syllable keys)."""
    return int.from_bytes(hashlib.blake2b(" ".join(syllables).encode("utf-8"), digest_size=8).digest(), "little")


def passage_words(keys: list[str], bits: int) -> set[int]:
    """The distinct ``word_key``s of one passage's words of two syllables or more."""
    return {word_key(w) for w in words_of(keys, bits) if len(w) > 1}


def word_keys_of(stored: Iterable[dict]) -> array:
    """The word keys of stored passages (``text`` and ``words`` fields), one passage after another."""
    out = array("Q")
    for fields in stored:
        out.extend(passage_words(syllable_keys(fields["text"]), fields.get(FIELD) or 0))
    return out


class WordTable(CountTable):
    """A generation's word counts (``words.bin``)."""

    MAGIC = b"VNWORDS2"
    WHAT = "word table"


class WordCounter(KeyCounter):
    """Counts the word keys of the passages a build adds and removes."""

    TABLE = WordTable
