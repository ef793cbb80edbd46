"""Read a report file of any supported format into plain Unicode text.

``read_report(path)`` returns a ``Source`` (the text, paragraphs separated by
blank lines, plus the title/date a web page declares) or raises ``Skip`` with a
short reason. Nothing else escapes: a parser's own exception becomes a Skip.

Formats: .txt/.md (encoding detected), .html/.htm (the article only), .docx,
.pdf (text layer), .rtf, and .doc through antiword when it is installed. Text
in the pre-Unicode TCVN3 and VNI encodings is converted (``search.ingest.legacy``): by
font where the format names fonts (rtf, docx, pdf), by detection otherwise.

Parsers are imported inside the function for their format, so importing this
module (and searching) costs nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from search.ingest import legacy

TEXT_SUFFIXES = {".txt", ".md", ".text"}
SUFFIXES = TEXT_SUFFIXES | {".html", ".htm", ".docx", ".pdf", ".rtf", ".doc"}

MAX_BYTES = 64 * 1024 * 1024  # larger files are not reports
MAX_LINE = 5000  # characters; longer lines are wrapped at spaces (see _wrap_long_lines)


class Skip(Exception):
    """The file is not indexed; ``str(exc)`` says why in a few words."""


@dataclass(frozen=True)
class Source:
    """A report's text and what the file itself says about it."""

    text: str  # paragraphs separated by blank lines
    title: str | None = None  # declared by the file (HTML <title>, og:title)
    date: dt.date | None = None  # declared by the file (article:published_time)
    encoding: str = "utf-8"  # what was detected: utf-8, utf-16, cp1258, tcvn3, vni, ...


def read_report(path: Path) -> Source:
    """The text of the report at ``path``; raises ``Skip`` for anything not indexable."""
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise Skip(f"unsupported file type {suffix or '(none)'}")
    try:
        size = path.stat().st_size
        if size == 0:
            raise Skip("empty file")
        if size > MAX_BYTES:
            raise Skip(f"too large ({size // 2**20} MiB, limit {MAX_BYTES // 2**20} MiB)")
        source = reader(path)
    except Skip:
        raise
    except OSError as exc:
        raise Skip(exc.strerror or "cannot read") from None
    except ModuleNotFoundError as exc:  # python-docx, pdfminer.six: the "formats" extra
        raise Skip(f"{suffix} files need {exc.name} (pip install 'vnsearch[formats]')") from None
    except MemoryError:
        raise Skip("too large to read") from None
    except Exception as exc:  # noqa: BLE001 - a parser's failure must never stop a run
        detail = str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__
        raise Skip(f"cannot parse {suffix[1:]}: {detail}") from None
    text = _wrap_long_lines(source.text).strip()
    if not any(ch.isalpha() for ch in text):
        raise Skip("no text")
    return Source(text, source.title, source.date, source.encoding)


# ------------------------------------------------------------------- text

# Magic numbers of formats that are never plain text.
_MAGIC = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8",
          b"\x7fELF", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"Rar!", b"7z\xbc\xaf", b"MZ")
_BOMS = [  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
]
_CONTROL = set(range(0x00, 0x09)) | {0x0B, 0x0E, 0x0F} | set(range(0x10, 0x1B)) | set(range(0x1C, 0x20))
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
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec.replace("-sig", "")
            except UnicodeDecodeError:
                raise Skip(f"not valid {codec.replace('-sig', '').upper()} after its byte order mark") from None
    head = data[:65536]
    if head.startswith(_MAGIC) or sum(b in _CONTROL for b in head) > 0.1 * len(head):
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
    return total > 0 and known >= 0.8 * total


def _read_text(path: Path) -> Source:
    text, encoding = decode_text(path.read_bytes())
    if encoding not in (legacy.TCVN3, legacy.VNI):
        # Legacy text saved as UTF-8 by a converter that did not know the font.
        text, found = legacy.fix_text(text)
        encoding = found or encoding
    # Lines are kept as they are: a plain-text report's line structure (a title
    # set off by a blank line) is what search.ingest.extract reads.
    return Source(text, encoding=encoding)


def _paragraphs(text: str) -> str:
    """One paragraph per line, separated by blank lines."""
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n\n".join(ln for ln in lines if ln)


