"""RTF: a small reader that keeps, for every run of text, the font it is in.

Written here because the per-run font is what tells TCVN3 and VNI text apart
from ordinary text in mixed documents, and the text-only RTF strippers drop
it. It follows groups, ``\\fN``, ``\\'hh`` bytes (decoded in the font's code
page), ``\\uN`` characters, and skips non-body destinations.

The pieces: ``_tokens`` cuts the file into control words, escapes, braces and
text; ``_RtfReader`` keeps the group state (``_Group``) on a stack, reads the
font table, turns ``\\'hh`` and ``\\uN`` escapes into characters and collects
the paragraphs as (text, font name) runs for ``runs_to_text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from search.ingest import legacy
from search.ingest.formats.base import FileText, Runs, Skip
from search.ingest.formats.encoding import runs_to_text

# Destinations whose text is not part of the document body.
_RTF_SKIP = {
    "fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "fldinst", "listtable",
    "listoverridetable", "revtbl", "rsidtbl", "generator", "xmlnstbl", "themedata",
    "colorschememapping", "latentstyles", "datastore", "header", "headerl", "headerr",
    "headerf", "footer", "footerl", "footerr", "footerf", "pgdsctbl", "filetbl", "mmathPr",
    "userprops", "operator", "author", "title", "subject", "comment", "keywords", "doccomm",
    "bkmkstart", "bkmkend", "nonshppict", "shpinst", "protusertbl", "wgrffmtfilter",
}
_RTF_SYMBOLS = {
    "par": "\n", "line": "\n", "sect": "\n", "page": "\n", "row": "\n", "cell": "\t",
    "tab": "\t", "emdash": "—", "endash": "–", "bullet": "•", "lquote": "‘", "rquote": "’",
    "ldblquote": "“", "rdblquote": "”", "emspace": " ", "enspace": " ", "qmspace": " ",
}
# Control symbols (a backslash and one non-letter) that stand for a character.
_CONTROL_SYMBOLS = {b"\\": "\\", b"{": "{", b"}": "}", b"~": " ", b"_": "-", b"\r": "\n", b"\n": "\n"}
# Groups: control word and its argument, \'hh, control symbol, brace, line end, text.
_RTF_TOKEN = re.compile(
    rb"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z])|([{}])|([\r\n]+)|([^\\{}\r\n]+)"
)
# \fcharset values that name a code page other than the document's.
_RTF_CHARSETS = {163: "cp1258", 238: "cp1250", 204: "cp1251", 161: "cp1253", 162: "cp1254",
                 186: "cp1257", 222: "cp874", 128: "cp932", 134: "gbk", 136: "big5", 129: "cp949"}
_UNICODE_RANGE = 65536  # \uN is a signed 16-bit number: \u-3912 is U+F0B8


def read_rtf(path: Path) -> FileText:
    """The document body as text, each run converted by the font it is in."""
    data = path.read_bytes()
    if not data.lstrip().startswith(b"{\\rtf"):
        raise Skip("not an RTF file")
    paragraphs = _RtfReader().read(data)
    text, encoding = runs_to_text(paragraphs)
    return FileText(text, encoding=encoding)


# One token: (control word, its numeric argument, the two hex digits of \'hh,
# control symbol, brace, line ends, text); exactly one of them but the
# argument is set. Line ends in the file are not text.
_Token = tuple[bytes | None, bytes | None, bytes | None, bytes | None, bytes | None, bytes | None, bytes | None]


def _tokens(data: bytes) -> Iterator[_Token]:
    for m in _RTF_TOKEN.finditer(data):
        yield m.groups()


@dataclass(slots=True)
class _Group:
    """What a group (``{...}``) sets; a nested group starts from a copy of its parent's."""

    font: int | None = None  # \fN; None: the document's default font (\deffN)
    skip: bool = False  # inside a destination that is not body text
    uc: int = 1  # \ucN: fallback characters that follow each \uN
    fonttbl: bool = False  # inside the font table
    tblskip: bool = False  # skipping inside the font table (\*\panose, \*\falt)

    def copy(self) -> _Group:
        return _Group(self.font, self.skip, self.uc, self.fonttbl, self.tblskip)


