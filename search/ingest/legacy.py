"""Pre-Unicode Vietnamese encodings (TCVN3/ABC and VNI) to Unicode.

Documents typed before Unicode used 8-bit fonts: the bytes were ordinary
Windows-1252 bytes, and the *font* drew them as Vietnamese letters. Read as
Unicode they look like ``NghÞ ®Þnh sè 114/2003/N§-CP`` (TCVN3) or ``Quyeát
ñònh soá`` (VNI). Two situations arise:

* the font is known (a run in ``.VnTime`` or ``VNI-Times`` in an .rtf/.docx):
  ``font_encoding`` names the encoding and ``convert`` applies it;
* only the text is known (.pdf text layer, .txt, .html): ``fix_text`` decides,
  line by line, whether converting turns the words it changes into real
  Vietnamese syllables (pyvi's syllable list) and converts only then.

Both tables are written out here from the published code charts; the tests check
them against known answers and the govdocs transcripts.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

TCVN3 = "tcvn3"
VNI = "vni"

# ------------------------------------------------------------------ TCVN3

# TCVN 5712:1993 VN3 ("ABC"): one byte per precomposed lower-case letter;
# upper case exists only for the seven unaccented letters, accented capitals
# were typed with a separate capitals font (.VnTimeH) over the lower-case codes.
_TCVN3_BYTES = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}
_TCVN3_CHARS: dict[str, str] = {bytes([b]).decode("latin-1"): ch for b, ch in _TCVN3_BYTES.items()}
# PDF text layers name some glyphs of .Vn fonts after their look, not their byte:
# the soft hyphen (0xAD, ư) comes out as U+2212 MINUS SIGN and the middle dot
# (0xB7, ã) as U+2219 BULLET OPERATOR.
_TCVN3_CHARS.update({"\u2212": "ư", "\u2219": "ã"})
_TCVN3_TABLE = str.maketrans(_TCVN3_CHARS)


def decode_tcvn3(text: str, upper: bool = False) -> str:
    """TCVN3 text read as Windows-1252/Latin-1 -> Unicode.

    ``upper``: the run was in a capitals font (``.VnTimeH``), which draws every
    letter, plain ASCII ones included, as a capital.
    """
    out = text.translate(_TCVN3_TABLE)
    return out.upper() if upper else out


# -------------------------------------------------------------------- VNI

# VNI Windows: a base letter followed by one or two mark bytes. Lower- and
# upper-case marks mean the same; the letter's case comes from the base.
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_VNI_TONES = {"ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT, "î": _DOT}
_VNI_CIRC_TONES = {"á": _ACUTE, "à": _GRAVE, "å": _HOOK, "ã": _TILDE, "ä": _DOT}  # on a e o
_VNI_BREVE_TONES = {"é": _ACUTE, "è": _GRAVE, "ú": _HOOK, "ü": _TILDE, "ë": _DOT}  # on a
# Letters that stand alone: ơ ư đ, and the i's, which have their own codes.
_VNI_LETTERS = {"ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị"}


def _both_cases(table: dict[str, str]) -> dict[str, str]:
    return {**table, **{k.upper(): v for k, v in table.items()}}


_VNI_TONES_ANY = _both_cases(_VNI_TONES)
_VNI_CIRC_ANY = _both_cases(_VNI_CIRC_TONES)
_VNI_BREVE_ANY = _both_cases(_VNI_BREVE_TONES)
_VNI_SHAPE = {"â": _CIRC, "Â": _CIRC, "ê": _BREVE, "Ê": _BREVE}
_VNI_BASES = "aeiouyAEIOUYôÔöÖ"
_VNI_MARKS = "".join(sorted(set(_VNI_TONES_ANY) | set(_VNI_CIRC_ANY) | set(_VNI_BREVE_ANY) | set(_VNI_SHAPE)))
_VNI_SYLLABLE = re.compile(f"([{_VNI_BASES}])([{re.escape(_VNI_MARKS)}]{{1,2}})")
_VNI_LETTER_RE = re.compile(f"[{''.join(_both_cases(_VNI_LETTERS))}]")


def _vni_base(ch: str) -> str:
    """The base letter as NFD: ô/ö standing alone are ơ/ư (o/u with a horn)."""
    if ch not in "ôÔöÖ":
        return ch
    letter = "o" if ch in "ôÔ" else "u"
    return (letter.upper() if ch.isupper() else letter) + _HORN


def _vni_marks(base: str, marks: str) -> tuple[str, str] | None:
    """Combining marks for ``marks`` after ``base``, and any marks left unused."""
    low = base.lower()
    first, rest = marks[0], marks[1:]
    if first in _VNI_SHAPE:
        shape = _VNI_SHAPE[first]
        if (shape == _CIRC and low not in "aeo") or (shape == _BREVE and low != "a"):
            return None
        # A shape mark then a separate tone mark (``VEÂØ`` = VỀ), typed as two keys.
        if rest and rest[0] in _VNI_TONES_ANY:
            return shape + _VNI_TONES_ANY[rest[0]], rest[1:]
        return shape, rest
    if first in _VNI_CIRC_ANY and low in "aeo":
        return _CIRC + _VNI_CIRC_ANY[first], rest
    if first in _VNI_BREVE_ANY and low == "a":
        return _BREVE + _VNI_BREVE_ANY[first], rest
    if first in _VNI_TONES_ANY and (first not in "îÎ" or low == "y"):
        return _VNI_TONES_ANY[first], rest
    return None


def decode_vni(text: str) -> str:
    """VNI Windows text read as Windows-1252 -> Unicode (NFC)."""

    def syllable(m: re.Match) -> str:
        base, marks = m.group(1), m.group(2)
        found = _vni_marks(base, marks)
        if found is None:
            return _vni_base(base) + marks if base in "ôÔöÖ" else m.group(0)
        combining, rest = found
        return _vni_base(base) + combining + rest

    out = _VNI_SYLLABLE.sub(syllable, text)
    out = _VNI_LETTER_RE.sub(
        lambda m: _VNI_LETTERS[m.group(0).lower()].upper()
        if m.group(0).isupper()
        else _VNI_LETTERS[m.group(0)],
        out,
    )
    return unicodedata.normalize("NFC", out)


# ------------------------------------------------------------------ common


def convert(text: str, encoding: str | None, upper: bool = False) -> str:
    """``text`` decoded from ``encoding`` (TCVN3, VNI, or None: unchanged)."""
    if encoding == TCVN3:
        return decode_tcvn3(text, upper=upper)
    if encoding == VNI:
        return decode_vni(text)
    return text


def font_encoding(font: str | None) -> tuple[str | None, bool]:
    """The legacy encoding a font name implies, and whether it draws capitals only.

    ``.VnTime``, ``.VnArial``, ... are TCVN3 fonts, their capitals-only twins end
    in ``H`` (``.VnTimeH``, ``.VnArial NarrowH``); ``VNI-Times``, ``VNI-Helve``,
    ... are VNI fonts. PDF subsets prefix a tag (``ABCDEF+.VnTime``).
    """
    if not font:
        return None, False
    name = font.split("+", 1)[-1].strip()
    if re.match(r"VNI[- ]", name, re.IGNORECASE):
        return VNI, False
    # PDFs drop the dot and glue the style on: ``VnTimeHBold``, ``.VnTimeH,Bold``.
    if re.match(r"\.?Vn[A-Z0-9]", name):
        base = re.sub(r"[ ,-]?(Bold|Italic|Oblique|Regular)+$", "", name, flags=re.IGNORECASE)
        return TCVN3, base.endswith("H")
    return None, False


# -------------------------------------------------------------- detection

_LETTERS = re.compile(r"[^\W\d_]+")
# Characters without which a text cannot be TCVN3 or VNI: cheap pre-check so
# that ordinary Unicode text is never scored.
_SIGNATURE = re.compile(
    "[" + re.escape("".join(_TCVN3_CHARS) + _VNI_MARKS + "".join(_both_cases(_VNI_LETTERS))) + "]"
)

# Of those, the characters that are not Vietnamese letters (``®`` for đ in TCVN3,
# ``ñ``, ``ø``, ``ö`` in VNI): every legacy document has some; Unicode
# Vietnamese, whose ``á`` or ``õ`` also appear in the tables, has none. This
# keeps ordinary text from being scored at all (scoring is the costly part).
_VIETNAMESE_LETTERS = frozenset(
    unicodedata.normalize("NFC", v + t)
    for v in "aăâeêioôơuưy"
    for t in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
) | frozenset("bcdđghklmnpqrstvx")
_ALIEN = re.compile(
    "[" + re.escape("".join(sorted({c for c in _SIGNATURE.pattern if c.lower() not in _VIETNAMESE_LETTERS
                                    and not c.isascii()}))) + "]"
)


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    from search.text.normalize import canonical_syllable
    from search.text.segment import known_syllables

    return frozenset(canonical_syllable(s) for s in known_syllables())


def _known_count(chunks: list[str]) -> tuple[int, int]:
    """(real Vietnamese syllables, all letter runs of two letters or more) in ``chunks``."""
    from search.text.normalize import canonical_syllable

    known = _known()
    # One-letter runs (ă, ở, a stray Ă from a random byte) are too weak evidence.
    runs = [r for c in chunks for r in _LETTERS.findall(unicodedata.normalize("NFC", c)) if len(r) > 1]
    return sum(canonical_syllable(r) in known for r in runs), len(runs)


def _gain(text: str, encoding: str) -> tuple[int, int, int]:
    """How converting ``text`` changes it: (syllables gained, known after, runs after).

    Only the whitespace-separated chunks that the conversion changes are
    weighed, so a long text with a few legacy words is judged on those words.
    """
    before, after = [], []
    for chunk in text.split():
        new = convert(chunk, encoding)
        if new != chunk:
            before.append(chunk)
            after.append(new)
    if not after:
        return 0, 0, 0
    known_before, _ = _known_count(before)
    known_after, runs_after = _known_count(after)
    return known_after - known_before, known_after, runs_after


def detect(text: str) -> str | None:
    """TCVN3 or VNI if converting ``text`` that way is clearly right, else None.

    Clearly right: the words the conversion changes gain two real syllables or
    more, and at least half of them are real syllables afterwards. Unicode Vietnamese fails
    this (converting it garbles its words), and so does text in other languages.
    """
    if not _SIGNATURE.search(text) or not _ALIEN.search(text):
        return None
    best, best_gain = None, 1  # at least two syllables gained
    for encoding in (TCVN3, VNI):
        gain, known, runs = _gain(text, encoding)
        if gain > best_gain and known * 2 >= runs:
            best, best_gain = encoding, gain
    return best


def fix_text(text: str) -> tuple[str, str | None]:
    """Convert the legacy-encoded lines of ``text``; returns (text, encoding found).

    The document is judged as a whole first (``detect``), then line by line
    (``fix_lines``), so mixed documents come out right.
    """
    found = detect(text)
    return fix_lines(text, found), found


def fix_lines(text: str, found: str | None) -> str:
    """Convert the lines of a document judged to be in ``found`` (None: unchanged).

    Each line is converted if that gains it syllables, or if it is undecided
    (codes like ``Q§-TTg``, no word either way) and the document is in that
    encoding. Lines that are already Unicode lose syllables when converted and
    are left alone; a line that gains more in the other legacy encoding gets that.
    """
    if found is None:
        return text
    other = VNI if found == TCVN3 else TCVN3
    lines = []
    for line in text.split("\n"):
        if not _SIGNATURE.search(line):
            lines.append(line)
            continue
        gain_found, gain_other = _gain(line, found)[0], _gain(line, other)[0]
        if gain_other > max(gain_found, 0):
            lines.append(convert(line, other))
        elif gain_found >= 0:  # a gain, or no evidence either way: the document's encoding
            lines.append(convert(line, found))
        else:
            lines.append(line)
    return "\n".join(lines)