def _wrap_long_lines(text: str) -> str:
    """Break lines longer than MAX_LINE at spaces (a huge one-line file stays indexable)."""
    if all(len(ln) <= MAX_LINE for ln in text.split("\n")):
        return text
    out = []
    for line in text.split("\n"):
        while len(line) > MAX_LINE:
            cut = line.rfind(" ", 0, MAX_LINE)
            cut = cut if cut > MAX_LINE // 2 else MAX_LINE
            out.append(line[:cut])
            out.append("")
            line = line[cut:].lstrip()
        out.append(line)
    return "\n".join(out)


# ------------------------------------------------------------ runs & fonts


def _runs_to_text(paragraphs: list[list[tuple[str, str | None]]]) -> tuple[str, str]:
    """Paragraphs of (text, font name) runs -> (text, encoding summary).

    Runs in a TCVN3 (``.Vn*``) or VNI (``VNI-*``) font are converted by their
    font. Paragraphs with no such run are judged by detection, all together,
    because documents whose fonts were swapped for Times New Roman still hold
    TCVN3 bytes.
    """
    rendered: list[tuple[str, bool]] = []
    used: set[str] = set()
    for runs in paragraphs:
        parts, by_font = [], False
        for text, font in runs:
            encoding, upper = legacy.font_encoding(font)
            if encoding:
                by_font = True
                used.add(encoding)
            parts.append(legacy.convert(text, encoding, upper))
        rendered.append(("".join(parts), by_font))
    unknown = "\n".join(t for t, by_font in rendered if not by_font)
    found = legacy.detect(unknown)
    if found:
        used.add(found)
    out = [t if by_font else legacy.fix_lines(t, found) for t, by_font in rendered]
    text = "\n\n".join(p for p in (_clean_paragraph(t) for t in out) if p)
    return text, "+".join(sorted(used)) or "unicode"


def _clean_paragraph(text: str) -> str:
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)


# ------------------------------------------------------------------- docx


def _read_docx(path: Path) -> Source:
    """Body paragraphs and table cells in reading order, with each run's font.

    python-docx reads the package; a run's font is its own, else its character
    style's, else its paragraph style's (following ``basedOn``), else the
    document default: legacy documents usually set the font in the style.
    """
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(str(path))
    default_font = None
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None:
            default_font = fonts.get(qn("w:ascii"))

    def style_font(style) -> str | None:
        while style is not None:
            if style.font.name:
                return style.font.name
            style = style.base_style
        return None

    def runs_of(paragraph) -> list[tuple[str, str | None]]:
        para_font = style_font(paragraph.style) or default_font
        runs = []
        for item in paragraph.iter_inner_content():
            for run in getattr(item, "runs", [item]):
                font = run.font.name or (style_font(run.style) if run.style is not None else None)
                runs.append((run.text, font or para_font))
        return runs

    paragraphs: list[list[tuple[str, str | None]]] = []
    seen_cells: set[int] = set()

    def walk(container) -> None:
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    for cell in row.cells:
                        if id(cell._tc) in seen_cells:  # a merged cell repeats
                            continue
                        seen_cells.add(id(cell._tc))
                        walk(cell)
            else:
                paragraphs.append(runs_of(block))

    walk(document)
    text, encoding = _runs_to_text(paragraphs)
    return Source(text, encoding=encoding)


# -------------------------------------------------------------------- rtf

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
_RTF_TOKEN = re.compile(
    rb"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z])|([{}])|([\r\n]+)|([^\\{}\r\n]+)"
)
# \fcharset values that name a code page other than the document's.
_RTF_CHARSETS = {163: "cp1258", 238: "cp1250", 204: "cp1251", 161: "cp1253", 162: "cp1254",
                 186: "cp1257", 222: "cp874", 128: "cp932", 134: "gbk", 136: "big5", 129: "cp949"}


