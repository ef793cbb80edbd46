"""Read a report file of any supported format into plain Unicode text.

``read_report(path)`` returns a ``FileText`` (the text, paragraphs separated by
blank lines, plus the title/date a web page declares) or raises ``Skip`` with a
short reason. Nothing else escapes: a parser's own exception becomes a Skip.

This module is the registry: ``READERS`` maps each file suffix to the reader
of its format, one module per format:

- ``text``: .txt/.md/.text, encoding detected (``encoding.decode_text``);
- ``html``: .html/.htm, the article only;
- ``docx``: .docx; ``pdf``: .pdf (text layer); ``rtf``: .rtf;
- ``doc``: .doc (Word 97-2003), a reader of our own over olefile;
- ``sheet``: .xls through xlrd, .xlsx/.xlsm through openpyxl, row by row, sheet by sheet.

Text in the pre-Unicode TCVN3 and VNI encodings is converted
(``search.ingest.legacy``): by font where the format names fonts (rtf, doc,
docx, xls, xlsx, pdf, html), by detection otherwise (``encoding.runs_to_text``).

Parsers are imported inside the function for their format, so importing this
package (and searching) costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from search.ingest.formats import doc, docx, html, pdf, rtf, sheet, text
from search.ingest.formats.base import FileText, Skip

__all__ = ["READERS", "SUFFIXES", "FileText", "Skip", "read_report"]

READERS: dict[str, Callable[[Path], FileText]] = {
    **{s: text.read_text for s in text.TEXT_SUFFIXES},
    **{s: html.read_html for s in html.HTML_SUFFIXES},
    ".docx": docx.read_docx,
    ".pdf": pdf.read_pdf,
    ".rtf": rtf.read_rtf,
    ".doc": doc.read_doc,
    ".xls": sheet.read_xls,
    ".xlsx": sheet.read_xlsx,
    ".xlsm": sheet.read_xlsx,
}
SUFFIXES = set(READERS)
# The distribution that provides each parser module (all of them are dependencies of vnsearch).
PACKAGES = {"docx": "python-docx", "pdfminer": "pdfminer.six", "olefile": "olefile", "xlrd": "xlrd",
            "openpyxl": "openpyxl", "bs4": "beautifulsoup4"}

MAX_BYTES = 64 * 1024 * 1024  # larger files are not reports
MAX_LINE = 5000  # characters; longer lines are wrapped at spaces (see _wrap_long_lines)


def read_report(path: Path) -> FileText:
    """The text of the report at ``path``; raises ``Skip`` for anything not indexable."""
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
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
    except ModuleNotFoundError as exc:  # a parser package missing (an install that skipped dependencies)
        package = PACKAGES.get((exc.name or "").split(".")[0], exc.name)
        raise Skip(f"{suffix} files need {package} (pip install {package})") from None
    except MemoryError:
        raise Skip("too large to read") from None
    except Exception as exc:  # noqa: BLE001 - a parser's failure must never stop a run
        detail = str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__
        raise Skip(f"cannot parse {suffix[1:]}: {detail}") from None
    text = _wrap_long_lines(source.text).strip()
    if not any(ch.isalpha() for ch in text):
        raise Skip("no text")
    return FileText(text, source.title, source.date, source.encoding)


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
