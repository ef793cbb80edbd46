"""Word 97-2003 (.doc): a small reader of our own over olefile, with each run's font.

Written from Microsoft's public [MS-DOC] specification because no maintained
Python package reads .doc text completely (headers, footnotes and text boxes
were lost) and none gives the font of each run, which is what marks TCVN3/VNI
text (see README, "Dependencies and why"). olefile opens the compound file; the
rest is here:

- the ``WordDocument`` stream starts with the FIB, which says which table
  stream (``0Table``/``1Table``) holds the structures below and how many
  characters each story has (main text, footnotes, headers, comments,
  endnotes, text boxes: all of them are read, in that order);
- the CLX's piece table maps character positions to stretches of the
  ``WordDocument`` stream, each in 8-bit Windows-1252 ("compressed") or UTF-16;
- character formatting (CHPX in the FKP pages of PlcBteChpx) names each run's
  font, as an index into the font table (SttbfFfn); a run that sets none takes
  its character style's, its paragraph style's (PAPX -> style sheet, following
  ``istdBase``) or the document default's.

Runs in ``.Vn*``/``VNI-*`` fonts are converted by font, the rest by detection
(``encoding.runs_to_text``), as for .rtf and .docx. Field codes are dropped and
their results kept; table cells and line breaks end a paragraph.

Word 6/95 files (an older FIB, text in one 8-bit stretch) are read without
fonts, by detection. A .doc that is really RTF or .docx (web sites renamed
them) goes to that reader. olefile is imported inside the reader.
"""

from __future__ import annotations

import struct
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

from search.ingest import legacy
from search.ingest.formats.base import FileText, Runs, Skip
from search.ingest.formats.encoding import runs_to_text

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORD_IDENT = 0xA5EC
NFIB_WORD97 = 0xC1  # Word 97 and later write nFib 193 (later versions extend the FIB)
NFIB_WORD6 = 0x65  # Word 6 (101) and Word 95 (104) have the older FIB
PAGE = 512  # FKP pages are 512 bytes of the WordDocument stream

# Pairs of FibRgFcLcb97 (index of the (fc, lcb) pair): where each structure lies in the table stream.
_STSHF, _PLCF_BTE_CHPX, _PLCF_BTE_PAPX, _STTBF_FFN, _CLX = 1, 12, 13, 15, 33
# Character properties (sprm codes) that name fonts and styles.
SPRM_CRGFTC0 = 0x4A4F  # font of ASCII characters
SPRM_CRGFTC2 = 0x4A51  # font of the other (non East Asian) characters: Vietnamese 8-bit letters
SPRM_CISTD = 0x4A30  # character style
_NO_STYLE = 0x0FFF

# Characters of the text stream that are structure, not text.
_PARAGRAPH_ENDS = {"\r", "\x07", "\x0c", "\x0e"}  # paragraph, table cell/row, page/section and column breaks
_PARAGRAPH_MARKS = {"\r", "\x07", "\x0c"}  # those that carry the paragraph's properties
_FIELD_BEGIN, _FIELD_SEPARATOR, _FIELD_END = "\x13", "\x14", "\x15"
_REPLACE = {"\x0b": "\n", "\x1e": "-", "\t": "\t"}  # line break, non-breaking hyphen, tab
# Windows-1252 with its five unassigned bytes kept as their Latin-1 characters (as the rtf reader does).
_CP1252 = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))


def read_doc(path: Path) -> FileText:
    """The text of a Word 97-2003 document, each run converted by its font."""
    data = path.read_bytes()
    if data.lstrip().startswith(b"{\\rtf"):  # an RTF file named .doc
        from search.ingest.formats.rtf import read_rtf

        return read_rtf(path)
    if data.startswith(b"PK\x03\x04"):  # a .docx named .doc
        from search.ingest.formats.docx import read_docx

        return read_docx(path)
    if not data.startswith(OLE_MAGIC):
        raise Skip("not a Word 97-2003 document")
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            if not ole.exists("WordDocument"):
                raise Skip("not a Word document (no WordDocument stream)")
            word = ole.openstream("WordDocument").read()
            fib = _Fib.read(word)
            if fib.nfib < NFIB_WORD97:
                return _read_word6(word, fib)
            table_name = "1Table" if fib.which_table else "0Table"
            if not ole.exists(table_name):
                raise Skip(f"damaged .doc (no {table_name} stream)")
            table = ole.openstream(table_name).read()
    except Skip:
        raise
    except (OSError, struct.error, IndexError, ValueError) as exc:  # olefile's and ours on damaged files
        raise Skip(f"damaged .doc ({str(exc).splitlines()[0][:60] if str(exc) else type(exc).__name__})") from None
    try:
        paragraphs = _Document(word, table, fib).paragraphs()
    except (struct.error, IndexError, ValueError) as exc:
        raise Skip(f"damaged .doc ({str(exc)[:60] or type(exc).__name__})") from None
    text, encoding = runs_to_text(paragraphs, detect_runs=True)
    return FileText(text, encoding=encoding)


