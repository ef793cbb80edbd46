"""The report's title: a heading set off at the top, else the first headline-like line."""

from __future__ import annotations

import re

from search.ingest.article import DATE_ONLY
from search.text.normalize import fold

_MOTTO = {fold(s) for s in ["Cộng hòa xã hội chủ nghĩa Việt Nam", "Độc lập - Tự do - Hạnh phúc"]}

# The title is looked for in the page's first 8 lines: below them sits the
# article's body, whose first long line would be the lead, not a headline.
TITLE_LINES = 8
# A line of fewer than 5 words is a category name, a place or a stamp, not a headline.
TITLE_MIN_WORDS = 5
# A first line set off by a blank line is a heading if it has 2 to 15 words
# (one word is a label, more than 15 a sentence) and does not end like a sentence.
HEADING_MIN_WORDS = 2
HEADING_MAX_WORDS = 15


def first_heading(text: str) -> str | None:
    """The first line if it stands alone (blank line after it), is short and is no sentence."""
    m = re.match(r"\s*([^\n]+)\n[ \t]*\n", text)
    if not m:
        return None
    line = m.group(1).strip()
    if HEADING_MIN_WORDS <= len(line.split()) <= HEADING_MAX_WORDS and not line.endswith((".", ";", ",")):
        return line
    return None


def extract_title(lines: list[str], heading: str | None = None) -> str:
    """The first line that reads like a headline (not a stamp, category or motto).

    ``heading``: a short first line set off by a blank line (an article title such
    as "Phạm vi điều chỉnh"), taken as the title even under five words.
    """
    if heading and not DATE_ONLY.match(heading) and fold(heading) not in _MOTTO:
        return heading
    for ln in lines[:TITLE_LINES]:
        words = ln.split()
        if len(words) < TITLE_MIN_WORDS or fold(ln) in _MOTTO or DATE_ONLY.match(ln):
            continue
        return ln
    return lines[0] if lines else ""
