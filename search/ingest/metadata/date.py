"""The report's own date and how precisely it is known ("day", "month", "year").

Only places that state the report's own date are read, in order of trust:

1. a publication stamp in the page's header ("Thứ Năm, 13/4/2023 7:53",
   "08/07/2020 | 306", "31-12-2005 10:05:22 GMT +7");
2. the dateline of the lead: the paper's or agency's tag and the time that
   opens the news ("(QTO) - Chiều nay 15/7/2020, ...", "(NLĐ)- Lúc 4 giờ sáng
   1-1-2006, ...", "TT (TP.HCM) - Sáng nay, 17-9-2003, ..."), or, without a
   tag, the date the lead opens with ("Sáng 08/7/2020, ...", "Ngày 25/2/2005,
   ..."); see ``lead_paragraphs`` for which paragraphs are the lead;
3. a line that is a place and a date ("Hà Nội, ngày 13 tháng 3 năm 2001",
   "Bắc Ninh, ngày Ngâu, 2006"), above the first paragraph or at the end;
   (not when the article names a later year: "Bucharest, 19/3/1969" under a
   quoted poem);
4. the period a report's title names ("Những kết quả nổi bật ... năm 2021",
   "Án điển hình 2005"; see ``title_period``).

A date anywhere else is the narrative's (a birth year, an earlier trial, a
coming hearing) and is never the report's. A lead that opens with a date but
no tag gives the report's date only if nothing says that it tells of another
day than the report's (``_background``): a scene's hour ("Đêm 1-1-2001, ...",
"Rạng sáng 24/12/2003, ...", "14h30 ngày 29/10/2004, ..."), a coming day
("Ngày 4/1/2005 sẽ ..."), the year as the title's subject ("Chiến tranh
Afghanistan 1979 qua ảnh"), a
reference to text above it (the page lost its lead: "... các bị can trên"),
time passed since or a story told in retrospect ("10 năm trôi qua", "Hai ngày
sau", "nhớ lại"), an anniversary or a memoir in the title or the lead ("kỷ
niệm", "sinh nhật", "Hồi ký"), or a later day or month stated in
the article ("Đến ngày 28/12/2003, ...", "cuối tháng 11/2005"; not in a span
such as an anniversary's "3/2/1930 - 3/2/2024"): then the report tells of a
later time and its own date is not stated.

A day and month without a year ("Sáng 28/3, ...") is a date only when the year
is stated nearby: a period naming the same month ("tháng 12/2023") in the
title, or in the rest of the date's sentence (``YEAR_NEARBY_CHARS``). A bare
year there is not enough ("Ngày 28-12, ... Vinh danh Nước Việt 2005" names an
award), nor is a month's name ("Cách mạng Tháng 8/1945"). When unsure, there is
no date: a wrong date is worse than none, since date filters would then hide
the report or show it where it does not belong.
"""

from __future__ import annotations

import datetime as dt
import re

from search.ingest.article import PARAGRAPH_MIN_CHARS
from search.ingest.metadata.title import is_headline

# Publication stamps sit above the headline or in the page's first 6 lines.
STAMP_LINES = 6
# A tagged dateline is looked for in the article's first 2 paragraphs (a photo
# caption may come first).
TAGGED_PARAGRAPHS = 2
# "Nearby" for the year of a day and month: the title, and the rest of the
# date's sentence up to 200 characters.
YEAR_NEARBY_CHARS = 200
# A place-and-date line is looked for in the page's opening block of headings
# (an official document's header, at most its first 15 lines; not below the
# first paragraph, where a memoir's "Sài Gòn, tháng 4/1975." starts a quoted
# text) and where a text ends: the article's last 3 lines (a letter's or essay's
# signature), or a line followed by a heading or a box, not a paragraph.
PLACE_DATE_LINES = 15
PLACE_DATE_TAIL_LINES = 3
# ... and is at most 60 characters long: a longer line is a sentence.
PLACE_DATE_MAX_CHARS = 60

_D, _M, _Y = r"(\d{1,2})", r"(\d{1,2})", r"(\d{4})"
_SEP = r"\s*[/.\-]\s*"

