"""`vnsearch terms` and ``Index.terms``: the words most over-represented in a query's passages."""

import json
import re

import pytest

from search.api import open_index
from search.index.build import build_index
from search.rank import terms as T
from search.rank.terms import FUNCTION_WORDS, SamplePassage, Term, is_function_word, jlh, significant
from search.text.analysis import syllable_keys
from search.text.normalize import fold

LINE = re.compile(r"^(\S(?:.*\S)?) +(\d+) +(\d+\.\d{4})$")
# Function words a reader would never want listed, as the index writes them.
COMMON_FUNCTION_WORDS = {"của", "và", "các", "những", "được", "là", "có", "cho", "với", "trong", "này", "đó",
                         "một", "không", "đã", "sẽ", "đang", "theo", "về", "tại", "từ", "khi", "nếu", "thì",
                         "mà", "để", "cũng", "như", "nhưng", "hay", "hoặc", "rằng", "vì", "do", "bởi", "nên",
                         "tuy nhiên", "đối với", "bên cạnh", "ngoài ra", "vì vậy", "do đó", "trong khi"}


def _json_terms(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def _listable(word: str) -> bool:
    return (not is_function_word(tuple(word.split())) and word not in COMMON_FUNCTION_WORDS
            and not any(ch.isdigit() for ch in word) and len(word) > 1)


def test_function_word_list_is_keyed_like_the_index():
    assert all(is_function_word(tuple(w.split())) for w in COMMON_FUNCTION_WORDS)
    assert "hóa" not in FUNCTION_WORDS and len(FUNCTION_WORDS) > 150
    assert is_function_word(("do", "đó")) and is_function_word(("bên", "cạnh"))
    assert not is_function_word(("không", "gian")) and not is_function_word(("có", "thẩm", "quyền"))


def test_chi_thi_05_lists_multi_syllable_words_and_no_function_words(run):
    result = run("terms", '"chỉ thị 05"', "--json")
    assert result.exit_code == 0, result.stderr
    records = _json_terms(result)
    assert records and all(list(r) == ["word", "passages", "score"] for r in records)
    assert all(isinstance(r["word"], str) and isinstance(r["passages"], int) and isinstance(r["score"], float)
               for r in records)
    words = [r["word"] for r in records]
    assert sum(" " in w for w in words) >= 5  # multi-syllable words, written with spaces
    assert all(_listable(w) for w in words), words
    assert not {"chỉ thị", "chỉ", "thị"} & set(words)  # the query's own words
    assert len(records) <= 20


def test_text_output_is_the_json_records_one_line_each(run):
    text = run("terms", "tuyên giáo", "--limit", "7")
    records = _json_terms(run("terms", "tuyên giáo", "--limit", "7", "--json"))
    assert text.exit_code == 0 and len(records) == 7
    lines = text.stdout.splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [(m.group(1), int(m.group(2)), float(m.group(3))) for m in parsed] == [
        (r["word"], r["passages"], r["score"]) for r in records]
    scores = [r["score"] for r in records]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("query", ["tuyên giáo", "công tác tuyên giáo năm 2023 như thế nào?", "Bắc Kạn",
                                   "directive:05-CT/TW", "tuyen giao"])
def test_no_function_words_numbers_or_query_words(seed_index, query):
    with open_index(seed_index) as index:
        found = index.terms(query, limit=None)
    assert found
    words = [t.word for t in found]
    assert all(_listable(w) for w in words), words
    own = {fold(k) for k in syllable_keys(query)}
    assert not [w for w in words if all(fold(s) in own for s in w.split())]  # the query's own words
    assert any(" " in w for w in words)
    assert all(t.passages >= 2 for t in found)  # a word of one passage never wins


def test_terms_count_the_passages_search_finds_with_the_same_filters(seed_index):
    with open_index(seed_index) as index:
        hits = index.search("tuyên giáo", limit=1000, org="Bắc Kạn")
        found = index.terms("tuyên giáo", org="Bắc Kạn", limit=None)
        everywhere = index.terms("tuyên giáo", limit=None)
    assert {h.doc for h in hits} == {"001_a764983588b6760c.txt"}
    assert found and found != everywhere
    texts = [h.text.lower() for h in hits]
    for t in found:  # each word is in at least `passages` of the filtered hits
        assert sum(t.word in text for text in texts) >= t.passages, t


def test_filters_and_exit_codes(run):
    assert run("terms", "tuyên giáo", "--org", "bac kan").exit_code == 0
    assert run("terms", "tuyên giáo", "--directive", "05-CT/TW").exit_code == 0
    nothing = run("terms", "tuyên giáo", "--from", "2100")
    assert nothing.exit_code == 1 and nothing.stdout == ""
    unknown = run("terms", "xyzzyqq", "--json")
    assert unknown.exit_code == 1 and unknown.stdout == ""
    for args in (["terms", "tuyên giáo", "--from", "20xx"], ["terms", ""],
                 ["terms", "tuyên giáo", "--directive", "??"]):
        bad = run(*args)
        assert bad.exit_code == 2 and bad.stdout == "" and len(bad.stderr.splitlines()) == 1, args
        assert bad.stderr.startswith("vnsearch: ")
    assert "--from" in run("terms", "tuyên giáo", "--from", "20xx").stderr
    assert run("terms", "tuyên giáo", "--limit", "0").exit_code == 2


def test_all_requires_every_word(seed_index):
    with open_index(seed_index) as index:
        ranked = index.terms("tuyên giáo Bắc Kạn", limit=None)
        every = index.terms("tuyên giáo Bắc Kạn", limit=None, require_all=True)
    assert every and every != ranked


def test_words_met_only_as_part_of_another_word_are_not_what_the_passages_are_about(tmp_path):
    """A ranked query matches passages holding any of its syllables: `tham nhũng` finds `tham gia`."""
    src = tmp_path / "src"
    src.mkdir()
    for i in range(4):
        (src / f"a{i}.txt").write_text(
            f"Báo cáo {i}\n\nVụ tham nhũng và lãng phí ở tổng công ty dầu khí, bị can thứ {i} đã khai.",
            encoding="utf-8")
    for i in range(12):
        (src / f"b{i}.txt").write_text(
            f"Tin {i}\n\nNhiều người tham gia hội thảo về văn học và nghệ thuật, tham gia giao lưu số {i}.",
            encoding="utf-8")
    for i in range(12):
        (src / f"c{i}.txt").write_text(f"Bài {i}\n\nThời tiết hôm nay nắng đẹp ở miền núi phía bắc {i}.",
                                       encoding="utf-8")
    build_index([src], tmp_path / "ix")
    with open_index(tmp_path / "ix") as index:
        assert len(index.search("tham nhũng", limit=100)) > 12  # "tham gia" passages match too
        words = [t.word for t in index.terms("tham nhũng", limit=None)]
    assert "tham gia" not in words and "hội thảo" not in words
    assert {"lãng phí", "dầu khí", "bị can"} <= set(words)


def test_term_records():
    t = Term("công tác", 12, 3.5)
    assert t.to_json() == {"word": "công tác", "passages": 12, "score": 3.5}


def test_jlh_is_elasticsearchs():
    # 20 % of the sample and 1 % of the index: (0.2 - 0.01) * 0.2 / 0.01
    assert jlh(20, 100, 100, 10_000) == pytest.approx(3.8)
    assert jlh(1, 100, 100, 10_000) == 0.0  # not over-represented
    assert jlh(2, 10, 1, 1000) == jlh(2, 10, 2, 1000)  # the sample's own passages are in the index
    assert jlh(0, 0, 0, 10) == 0.0


def test_minimum_passages_and_reports():
    sample = [SamplePassage("a", [("công", "tác"), ("hội", "nghị"), ("đà", "nẵng")], True),
              SamplePassage("a", [("công", "tác"), ("đà", "nẵng")], True),
              SamplePassage("b", [("công", "tác"), ("hội", "nghị"), ("kon", "tum")], True)]
    found = significant(sample, lambda w: 3, 1000, "x")
    # "kon tum": one passage; "đà nẵng": two passages of one report
    assert [t.word for t in found] == ["công tác", "hội nghị"]
    assert [t.passages for t in found] == [3, 2]
    one = significant(sample[:1], lambda w: 3, 1000, "x")  # a sample of one passage lists its words
    assert {t.word for t in one} == {"công tác", "hội nghị", "đà nẵng"}


def test_the_sample_is_bounded(monkeypatch, seed_index):
    seen = {}

    def search(self, query, *, limit, **kwargs):
        seen["limit"] = limit
        return []

    monkeypatch.setattr("search.api.Index.search", search)
    with open_index(seed_index) as index:
        assert index.terms("tuyên giáo") == []
    assert seen["limit"] == T.TERMS_SAMPLE