@dataclass
class _Fib:
    """What the reader needs of the File Information Block."""

    nfib: int
    which_table: bool
    complex: bool
    fc_lcb: list[tuple[int, int]]  # FibRgFcLcb: (offset in the table stream, size) pairs
    word6_text: tuple[int, int] = (0, 0)  # Word 6/95: the text's (start, end) in WordDocument

    @classmethod
    def read(cls, word: bytes) -> _Fib:
        ident, nfib = struct.unpack_from("<HH", word, 0)
        if ident != WORD_IDENT:
            raise Skip("not a Word document (bad FIB)")
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if flags & 0x0100:  # fEncrypted
            raise Skip("encrypted .doc")
        complex_ = bool(flags & 0x0004)
        if nfib < NFIB_WORD6:
            raise Skip(f"Word 2 or older .doc (nFib {nfib}) is not supported")
        if nfib < NFIB_WORD97:
            fc_min, fc_mac = struct.unpack_from("<II", word, 0x18)
            return cls(nfib, False, complex_, [], (fc_min, fc_mac))
        # FibBase (32 bytes), csw + fibRgW, cslw + fibRgLw, cbRgFcLcb + fibRgFcLcbBlob.
        pos = 32
        csw = struct.unpack_from("<H", word, pos)[0]
        pos += 2 + 2 * csw
        cslw = struct.unpack_from("<H", word, pos)[0]
        pos += 2 + 4 * cslw
        count = struct.unpack_from("<H", word, pos)[0]
        pairs = list(struct.iter_unpack("<II", word[pos + 2 : pos + 2 + 8 * count]))
        return cls(nfib, bool(flags & 0x0200), complex_, pairs)

    def where(self, index: int) -> tuple[int, int]:
        return self.fc_lcb[index] if index < len(self.fc_lcb) else (0, 0)


def _read_word6(word: bytes, fib: _Fib) -> FileText:
    """Word 6/95: the text is one 8-bit stretch unless the file was fast-saved."""
    if fib.complex:
        raise Skip("fast-saved Word 6/95 .doc is not supported")
    start, end = fib.word6_text
    text = word[start:end].decode("latin-1").translate(_CP1252_TABLE)
    paragraphs: list[Runs] = [[(p, None)] for p in _Builder.plain(text)]
    out, encoding = runs_to_text(paragraphs)
    return FileText(out, encoding=encoding)


_CP1252_TABLE = str.maketrans({chr(b): c for b, c in enumerate(_CP1252) if chr(b) != c})


@dataclass(frozen=True)
class _Chp:
    """A run's font settings: its own fonts (ASCII, other), its character style."""

    ftc0: int | None = None
    ftc2: int | None = None
    istd: int | None = None


@dataclass(frozen=True)
class _Piece:
    cp_start: int
    cp_end: int
    fc: int  # byte offset of the piece's first character in WordDocument
    compressed: bool  # 8-bit (Windows-1252) rather than UTF-16
    chp: _Chp | None = None  # fonts a fast save set on the whole piece (its Prm), over the runs' own


