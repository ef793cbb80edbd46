"""Word .docx through python-docx (the ``formats`` extra), with each run's font.

python-docx is imported inside the reader (``import docx`` names the
installed package, not this module), so importing this module costs nothing.
"""

from __future__ import annotations

from pathlib import Path

from search.ingest.formats.base import FileText, Runs
from search.ingest.formats.encoding import runs_to_text


def read_docx(path: Path) -> FileText:
    """Body paragraphs and table cells in reading order, with each run's font.

    python-docx reads the package; a run's font is its own, else its character
    style's, else its paragraph style's (following ``basedOn``), else the
    document default: legacy documents usually set the font in the style.
    """
    import docx

    document = docx.Document(str(path))
    default_font = _default_font(document)
    paragraphs: list[Runs] = []
    _walk(document, paragraphs, default_font, set())
    text, encoding = runs_to_text(paragraphs)
    return FileText(text, encoding=encoding)


def _default_font(document) -> str | None:
    """The document default's font (``w:docDefaults``), if it names one."""
    from docx.oxml.ns import qn

    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None:
            return fonts.get(qn("w:ascii"))
    return None


def _style_font(style) -> str | None:
    """The font a style sets, else the one of the style it is based on."""
    while style is not None:
        if style.font.name:
            return style.font.name
        style = style.base_style
    return None


def _runs_of(paragraph, default_font: str | None) -> Runs:
    para_font = _style_font(paragraph.style) or default_font
    runs = []
    for item in paragraph.iter_inner_content():
        for run in getattr(item, "runs", [item]):
            font = run.font.name or (_style_font(run.style) if run.style is not None else None)
            runs.append((run.text, font or para_font))
    return runs


def _walk(container, paragraphs: list[Runs], default_font: str | None, seen_cells: set[int]) -> None:
    """Paragraphs of ``container`` in reading order, table cells included, each cell once."""
    for block in container.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                for cell in row.cells:
                    if id(cell._tc) in seen_cells:  # a merged cell repeats
                        continue
                    seen_cells.add(id(cell._tc))
                    _walk(cell, paragraphs, default_font, seen_cells)
        else:
            paragraphs.append(_runs_of(block, default_font))