# A stamp line: "Thứ Năm, 13/4/2023 7:53'(GMT+7)", "08/07/2020 | 306", "13/4/2023".
_STAMP_LINE = re.compile(
    r"^(?:(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|\d)|chủ\s+nhật)\s*,?\s*)?" + _D + "/" + _M + "/" + _Y
    + r"(\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*(?:'?\s*\(GMT[+\-]\d+\))?\s*(?:\|\s*\d+)?$",
    re.IGNORECASE,
)
# A stamp with a time of day and a time zone, wherever it sits in a header line
# (Người Lao Động's pages: "<p class=ngay>31-12-2005 10:05:22 GMT +7</p>").
_GMT_STAMP = re.compile(_D + "-" + _M + "-" + _Y + r"\s+\d{1,2}:\d{2}(?::\d{2})?\s*GMT\s*[+\-]\s*\d")

# The time that opens a lead: "Ngày", "Sáng nay,", "Lúc 20 giờ 30 ngày", "Lúc 4 giờ sáng", "Hôm qua (".
_HOUR = r"(?:lúc\s+)?\d{1,2}\s*(?:giờ|g|h)(?:\s*\d{1,2}(?:\s*phút)?)?\s+"
_WHEN = (r"(?P<when>(?i:(?:vào\s+)?(?:" + _HOUR + r")?(?:(?:rạng\s+)?sáng|trưa|chiều|tối|đêm|khuya|ngày|hôm)?"
         r"(?:\s+(?:nay|qua|hôm\s+qua|hôm\s+nay))?\s*[,(]?\s*(?:ngày\s+)?))")
_DATE = r"(?P<d>\d{1,2})" + _SEP + r"(?P<m>\d{1,2})(?:" + _SEP + r"(?P<y>\d{4}))?(?!\s*[/.\-]?\s*\d)"
_AFTER_DATE = r"\)?\s*(?:\([^()]{1,30}\))?\s*"
# A paper's or agency's tag: "(NLĐ)-", "(NLĐO) -", "(QTO) - ", "TT - ", "TTO - ", "TT (TP.HCM) - ".
_TAG = r"(?:\([A-ZĐ]{2,6}\)|\b[A-ZĐ]{2,6}(?:\s*\([^()\d]{2,20}\))?)\s*[-–—]\s*"
_TAGGED = re.compile(_TAG + _WHEN + _DATE + _AFTER_DATE + ",")
_OPENING = re.compile(r"^" + _WHEN + _DATE + _AFTER_DATE + r"(?P<after>[,\s])")
# Untagged openings that set a scene at an hour of the night or at noon, or at a
# clock time, tell a story's start, not the day of the news: "Đêm 1-1-2001, ...",
# "Trưa 18-7-2001, ...", "14h30 ngày 29/10/2004, sân bay Nội Bài báo động ...".
_SCENE = re.compile(r"^(?:vào\s+)?(?:rạng\s+sáng|đêm|khuya|trưa|(?:lúc\s+)?\d)", re.IGNORECASE)
# A coming day: "Ngày 4/1/2005 sẽ diễn ra ...", "Ngày 28/2/2005 tới đây, ...",
# "Vào lúc 20h00 ngày 30/09/2005, tại sân khấu ... sẽ diễn ra ...": the date's
# sentence speaks of the future.
_COMING = re.compile(r"\b(?:sẽ|sắp|tới\s+đây|sắp\s+tới)\b|^\W{0,3}tới\b", re.IGNORECASE)
# Words that point back at text above: the paragraph is not the page's first (its lead was lost).
_BACK_REFERENCE = re.compile(
    r"\b(?:nói|kể|nêu|ghi)\s+trên\b|\btrên\s+đây\b|\b(?:bị can|bị cáo|đối tượng|vụ án|vụ việc)\s+trên\b",
    re.IGNORECASE,
)
# Time passed since the date, a story told in retrospect: "10 năm trôi qua",
# "Hai ngày sau, ...", "ngày này 19 năm trước", "Sau này, Tổng thống Mỹ nhớ lại ...".
_TIME_AFTER = re.compile(
    r"\b(?:\d+|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|vài|mấy)\s+"
    r"(?:ngày|tuần|tháng|năm|thập kỷ|thập niên)\s+(?:trôi\s+qua|sau|trước)\b|\bsau\s+này\b|\bnhớ\s+lại\b",
    re.IGNORECASE,
)
# An anniversary or memoir in the title or the lead: "mừng sinh nhật ở tuổi 100", "kỷ niệm", "Hồi ký".
_ANNIVERSARY = re.compile(r"\bkỷ\s+niệm\b|\bsinh\s+nhật\b|\bhồi\s+ký\b", re.IGNORECASE)
# Every full date and every month of a year the article states, for the later-day
# test. A date in a span ("3/2/1930 - 3/2/2024", an anniversary) is left out.
_ANY_DAY = re.compile(r"(?<![\d\-–]\s)(?<![\d\-–])" + _D + _SEP + _M + _SEP + _Y + r"(?!\d)(?!\s*[\-–]\s*\d)")
# A period naming a month: "tháng 12/2023", "tháng 12-2023", "tháng 12 năm 2023";
# in lower case ("Cách mạng Tháng 8/1945" is a name).
_MONTH_YEAR = re.compile(r"tháng\s+(\d{1,2})\s*(?:[/.\-]|\s+năm)\s*(\d{4})\b")
_SENTENCE_END = re.compile(r"[.!?…]\s+[\"“(]?[A-ZÀ-ỸĐ0-9]")

