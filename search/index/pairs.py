"""How many passages hold each pair of adjacent syllables: the idf of syllable pairs.

Vietnamese words span syllables, and which syllables stand together says more
than the syllables alone. On ALQAC, adding BM25 over the query's adjacent
syllable pairs to BM25 over its syllables lifts MRR@10 from 0.86 to 0.92,
more than pyvi's words do (0.895), and it needs no segmenter, so it cannot
disagree with how pyvi cut the query. The searcher counts the pairs in its
candidates from the positions of the query's syllables (``rank.retrieve``);
what it cannot see there is how rare a pair is across the index. That is
this table.

A Whoosh field of pairs would have answered it too, at 200 bytes of term
dictionary and postings per distinct pair: the index grew 3.5 times. Here a
pair is a 64-bit key (the CRC-32 of each syllable), and the table is a sorted
array of keys with their passage counts, 9 bytes per distinct pair (a count
takes one byte; the few above 254 sit in an overflow list). Searching
reads it by binary search over ``mmap``, without numpy; building counts with
numpy (a ``Counter`` of 10^7 pairs would cost gigabytes). Updates subtract the
pairs of the passages they remove and add those of the new ones, so the
counts are exact after any sequence of updates.
"""

from __future__ import annotations

import mmap
import os
import struct
import zlib
from array import array
from functools import lru_cache
from pathlib import Path

FILE = "pairs.bin"
_MAGIC = b"VNPAIRS2"
_HEADER = struct.Struct("<8sQQ")  # magic, number of keys, number of counts in the overflow list
_KEY = struct.Struct("<Q")
_SMALL = 1  # bytes of a count in the main array
_OVER = 255  # a main-array count meaning "look in the overflow list"
_OVER_ENTRY = struct.Struct("<QI")  # overflow list: key index, count (sorted by index)


@lru_cache(maxsize=1 << 16)
def _syllable_hash(key: str) -> int:
    return zlib.crc32(key.encode("utf-8"))


def pair_key(first: str, second: str) -> int:
    """The table's key of two adjacent syllable keys."""
    return _syllable_hash(first) << 32 | _syllable_hash(second)


def passage_pairs(keys: list[str]) -> set[int]:
    """The distinct pair keys of one passage's syllable keys."""
    h = [_syllable_hash(k) for k in keys]
    return {a << 32 | b for a, b in zip(h, h[1:])}


