"""Search behaviour on the seed index, checked against the passages themselves."""

import re
import unicodedata

import pytest

from search.api import Generation, open_index
from search.ingest.report import parse_document
from search.rank.score import Weighting

from .conftest import SEEDS


@pytest.fixture(scope="module")
def index(seed_index):
    return open_index(seed_index)


@pytest.fixture(scope="module")
def passages():
    """(doc, passage number, text) of every indexed passage, straight from the extractor."""
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        doc = parse_document(path.name, path.read_text(encoding="utf-8"))
        out += [(doc.doc, p.number, p.text) for p in doc.passages]
    return out


def _found(hits):
    return {(h.doc, h.passage) for h in hits}


def _containing(passages, regex):
    return {(d, n) for d, n, t in passages if re.search(regex, t, re.IGNORECASE)}


def test_tone_variants_find_the_same_passages(index, passages):
    a = index.search('"chuyển hóa"', limit=None)
    b = index.search('"chuyển hoá"', limit=None)
    assert _found(a) == _found(b) == _containing(passages, "chuyển h(oá|óa)")
    assert {h.doc[:3] for h in a} == {"000", "001", "004"}


def test_decomposed_query_matches_composed_text(index, passages):
    nfd = unicodedata.normalize("NFD", '"Tỉnh ủy"')
    assert _found(index.search(nfd, limit=None)) == _containing(passages, r"tỉnh (ủy|uỷ)")


def test_phrase_highlights_cover_exactly_the_phrase(index, passages):
    hits = index.search('"Tỉnh ủy"', limit=None)
    assert _found(hits) == _containing(passages, r"tỉnh (ủy|uỷ)")
    spans = [h.text[s:e] for h in hits for s, e in h.highlights]
    assert set(spans) == {"Tỉnh ủy", "Tỉnh uỷ"}
    for h in hits:  # one span per occurrence
        assert len(h.highlights) == len(re.findall(r"tỉnh (ủy|uỷ)", h.text, re.IGNORECASE))


def test_phrase_found_however_pyvi_segmented_it(index, passages):
    # pyvi: "đảng ủy khối" alone is one word, "Đảng_ủy Khối" in running text
    expected = _containing(passages, r"đảng (ủy|uỷ) khối")
    assert len(expected) > 20
    assert _found(index.search('"đảng ủy khối"', limit=None)) == expected


def _has_all(text, words):
    return all(re.search(w, text, re.I) for w in words)


def test_with_require_all_every_word_must_match(index, passages):
    hits = index.search("tuyên giáo Quảng Trị", limit=None, require_all=True)
    assert _found(hits) == {(d, n) for d, n, t in passages if _has_all(t, ["tuyên", "giáo", "quảng", "trị"])}


def test_ranked_words_every_word_first_then_most_words(index, passages):
    # Content words "tuyên giáo" and "đảng viên". On the seeds, score alone would put passages
    # with one of them above some with both, and some with neither above some with one.
    words = [["tuyên", "giáo"], ["đảng", "viên"]]

    def held(text):
        return sum(all(re.search(rf"(?<!\w){s}(?!\w)", text, re.I) for s in w) for w in words)

    hits = index.search("tuyên giáo đảng viên", limit=None)
    counts = [held(h.text) for h in hits]
    assert counts == sorted(counts, reverse=True) and set(counts) == {0, 1, 2}
    assert _found(h for h, k in zip(hits, counts) if k == 2) == {(d, n) for d, n, t in passages if held(t) == 2}


def test_directive_code_is_one_term(index, passages):
    hits = index.search('"05-CT/TW"', limit=None)  # quoted: the code as written, nothing else
    assert _found(hits) == _containing(passages, r"05-CT/TW\b")
    assert all(h.text[s:e] == "05-CT/TW" for h in hits for s, e in h.highlights)


def test_directive_found_in_every_written_form(index, passages):
    written = _containing(passages, r"05-CT/TW\b")
    bare = _containing(passages, r"Chỉ thị 05 của Bộ Chính trị")
    typo = _containing(passages, r"05-CT/W\b")
    assert bare and typo
    for q in ["Chỉ thị 05", "05-CT/TW", "05-ct/tw", "chỉ thị số 05"]:
        hits = index.search(q, limit=None)
        assert _found(hits) == written | bare | typo, q
        marked = {h.text[s:e] for h in hits for s, e in h.highlights}
        assert marked <= {"05-CT/TW", "05-CT/W", "Chỉ thị 05", "Chỉ thị số 05-CT/TW", "Chỉ thị 05-CT/TW"}, q


def test_boolean_syntax(index):
    both = _found(index.search("Bắc Kạn", limit=None))
    without = _found(index.search("Bắc Kạn NOT tuyên", limit=None))
    either = _found(index.search("(Bắc Kạn) OR (Quảng Trị)", limit=None))
    assert without < both < either


def test_invalid_syntax_is_searched_as_words(index):
    for q in ['"tuyên giáo', "tuyên giáo)", "AND tuyên", "tuyên:", "tuyên giáo?", "(tuyên [giáo"]:
        assert index.search(q), q


def test_query_without_words_is_a_clear_error(index):
    from search.errors import VnsearchError

    with pytest.raises(VnsearchError, match="nothing to search"):
        index.search("(( ?")


def test_results_carry_report_metadata(index):
    hit = index.search('"Sáng 08/7/2020"', limit=1)[0]
    assert hit.doc.startswith("000_") and hit.date == "2020-07-08"
    assert hit.organization == "Đảng ủy Khối các cơ quan Trung ương"
    assert "05-CT/TW" in hit.directives


@pytest.mark.parametrize("summed", [False, True], ids=["whoosh", "numpy"])
@pytest.mark.parametrize("text", ["học tập và làm theo", "Đảng ủy Khối thi đua khen thưởng",
                                  "tuyen giao co so", "Chỉ thị 05 tư tưởng"])
def test_candidate_pools_hold_the_true_best_scores(generated_index, text, summed, monkeypatch):
    """The pools ordering starts from are Whoosh's real top scores, whatever the layout.

    Whoosh's own top-N search rewrote ``AndMaybe`` matchers mid-search and lost
    passages scoring far above the last one it kept; which ones it lost
    depended on how the index was written, so identical rebuilds answered
    differently. Every score is compared with an exhaustive search.
    """
    from search.rank import retrieve as searcher
    from search.rank.parse import parse
    from search.rank.retrieve import _top

    from .test_accumulate import _level_filters

    monkeypatch.setattr(searcher, "FAST_MIN_POSTINGS", 0 if summed else 10**12)
    ix = Generation(generated_index)
    parsed = parse(text, ix.query_schema, None, ix.known_codes, False, ix.variants)
    with ix.ix.searcher(weighting=Weighting()) as s:
        q = parsed.scored
        for flt, mask in _level_filters(parsed):
            every = sorted((h.score for h in s.search(q, limit=None, filter=flt, mask=mask)), reverse=True)
            for n in (10, 100):
                top = sorted((h.score for h in _top(s, q, n, flt, {}, mask)), reverse=True)
                assert len(top) >= min(n, len(every))
                # numpy adds a passage's term scores in another order: equal to the last bits
                assert top == pytest.approx(every[:len(top)], rel=1e-12)
                assert len(every) == len(top) or every[len(top)] < top[n - 1] * (1 - 1e-12)  # whole tie
