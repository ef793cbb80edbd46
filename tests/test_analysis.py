import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from search.text.analysis import folded_analyzer, syllable_analyzer, syllable_keys, syllable_spans, word_analyzer


def _tokens(analyzer, text):
    return [(t.text, t.startchar, t.endchar) for t in analyzer(text, positions=True, chars=True)]


def test_syllable_offsets_on_composed_text():
    text = "Tỉnh uỷ, Chỉ thị số 05-CT/TW."
    toks = _tokens(syllable_analyzer(), text)
    assert [k for k, _, _ in toks] == ["tỉnh", "ủy", "chỉ", "thị", "số", "05-ct/tw"]
    assert [text[s:e] for _, s, e in toks] == ["Tỉnh", "uỷ", "Chỉ", "thị", "số", "05-CT/TW"]


def test_syllable_offsets_on_decomposed_text():
    text = unicodedata.normalize("NFD", "Tỉnh uỷ hoá")
    toks = _tokens(syllable_analyzer(), text)
    assert [k for k, _, _ in toks] == ["tỉnh", "ủy", "hóa"]
    assert [unicodedata.normalize("NFC", text[s:e]) for _, s, e in toks] == ["Tỉnh", "uỷ", "hoá"]


def test_one_letter_syllables_are_kept():
    assert [k for k, _, _ in _tokens(syllable_analyzer(), "ở ý á")] == ["ở", "ý", "á"]


def test_word_tokens_have_keys_and_offsets():
    text = "Đảng uỷ Khối các cơ quan Trung ương"
    toks = _tokens(word_analyzer(), text)
    assert toks[0] == ("đảng_ủy", 0, 7)
    assert all(text[s:e].lower().replace(" ", "_") in (k, k.replace("ủy", "uỷ")) for k, s, e in toks)


def test_folded_analyzer():
    assert [k for k, _, _ in _tokens(folded_analyzer(), "Đảng ủy Khối")] == ["dang", "uy", "khoi"]


# Vietnamese letters, decomposed marks, digits, code punctuation, separators
_ALPHABET = "aăâeêioôơuưyđAĐHỦYóòỏõọếềểễệưởxt0123456789-/.,_ \n\u0301\u0300\u0323CTQĐNB"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=80))
def test_syllable_keys_are_the_keys_of_syllable_spans(text):
    """Indexing and pair scoring use the keys alone; they must be the highlighter's keys."""
    assert syllable_keys(text) == [k for k, _, _ in syllable_spans(text)]


def test_syllable_keys_keep_codes_whole():
    text = "Thực hiện Chỉ thị số 05-CT/TW và Nghị quyết 29-NQ/TU"
    assert syllable_keys(text) == ["thực", "hiện", "chỉ", "thị", "số", "05-ct/tw", "và", "nghị",
                                   "quyết", "29-nq/tu"]