class _Document:
    """One Word 97+ document: pieces, fonts, styles, and the paragraphs they make."""

    def __init__(self, word: bytes, table: bytes, fib: _Fib) -> None:
        self.word, self.table, self.fib = word, table, fib
        self.pieces = self._pieces()
        self.fonts = self._fonts()
        self.default_font, self.style_fonts = self._styles()
        self.chp_fc, self.chp = self._chpx_runs()
        self.pap_fc, self.pap = self._papx_runs()

    def _slice(self, index: int) -> bytes:
        fc, lcb = self.fib.where(index)
        if lcb and fc + lcb > len(self.table):
            raise ValueError("structure outside the table stream")
        return self.table[fc : fc + lcb] if lcb else b""

    # ------------------------------------------------------------ pieces

    def _pieces(self) -> list[_Piece]:
        """The piece table: the CLX's Pcdt, after any Prc (property modifiers)."""
        clx = self._slice(_CLX)
        pos = 0
        prcs: list[_Chp] = []  # property changes of fast-saved documents, named by the pieces' Prm
        while pos < len(clx) and clx[pos] == 0x01:  # Prc: clxt, cbGrpprl, grpprl
            size = struct.unpack_from("<h", clx, pos + 1)[0]
            prcs.append(_grpprl_chp(clx[pos + 3 : pos + 3 + size]))
            pos += 3 + size
        if pos >= len(clx) or clx[pos] != 0x02:
            raise ValueError("no piece table")
        size = struct.unpack_from("<I", clx, pos + 1)[0]
        plc = clx[pos + 5 : pos + 5 + size]
        n = (len(plc) - 4) // 12  # n + 1 CPs (4 bytes) and n PCDs (8 bytes)
        cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
        pieces = []
        for i in range(n):
            fc_value, prm = struct.unpack_from("<IH", plc, 4 * (n + 1) + 8 * i + 2)
            compressed = bool(fc_value & 0x40000000)
            fc = fc_value & 0x3FFFFFFF
            # Prm: bit 0 set, the rest indexes a Prc (a single-sprm Prm never sets a font)
            chp = prcs[prm >> 1] if prm & 1 and prm >> 1 < len(prcs) else None
            pieces.append(_Piece(cps[i], cps[i + 1], fc // 2 if compressed else fc, compressed, chp))
        return pieces

    # ------------------------------------------------------------- fonts

    def _fonts(self) -> list[str]:
        """Font names by index (SttbfFfn: a count, then one FFN per font)."""
        data = self._slice(_STTBF_FFN)
        if len(data) < 4:
            return []
        count, pos = struct.unpack_from("<H", data, 0)[0], 4
        if count == 0xFFFF:  # an extended STTB: the count follows
            count, pos = struct.unpack_from("<H", data, 2)[0], 6
        names = []
        for _ in range(count):
            if pos >= len(data):
                break
            size = data[pos] + 1  # cbFfnM1
            name = data[pos + 40 : pos + size].decode("utf-16-le", errors="replace")  # xszFfn after 40 bytes
            names.append(name.split("\x00")[0])
            pos += size
        return names

    def _styles(self) -> tuple[tuple[int | None, int | None], dict[int, tuple[int | None, int | None]]]:
        """(default fonts, fonts of each style) from the style sheet (STSH), following ``istdBase``."""
        data = self._slice(_STSHF)
        if len(data) < 2:
            return (None, None), {}
        stshi_size = struct.unpack_from("<H", data, 0)[0]
        count, base_size = struct.unpack_from("<HH", data, 2)
        ftc_ascii, _ftc_east_asian, ftc_other = struct.unpack_from("<HHH", data, 2 + 12)
        own: dict[int, _Chp] = {}
        bases: dict[int, int] = {}
        pos = 2 + stshi_size
        for istd in range(count):
            if pos + 2 > len(data):
                break
            size = struct.unpack_from("<H", data, pos)[0]
            std = data[pos + 2 : pos + 2 + size]
            pos += 2 + size
            if size < base_size + 2:
                continue
            kind = std[2] & 0x0F  # stk: 1 paragraph, 2 character, 3 table, 4 list
            bases[istd] = struct.unpack_from("<H", std, 2)[0] >> 4
            upx_count = std[4] & 0x0F
            name_length = struct.unpack_from("<H", std, base_size)[0]
            upx = base_size + 2 + 2 * name_length + 2
            chpx_at = {1: 1, 2: 0, 3: 2}.get(kind)
            for i in range(upx_count):
                upx += upx % 2
                if upx + 2 > len(std):
                    break
                upx_size = struct.unpack_from("<H", std, upx)[0]
                if i == chpx_at:
                    own[istd] = _grpprl_chp(std[upx + 2 : upx + 2 + upx_size])
                upx += 2 + upx_size
        resolved: dict[int, tuple[int | None, int | None]] = {}
        for istd in bases:
            fonts: list[int | None] = [None, None]
            seen, cur = set(), istd
            while cur in bases and cur not in seen and None in fonts:
                seen.add(cur)
                chp = own.get(cur, _Chp())
                fonts[0] = fonts[0] if fonts[0] is not None else chp.ftc0
                fonts[1] = fonts[1] if fonts[1] is not None else chp.ftc2
                cur = bases[cur]
            resolved[istd] = (fonts[0], fonts[1])
        return (ftc_ascii, ftc_other), resolved

    # --------------------------------------------------------- formatting

    def _bte_pages(self, index: int) -> list[int]:
        """Page numbers of the FKPs listed by a PlcBteChpx/PlcBtePapx."""
        plc = self._slice(index)
        if len(plc) < 8:
            return []
        n = (len(plc) - 4) // 8
        return [pn & 0x3FFFFF for pn in struct.unpack_from(f"<{n}I", plc, 4 * (n + 1))]

    def _fkp_entries(self, index: int, stride: int):
        """(page, start, end, property offset) of each run the FKPs listed by a PlcBte describe.

        ``stride``: bytes of each run's record after the run boundaries (1 for
        character runs, 13 for paragraph runs: bOffset and a 12-byte PHE).
        """
        for pn in self._bte_pages(index):
            page = self.word[pn * PAGE : (pn + 1) * PAGE]
            if len(page) < PAGE:
                continue
            crun = page[PAGE - 1]
            fcs = struct.unpack_from(f"<{crun + 1}I", page, 0)
            for i in range(crun):
                yield page, fcs[i], fcs[i + 1], page[4 * (crun + 1) + stride * i] * 2

    @staticmethod
    def _sorted(runs: list[tuple[int, int, object]]) -> tuple[list[int], list[tuple[int, object]]]:
        runs.sort(key=lambda r: r[0])
        return [r[0] for r in runs], [(r[1], r[2]) for r in runs]

    def _chpx_runs(self) -> tuple[list[int], list[tuple[int, _Chp]]]:
        """Sorted run starts (byte offsets) and (end, character properties) of each run."""
        runs = []
        for page, start, end, offset in self._fkp_entries(_PLCF_BTE_CHPX, 1):
            chp = _Chp()
            if offset:
                size = page[offset]
                chp = _grpprl_chp(page[offset + 1 : offset + 1 + size])
            runs.append((start, end, chp))
        return self._sorted(runs)

    def _papx_runs(self) -> tuple[list[int], list[tuple[int, int]]]:
        """Sorted paragraph starts (byte offsets) and (end, paragraph style) of each."""
        runs = []
        for page, start, end, offset in self._fkp_entries(_PLCF_BTE_PAPX, 13):
            istd = 0
            if offset:
                at = offset + 1 if page[offset] else offset + 2  # cb, or 0 then cb'
                istd = struct.unpack_from("<H", page, at)[0]
            runs.append((start, end, istd))
        return self._sorted(runs)

    def _paragraph_style(self, mark_fc: int) -> int:
        """The style of the paragraph whose mark (its last character) is at byte offset ``mark_fc``."""
        j = bisect_right(self.pap_fc, mark_fc) - 1
        return self.pap[j][1] if j >= 0 and mark_fc < self.pap[j][0] else 0

    def _font_at(self, fc: int, piece: _Piece, para_style: int) -> str | None:
        """The font of the character at byte offset ``fc``: its piece's, its own, its styles', the default."""
        chp = _Chp()
        i = bisect_right(self.chp_fc, fc) - 1
        if i >= 0 and fc < self.chp[i][0]:
            chp = self.chp[i][1]
        layers = [(chp.ftc0, chp.ftc2)]
        if piece.chp is not None:
            layers.insert(0, (piece.chp.ftc0, piece.chp.ftc2))
        if chp.istd is not None:
            layers.append(self.style_fonts.get(chp.istd, (None, None)))
        layers += [self.style_fonts.get(para_style, (None, None)), self.default_font]
        ascii_font = next((a for a, _ in layers if a is not None), None)
        other_font = next((o for _, o in layers if o is not None), None)
        names = [self.fonts[f] for f in (other_font, ascii_font) if f is not None and f < len(self.fonts)]
        # Vietnamese letters are 8-bit characters, drawn with the "other" font: a legacy one wins.
        return next((n for n in names if legacy.font_encoding(n)[0]), names[0] if names else None)

    def _boundaries(self, start: int, end: int) -> list[int]:
        """Byte offsets in [start, end) where the font may change."""
        cuts = {start}
        for starts in (self.chp_fc, self.pap_fc):
            i = bisect_right(starts, start)
            while i < len(starts) and starts[i] < end:
                cuts.add(starts[i])
                i += 1
        return sorted(cuts)

    # ------------------------------------------------------------- text

    def paragraphs(self) -> list[Runs]:
        """The text, cut where the font may change and after each paragraph mark, then given fonts.

        A paragraph's properties (its style) sit with its mark, which a fast-saved
        document may keep in another piece: so the marks are found first.
        """
        segments: list[tuple[str, int, _Piece, int]] = []  # text, its byte offset, piece, paragraph number
        mark_fcs: list[int] = []  # byte offset of each paragraph's mark
        size = sum((p.cp_end - p.cp_start) * (1 if p.compressed else 2) for p in self.pieces)
        if size > len(self.word):  # pieces never overlap: a damaged table would read the stream many times
            raise ValueError("piece table larger than the WordDocument stream")
        for piece in self.pieces:
            width = 1 if piece.compressed else 2
            end = piece.fc + (piece.cp_end - piece.cp_start) * width
            if end > len(self.word):
                raise ValueError("piece outside the WordDocument stream")
            cuts = self._boundaries(piece.fc, end) + [end]
            for a, b in zip(cuts, cuts[1:]):
                a += (a - piece.fc) % width  # a run boundary inside a UTF-16 character
                if a >= b:
                    continue
                raw = self.word[a:b]
                text = raw.decode("latin-1").translate(_CP1252_TABLE) if piece.compressed else raw.decode(
                    "utf-16-le", errors="replace")
                start = 0
                for k, ch in enumerate(text):
                    if ch in _PARAGRAPH_MARKS:
                        segments.append((text[start : k + 1], a + start * width, piece, len(mark_fcs)))
                        mark_fcs.append(a + k * width)
                        start = k + 1
                if start < len(text):
                    segments.append((text[start:], a + start * width, piece, len(mark_fcs)))
        styles = [self._paragraph_style(fc) for fc in mark_fcs]
        builder = _Builder()
        for text, fc, piece, number in segments:
            style = styles[number] if number < len(styles) else 0
            builder.add(text, self._font_at(fc, piece, style))
        return builder.done()


def _grpprl_chp(grpprl: bytes) -> _Chp:
    """The fonts and character style a list of character sprms sets."""
    ftc0 = ftc2 = istd = None
    pos = 0
    while pos + 2 <= len(grpprl):
        sprm = struct.unpack_from("<H", grpprl, pos)[0]
        pos += 2
        size = _operand_size(sprm, grpprl, pos)
        if size is None or pos + size > len(grpprl):
            break
        if size == 2:
            value = struct.unpack_from("<H", grpprl, pos)[0]
            if sprm == SPRM_CRGFTC0:
                ftc0 = value
            elif sprm == SPRM_CRGFTC2:
                ftc2 = value
            elif sprm == SPRM_CISTD:
                istd = value
        pos += size
    return _Chp(ftc0, ftc2, istd)


def _operand_size(sprm: int, grpprl: bytes, pos: int) -> int | None:
    """Bytes of a sprm's operand: fixed by its spra bits, or given by its first byte."""
    spra = sprm >> 13
    if spra == 6:
        if sprm == 0xD608:  # sprmTDefTable: a 2-byte size, one more than the bytes that follow
            return 1 + struct.unpack_from("<H", grpprl, pos)[0] if pos + 2 <= len(grpprl) else None
        return 1 + grpprl[pos] if pos < len(grpprl) else None
    return (1, 1, 2, 4, 2, 2, None, 3)[spra]


class _Builder:
    """Collects the text stream into paragraphs of (text, font) runs."""

    def __init__(self) -> None:
        self.paragraphs: list[Runs] = [[]]
        self.fields: list[bool] = []  # open fields: True while in the field's code, False in its result

    def add(self, text: str, font: str | None) -> None:
        part: list[str] = []
        for ch in text:
            if ch == _FIELD_BEGIN:
                self.fields.append(True)
            elif ch == _FIELD_SEPARATOR:
                if self.fields:
                    self.fields[-1] = False
            elif ch == _FIELD_END:
                if self.fields:
                    self.fields.pop()
            elif any(self.fields):
                continue  # a field's code (PAGE, HYPERLINK "...", TOC \o): not text
            elif ch in _PARAGRAPH_ENDS:
                self._emit("".join(part), font)
                part = []
                self.paragraphs.append([])
            elif ch in _REPLACE:
                part.append(_REPLACE[ch])
            elif ch >= " ":
                part.append(ch)
            # other control characters (pictures, footnote marks, drawn objects) are dropped
        self._emit("".join(part), font)

    def _emit(self, text: str, font: str | None) -> None:
        if not text:
            return
        runs = self.paragraphs[-1]
        if runs and runs[-1][1] == font:
            runs[-1] = (runs[-1][0] + text, font)
        else:
            runs.append((text, font))

    def done(self) -> list[Runs]:
        return [p for p in self.paragraphs if p]

    @staticmethod
    def plain(text: str) -> list[str]:
        """Paragraphs of a text without formatting (Word 6/95), structure characters handled."""
        builder = _Builder()
        builder.add(text, None)
        return ["".join(t for t, _ in p) for p in builder.done()]
