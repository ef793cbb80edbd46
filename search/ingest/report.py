"""One report as the index sees it: ``parse_document`` turns raw text into a ``Report``.

It keeps the article (``search.ingest.article``), cuts it into passages and
reads the report's metadata (``search.ingest.metadata``) from the article only,
never from the page's junk; a date stamp above the article is the exception.
"""

from __future__ import annotations

import datetime as dt

from search.ingest.article import article_lines, split_passages
from search.ingest.metadata import (
    extract_date,
    extract_directives,
    extract_organization,
    extract_title,
)
from search.ingest.metadata.directives import code_mentions
from search.ingest.metadata.title import first_heading
from search.records import Passage, Report
from search.text.normalize import clean_text

# The date is looked for in the page's first 8 lines, where publication stamps
# sit (``article_lines`` drops them as chrome), then in the article's first 5
# lines, its lead ("Sáng 13/4/2023, ...").
DATE_PAGE_LINES = 8
DATE_ARTICLE_LINES = 5


def parse_document(
    path: str, raw_text: str, *, title: str | None = None, date: dt.date | None = None
) -> Report:
    """Everything the index needs to know about one report.

    ``title`` and ``date``: what the file itself declares (a web page's
    ``og:title``, ``article:published_time``); they take precedence over what
    is read from the text.
    """
    text = clean_text(raw_text)
    all_lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    body = article_lines(text)
    title = clean_text(title).strip() if title and title.strip() else None
    title = title or extract_title(all_lines, first_heading(text))
    if date is not None:
        precision = "day"
    else:
        date, precision = extract_date(all_lines[:DATE_PAGE_LINES] + body[:DATE_ARTICLE_LINES], title)
    passages = split_passages(body)
    if title and title not in body:
        passages.insert(0, title)
    directives, info = extract_directives(body)
    organization, bodies = extract_organization(body, title)
    known = set(directives)
    return Report(
        doc=path,
        title=title,
        date=date,
        date_precision=precision,
        organization=organization,
        directives=directives,
        passages=[Passage(n, p, codes=sorted({c for c, _, _ in code_mentions(p, known)}))
                  for n, p in enumerate(passages, start=1)],
        directive_info=info,
        bodies=bodies,
    )
