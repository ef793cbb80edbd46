"""Bytes and font runs to Unicode text, shared by the format readers.

``decode_text``: the encoding of a text file's bytes (byte-order mark, UTF-8,
legacy TCVN3/VNI, Windows-1258), also the fallback for web pages without a
usable charset. ``runs_to_text``: paragraphs of (text, font) runs, as the
formats that name fonts give them, with runs in TCVN3/VNI fonts converted
(``search.ingest.legacy``).
"""

from __future__ import annotations

import re
import unicodedata

from search.ingest import legacy
from search.ingest.formats.base import Runs, Skip

# Magic numbers of formats that are never plain text.
MAGIC = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8",
         b"\x7fELF", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"Rar!", b"7z\xbc\xaf", b"MZ")
BOMS = [  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
]
_CONTROL = set(range(0x09)) | {0x0B, 0x0E, 0x0F} | set(range(0x10, 0x1B)) | set(range(0x1C, 0x20))
# Bytes looked at for a binary signature or control bytes: the first 64 KiB.
BINARY_SNIFF_BYTES = 65536
# Over this share of control bytes (tab, line ends and form feed excepted) is binary data.
MAX_CONTROL_SHARE = 0.1
# Windows-1258 is accepted only if at least this share of the words with a
# non-ASCII letter are Vietnamese syllables: any byte string decodes in a
# single-byte code page, so only the words it produces tell a right guess.
MIN_VIETNAMESE_SHARE = 0.8
UNDECODABLE = "not valid text in UTF-8, UTF-16 or Windows-1258"


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a text file's bytes; raises ``Skip``.

    UTF-8 with or without BOM, UTF-16/32 with BOM. Without a BOM, NUL bytes or
    many control bytes mean binary data. Bytes that are not UTF-8 are tried as
    TCVN3/VNI (by syllable score, see ``search.ingest.legacy``) and as Windows-1258,
    the Vietnamese Windows code page; both are accepted only when the result
    reads as Vietnamese, because almost any byte string decodes in a single-byte
    code page: otherwise the file is "not valid text".
    """
    if not data.strip():
        raise Skip("empty file")
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec.replace("-sig", "")
            except UnicodeDecodeError:
                raise Skip(f"not valid {codec.replace('-sig', '').upper()} after its byte order mark") from None
    head = data[:BINARY_SNIFF_BYTES]
    if head.startswith(MAGIC) or sum(b in _CONTROL for b in head) > MAX_CONTROL_SHARE * len(head):
        raise Skip("binary file")
    if b"\x00" in data:
        raise Skip("contains NUL bytes")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    as_latin = data.decode("cp1252", errors="ignore") if _cp1252_ok(data) else data.decode("latin-1")
    fixed, found = legacy.fix_text(as_latin)
    if found:
        return fixed, found
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        raise Skip(UNDECODABLE) from None
    if looks_vietnamese(text):
        return text, "cp1258"
    raise Skip(UNDECODABLE)


def _cp1252_ok(data: bytes) -> bool:
    try:
        data.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def looks_vietnamese(text: str) -> bool:
    """Most words with a non-ASCII letter are Vietnamese syllables (and there are some).

    Judged only on those words because an ASCII word reads the same in every
    code page: they say nothing about whether the guess was right.
    """
    words = [w for w in re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", text)) if not w.isascii()]
    known, total = legacy._known_count(words)
    return total > 0 and known >= MIN_VIETNAMESE_SHARE * total


def runs_to_text(paragraphs: list[Runs], *, detect_runs: bool = False) -> tuple[str, str]:
    """Paragraphs of (text, font name) runs -> (text, encoding summary).

    Runs in a TCVN3 (``.Vn*``) or VNI (``VNI-*``) font are converted by their
    font. Paragraphs with no such run are judged by detection, all together,
    because documents whose fonts were swapped for Times New Roman still hold
    TCVN3 bytes. With ``detect_runs`` (spreadsheet rows, whose cells each have
    their own font, and .doc), the other runs of a paragraph that has a legacy
    font run are judged by detection too, instead of being kept as they are:
    line by line, in the document's detected encoding, else the paragraph's
    fonts' (``legacy.fix_lines`` converts a line only if that gains syllables or
    leaves them even).
    """
    rendered: list[tuple[list[str], bool]] = []  # each paragraph's parts, and whether a font decided
    used: set[str] = set()
    # (paragraph, part, encoding of the paragraph's legacy fonts) of runs beside legacy-font runs
    pending: list[tuple[int, int, str]] = []
    for runs in paragraphs:
        parts, plain, fonts_say = [], [], None
        for text, font in runs:
            encoding, upper = legacy.font_encoding(font)
            if encoding:
                fonts_say = fonts_say or encoding
                used.add(encoding)
            else:
                plain.append(len(parts))
            parts.append(legacy.convert(text, encoding, upper))
        by_font = fonts_say is not None
        if by_font and detect_runs:
            pending += [(len(rendered), i, fonts_say) for i in plain]
        rendered.append((parts if by_font else ["".join(parts)], by_font))
    unknown = [parts[0] for parts, by_font in rendered if not by_font]
    unknown += [rendered[n][0][i] for n, i, _ in pending]
    found = legacy.detect("\n".join(unknown))
    if found:
        used.add(found)
    for n, i, fonts_say in pending:
        # A document of Unicode and legacy cells may detect as neither: the row's fonts decide then,
        # and fix_lines still converts only the lines that gain from it.
        rendered[n][0][i] = legacy.fix_lines(rendered[n][0][i], found or fonts_say)
    out = ["".join(parts) if by_font else legacy.fix_lines(parts[0], found) for parts, by_font in rendered]
    text = "\n\n".join(p for p in (_clean_paragraph(t) for t in out) if p)
    return text, "+".join(sorted(used)) or "unicode"


def _clean_paragraph(text: str) -> str:
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)