class CountTable:
    """A generation's sorted 64-bit keys with their passage counts, read in place (``mmap``, binary search).

    The file, little-endian: ``MAGIC`` (8 bytes), the number of keys ``n`` and
    of overflow entries ``m`` (uint64 each), the keys in ascending order
    (uint64 each), their counts (one byte each, 255 for "254 or more"), then the
    counts of 255 or more as ``m`` (key index uint64, count uint32) sorted by
    index. On the full VNTC corpus 99.3 % of pair counts are below 255: one byte
    instead of four saved 9 MB. ``PairTable`` here and ``words.WordTable``
    differ only in their magic.
    """

    MAGIC = b"VNCOUNT2"
    WHAT = "count table"

    def __init__(self, path: Path):
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        if size < _HEADER.size:
            raise ValueError(f"{self.WHAT} too short")
        magic, n, m = _HEADER.unpack_from(self._map, 0)
        if magic != self.MAGIC or size != _HEADER.size + n * (_KEY.size + _SMALL) + m * _OVER_ENTRY.size:
            raise ValueError(f"not a {self.WHAT}")
        self._n, self._m = n, m
        self._counts_at = _HEADER.size + n * _KEY.size
        self._over_at = self._counts_at + n * _SMALL

    def __len__(self) -> int:
        return self._n

    def _key(self, i: int) -> int:
        return _KEY.unpack_from(self._map, _HEADER.size + i * _KEY.size)[0]

    def passages(self, key: int) -> int:
        """How many passages hold the key."""
        lo, hi = 0, self._n
        while lo < hi:
            mid = (lo + hi) // 2
            if self._key(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        if lo < self._n and self._key(lo) == key:
            count = self._map[self._counts_at + lo]
            return count if count != _OVER else self._overflow(lo)
        return 0

    def _overflow(self, index: int) -> int:
        lo, hi = 0, self._m
        while lo < hi:
            mid = (lo + hi) // 2
            if _OVER_ENTRY.unpack_from(self._map, self._over_at + mid * _OVER_ENTRY.size)[0] < index:
                lo = mid + 1
            else:
                hi = mid
        found, count = (None, 0) if lo >= self._m else _OVER_ENTRY.unpack_from(
            self._map, self._over_at + lo * _OVER_ENTRY.size)
        if found != index:
            raise ValueError(f"{self.WHAT}: count {index} missing from the overflow list")
        return count

    def counts(self):
        """(keys, counts) as numpy arrays (for an update's counter)."""
        import numpy as np

        keys = np.frombuffer(self._map, dtype="<u8", count=self._n, offset=_HEADER.size).astype(np.uint64)
        counts = np.frombuffer(self._map, dtype="u1", count=self._n, offset=self._counts_at).astype(np.int64)
        if self._m:
            over = np.frombuffer(self._map, dtype=np.dtype([("i", "<u8"), ("c", "<u4")]), count=self._m,
                                 offset=self._over_at)
            counts[over["i"].astype(np.int64)] = over["c"]
        return keys, counts


class KeyCounter:
    """Counts 64-bit keys a batch at a time with numpy; at most a few arrays in memory.

    Starts from an existing table (``TABLE``) for an update; ``remove`` takes
    back the keys of passages leaving the index, so the counts stay exact.
    """

    TABLE = CountTable
    FLUSH = 2_000_000  # keys buffered before they are folded into the counts

    def __init__(self, start: Path | None = None):
        import numpy as np

        self._np = np
        self._keys = np.zeros(0, dtype=np.uint64)
        self._counts = np.zeros(0, dtype=np.int64)
        self._added = array("Q")
        self._removed = array("Q")
        if start is not None:
            self._keys, self._counts = self.TABLE(start).counts()

    def add(self, keys) -> None:
        self._added.extend(keys)
        if len(self._added) >= self.FLUSH:
            self._fold()

    def remove(self, keys) -> None:
        self._removed.extend(keys)
        if len(self._removed) >= self.FLUSH:
            self._fold()

    def _fold(self) -> None:
        """Merge the buffered keys into the sorted counts.

        Each buffer is counted on its own (``np.unique``), then merged: known
        keys are found by binary search, new ones inserted in order. Sorting
        the whole table with every buffer, as before, needed several arrays
        the size of table and buffer together at the end of a big build.
        """
        np = self._np
        for buffered, sign in ((self._added, 1), (self._removed, -1)):
            if not buffered:
                continue
            keys, counts = np.unique(np.frombuffer(buffered, dtype=np.uint64), return_counts=True)
            counts = sign * counts.astype(np.int64)
            at = np.searchsorted(self._keys, keys)
            known = at < len(self._keys)
            known[known] = self._keys[at[known]] == keys[known]
            self._counts[at[known]] += counts[known]
            new = ~known
            if new.any():
                self._keys = np.insert(self._keys, at[new], keys[new])
                self._counts = np.insert(self._counts, at[new], counts[new])
        self._added, self._removed = array("Q"), array("Q")

    def write(self, path: Path) -> None:
        """Write the keys held by at least one passage, atomically."""
        np = self._np
        self._fold()
        keep = self._counts > 0
        keys = self._keys[keep].astype("<u8")
        counts = np.minimum(self._counts[keep], 0xFFFFFFFF)
        big = np.flatnonzero(counts >= _OVER)
        over = np.zeros(len(big), dtype=np.dtype([("i", "<u8"), ("c", "<u4")]))
        over["i"], over["c"] = big, counts[big]
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(_HEADER.pack(self.TABLE.MAGIC, len(keys), len(big)))
            fh.write(keys.tobytes())
            fh.write(np.minimum(counts, _OVER).astype("u1").tobytes())
            fh.write(over.tobytes())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)


class PairTable(CountTable):
    """A generation's pair counts (``pairs.bin``)."""

    MAGIC = _MAGIC
    WHAT = "pair table"


class PairCounter(KeyCounter):
    """Counts the pair keys of the passages a build adds and removes."""

    TABLE = PairTable