def _read_rtf(path: Path) -> Source:
    """A small RTF reader that keeps, for every run of text, the font it is in.

    Written here because the per-run font is what tells TCVN3 and VNI text
    apart from ordinary text in mixed documents, and the text-only RTF strippers
    drop it. It follows groups, \\fN, \\'hh bytes (decoded in the font's code
    page), \\uN characters, and skips non-body destinations.
    """
    data = path.read_bytes()
    if not data.lstrip().startswith(b"{\\rtf"):
        raise Skip("not an RTF file")
    fonts: dict[int, tuple[str, str | None]] = {}  # number -> (name, code page)
    codepage = "cp1252"
    default_font = 0
    # Group state: font number, skipping (not body text), \ucN, in the font
    # table, skipping inside the font table (\*\panose, \*\falt).
    FONT, SKIP, UC, FONTTBL, TBLSKIP = range(5)
    stack: list[list] = []
    state: list = [None, False, 1, False, False]
    paragraphs: list[list[tuple[str, str | None]]] = [[]]
    pending: list[bytes] = []  # bytes of \'hh escapes awaiting decoding
    entry: dict = {}  # font table entry being read
    skip_chars = 0  # fallback characters after \uN still to skip

    def current_font() -> int:
        return state[FONT] if state[FONT] is not None else default_font

    def emit(text: str) -> None:
        font = fonts.get(current_font(), (None, None))[0]
        for i, part in enumerate(text.split("\n")):
            if i:
                paragraphs.append([])
            if part:
                paragraphs[-1].append((part, font))

    def font_text(text: str) -> None:
        if state[TBLSKIP] or "number" not in entry:
            return
        entry["name"] = entry.get("name", "") + text
        if ";" in entry["name"]:
            fonts[entry["number"]] = (entry["name"].split(";")[0].strip(), entry.get("cp"))
            entry.clear()

    def flush() -> None:
        if not pending:
            return
        raw = b"".join(pending)
        pending.clear()
        if state[FONTTBL]:
            font_text(raw.decode("latin-1"))
            return
        if state[SKIP]:
            return
        name, cp = fonts.get(current_font(), (None, None))
        if cp is None or legacy.font_encoding(name)[0]:
            # legacy fonts: the bytes are the font's own code points, read as Windows-1252
            cp = "cp1252" if legacy.font_encoding(name)[0] else codepage
        emit(_cp1252(raw) if cp == "cp1252" else raw.decode(cp, errors="replace"))

    for m in _RTF_TOKEN.finditer(data):
        word, arg, hexbyte, symbol, brace, newline, text = m.groups()
        if hexbyte is None:
            flush()
        if newline:
            continue
        if skip_chars and (hexbyte or text):
            if hexbyte:
                skip_chars -= 1
                continue
            n = min(skip_chars, len(text))
            skip_chars -= n
            text = text[n:]
            if not text:
                continue
        if brace == b"{":
            stack.append(state[:])
        elif brace == b"}":
            state = stack.pop() if stack else state
        elif hexbyte is not None:
            if not state[SKIP] or state[FONTTBL]:
                pending.append(bytes([int(hexbyte, 16)]))
        elif symbol is not None:
            if symbol == b"*":
                state[TBLSKIP if state[FONTTBL] else SKIP] = True
            elif state[SKIP]:
                continue
            elif symbol in b"\\{}":
                emit(symbol.decode())
            elif symbol == b"~":
                emit(" ")
            elif symbol == b"_":
                emit("-")
            elif symbol in b"\r\n":
                emit("\n")
        elif word is not None:
            name = word.decode()
            value = int(arg) if arg is not None else None
            if name == "fonttbl":
                state[FONTTBL] = state[SKIP] = True
            elif state[FONTTBL]:
                if name == "f" and value is not None:
                    entry.clear()
                    entry["number"] = value
                elif name == "fcharset" and value is not None:
                    entry["cp"] = _RTF_CHARSETS.get(value)
            elif name == "f" and value is not None:
                state[FONT] = value
            elif name == "deff" and value is not None:
                default_font = value
            elif name == "ansicpg" and value:
                codepage = f"cp{value}"
            elif name == "plain":
                state[FONT] = None
            elif name == "uc" and value is not None:
                state[UC] = value
            elif name == "u" and value is not None:
                if not state[SKIP]:
                    emit(chr(value % 65536))
                skip_chars = state[UC]
            elif name in _RTF_SKIP or name == "bin":
                state[SKIP] = True
            elif name in _RTF_SYMBOLS and not state[SKIP]:
                emit(_RTF_SYMBOLS[name])
        elif text is not None:
            if state[FONTTBL]:
                font_text(text.decode("latin-1"))
            elif not state[SKIP]:
                emit(text.decode("latin-1"))
    flush()
    text, encoding = _runs_to_text(paragraphs)
    return Source(text, encoding=encoding)


