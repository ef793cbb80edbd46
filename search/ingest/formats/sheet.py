"""Spreadsheets: .xls through xlrd, .xlsx/.xlsm through openpyxl, with each cell's font.

Text comes out sheet by sheet, in the workbook's order: the sheet's name as a
heading line, then one line per row that holds something, its cells left to
right joined by `` | `` (empty cells left out). Numbers are written as a
person reads them (``12``, not ``12.0``; at most 10 significant digits, as
Excel's General format), dates as ``dd/mm/yyyy`` (with the time when there is
one), booleans as ``TRUE``/``FALSE``; error cells are left out.

Each cell keeps its font, so cells in ``.Vn*``/``VNI-*`` fonts are converted
by font, and the others by detection (``encoding.runs_to_text``), like runs of
.docx. Both libraries are imported inside the readers.
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Iterable, Iterator
from pathlib import Path

from search.ingest.formats.base import FileText, Runs, Skip
from search.ingest.formats.encoding import runs_to_text

SEPARATOR = " | "
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: One cell: its value (str, int, float, bool, date/datetime/time) and its font name.
Cell = tuple[object, str | None]


def read_xls(path: Path) -> FileText:
    """Excel 97-2003 (BIFF8, and the older BIFF versions xlrd reads) through xlrd."""
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(b"PK\x03\x04"):  # an .xlsx named .xls
        return read_xlsx(path)
    if not head.startswith(OLE_MAGIC) and not head.startswith(b"\x09"):  # BIFF2-4 files start with a BOF record
        raise Skip("not an Excel 97-2003 workbook")
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True, logfile=_Quiet())
    except NotImplementedError:  # formatting_info is not read for every old BIFF version
        book = xlrd.open_workbook(str(path), on_demand=True, logfile=_Quiet())
    except Exception as exc:  # noqa: BLE001 - xlrd's XLRDError, CompDocError, struct and index errors
        message = str(exc).splitlines()[0][:60] if str(exc) else type(exc).__name__
        raise Skip("encrypted .xls" if "encrypt" in message.lower() else f"damaged .xls ({message})") from None
    try:
        return _sheets_to_text((name, _xls_rows(book, book.sheet_by_name(name))) for name in book.sheet_names())
    except (xlrd.XLRDError, struct.error, IndexError, KeyError, ValueError, AssertionError, OverflowError) as exc:
        # a sheet is read when its turn comes (on_demand): damage there shows only now
        message = str(exc).splitlines()[0][:60] if str(exc) else type(exc).__name__
        raise Skip(f"damaged .xls ({message})") from None
    finally:
        book.release_resources()


def _xls_rows(book, sheet) -> Iterator[list[Cell]]:
    import xlrd

    fonts = [font.name for font in book.font_list] if book.formatting_info else []
    for r in range(sheet.nrows):
        row: list[Cell] = []
        for c, cell in enumerate(sheet.row(r)):
            kind, value = cell.ctype, cell.value
            if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                continue
            if kind == xlrd.XL_CELL_DATE:
                try:
                    when = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                    value = when.time() if 0 <= value < 1 else when  # a time of day has no date
                except (xlrd.xldate.XLDateError, OverflowError, ValueError):
                    pass  # a date out of range: the number
            elif kind == xlrd.XL_CELL_BOOLEAN:
                value = bool(value)
            font = None
            if fonts:
                xf = book.xf_list[sheet.cell_xf_index(r, c)]
                font = fonts[xf.font_index] if xf.font_index < len(fonts) else None
            row.append((value, font))
        yield row


def read_xlsx(path: Path) -> FileText:
    """Excel 2007+ (.xlsx, .xlsm) through openpyxl, cached values of formulas."""
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except zipfile.BadZipFile:
        raise Skip("damaged .xlsx (not a zip file)") from None
    except KeyError as exc:  # a part the package should hold is missing
        raise Skip(f"damaged .xlsx (missing {str(exc)[:60]})") from None
    try:
        return _sheets_to_text((ws.title, _xlsx_rows(ws)) for ws in book.worksheets)
    finally:
        book.close()


def _xlsx_rows(sheet) -> Iterator[list[Cell]]:
    for cells in sheet.iter_rows():
        row: list[Cell] = []
        for cell in cells:
            value = getattr(cell, "value", None)
            if value is None or getattr(cell, "data_type", None) == "e":
                continue
            font = cell.font.name if getattr(cell, "font", None) is not None else None
            row.append((value, font))
        yield row


def _sheets_to_text(sheets: Iterable[tuple[str, Iterable[list[Cell]]]]) -> FileText:
    """Sheets of rows of cells -> one paragraph per heading and per non-empty row."""
    paragraphs: list[Runs] = []
    for name, rows in sheets:
        heading = len(paragraphs)
        paragraphs.append([(name, None)])
        for row in rows:
            runs: Runs = []
            for value, font in row:
                text = format_value(value).strip()
                if not text:
                    continue
                if runs:
                    runs.append((SEPARATOR, None))
                runs.append((text, font))
            if runs:
                paragraphs.append(runs)
        if len(paragraphs) == heading + 1:  # an empty sheet: no heading either
            paragraphs.pop()
    text, encoding = runs_to_text(paragraphs, detect_runs=True)
    return FileText(text, encoding=encoding)


def format_value(value: object) -> str:
    """A cell's value as a person reads it."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.10g}"
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M" if not value.second else "%d/%m/%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M" if not value.second else "%H:%M:%S")
    return str(value).replace("\r\n", "\n").replace("\n", " ")


class _Quiet:
    """A log file for xlrd that swallows its warnings (xlrd writes them to stdout otherwise)."""

    def write(self, _text: str) -> None:
        pass
