"""The segmenter must be pyvi, exactly, plus offsets and whole document codes."""

import pytest

from search.text.normalize import clean_text
from search.text.segment import pyvi_words, segment, syllables

from .conftest import SEEDS


def _as_pyvi_string(text):
    """Our tokens rendered the way ViTokenizer.tokenize renders its output."""
    sylls = syllables(text)
    return " ".join(
        "_".join(m.group(0) for m in sylls if tok.start <= m.start() < tok.end)
        for tok in pyvi_words(text)
    )


def test_same_segmentation_as_pyvi_on_every_seed_paragraph():
    ViTokenizer = pytest.importorskip("pyvi.ViTokenizer").ViTokenizer
    checked = 0
    for path in sorted(SEEDS.glob("*.txt")):
        for para in clean_text(path.read_text(encoding="utf-8")).split("\n"):
            if para.strip():
                assert _as_pyvi_string(para) == ViTokenizer.tokenize(para)
                checked += 1
    assert checked > 130


def test_context_dependent_segmentation_is_reproduced():
    # the trap the phrase search must survive: one word alone, two in a sentence
    assert [t.text for t in segment("đảng ủy khối")] == ["đảng ủy khối"]
    words = [t.text for t in segment("Sáng nay, Đảng ủy Khối các cơ quan Trung ương họp")]
    assert "Đảng ủy" in words and "Khối" in words


def test_offsets_point_at_the_words():
    text = "Ban Tuyên giáo Tỉnh ủy Bắc Kạn tổ chức hội nghị theo Chỉ thị 05-CT/TW."
    tokens = segment(text)
    assert [text[t.start : t.end] for t in tokens] == [
        "Ban", "Tuyên giáo", "Tỉnh ủy", "Bắc Kạn", "tổ chức", "hội nghị", "theo", "Chỉ thị", "05-CT/TW"]
    assert all(t.text == text[t.start : t.end] for t in tokens)


@pytest.mark.parametrize("code", ["05-CT/TW", "1300/CĐ-TTg", "114/2003/NĐ-CP", "34-KH/ĐUK", "15/CP"])
def test_document_codes_stay_whole(code):
    text = f"Thực hiện văn bản số {code} của cấp trên."
    tokens = [t.text for t in segment(text)]
    assert code in tokens


def test_dates_are_not_codes():
    tokens = [t.text for t in segment("ngày 15/5/2016 và giai đoạn 2020-2025")]
    assert "15/5/2016" not in tokens and "2020-2025" not in tokens
    assert {"15", "5", "2016", "2020", "2025"} <= set(tokens)  # pyvi's pieces, as for any number


def test_sentence_final_code_loses_its_period():
    tokens = [t.text for t in segment("thực hiện Chỉ thị số 05-CT/TW.")]
    assert tokens[-1] == "05-CT/TW"


def test_punctuation_is_dropped():
    assert [t.text for t in segment("a , b ; (c) “d” …")] == ["a", "b", "c", "d"]