def _cp1252(raw: bytes) -> str:
    """Windows-1252, with its five unassigned bytes kept as their Latin-1 characters."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in raw)


# -------------------------------------------------------------------- pdf


def _read_pdf(path: Path) -> Source:
    """The text layer, laid out by pdfminer.six, with each character's font.

    Legacy PDFs embed .VnTime/VNI fonts whose glyphs are named after the
    TCVN3/VNI bytes, so the text layer holds ``NghÞ ®Þnh``: converted by font.
    A PDF with no text layer (a scan) is skipped: there is nothing to read.
    """
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTTextContainer

    paragraphs: list[list[tuple[str, str | None]]] = []
    try:
        for page in extract_pages(str(path), laparams=LAParams()):
            for box in page:
                if not isinstance(box, LTTextContainer):
                    continue
                runs: list[tuple[str, str | None]] = []
                font = None
                for line in box:
                    items = list(line) if hasattr(line, "__iter__") else [line]
                    # A line that has space glyphs of its own spaces its words itself:
                    # the spaces pdfminer adds between letter-spaced (tracked)
                    # characters would cut every word of a heading apart.
                    spaced = any(isinstance(i, LTChar) and i.get_text() == " " for i in items)
                    for item in items:
                        if isinstance(item, LTChar):
                            font = item.fontname
                        elif spaced and item.get_text() == " ":
                            continue
                        text = item.get_text().replace("\n", " ")  # a box is one paragraph
                        if runs and runs[-1][1] == font:
                            runs[-1] = (runs[-1][0] + text, font)
                        else:
                            runs.append((text, font))
                paragraphs.append(runs)
    except Exception as exc:  # noqa: BLE001
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name:
            raise Skip("encrypted PDF") from None
        if "PDFSyntaxError" in name or "PSEOF" in name:
            raise Skip("damaged PDF") from None
        raise
    text, encoding = _runs_to_text(paragraphs)
    if not any(ch.isalpha() for ch in text):
        raise Skip("no text layer (a scanned PDF?)")
    return Source(text, encoding=encoding)


# -------------------------------------------------------------------- doc


def _read_doc(path: Path) -> Source:
    """Word 97-2003 through antiword, when installed; its UTF-8 output loses fonts,
    so legacy text is found by detection."""
    antiword = shutil.which("antiword")
    if antiword is None:
        raise Skip(".doc needs antiword (apt-get install antiword)")
    try:
        done = subprocess.run([antiword, "-w", "0", "-m", "UTF-8.txt", str(path)],
                              capture_output=True, timeout=60, check=False)
    except subprocess.TimeoutExpired:
        raise Skip("antiword took over 60 s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise Skip(f"antiword failed: {message[-1] if message else done.returncode}")
    text, found = legacy.fix_text(done.stdout.decode("utf-8", errors="replace"))
    return Source(_paragraphs(text), encoding=found or "unicode")


# ------------------------------------------------------------------- html

_BLOCKS = {
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
    "ol", "dl", "dt", "dd", "tr", "table", "tbody", "thead", "blockquote", "pre", "figure",
    "figcaption", "header", "footer", "address", "hr", "br", "td", "th", "caption", "center",
    "form", "fieldset", "details", "summary",
}
# Never article text wherever they sit.
# (Not <form>: ASP.NET pages, common on Vietnamese government sites, wrap the
# whole page in one.)
_DROP_TAGS = {"script", "style", "noscript", "template", "iframe", "svg", "canvas",
              "button", "select", "input", "textarea", "nav", "aside", "menu", "dialog", "object",
              "embed", "video", "audio", "map"}
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"}
# Class/id words of page chrome: navigation, share bars, related lists, ads...
_CHROME = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|navigation|menu|breadcrumbs?|sidebar|side-bar|share(?:bar|box|tools)?|sharing|"
    r"social|related|comments?|advert|ads|banner|widget|toolbar|pagination|pager|subscribe|"
    r"newsletter|popup|cookie|footer|header|masthead|topbar|tags|print|rating|most-read|"
    r"tin-lien-quan|tinlienquan|tin-khac|lien-quan)(?:$|[-_\s\d])",
    re.IGNORECASE,
)


def _read_html(path: Path) -> Source:
    """The article of a saved web page: chrome dropped, title and date from the page.

    BeautifulSoup (with Python's own html.parser: tolerant of broken markup,
    no compiled dependency) builds the tree. The article is ``<article>`` (the
    longest one), ``[itemprop=articleBody]``, ``<main>``, else the page body;
    inside it navigation, headers/footers outside the article, asides, share
    bars and related-article lists (by tag, ARIA role or class name) are removed.
    """
    from bs4 import BeautifulSoup

    data = path.read_bytes()
    if not data.strip():
        raise Skip("empty file")
    markup, encoding = _decode_html(data)
    soup = BeautifulSoup(markup, "html.parser")
    title = _html_title(soup)
    date = _html_date(soup)

    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(attrs={"role": True}):
        if not tag.decomposed and str(tag.get("role", "")).lower() in _DROP_ROLES:
            tag.decompose()
    for tag in soup.find_all(["header", "footer"]):
        if tag.decomposed:
            continue
        inside_article = tag.find_parent("article") is not None
        if tag.name == "footer" or not inside_article:
            tag.decompose()
    for tag in soup.find_all(attrs={"class": True}) + soup.find_all(attrs={"id": True}):
        if tag.decomposed or tag.name in ("body", "html", "article", "main"):
            continue
        words = " ".join(tag.get("class") or []) + " " + str(tag.get("id") or "")
        if _CHROME.search(words):
            tag.decompose()

    container = _article_container(soup)
    paragraphs: list[list[tuple[str, str | None]]] = [[]]
    _html_walk(container, paragraphs, None)
    text, found = _runs_to_text(paragraphs)
    if title:
        title = legacy.fix_text(title)[0] if found != "unicode" else title
    return Source(text, title=title, date=date, encoding=encoding if found == "unicode" else found)


def _decode_html(data: bytes) -> tuple[str, str]:
    """The page as text: BOM, then the declared charset, then as a text file."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec.replace("-sig", "")
    m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w]+)""", data[:4096], re.IGNORECASE)
    if m:
        codec = m.group(1).decode("ascii").lower()
        try:
            return data.decode(codec), codec
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _html_title(soup) -> str | None:
    for attrs in ({"property": "og:title"}, {"name": "twitter:title"}):
        meta = soup.find("meta", attrs=attrs)
        if meta and meta.get("content", "").strip():
            return meta["content"].strip()
    h1 = soup.find("h1")
    if h1 and h1.get_text(" ", strip=True):
        return re.sub(r"\s+", " ", h1.get_text(" ", strip=True))
    if soup.title and soup.title.get_text(strip=True):
        # "Headline - Site name": keep the headline
        return re.split(r"\s+[|–—-]\s+", soup.title.get_text(" ", strip=True))[0]
    return None


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _html_date(soup) -> dt.date | None:
    candidates = []
    for attrs in ({"property": "article:published_time"}, {"itemprop": "datePublished"},
                  {"name": "pubdate"}, {"name": "publishdate"}, {"name": "date"},
                  {"name": "dc.date.issued"}, {"name": "DC.date.issued"}):
        meta = soup.find("meta", attrs=attrs)
        if meta:
            candidates.append(meta.get("content", ""))
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        m = re.search(r'"datePublished"\s*:\s*"([^"]+)"', script.string or "")
        if m:
            candidates.append(m.group(1))
    for time in soup.find_all("time", attrs={"datetime": True}):
        candidates.append(time["datetime"])
    for value in candidates:
        m = _ISO_DATE.search(value or "")
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def _article_container(soup):
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda a: len(a.get_text(" ", strip=True)))
    for finder in ({"itemprop": "articleBody"}, {"role": "main"}):
        found = soup.find(attrs=finder)
        if found is not None:
            return found
    return soup.find("main") or soup.body or soup


def _html_walk(node, paragraphs: list, font: str | None) -> None:
    """Text of ``node`` as paragraphs of (text, font) runs; block tags end paragraphs.

    Old Vietnamese pages set legacy fonts with ``<font face=".VnTime">`` or a
    CSS font-family: the run keeps that font so it is converted.
    """
    from bs4 import NavigableString, Tag

    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child).__name__ in ("Comment", "Doctype", "Declaration", "ProcessingInstruction", "CData"):
                continue
            text = re.sub(r"\s+", " ", str(child))
            if text.strip():
                paragraphs[-1].append((text, font))
            continue
        if not isinstance(child, Tag):
            continue
        child_font = font
        face = child.get("face") or ""
        m = re.search(r"font-family\s*:\s*['\"]?([^;'\",]+)", child.get("style") or "", re.IGNORECASE)
        for name in (face.split(",")[0].strip(" '\""), m.group(1).strip() if m else ""):
            if name and legacy.font_encoding(name)[0]:
                child_font = name
        block = child.name in _BLOCKS
        if block and paragraphs[-1]:
            paragraphs.append([])
        _html_walk(child, paragraphs, child_font)
        if block and paragraphs[-1]:
            paragraphs.append([])


_READERS = {
    **{s: _read_text for s in TEXT_SUFFIXES},
    ".html": _read_html,
    ".htm": _read_html,
    ".docx": _read_docx,
    ".pdf": _read_pdf,
    ".rtf": _read_rtf,
    ".doc": _read_doc,
}
