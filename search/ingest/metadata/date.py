"""The report's own date and how precisely it is known ("day", "month", "year")."""

from __future__ import annotations

import datetime as dt
import re

from search.text import codes

# Publication stamps ("Thứ Năm, 13/4/2023 7:53", "08/07/2020 | 306") are looked
# for in the first 6 lines given: stamps sit above or just below the headline.
STAMP_LINES = 6
# The lead's "Sáng 08/7/2020" is looked for in the first 5 lines: further down,
# a day and month are the dates of the events the report tells about.
LEAD_LINES = 5
# A "Hà Nội, ngày 13 tháng 3 năm 2001" line is looked for in the first 15 lines:
# an official document's place and date line sits below its header block.
PLACE_DATE_LINES = 15
# A date with a document code in the 40 characters before it is that document's
# date ("Nghị định số 114/2003/NĐ-CP ngày 10/10/2003"), not the report's.
CODE_LOOKBACK = 40

_STAMP = re.compile(
    r"(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy)|chủ\s+nhật)\s*,?\s*(\d{1,2})/(\d{1,2})/(\d{4})"
    r"(\s+\d{1,2}:\d{2})?",
    re.IGNORECASE,
)
_VIEWS_STAMP = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+\d{1,2}:\d{2})?\s*(?:\|\s*\d+)?$")
_LEAD_DATE = re.compile(
    r"(?:^|[\s(,;\-–])(?:sáng|chiều|tối|trưa|đêm|ngày|hôm)(?:\s+nay|\s+qua)?\s+(?:\w+\s+)?"
    r"\(?(\d{1,2})/(\d{1,2})(?:/(\d{4}))?\)?",
    re.IGNORECASE,
)
_PLACE_DATE = re.compile(
    r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE
)
_MONTH_YEAR = re.compile(
    r"tháng\s+(\d{1,2})\s*/\s*(\d{4})|tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE
)
_YEAR = re.compile(r"(?:năm|quý\s+[IV]+\s*/|quý\s+[IV]+\s+năm)\s*(\d{4})\b", re.IGNORECASE)


def calendar_date(y: int, m: int, d: int) -> dt.date | None:
    """The date, or None when the numbers name no day (31/2, month 13)."""
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _after_code(line: str, pos: int) -> bool:
    """A date right after a document code is that document's date, not the report's."""
    return bool(codes.CODE_RE.search(line[max(0, pos - CODE_LOOKBACK) : pos]))


def extract_date(lines: list[str], title: str) -> tuple[dt.date | None, str | None]:
    """The report's own date and its precision ("day", "month", "year").

    In order of trust: a publication stamp with a time of day, any stamp at
    the top, the lead's "Sáng 08/7/2020" (year from the title when missing), a
    "Hà Nội, ngày 13 tháng 3 năm 2001" line, a month or year in the title.
    """
    head = lines[:STAMP_LINES]
    stamps = [(m, bool(m.group(4))) for ln in head for m in [_STAMP.search(ln)] if m]
    stamps.sort(key=lambda s: not s[1])  # stamps with a time of day first
    for m, _ in stamps:
        d = calendar_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if d:
            return d, "day"
    for ln in head:
        m = _VIEWS_STAMP.match(ln)
        if m and (d := calendar_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))):
            return d, "day"
    title_year = None
    if tm := _MONTH_YEAR.search(title):
        title_year = int(tm.group(2) or tm.group(4))
    elif ty := _YEAR.search(title):
        title_year = int(ty.group(1))
    for ln in lines[:LEAD_LINES]:
        m = next((m for m in _LEAD_DATE.finditer(ln) if not _after_code(ln, m.start())), None)
        if m:
            year = int(m.group(3)) if m.group(3) else title_year
            if year and (d := calendar_date(year, int(m.group(2)), int(m.group(1)))):
                return d, "day"
    for ln in lines[:PLACE_DATE_LINES]:
        m = next((m for m in _PLACE_DATE.finditer(ln) if not _after_code(ln, m.start())), None)
        if m and (d := calendar_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))):
            return d, "day"
    if tm:
        month = int(tm.group(1) or tm.group(3))
        if d := calendar_date(title_year, month, 1):
            return d, "month"
    if title_year:
        return dt.date(title_year, 1, 1), "year"
    return None, None
