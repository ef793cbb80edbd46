#!/usr/bin/env python
"""Where a search's time and an index's bytes go: the figures README gives for issue 19's misses.

    python scripts/profile_search.py INDEX_DIR [QUERY ...]     # phases of each query, size by part
    python scripts/profile_search.py --build FOLDER             # a one-process build, profiled

For each query (by default the slowest kinds of the bench: a pasted question and an
accentless phrase) it prints the best of five runs split into phases (parsing,
retrieval, the candidates' positions, their pairs and words, highlighting, the rest)
and how many postings retrieval read, in how many lists. It also prints the cost of
the two ways of finding a candidate's positions (reading a posting a list at a time,
re-tokenising a stored passage), and the index's size by part (Whoosh's postings,
stored fields, term dictionary; the side tables).

``--build FOLDER`` builds FOLDER into a temporary index with ``--jobs 1`` under cProfile
and prints the share of the time spent segmenting with pyvi, extracting reports and
indexing with Whoosh.

It runs the package of this checkout; phases are timed by wrapping the functions of
``search.rank`` that do them.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = ["bệnh nhân ung thư được điều trị ở bệnh viện nào", '"thi truong chung khoan"']


def phases(index, query: str) -> tuple[float, dict[str, float], int, int]:
    """Best of five: (total seconds, seconds per phase, postings read, lists read)."""
    from search.rank import accumulate, highlight, parse, retrieve

    spent: dict[str, float] = {}
    read = {"postings": 0, "lists": 0}
    patched = []

    def wrap(module, name: str, label: str) -> None:
        original = getattr(module, name)

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - t

        setattr(module, name, timed)
        patched.append((module, name, original))

    original_read = accumulate._Segment._read

    def counted(self, field, btext, positions):
        out = original_read(self, field, btext, positions)
        read["postings"] += len(out[0])
        read["lists"] += 1
        return out

    wrap(parse, "parse", "parse (pyvi, respelling)")
    wrap(retrieve, "_top", "retrieval (postings read and summed)")
    wrap(retrieve, "_positions", "evidence: the candidates' positions")
    wrap(retrieve, "_evidence", "evidence: pairs and words")
    wrap(highlight, "find_spans", "highlight")
    accumulate._Segment._read = counted
    try:
        index.search(query, limit=10)  # warm-up
        best = None
        for _ in range(5):
            spent.clear()
            read.update(postings=0, lists=0)
            t = time.perf_counter()
            index.search(query, limit=10)
            total = time.perf_counter() - t
            if best is None or total < best[0]:
                best = (total, dict(spent), read["postings"], read["lists"])
        return best
    finally:
        accumulate._Segment._read = original_read
        for module, name, original in patched:
            setattr(module, name, original)


def unit_costs(index) -> tuple[float, float]:
    """(ns per posting read as arrays, µs per stored passage re-tokenised), on this index."""
    from search.rank import accumulate
    from search.text.analysis import syllable_keys

    with index._use() as g, g.searcher() as s:
        common = ["được", "có", "đã", "bị", "người"]  # syllables of most passages
        t, n = time.perf_counter(), 0
        for key in common:
            for sub, offset in s.leaf_searchers():
                ids, _, _ = accumulate._Segment(s, sub, offset, {}, frozenset()).postings("text", key.encode())
                n += len(ids)
        posting_ns = (time.perf_counter() - t) / max(n, 1) * 1e9
        total = s.doc_count_all()
        texts = [s.stored_fields(d)["text"] for d in range(0, total, max(1, total // 1000))]
    for text in texts:  # fill the syllable caches first, as a running search has them
        syllable_keys(text)
    t = time.perf_counter()
    for text in texts:
        syllable_keys(text)
    return posting_ns, (time.perf_counter() - t) / len(texts) * 1e6


def sizes(gen: Path) -> list[tuple[str, int]]:
    """Bytes of each part of a generation: Whoosh's compound segment files opened up by extension."""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import FileStorage

    names = {"pst": "postings (with positions)", "trm": "term dictionary", "col": "per-passage columns"}
    parts: collections.Counter = collections.Counter()
    storage = FileStorage(str(gen))
    for path in gen.iterdir():
        if path.suffix == ".seg":
            compound = CompoundStorage(storage.open_file(path.name), use_mmap=False)
            for name in compound.list():
                ext = name.rsplit(".", 1)[-1]
                label = "stored fields" if name.endswith("_stored.col") else names.get(ext, ext)
                parts[label] += compound.file_length(name)
            compound.close()
        elif path.is_file():
            parts[path.name] += path.stat().st_size
    return parts.most_common()


def build_profile(folder: Path) -> None:
    import cProfile
    import pstats

    from search.index.build import build_index

    with tempfile.TemporaryDirectory(prefix="vnsearch-profile-") as tmp:
        profile = cProfile.Profile()
        profile.runcall(build_index, [folder], Path(tmp) / "ix", jobs=1)
    stats = pstats.Stats(profile)
    total = stats.total_tt
    shares = {"segment.py:pyvi_words": "pyvi's segmentation (features and CRF)",
              "words.py:boundaries": "word boundaries (pyvi's segmentation and the syllables around it)",
              "report.py:parse_document": "extracting the reports (furniture, metadata, passages)",
              "writing.py:add_document": "Whoosh: adding documents",
              "writing.py:commit": "Whoosh: writing the postings at commit"}
    print(f"one-process build of {folder}: {total:.1f} s under cProfile")
    for (filename, _, function), row in stats.stats.items():
        key = f"{os.path.basename(filename)}:{function}"
        if key in shares:
            print(f"  {shares[key]}: {row[3]:.1f} s ({row[3] / total:.0%})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index_dir", nargs="?", type=Path, help="an index built by vnsearch")
    ap.add_argument("queries", nargs="*", help=f"queries (default: {QUERIES})")
    ap.add_argument("--build", type=Path, help="profile a one-process build of this folder instead")
    args = ap.parse_args()
    if args.build:
        build_profile(args.build)
        return
    if args.index_dir is None:
        ap.error("give an index directory or --build FOLDER")
    from search.api import open_index

    index = open_index(args.index_dir)
    for query in args.queries or QUERIES:
        total, spent, postings, lists = phases(index, query)
        print(f"{query}: {total * 1e3:.1f} ms (best of 5); retrieval read {postings:,} postings in {lists} lists")
        for label, seconds in spent.items():
            print(f"  {label}: {seconds * 1e3:.1f} ms")
        print(f"  other (stored fields, report records, sorting): {(total - sum(spent.values())) * 1e3:.1f} ms")
    posting_ns, retokenise_us = unit_costs(index)
    print(f"reading common syllables' posting lists: {posting_ns:.0f} ns a posting; "
          f"re-tokenising a stored passage: {retokenise_us:.0f} µs")
    gen = index.generation
    parts = sizes(gen)
    print(f"index size by part ({gen.name}, {sum(n for _, n in parts) / 1e6:.1f} MB):")
    for label, n in parts:
        if n >= 100_000:
            print(f"  {label}: {n / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