class _RtfReader:
    """The state of one pass over an RTF file; ``read`` returns its paragraphs of runs."""

    def __init__(self) -> None:
        self.fonts: dict[int, tuple[str, str | None]] = {}  # number -> (name, code page)
        self.codepage = "cp1252"  # \ansicpgN
        self.default_font = 0  # \deffN
        self.state = _Group()
        self.stack: list[_Group] = []
        self.paragraphs: list[Runs] = [[]]
        self.pending: list[bytes] = []  # bytes of \'hh escapes awaiting decoding
        self.entry: dict = {}  # font table entry being read
        self.skip_chars = 0  # fallback characters after \uN still to skip

    def read(self, data: bytes) -> list[Runs]:
        for token in _tokens(data):
            self._token(*token)
        self._flush()
        return self.paragraphs

    def _token(self, word, arg, hexbyte, symbol, brace, newline, text) -> None:
        """One token, as the groups of ``_RTF_TOKEN`` (see ``_Token``)."""
        if hexbyte is None and self.pending:
            self._flush()  # a run of \'hh escapes ends: decode it together
        if newline:
            return
        if self.skip_chars and (hexbyte or text):
            if hexbyte:
                self.skip_chars -= 1
                return
            text = self._skip_fallback(text)
            if not text:
                return
        if brace is not None:
            self._brace(brace)
        elif hexbyte is not None:
            if not self.state.skip or self.state.fonttbl:
                self.pending.append(bytes([int(hexbyte, 16)]))
        elif symbol is not None:
            self._symbol(symbol)
        elif word is not None:
            self._control_word(word.decode(), int(arg) if arg is not None else None)
        elif text is not None:
            self._text(text.decode("latin-1"))

    # ------------------------------------------------------------ groups

    def _brace(self, brace: bytes) -> None:
        if brace == b"{":
            self.stack.append(self.state.copy())
        elif self.stack:
            self.state = self.stack.pop()

    def _symbol(self, symbol: bytes) -> None:
        if symbol == b"*":  # the destination that follows is optional: skip it
            if self.state.fonttbl:
                self.state.tblskip = True
            else:
                self.state.skip = True
        elif not self.state.skip and symbol in _CONTROL_SYMBOLS:
            self._emit(_CONTROL_SYMBOLS[symbol])

    def _control_word(self, name: str, value: int | None) -> None:
        state = self.state
        if name == "fonttbl":
            state.fonttbl = state.skip = True
        elif state.fonttbl:
            self._font_table_word(name, value)
        elif name == "f" and value is not None:
            state.font = value
        elif name == "deff" and value is not None:
            self.default_font = value
        elif name == "ansicpg" and value:
            self.codepage = f"cp{value}"
        elif name == "plain":
            state.font = None
        elif name == "uc" and value is not None:
            state.uc = value
        elif name == "u" and value is not None:
            self._unicode(value)
        elif name in _RTF_SKIP or name == "bin":
            state.skip = True
        elif name in _RTF_SYMBOLS and not state.skip:
            self._emit(_RTF_SYMBOLS[name])

    def _text(self, text: str) -> None:
        if self.state.fonttbl:
            self._font_text(text)
        elif not self.state.skip:
            self._emit(text)

    # -------------------------------------------------------------- fonts

    def _font_table_word(self, name: str, value: int | None) -> None:
        if name == "f" and value is not None:
            self.entry.clear()
            self.entry["number"] = value
        elif name == "fcharset" and value is not None:
            self.entry["cp"] = _RTF_CHARSETS.get(value)

    def _font_text(self, text: str) -> None:
        """Text of a font table entry: the font's name, ended by ``;``."""
        entry = self.entry
        if self.state.tblskip or "number" not in entry:
            return
        entry["name"] = entry.get("name", "") + text
        if ";" in entry["name"]:
            self.fonts[entry["number"]] = (entry["name"].split(";")[0].strip(), entry.get("cp"))
            entry.clear()

    def _current_font(self) -> int:
        return self.state.font if self.state.font is not None else self.default_font

    # ------------------------------------------------- escapes and output

    def _unicode(self, value: int) -> None:
        """\\uN: the character, then skip the \\ucN fallback characters that follow it."""
        if not self.state.skip:
            self._emit(chr(value % _UNICODE_RANGE))
        self.skip_chars = self.state.uc

    def _skip_fallback(self, text: bytes) -> bytes:
        """What is left of ``text`` once the fallback characters still due are skipped."""
        n = min(self.skip_chars, len(text))
        self.skip_chars -= n
        return text[n:]

    def _flush(self) -> None:
        """Decode the pending \\'hh bytes in the code page of the font they are in."""
        if not self.pending:
            return
        raw = b"".join(self.pending)
        self.pending.clear()
        if self.state.fonttbl:
            self._font_text(raw.decode("latin-1"))
            return
        if self.state.skip:
            return
        name, cp = self.fonts.get(self._current_font(), (None, None))
        if cp is None or legacy.font_encoding(name)[0]:
            # legacy fonts: the bytes are the font's own code points, read as Windows-1252
            cp = "cp1252" if legacy.font_encoding(name)[0] else self.codepage
        self._emit(_cp1252(raw) if cp == "cp1252" else raw.decode(cp, errors="replace"))

    def _emit(self, text: str) -> None:
        """Append ``text`` in the current font; a line end starts a new paragraph."""
        font = self.fonts.get(self._current_font(), (None, None))[0]
        for i, part in enumerate(text.split("\n")):
            if i:
                self.paragraphs.append([])
            if part:
                self.paragraphs[-1].append((part, font))


def _cp1252(raw: bytes) -> str:
    """Windows-1252, with its five unassigned bytes kept as their Latin-1 characters."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in raw)
