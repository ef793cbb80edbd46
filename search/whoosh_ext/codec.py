"""Whoosh's W3 codec with posting blocks stored as packed arrays.

Whoosh pickles each block of postings (128 by default) as tuples of Python ints, floats
and bytes, then zlib-compresses the pickle: unpickling a few hundred
thousand objects dominated a full-corpus search, and the pickle opcodes took
space. Here a block holds the same ids, weights and values as three packed
byte strings (document-number deltas and term frequencies in the narrowest
unsigned width that fits, value lengths plus one concatenation), so reading
a block is ``zlib.decompress`` plus ``array``/``numpy.frombuffer``.

Block headers (length, max id, max weight, field lengths) keep Whoosh's
layout and weights that are not term frequencies keep Whoosh's encoding,
so Whoosh's skipping and block-quality pruning work unchanged, and
segments remember their codec, so merges read and write through it. The
``block_*`` helpers are the one place that decodes the layout; the matcher
and ``accumulate`` both use its helpers.

Two more departures from W3, both in the per-document files: stored
fields are deflated with a dictionary made of the segment's first values
(``StoredColumn``: a third smaller than Whoosh's per-document zlib), and
field lengths are read once per column rather than a byte per call
(``StoredPerDocReader.doc_field_length``).
"""

from __future__ import annotations

import pickle
import sys
import zlib
from array import array
from itertools import accumulate

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3LeafMatcher,
    W3PerDocReader,
    W3PerDocWriter,
    W3PostingsWriter,
    _lenfield,
)
from whoosh.columns import Column, VarBytesColumn
from whoosh.matching import ListMatcher
from whoosh.util.numeric import byte_to_length

_LENGTH_OF_BYTE = tuple(byte_to_length(b) for b in range(256))

_WIDTHS = ((0xFF, "B"), (0xFFFF, "H"), (0xFFFFFFFF, "I"))
_BIG_ENDIAN = sys.byteorder == "big"
_VALUES = "v"  # marks packed values (Whoosh's own are a tuple of bytes)


def pack_uints(numbers) -> bytes:
    """Non-negative ints as one typecode byte plus a little-endian array of the narrowest width."""
    top = max(numbers, default=0)
    code = next((c for limit, c in _WIDTHS if top <= limit), None)
    if code is None:
        raise ValueError(f"{top} does not fit 32 bits")
    packed = array(code, numbers)
    if _BIG_ENDIAN:
        packed.byteswap()
    return code.encode("ascii") + packed.tobytes()


def unpack_uints(data: bytes) -> array:
    packed = array(chr(data[0]))
    packed.frombytes(data[1:])
    if _BIG_ENDIAN:
        packed.byteswap()
    return packed


class PackedPostingsWriter(W3PostingsWriter):
    """Writes each block's ids, weights and values as packed byte strings.

    Term-vector postings (``byteids``, unused by vnsearch) stay Whoosh's: its
    vector reader does not go through the codec.
    """

    def _mini_ids(self):
        if self._byteids:
            return super()._mini_ids()
        ids = self._ids
        return pack_uints([ids[0]] + [b - a for a, b in zip(ids, ids[1:])])

    def _mini_weights(self):
        weights = self._weights
        if self._byteids or not all(w.is_integer() and 0 < w < 256 for w in weights):
            return super()._mini_weights()
        first = weights[0]
        if all(w == first for w in weights):
            return None if first == 1.0 else first
        return bytes(int(w) for w in weights)  # term frequencies: one byte each

    def _mini_values(self):
        fixedsize = self._format.fixed_value_size()
        values = self._values
        # Whoosh leaves empty values out of the list: only a full list is packed.
        if not self._byteids and (fixedsize is None or fixedsize < 0) and len(values) == len(self._ids):
            return (_VALUES, pack_uints([len(v) for v in values]), b"".join(values))
        return super()._mini_values()


def block_ids(raw: bytes) -> array:
    """A packed block's document numbers (the first is absolute, then deltas)."""
    return array("I", accumulate(unpack_uints(raw)))


