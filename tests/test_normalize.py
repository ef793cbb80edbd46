import unicodedata

import pytest

from search.text.normalize import canonical_syllable, clean_text, fold, has_diacritics, term_key


@pytest.mark.parametrize(
    "variant, canonical",
    [
        ("hoá", "hóa"), ("hóa", "hóa"), ("HOÁ", "hóa"),
        ("uỷ", "ủy"), ("ủy", "ủy"), ("Uỷ", "ủy"),
        ("thuỷ", "thủy"), ("khoẻ", "khỏe"), ("hoà", "hòa"), ("Toà", "tòa"),
        ("hòan", "hoàn"),  # tone misplaced in a closed syllable
        ("quý", "quý"), ("già", "già"), ("gì", "gì"), ("giữa", "giữa"),
        ("người", "người"), ("tiếng", "tiếng"), ("khuỷu", "khuỷu"), ("xoáy", "xoáy"),
    ],
)
def test_tone_placement_is_canonical(variant, canonical):
    assert canonical_syllable(variant) == canonical
    assert term_key(unicodedata.normalize("NFD", variant)) == canonical


def test_non_syllables_are_left_alone():
    assert term_key("COVID") == "covid"
    assert term_key("2020") == "2020"
    assert canonical_syllable("xyzá") == "xyzá"  # vowels not contiguous: not a syllable


def test_clean_text_composes_and_fixes_characters():
    raw = unicodedata.normalize("NFD", "Tỉnh uỷ") + "\r\nÐảng\u00a0bộ\u200b"
    assert clean_text(raw) == "Tỉnh uỷ\nĐảng bộ"


def test_fold_strips_every_mark():
    assert fold("Đảng ủy Khối") == "dang uy khoi"
    assert fold(unicodedata.normalize("NFD", "tuyên giáo")) == "tuyen giao"
    assert has_diacritics("tuyên") and not has_diacritics("tuyen")
