"""Plain text: .txt, .md, .text, in whatever encoding ``decode_text`` finds."""

from __future__ import annotations

from pathlib import Path

from search.ingest import legacy
from search.ingest.formats.base import FileText
from search.ingest.formats.encoding import decode_text

TEXT_SUFFIXES = {".txt", ".md", ".text"}


def read_text(path: Path) -> FileText:
    """The file decoded (BOM, UTF-8, TCVN3/VNI, Windows-1258), legacy text converted."""
    text, encoding = decode_text(path.read_bytes())
    if encoding not in (legacy.TCVN3, legacy.VNI):
        # Legacy text saved as UTF-8 by a converter that did not know the font.
        text, found = legacy.fix_text(text)
        encoding = found or encoding
    # Lines are kept as they are: a plain-text report's line structure (a title
    # set off by a blank line) is what search.ingest.report reads.
    return FileText(text, encoding=encoding)
