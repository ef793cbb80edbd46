"""Packed posting blocks (``search.whoosh_ext.codec``) read back exactly what was written.

Through Whoosh's own writer and matcher, and through ``accumulate``'s reader,
for every encoding a block can take: ids in one, two or four bytes, term
frequencies in a byte or (above 255) Whoosh's floats, positions with deltas
above a byte, a one-posting list, and merged segments.
"""

import pickle

import pytest
from whoosh.columns import VarBytesColumn
from whoosh.fields import ID, Schema
from whoosh.filedb.filestore import RamStorage

from search.index.schema import PassageText
from search.rank import accumulate
from search.whoosh_ext.codec import PackedCodec, PackedLeafMatcher, pack_uints, unpack_uints


@pytest.mark.parametrize("numbers, code", [
    ([0, 3, 255], "B"), ([1, 256, 65535], "H"), ([7, 65536, 2**32 - 1], "I"), ([5], "B")])
def test_uints_take_the_narrowest_width_and_round_trip(numbers, code):
    packed = pack_uints(numbers)
    assert packed[:1] == code.encode()
    assert list(unpack_uints(packed)) == numbers


def test_uints_beyond_32_bits_are_refused():
    with pytest.raises(ValueError):
        pack_uints([2**32])


_BLOCK = 128  # small blocks, so 700 documents span several


def _texts() -> list[str]:
    """Documents whose postings exercise every block encoding."""
    texts = []
    for i in range(700):  # several blocks of _BLOCK; "hiếm" has gaps above 255 between documents
        words = ["chung"] * (1 + i % 3) + (["hiếm"] if i % 300 == 0 else [])
        if i == 5:
            words = ["dài"] + ["đệm"] * 300 + ["dài"] + ["chung"] * 260  # delta 301, tf 260 > 255
        if i == 42:
            words.append("độc")  # a one-posting list
        texts.append(" ".join(words))
    return texts


def _expected(texts, term):
    out = {}
    for doc, text in enumerate(texts):
        positions = [p for p, w in enumerate(text.split()) if w == term]
        if positions:
            out[doc] = positions
    return out


@pytest.fixture(scope="module", params=["one segment", "merged"])
def ix(request):
    schema = Schema(doc=ID(stored=True), text=PassageText(stored=True))
    ix = RamStorage().create_index(schema)
    texts = _texts()
    if request.param == "one segment":
        with ix.writer(codec=PackedCodec(blocklimit=_BLOCK)) as w:
            for i, t in enumerate(texts):
                w.add_document(doc=str(i), text=t)
    else:  # three segments merged into one by the last commit
        for part in range(3):
            w = ix.writer(codec=PackedCodec(blocklimit=_BLOCK))
            for i, t in enumerate(texts):
                if i % 3 == part:
                    w.add_document(doc=str(i), text=t)
            w.commit(optimize=part == 2)
    return ix, texts


@pytest.mark.parametrize("term", ["chung", "hiếm", "dài", "đệm", "độc"])
def test_whoosh_matchers_read_packed_blocks(ix, term):
    ix, texts = ix
    with ix.searcher() as s:
        stats = (s.doc_frequency("text", term), s.frequency("text", term))  # what BM25 reads
        m = s.postings("text", term)
        got = {}
        while m.is_active():
            got[int(s.stored_fields(m.id())["doc"])] = (m.weight(), m.value_as("positions"))
            m.next()
    want = _expected(texts, term)
    assert got == {d: (float(len(p)), p) for d, p in want.items()}
    assert stats == (len(want), sum(map(len, want.values())))


def test_posting_lists_are_packed_blocks(ix):
    ix, _ = ix
    with ix.searcher() as s:
        reader = s.reader()
        assert isinstance(reader.postings("text", "chung"), PackedLeafMatcher)


@pytest.mark.parametrize("term", ["chung", "hiếm", "dài", "đệm", "độc"])
def test_accumulate_reads_packed_blocks(ix, term):
    ix, texts = ix
    fmt = ix.schema["text"].format
    with ix.searcher() as s:
        btext = term.encode("utf-8")
        seg = accumulate._Segment(s, s, 0, {}, frozenset({("text", btext)}))
        ids, weights, values = seg.postings("text", btext)
        got = {int(s.stored_fields(int(d))["doc"]): (float(w), fmt.decode_positions(v))
               for d, w, v in zip(ids, weights, values)}
    assert got == {d: (float(len(p)), p) for d, p in _expected(texts, term).items()}


@pytest.mark.parametrize("layout", ["one segment", "merged", "a few passages"])
def test_stored_fields_round_trip_through_the_dictionary_column(layout):
    """Stored fields are deflated with a dictionary made of the segment's first values
    (``codec.StoredColumn``): every document reads back as written, whatever the layout."""
    from search.whoosh_ext import codec

    schema = Schema(doc=ID(stored=True), text=PassageText(stored=True))
    ix = RamStorage().create_index(schema)
    count = 5 if layout == "a few passages" else 400  # fewer than the dictionary's bytes, or many more
    texts = {str(i): f"Báo cáo số {i}: công tác tuyên giáo quý {i % 4 + 1} " * (1 + i % 9) for i in range(count)}
    parts = 3 if layout == "merged" else 1
    for part in range(parts):
        with ix.writer(codec=PackedCodec(blocklimit=_BLOCK)) as w:
            for doc, text in texts.items():
                if int(doc) % parts == part:
                    w.add_document(doc=doc, text=text)
            if part == parts - 1 and parts > 1:
                w.optimize = True  # merge the segments: stored fields re-written through the column
    with ix.searcher() as s:
        stored = {f["doc"]: f["text"] for f in s.all_stored_fields()}
        raw = [VarBytesColumn.Reader.__getitem__(r._perdoc._cached_reader("_stored", codec.STORED_COLUMN), n)
               for r, _ in s.reader().leaf_readers() for n in range(r.doc_count_all())]
    assert stored == texts
    assert len(raw) == count and sum(v[0] == codec._CARRIER for v in raw) == (parts if layout == "one segment"
                                                                            else 1)
    if count > 100:  # the dictionary pays: half the size of deflating each value alone
        alone = sum(len(codec._deflate(pickle.dumps({"doc": d, "text": t}, 2), b"")) for d, t in texts.items())
        assert sum(len(v) for v in raw if v[0] == codec._PLAIN) < 0.5 * alone


def test_field_lengths_read_from_memory_equal_whoosh_s_per_byte_reads(ix):
    """``StoredPerDocReader.doc_field_length`` reads a length column once; Whoosh's reads a byte a call."""
    from whoosh.codec.whoosh3 import W3PerDocReader

    ix, texts = ix
    with ix.reader() as reader:
        for sub, _ in reader.leaf_readers():
            ours = sub._perdoc
            theirs = W3PerDocReader(sub._storage, sub._segment)
            got = [ours.doc_field_length(n, f) for n in range(sub.doc_count_all()) for f in ("text", "doc", "none")]
            assert got == [theirs.doc_field_length(n, f) for n in range(sub.doc_count_all())
                           for f in ("text", "doc", "none")]
            assert any(g and g > 255 for g in got)  # lossy byte lengths are decoded, not just small ones
            theirs.close()
