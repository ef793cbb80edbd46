"""pyvi's words in the index (``search/index/words.py``): stored boundaries and the word table."""

import shutil
from collections import Counter
from pathlib import Path

import pytest

from search.api import Generation
from search.index import words
from search.index.build import build_index
from search.ingest.formats import read_report
from search.ingest.report import parse_document
from search.text.analysis import syllable_keys
from search.text.segment import segment

from .conftest import SEEDS

REBUILD = "run `vnsearch index --rebuild`"


def _seed_passages() -> list[str]:
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        read = read_report(path)
        out += [p.text for p in parse_document(path.name, read.text, title=read.title, date=read.date).passages]
    return out


def _pyvi_words(text: str) -> list[str]:
    """pyvi's words of ``text`` as the index keys them: lower-cased syllable keys joined by spaces."""
    return [" ".join(keys) for keys in (syllable_keys(t.text) for t in segment(text)) if keys]


def _as_words(keys, bits) -> list[str]:
    return [" ".join(w) for w in words.words_of(keys, bits)]


def test_boundaries_give_back_pyvis_words_on_every_seed_passage():
    passages = _seed_passages()
    assert len(passages) > 60
    multi = 0
    for text in passages:
        keys, bits = words.boundaries(text)
        assert keys == syllable_keys(text)
        assert bits.bit_length() < len(keys)  # one bit per gap between syllables
        assert _as_words(keys, bits) == _pyvi_words(text)
        multi += sum(len(w) > 1 for w in words.words_of(keys, bits))
    assert multi > 2000  # most of the text is in words of two syllables or more


def test_multi_syllable_words_are_stock_pyvis():
    """Against pyvi itself (not our reproduction of it): the same words of two syllables or more."""
    ViTokenizer = pytest.importorskip("pyvi.ViTokenizer").ViTokenizer
    for text in _seed_passages():
        theirs = [" ".join(syllable_keys(t.replace("_", " "))) for t in ViTokenizer.tokenize(text).split()
                  if "_" in t]
        keys, bits = words.boundaries(text)
        assert [" ".join(w) for w in words.words_of(keys, bits) if len(w) > 1] == theirs


def test_codes_are_one_syllable_and_one_word():
    keys, bits = words.boundaries("Thực hiện Chỉ thị số 05-CT/TW của Bộ Chính trị.")
    assert _as_words(keys, bits) == ["thực hiện", "chỉ thị", "số", "05-ct/tw", "của", "bộ", "chính trị"]


@pytest.mark.parametrize("text", ["", "!!!", "một", "Hà Nội"])
def test_short_passages(text):
    keys, bits = words.boundaries(text)
    assert _as_words(keys, bits) == _pyvi_words(text)


def test_words_of_reads_missing_bits_as_boundaries():
    assert words.words_of(["a", "b", "c"], 0) == [("a",), ("b",), ("c",)]
    assert words.words_of(["a", "b", "c"], 0b01) == [("a", "b"), ("c",)]
    assert words.words_of(["a", "b", "c"], 0b10) == [("a",), ("b", "c")]
    assert words.words_of(["a", "b", "c"], b"\x03") == [("a", "b", "c")]  # bytes, little-endian
    assert words.words_of([], 0) == []


def test_stored_boundaries_are_small():
    """Whoosh pickles stored fields with protocol 2: an int costs its bytes plus 2, ``bytes`` 40 more."""
    import pickle

    for text in _seed_passages():
        keys, bits = words.boundaries(text)
        # protocol header, LONG1 opcode and length, a sign byte at most, STOP
        assert len(pickle.dumps(bits, 2)) <= (len(keys) + 6) // 8 + 6


def test_the_index_stores_every_passages_boundaries(seed_index):
    g = Generation(seed_index)
    try:
        with g.ix.searcher() as s:
            stored = list(s.all_stored_fields())
    finally:
        g.close()
    assert len(stored) > 60
    for fields in stored:
        assert _as_words(syllable_keys(fields["text"]), fields["words"]) == _pyvi_words(fields["text"])


def _table_counts(index_dir: Path) -> tuple[dict[int, int], Counter, int]:
    """The word table, and the same counts recomputed from the stored passages."""
    g = Generation(index_dir)
    try:
        with g.ix.searcher() as s:
            expected = Counter(words.word_keys_of(s.all_stored_fields()))
        table = words.WordTable(g.gen / words.FILE)
        return {k: table.passages(k) for k in expected}, expected, len(table)
    finally:
        g.close()


def test_word_table_is_exact_through_updates_removals_and_rebuilds(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    index_dir = tmp_path / "ix"

    def check() -> dict[int, int]:
        found, expected, size = _table_counts(index_dir)
        assert found == dict(expected)
        assert size == len(expected)  # no word left behind with a count of 0
        return found

    build_index([src], index_dir)
    first = check()
    key = words.word_key(("tuyên", "giáo"))
    assert first[key] > 20
    docs = sorted(src.glob("*.txt"))
    docs[0].unlink()  # removed
    docs[1].write_text("Báo cáo mới\n\nCông tác tuyên giáo ở cơ sở.", encoding="utf-8")  # changed
    (src / "new.txt").write_text("Báo cáo thêm\n\nTuyên giáo và báo chí.", encoding="utf-8")  # added
    build_index([src], index_dir)
    updated = check()
    assert updated != first
    build_index([src], index_dir, rebuild=True)
    assert check() == updated


def test_word_table_counts_passages_not_occurrences(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in "abc":
        (src / f"{name}.txt").write_text(
            f"Báo cáo {name}\n\nCông tác tuyên giáo, công tác tuyên giáo cơ sở {name}.", encoding="utf-8")
    build_index([src], tmp_path / "ix")
    found, _, _ = _table_counts(tmp_path / "ix")
    assert found[words.word_key(("công", "tác"))] == 3


@pytest.mark.parametrize("content", [b"", b"VNWORDS1", b"VNPAIRS1" + b"\x00" * 8, b"\x00" * 40])
def test_not_a_word_table_is_an_error(tmp_path, content):
    (tmp_path / "words.bin").write_bytes(content)
    with pytest.raises(ValueError):
        words.WordTable(tmp_path / "words.bin")


WORDS_DAMAGE = {
    "missing": (lambda path: path.unlink(), "damaged (a file is missing)"),
    "truncated": (lambda path: path.write_bytes(path.read_bytes()[:-5]), "damaged (word table)"),
    "garbage": (lambda path: path.write_bytes(b"\x00\xff" * 40), "damaged (word table)"),
}


def _error_line(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "internal error" not in lines[0] and "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize("damage", list(WORDS_DAMAGE))
def test_damaged_word_table_fails_terms_and_update_in_one_line(run, seed_index, tmp_path, damage):
    copy = tmp_path / "ix"
    shutil.copytree(seed_index, copy)
    live = copy / (copy / "CURRENT").read_text().strip()
    corrupt, detail = WORDS_DAMAGE[damage]
    corrupt(live / "words.bin")
    line = _error_line(run("terms", "tuyên giáo", index_dir=copy))
    assert detail in line and line.endswith(REBUILD), line
    src = tmp_path / "src"
    src.mkdir()
    for f in sorted(SEEDS.iterdir())[:2]:
        shutil.copy(f, src / f.name)
    line = _error_line(run("index", str(src), index_dir=copy))
    assert "damaged (word table)" in line and line.endswith(REBUILD), line
    assert copy / (copy / "CURRENT").read_text().strip() == live  # the live generation is untouched
    assert run("search", "tuyên giáo", index_dir=copy).exit_code == 0  # search does not read it