def block_weights(raw, count: int):
    """A block's weights: None (all 1.0), one float for all, one byte each, or Whoosh's tuple."""
    if raw is None:
        return array("f", [1.0]) * count
    if isinstance(raw, float):
        return array("f", [raw]) * count
    if isinstance(raw, bytes):
        return array("f", list(raw))  # not array("f", raw): that would read raw as float bytes
    return raw


def is_packed_values(raw) -> bool:
    return isinstance(raw, tuple) and len(raw) == 3 and raw[0] == _VALUES


def packed_value_parts(raw) -> tuple[bytes, bytes]:
    """Packed values as (``pack_uints`` of each posting's value length, the values joined)."""
    _, lengths, joined = raw
    return lengths, joined


def block_values(raw) -> tuple:
    """Packed values back to one bytes object per posting."""
    lengths, joined = packed_value_parts(raw)
    out, start = [], 0
    for n in unpack_uints(lengths):
        out.append(joined[start:start + n])
        start += n
    return tuple(out)


class PackedLeafMatcher(W3LeafMatcher):
    """Whoosh's block matcher, decoding packed blocks."""

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        if self._byteids:
            return super()._read_ids()
        self._ids = block_ids(self._data[0])

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        self._weights = block_weights(self._data[1], self._blocklength)

    def _read_values(self):
        if self._data is None:
            self._read_data()
        if is_packed_values(self._data[2]):
            self._values = block_values(self._data[2])
        else:
            super()._read_values()


#: Postings per block. Whoosh's 128 suits its skipping matchers; ``accumulate``
#: reads whole posting lists, where each block costs a zlib call, a pickle
#: header and a few numpy views (about 15 µs). On 21,000 articles 1,024 cut
#: p50 latency by a third and the index by 8 %, and 4,096 gained no more.
BLOCK_LIMIT = 1024


#: A preset dictionary for the stored fields: this many bytes of the segment's
#: first stored values (zlib's window is 32 KiB; a longer dictionary is not used).
#: On 2,000 VNTC articles a passage's stored fields (pickled: report id, number,
#: text, word boundaries, length) deflated 1.47 x alone (Whoosh's level 3) and
#: 2.25 / 2.33 / 2.46 x with an 8 / 16 / 32 KiB dictionary, costing 36 / 50 /
#: 76 µs a passage to compress (most of it loading the dictionary).
STORED_DICTIONARY = 32 * 1024
STORED_LEVEL = 6  # level 9 compressed 1 % better at 15 % more time
_PLAIN, _CARRIER = 0, 1  # first byte of a stored value: deflated with the column's dictionary, or carrying it


def _deflate(raw: bytes, zdict: bytes) -> bytes:
    c = zlib.compressobj(STORED_LEVEL, zlib.DEFLATED, -15, zdict=zdict) if zdict else zlib.compressobj(
        STORED_LEVEL, zlib.DEFLATED, -15)
    return c.compress(raw) + c.flush()


def _inflate(packed: bytes, zdict: bytes) -> bytes:
    d = zlib.decompressobj(-15, zdict=zdict) if zdict else zlib.decompressobj(-15)
    return d.decompress(packed) + d.flush()


