"""PDF through pdfminer.six (the ``formats`` extra): the text layer, with each character's font.

pdfminer is imported inside the reader, so importing this module costs nothing.
"""

from __future__ import annotations

from pathlib import Path

from search.ingest.formats.base import FileText, Runs, Skip
from search.ingest.formats.encoding import runs_to_text


def read_pdf(path: Path) -> FileText:
    """The text layer, laid out by pdfminer.six, with each character's font.

    Legacy PDFs embed .VnTime/VNI fonts whose glyphs are named after the
    TCVN3/VNI bytes, so the text layer holds ``NghÞ ®Þnh``: converted by font.
    A PDF with no text layer (a scan) is skipped: there is nothing to read.
    """
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer

    paragraphs: list[Runs] = []
    try:
        for page in extract_pages(str(path), laparams=LAParams()):
            for box in page:
                if isinstance(box, LTTextContainer):
                    paragraphs.append(_box_runs(box))
    except Exception as exc:
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name:
            raise Skip("encrypted PDF") from None
        if "PDFSyntaxError" in name or "PSEOF" in name:
            raise Skip("damaged PDF") from None
        raise
    text, encoding = runs_to_text(paragraphs)
    if not any(ch.isalpha() for ch in text):
        raise Skip("no text layer (a scanned PDF?)")
    return FileText(text, encoding=encoding)


def _box_runs(box) -> Runs:
    """One text box (a paragraph) as runs of one font each."""
    from pdfminer.layout import LTChar

    runs: Runs = []
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
    return runs
