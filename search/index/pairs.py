"""How many passages hold each pair of adjacent syllables: the idf of syllable pairs.

Vietnamese words span syllables, and which syllables stand together says more
than the syllables alone. On ALQAC, adding BM25 over the query's adjacent
syllable pairs to BM25 over its syllables lifts MRR@10 from 0.86 to 0.92,
more than pyvi's words do (0.895), and it needs no segmenter, so it cannot
disagree with how pyvi cut the query. The searcher scores the pairs on its
candidates, whose text it re-reads anyway; what it cannot see there is how
rare a pair is across the index. That is this table.

A Whoosh field of pairs would have answered it too, at 200 bytes of term
dictionary and postings per distinct pair: the index grew 3.5 times. Here a
pair is a 64-bit key (the CRC-32 of each syllable), and the table is a sorted
array of keys with their passage counts, 12 bytes per distinct pair. Searching
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
_MAGIC = b"VNPAIRS1"
_HEADER = struct.Struct("<8sQ")  # magic, number of pairs
_KEY = struct.Struct("<Q")
_COUNT = struct.Struct("<I")


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

    The file: ``MAGIC`` (8 bytes), the number of keys (uint64), the keys in
    ascending order (uint64 each), then their counts (uint32 each), little-endian.
    ``PairTable`` here and ``words.WordTable`` differ only in their magic.
    """

    MAGIC = b"VNCOUNT1"
    WHAT = "count table"

    def __init__(self, path: Path):
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        if size < _HEADER.size:
            raise ValueError(f"{self.WHAT} too short")
        magic, n = _HEADER.unpack_from(self._map, 0)
        if magic != self.MAGIC or size != _HEADER.size + n * (_KEY.size + _COUNT.size):
            raise ValueError(f"not a {self.WHAT}")
        self._n = n
        self._counts_at = _HEADER.size + n * _KEY.size

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
            return _COUNT.unpack_from(self._map, self._counts_at + lo * _COUNT.size)[0]
        return 0


class KeyCounter:
    """Counts 64-bit keys a batch at a time with numpy; at most a few arrays in memory.

    Starts from an existing table (``TABLE``) for an update; ``remove`` takes
    back the keys of passages leaving the index, so the counts stay exact.
    """

    TABLE = CountTable
    FLUSH = 4_000_000  # keys buffered before they are folded into the counts

    def __init__(self, start: Path | None = None):
        import numpy as np

        self._np = np
        self._keys = np.zeros(0, dtype=np.uint64)
        self._counts = np.zeros(0, dtype=np.int64)
        self._added = array("Q")
        self._removed = array("Q")
        if start is not None:
            table = self.TABLE(start)
            n, at = len(table), table._counts_at
            self._keys = np.frombuffer(table._map, dtype="<u8", count=n, offset=_HEADER.size).astype(np.uint64)
            self._counts = np.frombuffer(table._map, dtype="<u4", count=n, offset=at).astype(np.int64)

    def add(self, keys) -> None:
        self._added.extend(keys)
        if len(self._added) >= self.FLUSH:
            self._fold()

    def remove(self, keys) -> None:
        self._removed.extend(keys)
        if len(self._removed) >= self.FLUSH:
            self._fold()

    def _fold(self) -> None:
        np = self._np
        parts = [(self._keys, self._counts)]
        for buffered, sign in ((self._added, 1), (self._removed, -1)):
            if buffered:
                keys, counts = np.unique(np.frombuffer(buffered, dtype=np.uint64), return_counts=True)
                parts.append((keys, sign * counts.astype(np.int64)))
        self._added, self._removed = array("Q"), array("Q")
        keys = np.concatenate([k for k, _ in parts])
        counts = np.concatenate([c for _, c in parts])
        self._keys, where = np.unique(keys, return_inverse=True)
        self._counts = np.bincount(where.ravel(), weights=counts, minlength=len(self._keys)).astype(np.int64)

    def write(self, path: Path) -> None:
        """Write the keys held by at least one passage, atomically."""
        np = self._np
        self._fold()
        keep = self._counts > 0
        keys = self._keys[keep].astype("<u8")
        counts = np.minimum(self._counts[keep], 0xFFFFFFFF).astype("<u4")
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(_HEADER.pack(self.TABLE.MAGIC, len(keys)))
            fh.write(keys.tobytes())
            fh.write(counts.tobytes())
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