class StoredColumn(Column):
    """Stored fields, pickled and deflated with a preset dictionary made of the segment's first values.

    A passage's stored fields are under a kilobyte, too little for deflate to
    find much on its own; the passages of one corpus share their words, report
    ids and pickle framing. The writer holds values back until it has
    ``STORED_DICTIONARY`` bytes, takes them as the dictionary, and writes the
    first value with the dictionary in front of it (``_CARRIER``); every
    other value is deflated with it (``_PLAIN``). Each segment carries its
    own dictionary, so merges and updates need nothing else.
    """

    def writer(self, dbfile):
        return self.Writer(dbfile)

    def reader(self, dbfile, basepos, length, doccount):
        return self.Reader(dbfile, basepos, length, doccount)

    class Writer(VarBytesColumn.Writer):
        def __init__(self, dbfile):
            super().__init__(dbfile)
            self._held: list[tuple[int, bytes]] | None = []  # values before the dictionary is chosen
            self._held_bytes = 0
            self._zdict = b""

        def add(self, docnum, v):
            raw = pickle.dumps(v, 2)
            if self._held is None:
                super().add(docnum, bytes((_PLAIN,)) + _deflate(raw, self._zdict))
                return
            self._held.append((docnum, raw))
            self._held_bytes += len(raw)
            if self._held_bytes >= STORED_DICTIONARY:
                self._release()

        def _release(self) -> None:
            held, self._held = self._held or [], None
            self._zdict = b"".join(raw for _, raw in held)[:STORED_DICTIONARY]
            for i, (docnum, raw) in enumerate(held):
                if i == 0:
                    head = bytes((_CARRIER,)) + len(self._zdict).to_bytes(4, "little") + self._zdict
                else:
                    head = bytes((_PLAIN,))
                super().add(docnum, head + _deflate(raw, self._zdict))

        def finish(self, doccount):
            if self._held is not None:
                self._release()
            super().finish(doccount)

    class Reader(VarBytesColumn.Reader):
        def __init__(self, dbfile, basepos, length, doccount):
            super().__init__(dbfile, basepos, length, doccount)
            self._zdict: bytes | None = None

        def _dictionary(self) -> bytes:
            if self._zdict is None:
                self._zdict = b""
                for docnum in range(self._doccount):  # the first value written carries it
                    raw = super().__getitem__(docnum)
                    if raw:
                        self._zdict = self._carried(raw)[0]
                        break
            return self._zdict

        @staticmethod
        def _carried(raw: bytes) -> tuple[bytes, bytes]:
            n = int.from_bytes(raw[1:5], "little")
            return raw[5:5 + n], raw[5 + n:]

        def __getitem__(self, docnum):
            raw = super().__getitem__(docnum)
            if not raw:
                return None
            if raw[0] == _CARRIER:
                zdict, packed = self._carried(raw)
            else:
                zdict, packed = self._dictionary(), raw[1:]
            return pickle.loads(_inflate(packed, zdict))

        def __iter__(self):
            for docnum in range(self._doccount):
                yield self[docnum]


STORED_COLUMN = StoredColumn()


class StoredPerDocWriter(W3PerDocWriter):
    """W3's per-document writer with the stored fields in a ``StoredColumn``."""

    def _create_column(self, fieldname, column):
        super()._create_column(fieldname, STORED_COLUMN if fieldname == "_stored" else column)


class StoredPerDocReader(W3PerDocReader):
    """W3's per-document reader: stored fields from a ``StoredColumn``, field lengths from memory."""

    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._length_bytes: dict[str, bytes | None] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        """Whoosh's answer (its lossy length byte decoded; None for 0), from the column read once.

        Whoosh seeks and reads one byte of the file per call, and calls it for
        every posting it writes (block statistics) and every posting its
        matchers score: 13 % of a one-process build's time.
        """
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        if fieldname not in self._length_bytes:
            col = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            self._length_bytes[fieldname] = None if col is None else col._dbfile.get(col._basepos, col._doccount)
        lengths = self._length_bytes[fieldname]
        if lengths is None:
            return default
        lbyte = lengths[docnum] if docnum < len(lengths) else 0
        if lbyte:
            return _LENGTH_OF_BYTE[lbyte]
        return None

    def stored_fields(self, docnum):
        column = self._cached_reader("_stored", STORED_COLUMN)
        return (column[docnum] if column is not None else None) or {}


class PackedCodec(W3Codec):
    """W3 with packed posting blocks and dictionary-deflated stored fields (see the module docstring)."""

    def __init__(self, blocklimit: int = BLOCK_LIMIT, **kwargs):
        super().__init__(blocklimit=blocklimit, **kwargs)

    def postings_writer(self, dbfile, byteids=False):
        return PackedPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def per_document_writer(self, storage, segment):
        return StoredPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return StoredPerDocReader(storage, segment)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
        offset, length = terminfo.extent()
        return PackedLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