# Titles of reports and meetings ("Báo cáo ...", "Hội nghị ..."), and reviews of a
# period ("... nổi bật năm 2004", "Án điển hình 2005"): the period named after the
# review word, within REVIEW_SPAN_WORDS words, is the report's.
_REPORT_TITLE = re.compile(r"^(?:\w+:\s*)?(?:báo cáo|hội nghị|giao ban|tổng kết|sơ kết|kết quả|tình hình|công tác)\b",
                           re.IGNORECASE)
_REVIEW = re.compile(r"\b(?:tổng kết|sơ kết|kết quả|điển hình|nổi bật|tiêu biểu)\b", re.IGNORECASE)
REVIEW_SPAN_WORDS = 8
# Titles that look ahead or back: their period is to come, or long gone.
_NOT_NOW = re.compile(
    r"\b(?:sẽ|sắp|dự báo|dự đoán|dự kiến|kế hoạch|đến năm|mục tiêu|triển vọng|chiến lược|tới|nhìn lại|kỷ niệm)\b",
    re.IGNORECASE,
)
_PERIOD = re.compile(
    r"tháng\s+(?P<month>\d{1,2})\s*(?:[/.\-]|\s+năm)\s*(?P<my>\d{4})\b"
    r"|(?:năm|quý\s+[IV]+\s*/|quý\s+[IV]+\s+năm)\s*(?P<y>\d{4})\b"
    r"|(?<![\d\-–])(?P<bare>(?:19|20)\d\d)\b(?!\s*[\-–/]\s*\d)",  # not a season "2003-2004"
    re.IGNORECASE,
)

# A place and a date, nothing else: "Hà Nội, ngày 13 tháng 3 năm 2001",
# "Quảng Ngãi, 3/3/2005", "Đà Nẵng, tháng 8/2004", "Bắc Ninh, ngày Ngâu, 2006".
# The place is one to four capitalised words, not a weekday ("Thứ Hai, 24.10.2005"
# is a line of a schedule).
_PLACE = r"^(?!(?i:thứ|chủ nhật))(?:[A-ZÀ-ỸĐ][\w.]*(?:[\s\-]+[A-ZÀ-ỸĐ][\w.]*){0,3})\s*,\s*"
_PLACE_DAY = re.compile(_PLACE + r"(?i:(?:ngày\s+)?)" + _D + r"\s+(?i:tháng)\s+" + _M + r"\s+(?i:năm)\s+" + _Y
                        + r"\s*\.?$")
_PLACE_DAY_NUM = re.compile(_PLACE + r"(?i:(?:ngày\s+)?)" + _D + _SEP + _M + _SEP + _Y + r"\s*\.?$")
_PLACE_MONTH = re.compile(_PLACE + r"(?i:tháng)\s+(\d{1,2})\s*(?:[/.\-]|\s+(?i:năm))\s*(\d{4})\s*\.?$")
# ... a year with a day or season named in words: "ngày Ngâu, 2006", "mùa xuân 2006", "Tết 2006".
_PLACE_YEAR = re.compile(
    _PLACE + r"(?:(?i:ngày|tháng|mùa|tết|xuân|hè|thu|đông|cuối|đầu|giữa)\b[^\d,]{0,25},?\s*)?(?i:(?:năm\s+)?)"
    r"((?:19|20)\d\d)\s*\.?$"
)
_ANY_YEAR = re.compile(r"(?<![\d/.\-])((?:19|20)\d\d)(?![\d/])")


