"""One report as the index sees it: ``parse_document`` turns raw text into a ``Report``.

The page's headline becomes the report's title (``search.ingest.metadata.title``)
and is not repeated in its passages; the rest of the page is its article minus
the furniture (``search.ingest.article``), cut into passages. The metadata is
read from the title and the article, never from the page's furniture; the date
also from a publication stamp above the article.
"""

from __future__ import annotations

import datetime as dt
import html
import re

from search.ingest.article import article_lines, split_passages
from search.ingest.metadata import extract_date, extract_directives, extract_organization
from search.ingest.metadata.directives import code_mentions
from search.ingest.metadata.title import find_title, first_heading
from search.records import Passage, Report
from search.text.normalize import clean_text

# HTML character references left in scraped text ("&gt;&gt;", "&amp;", "&#8220;").
_ENTITY = re.compile(r"&(?:#\d{2,7}|#[xX][0-9a-fA-F]{2,6}|[a-zA-Z]{2,8});")


def unescape_entities(text: str) -> str:
    """Character references decoded; an unknown name ("&A1;") is left as it is."""
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text) if "&" in text else text


def parse_document(
    path: str, raw_text: str, *, title: str | None = None, date: dt.date | None = None
) -> Report:
    """Everything the index needs to know about one report.

    ``title`` and ``date``: what the file itself declares (a web page's
    ``og:title``, ``article:published_time``); they take precedence over what
    is read from the text.
    """
    text = unescape_entities(clean_text(raw_text))
    page = [ln.strip() for ln in text.split("\n") if ln.strip()]
    declared = unescape_entities(clean_text(title)).strip() if title and title.strip() else None
    found = find_title(page, first_heading(text), declared)
    body = ([found.rest] if found.rest else []) + page[found.body_from:]
    # A headline is not repeated in the text; a title made of the first sentence is the text's own.
    headline = found.line is not None or declared is not None
    article = article_lines(body, found.text if headline else None)
    if not article and found.line is not None:
        article = [page[found.line]]  # a page that is its headline only: that line is its text
    if date is not None:
        precision = "day"
    else:
        date, precision = extract_date(page, article, found.text, found.body_from, headline)
    passages = split_passages(article)
    described = ([found.text] if headline else []) + article
    directives, info = extract_directives(described)
    organization, bodies = extract_organization(article, found.text)
    known = set(directives)
    return Report(
        doc=path,
        title=found.text,
        date=date,
        date_precision=precision,
        organization=organization,
        directives=directives,
        passages=[Passage(n, p, codes=sorted({c for c, _, _ in code_mentions(p, known)}))
                  for n, p in enumerate(passages, start=1)],
        directive_info=info,
        bodies=bodies,
    )
