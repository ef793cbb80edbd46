"""Pair and content-word evidence read from postings equals re-reading and re-tokenising the passages.

``retrieve._evidence`` counts a candidate's query pairs and content words
from the positions of the query's keys (``retrieve._positions``) and its
stored indexed length. The reference here is what it replaced: the stored
passage, as indexed (the first after its report's headline), split into
syllable keys, folded for an accentless query, and scanned for pairs. Both
retrieval paths (Whoosh's matchers and numpy) are checked, on an index with
several segments and deletions.
"""

import math

import pytest

from search.api import Generation
from search.index.build import build_index
from search.index.schema import LENGTH, indexed_text
from search.rank import parse, retrieve
from search.rank import score as formula
from search.text.analysis import syllable_keys
from search.text.normalize import fold

from .conftest import generated_corpus

QUERIES = ["công tác tuyên giáo", "tuyen giao co so", "Ban Tuyên giáo Tỉnh ủy", "hoc tap va lam theo",
           '"tuyên giáo" Bắc Kạn', "kết quả thực hiện chỉ thị", "nghi quyet dai hoi dang",
           "báo cáo công tác tuyên giáo tuyên giáo", "cong tac tuyen giao nam 2021", "đạo đức phong cách"]


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    root = tmp_path_factory.mktemp("evidence")
    src = generated_corpus(root / "src", reports=80)
    build_index([src], root / "ix", jobs=2)
    for f in sorted(src.iterdir())[::7]:
        f.unlink()
    build_index([src], root / "ix", jobs=1)
    g = Generation(root / "ix")
    yield g
    g.close()


def _reference(parsed, r, title: str, pairs_idf: dict, avg_pairs: float) -> tuple[float, int]:
    keys = syllable_keys(indexed_text(title, r["passage"], r["text"]))
    assert r[LENGTH] == len(keys)
    if parsed.field == "fold":
        keys = [fold(k) for k in keys]
    found: dict = {}
    for pair in zip(keys, keys[1:]):
        if pair in pairs_idf:
            found[pair] = found.get(pair, 0) + 1
    pairs = math.fsum(formula.bm25(pairs_idf[p], tf, max(len(keys) - 1, 0), avg_pairs)
                      for p, tf in sorted(found.items()))
    present = set(syllable_keys(indexed_text(title, r["passage"], r["text"])))
    words = sum(all(slot & present for slot in w) for w in parsed.content)
    return pairs, words


@pytest.mark.parametrize("path", ["whoosh", "numpy", "text"])
def test_evidence_from_positions_equals_re_reading_the_text(gen, path, monkeypatch):
    """Positions from Whoosh's matchers, from numpy arrays, or from re-tokenising (``retrieve._positions``)."""
    monkeypatch.setattr(retrieve, "FAST_MIN_POSTINGS", 10**12 if path == "whoosh" else 0)
    monkeypatch.setattr(retrieve, "POSTING_NS", 10**9 if path == "text" else 0)
    used = []
    real = retrieve._text_positions
    monkeypatch.setattr(retrieve, "_text_positions", lambda *a: used.append(1) or real(*a))
    checked = with_pairs = 0
    with gen.searcher() as s:
        for query in QUERIES:
            parsed = parse.parse(query, gen.query_schema, parse.Filters(), gen.known_codes, False, gen.variants,
                                 gen.pair_count)
            pairs_idf = retrieve._pair_idf(s, parsed, gen.pairs) if parsed.pairs else {}
            avg_pairs = max(s.avg_field_length("text") - 1, 1.0)
            found = retrieve._top(s, parsed.scored, 60, parsed.filter, {})
            assert found, query
            titles = {d: r.title for d, r in gen.reports(r["doc"] for r in found).items()}
            keys = retrieve._position_keys(parsed, pairs_idf, retrieve.coordinates(parsed))
            def title_of(docs, heads=titles):
                return {d: heads[d] for d in docs}

            positions = retrieve._positions(s, keys, found, {}, title_of)
            for ev, r in retrieve._evidence(parsed, found, set(), pairs_idf, avg_pairs, positions):
                pairs, words = _reference(parsed, r, titles[r["doc"]], pairs_idf, avg_pairs)
                assert ev.pairs == pairs, (query, r["doc"], r["passage"])
                if retrieve.coordinates(parsed):
                    assert ev.words == words, (query, r["doc"], r["passage"])
                checked += 1
                with_pairs += pairs > 0
    assert checked > 300 and with_pairs > 100
    assert bool(used) == (path == "text")