def calendar_date(y: int, m: int, d: int) -> dt.date | None:
    """The date, or None when the numbers name no day (31/2, month 13)."""
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def stamp_date(lines: list[str]) -> dt.date | None:
    """The publication stamp among a page's header ``lines``, if any.

    A stamp with a time of day comes first: a page's header may also show the
    day it was saved ("Thứ Sáu, 22/11/2024" above "Thứ Năm, 13/4/2023 7:53").
    """
    stamps = []
    for ln in lines:
        s = ln.strip(" \t•·-*")
        if m := _GMT_STAMP.search(s):
            stamps.append((0, m))
        elif m := _STAMP_LINE.match(s):
            stamps.append((0 if m.group(4) else 1, m))
    for _, m in sorted(stamps, key=lambda s: s[0]):
        if d := calendar_date(int(m.group(3)), int(m.group(2)), int(m.group(1))):
            return d
    return None


def _month_years(text: str) -> dict[int, int]:
    """month -> year of every "tháng M/YYYY" period in ``text``."""
    return {int(m.group(1)): int(m.group(2)) for m in _MONTH_YEAR.finditer(text)}


def _rest_of_sentence(text: str) -> str:
    end = _SENTENCE_END.search(text)
    return text[: end.start() + 1 if end else YEAR_NEARBY_CHARS][:YEAR_NEARBY_CHARS]


def _date_of(m: re.Match, paragraph: str, title: str) -> dt.date | None:
    """The day a dateline match names, its year stated or stated nearby."""
    day, month = int(m.group("d")), int(m.group("m"))
    if m.group("y"):
        return calendar_date(int(m.group("y")), month, day)
    nearby = _month_years(title) | _month_years(_rest_of_sentence(paragraph[m.end():]))
    return calendar_date(nearby[month], month, day) if month in nearby else None


def tagged_date(paragraph: str, title: str = "") -> dt.date | None:
    """The date after a paper's or agency's tag ("(NLĐ)- Sáng 1-1-2006, ...")."""
    m = _TAGGED.search(paragraph)
    return _date_of(m, paragraph, title) if m else None


def opening_date(paragraph: str, title: str = "") -> dt.date | None:
    """The date an untagged lead opens with, unless it sets a scene or is to come."""
    m = _OPENING.match(paragraph)
    if not m or _SCENE.match(m.group("when")) or _COMING.search(_rest_of_sentence(paragraph[m.end("after") - 1 :])):
        return None
    return _date_of(m, paragraph, title)


def lead_paragraphs(article: list[str]) -> list[str]:
    """The paragraphs an untagged dateline may open: the article's first, and the
    first under the first subheading when that follows it (a sapo before the
    lead: "Tuy USD vẫn là ... / Giá USD tăng chỉ bằng 2,28% ... / Ngày 6/3/2006 ...").
    A second paragraph right after the first is the story's, not its lead."""
    if not article:
        return []
    lead = [article[0]]
    if len(article) > 2 and is_headline(article[1]) and not _OPENING.match(article[1]) and not is_headline(article[2]):
        lead.append(article[2])
    return lead


def _background(d: dt.date, paragraph: str, article: list[str], title: str) -> bool:
    """An untagged opening date ``d`` tells of another day than the report's (see the module docstring)."""
    if _BACK_REFERENCE.search(paragraph) or _ANNIVERSARY.search(title) or _ANNIVERSARY.search(paragraph):
        return True
    if str(d.year) in _ANY_YEAR.findall(title):
        return True  # the title names the year as its subject: "Chiến tranh Afghanistan 1979 qua ảnh"
    if any(_TIME_AFTER.search(t) for t in (title, *article)):
        return True
    for text in article:
        for m in _ANY_DAY.finditer(text):
            if re.search(r"tháng\s*$", text[max(0, m.start() - 8) : m.start()], re.IGNORECASE):
                continue  # "tháng 1-2/2024": months, not a day
            later = calendar_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            if later and later > d:
                return True
        if any((y, mo) > (d.year, d.month) for mo, y in _month_years(text.lower()).items()):
            return True
    return False


