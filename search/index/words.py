"""pyvi's words in the index: each passage's word boundaries, and how many passages hold each word.

At index time every passage is segmented with pyvi's model (``text.segment``,
in the processes that read the files, so ``--jobs`` parallelises it). The
index keeps the result in two compact forms:

* **boundaries** (the ``words`` stored field of each passage): one bit per gap
  between adjacent syllable keys of the passage, as ``analysis.syllable_keys``
  yields them, set when the two syllables belong to the same pyvi word;
  ``ceil((n - 1) / 8)`` bytes for ``n`` syllables (about 19 bytes for a
  700-character passage). A document code (``05-CT/TW``) is one syllable key
  and one word, although pyvi cuts it apart. ``words_of(keys, bits)`` gives
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


def boundaries(text: str) -> tuple[list[str], bytes]:
    """The syllable keys of ``text`` (a stored passage: NFC) and pyvi's word boundaries between them.

    Bit ``i`` (byte ``i // 8``, bit ``i % 8``) is set when keys ``i`` and
    ``i + 1`` are in one pyvi word. Each syllable belongs to the pyvi token
    holding its first character; a syllable in no token (none was found on
    the seeds or on 7,500 VNTC passages) is a word of its own.
    """
    from search.text.segment import segment  # loads the CRF model on first use

    spans = syllable_spans(text)
    keys = [k for k, _, _ in spans]
    if len(spans) < 2:
        return keys, b""
    tokens = segment(text)
    owner: list[int] = []
    t = 0
    for _, start, _ in spans:
        while t < len(tokens) and tokens[t].end <= start:
            t += 1
        owner.append(t if t < len(tokens) and tokens[t].start <= start else -1 - len(owner))
    out = bytearray((len(spans) + 6) // 8)
    for i in range(len(spans) - 1):
        if owner[i] == owner[i + 1]:
            out[i >> 3] |= 1 << (i & 7)
    return keys, bytes(out)


def words_of(keys: list[str], bits: bytes) -> list[tuple[str, ...]]:
    """The passage's words, in order, each as its syllable keys."""
    if not keys:
        return []
    out: list[tuple[str, ...]] = []
    start = 0
    for i in range(len(keys) - 1):
        byte = i >> 3
        if byte >= len(bits) or not bits[byte] >> (i & 7) & 1:
            out.append(tuple(keys[start:i + 1]))
            start = i + 1
    out.append(tuple(keys[start:]))
    return out


@lru_cache(maxsize=1 << 16)
def word_key(syllables: tuple[str, ...]) -> int:
    """The word table's key of a word (its syllable keys)."""
    return int.from_bytes(hashlib.blake2b(" ".join(syllables).encode("utf-8"), digest_size=8).digest(), "little")


def passage_words(keys: list[str], bits: bytes) -> set[int]:
    """The distinct ``word_key``s of one passage's words of two syllables or more."""
    return {word_key(w) for w in words_of(keys, bits) if len(w) > 1}


def word_keys_of(stored: Iterable[dict]) -> array:
    """The word keys of stored passages (``text`` and ``words`` fields), one passage after another."""
    out = array("Q")
    for fields in stored:
        out.extend(passage_words(syllable_keys(fields["text"]), fields.get(FIELD) or b""))
    return out


class WordTable(CountTable):
    """A generation's word counts (``words.bin``)."""

    MAGIC = b"VNWORDS1"
    WHAT = "word table"


class WordCounter(KeyCounter):
    """Counts the word keys of the passages a build adds and removes."""

    TABLE = WordTable
