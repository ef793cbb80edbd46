"""Raw reads of Whoosh's W3 segment files: posting lists, field lengths, deletions.

``rank.accumulate`` scores big queries with numpy over whole posting lists
instead of Whoosh's per-posting matchers; these functions hand it the bytes.
Everything here depends on W3's private layout (see the package docstring).
"""

from __future__ import annotations

import io
import pickle
import zlib
from collections.abc import Iterator

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, _lenfield
from whoosh.system import unpack_int
from whoosh.util.numeric import byte_to_length

#: The field length each length byte stands for (Whoosh stores lengths as one lossy byte).
LENGTH_OF_BYTE = tuple(byte_to_length(b) for b in range(256))


class Unreadable(Exception):
    """A posting list this module cannot decode (not written by ``codec.PackedCodec``)."""


def field_length_bytes(reader, field: str) -> bytes | None:
    """One byte per document of a segment: its length in ``field``, as ``LENGTH_OF_BYTE`` decodes."""
    col = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if col is None:
        return None
    return col._dbfile.get(col._basepos, col._doccount)


def deleted_docs(reader) -> Iterator[int]:
    """The deleted document numbers of a segment."""
    return reader._perdoc.deleted_docs()


def inlined_postings(reader, field: str, btext: bytes):
    """(ids, weights, values) of a term stored in the term index itself, or None."""
    terminfo = reader._terms.term_info(field, btext)
    return terminfo.inlined_postings() if terminfo.is_inlined() else None


def posting_blocks(reader, field: str, btext: bytes) -> Iterator[tuple[int, bytes, object, object]]:
    """Each block of a term's posting list: (count, packed ids, weights, values) as the codec wrote them.

    The whole list is read at once and its blocks decoded here, rather than
    through a matcher's per-block seeks and reads.
    """
    terminfo = reader._terms.term_info(field, btext)
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes forgets the [0] of unpack_int
        length = length[0]
    raw = reader._terms._postfile.get(offset, length)
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise Unreadable("posting list header")
    view = io.BytesIO(raw)
    pos = 4
    while pos < len(raw):
        size = abs(unpack_int(raw[pos:pos + 4])[0])
        view.seek(pos + 4)
        count, _, _, compression, _, _ = pickle.load(view)  # the block's header
        data = raw[view.tell():pos + 4 + size]
        ids, weights, values = pickle.loads(zlib.decompress(data) if compression else data)
        if not isinstance(ids, bytes):
            raise Unreadable("posting block not written by codec.PackedCodec")
        yield count, ids, weights, values
        pos += 4 + size


def numeric_range_query(q: wq.NumericRange, reader) -> wq.Query:
    """A numeric or date range as the Or of the encoded terms it covers."""
    return q._compile_query(reader)


def term_range_texts(q: wq.TermRange, reader) -> Iterator[bytes]:
    """The encoded terms a term range covers."""
    return q._btexts(reader)