def place_date(line: str) -> tuple[dt.date, str] | None:
    """The date of a place-and-date line, with its precision."""
    s = line.strip()
    if len(s) > PLACE_DATE_MAX_CHARS:
        return None
    for pattern in (_PLACE_DAY, _PLACE_DAY_NUM):
        if (m := pattern.match(s)) and (d := calendar_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))):
            return d, "day"
    if (m := _PLACE_MONTH.match(s)) and (d := calendar_date(int(m.group(2)), int(m.group(1)), 1)):
        return d, "month"
    if m := _PLACE_YEAR.match(s):
        return dt.date(int(m.group(1)), 1, 1), "year"
    return None


def title_period(title: str) -> tuple[dt.date, str] | None:
    """The month or year a report's title says the report covers.

    The title of a report or meeting ("Báo cáo ...", "Hội nghị ..." and the
    like; ``_REPORT_TITLE``) names its period anywhere: "tháng 12/2023"
    (month), "quý I/2023", "năm 2021" (year). A review names it after its
    review word ("Những kết quả nổi bật công tác Tuyên giáo năm 2021", "Án
    điển hình 2005"; ``_REVIEW``, ``REVIEW_SPAN_WORDS``). A title that looks
    ahead or back ("sẽ", "dự báo", "kế hoạch", "nhìn lại", "kỷ niệm";
    ``_NOT_NOW``) names no period of its own; other titles' years name things
    ("Cúp mùa Xuân 2006", "Hoa hậu Festival biển 2006", "báo cáo tài chính năm 2003").
    """
    if _NOT_NOW.search(title):
        return None
    if _REPORT_TITLE.match(title):
        periods = [m for m in _PERIOD.finditer(title) if not m.group("bare")]
    elif review := _REVIEW.search(title):
        words = title[review.end():].split()[:REVIEW_SPAN_WORDS]
        periods = list(_PERIOD.finditer(" ".join(words)))
    else:
        return None
    if not periods:
        return None
    m = periods[0]
    if m.group("month"):
        d = calendar_date(int(m.group("my")), int(m.group("month")), 1)
        return (d, "month") if d else None
    return dt.date(int(m.group("y") or m.group("bare")), 1, 1), "year"


def _later_year(year: int, article: list[str]) -> bool:
    """The article names a year after ``year``: a place-and-date line older than that is a quote's."""
    return any(int(y) > year for text in article for y in _ANY_YEAR.findall(text))


def extract_date(
    page: list[str], article: list[str], title: str, header_end: int = 0, headline: bool = True
) -> tuple[dt.date | None, str | None]:
    """The report's own date and its precision ("day", "month", "year"), or (None, None).

    ``page``: the page's stripped, non-empty lines; ``article``: the article's
    lines (furniture and headline removed); ``header_end``: where the article
    starts among ``page`` (the header above it holds stamps); ``headline``:
    whether ``title`` is the page's headline (a title made of the text's first
    sentence names no period of the report's).
    """
    if d := stamp_date(page[: max(header_end, STAMP_LINES)]):
        return d, "day"
    paragraphs = [p for p in article if not is_headline(p) or _TAGGED.search(p)]
    for p in paragraphs[:TAGGED_PARAGRAPHS]:
        if d := tagged_date(p, title):
            return d, "day"
    for p in lead_paragraphs(article):
        if (d := opening_date(p, title)) and not _background(d, p, article, title):
            return d, "day"
    top = []  # the page's opening block: headings, stamps, place-and-date lines, down to the first paragraph
    for ln in page[:PLACE_DATE_LINES]:
        if not (is_headline(ln) or place_date(ln)):
            break
        top.append(ln)
    # ... and the lines that end a text: the article's last lines, or a line followed by a
    # heading or a box rather than by a paragraph ("Bắc Ninh, ngày Ngâu, 2006" above an excerpt).
    ends = [ln for i, ln in enumerate(article)
            if i >= len(article) - PLACE_DATE_TAIL_LINES or len(article[i + 1]) <= PARAGRAPH_MIN_CHARS]
    for ln in [*top, *ends]:
        if ln != title and (found := place_date(ln)) and not _later_year(found[0].year, article):
            return found
    if headline and (found := title_period(title)):
        return found
    return None, None
