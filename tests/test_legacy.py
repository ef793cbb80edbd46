"""TCVN3/VNI -> Unicode: known answers, detection, fonts."""

import unicodedata

import pytest

from search.ingest import legacy
from search.ingest.legacy import TCVN3, VNI, convert, decode_tcvn3, decode_vni, detect, fix_text, font_encoding


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("NghÞ ®Þnh sè 114/2003/N§-CP", "Nghị định số 114/2003/NĐ-CP"),
        ("céng hoµ x· héi chñ nghÜa viÖt nam", "cộng hoà xã hội chủ nghĩa việt nam"),
        ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
        ("Th«ng t− h−íng dÉn", "Thông tư hướng dẫn"),  # PDF text layer: U+2212 for ư
        ("x∙ héi", "xã hội"),  # PDF text layer: U+2219 for ã
        ("¨n uèng, ­u tiªn, ¬n", "ăn uống, ưu tiên, ơn"),
        ("Ch÷ ký, ®iÒu kiÖn, quü, kü thuËt, ngµy", "Chữ ký, điều kiện, quỹ, kỹ thuật, ngày"),
    ],
)
def test_tcvn3_known_answers(raw, expected):
    assert decode_tcvn3(raw) == expected


def test_tcvn3_capitals_font():
    # .VnTimeH draws the lower-case codes (and ASCII letters) as capitals.
    assert decode_tcvn3("quyÕt ®Þnh", upper=True) == "QUYẾT ĐỊNH"


def test_tcvn3_table_is_one_to_one_and_vietnamese():
    values = list(legacy._TCVN3_BYTES.values())
    assert len(values) == len(set(values))
    toned = {
        unicodedata.normalize("NFC", v + tone)
        for v in "aăâeêioôơuưy"
        for tone in "\u0300\u0301\u0303\u0309\u0323"
    }
    # every toned lower-case vowel, plus ă â ê ô ơ ư đ in both cases
    assert set(values) == toned | set("ăâêôơưđĂÂÊÔƠƯĐ")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Quyeát ñònh soá", "Quyết định số"),
        ("Boä Taøi chiùnh", "Bộ Tài chính"),
        ("coäng hoaø xaõ hoäi chuû nghóa Vieät nam", "cộng hoà xã hội chủ nghĩa Việt nam"),
        ("Ñoäc laäp -Töï do - Haïnh phuùc", "Độc lập -Tự do - Hạnh phúc"),
        ("ñöôïc, ngöôøi, möôøi", "được, người, mười"),
        ("naêm, ñaët, khaúng ñònh, aên", "năm, đặt, khẳng định, ăn"),
        ("SOÁ: 12/2001/QÑ-BTC", "SỐ: 12/2001/QĐ-BTC"),
        ("VIEÄT NAM", "VIỆT NAM"),
        ("VEÂØ", "VỀ"),  # circumflex and tone typed as two separate marks
        ("kyõ, tyû, yù kieán, lyù", "kỹ, tỷ, ý kiến, lý"),
        ("ôû, ôn, Ô", "ở, ơn, Ơ"),
        ("í, ì, æ, ó, ò", "í, ì, ỉ, ĩ, ị"),  # the i's have codes of their own
    ],
)
def test_vni_known_answers(raw, expected):
    assert decode_vni(raw) == expected


def test_vni_output_is_nfc():
    out = decode_vni("Quyeát ñònh")
    assert out == unicodedata.normalize("NFC", out)


@pytest.mark.parametrize(
    "font, expected",
    [
        (".VnTime", (TCVN3, False)),
        (".VnTimeH", (TCVN3, True)),
        (".VnArial NarrowH", (TCVN3, True)),
        ("AARIQC+.VnTimeH,Bold", (TCVN3, True)),  # PDF subset with style
        ("FBHPFO+VnTimeHBold", (TCVN3, True)),
        ("FBHPEM+VnTime", (TCVN3, False)),
        ("VNI-Times", (VNI, False)),
        ("Times New Roman", (None, False)),
        ("Verdana", (None, False)),
        (None, (None, False)),
    ],
)
def test_font_encoding(font, expected):
    assert font_encoding(font) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("NghÞ ®Þnh cña ChÝnh phñ vÒ viÖc ban hµnh", TCVN3),
        ("Quyeát ñònh cuûa Boä tröôûng Boä Taøi chính", VNI),
        ("Nghị định của Chính phủ về việc ban hành", None),  # already Unicode
        ("Quyết định số 12/2001/QĐ-BTC, hoà, thuỷ, café", None),
        ("Le café à la française, déjà vu, naïve", None),  # French, not Vietnamese
        ("plain ASCII text without marks", None),
        ("", None),
    ],
)
def test_detect(text, expected):
    assert detect(text) == expected


def test_fix_text_converts_legacy_lines_and_keeps_unicode_lines():
    text = "QuyÕt ®Þnh cña Bé tr­ëng\nNghị định số 114/2003/NĐ-CP\nsè 115/2004/Q§-TTg\nvÒ viÖc ban hµnh"
    out, found = fix_text(text)
    assert found == TCVN3
    assert out.split("\n") == [
        "Quyết định của Bộ trưởng",
        "Nghị định số 114/2003/NĐ-CP",
        "số 115/2004/QĐ-TTg",
        "về việc ban hành",
    ]


def test_fix_text_leaves_unicode_alone():
    text = "Bắc Kạn: Hội nghị giao ban công tác tuyên giáo quý I/2023\nThứ Năm, 13/4/2023 7:53"
    assert fix_text(text) == (text, None)


def test_convert_none_is_identity():
    assert convert("NghÞ", None) == "NghÞ"
