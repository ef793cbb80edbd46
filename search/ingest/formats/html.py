"""Saved web pages (.html, .htm) through beautifulsoup4: the article only.

bs4 is imported inside the functions that use it, so importing this module
costs nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from search.ingest import legacy
from search.ingest.formats.base import FileText, Runs, Skip
from search.ingest.formats.encoding import BOMS, decode_text, runs_to_text

HTML_SUFFIXES = {".html", ".htm"}

_BLOCKS = {
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
    "ol", "dl", "dt", "dd", "tr", "table", "tbody", "thead", "blockquote", "pre", "figure",
    "figcaption", "header", "footer", "address", "hr", "br", "td", "th", "caption", "center",
    "form", "fieldset", "details", "summary",
}
# Never article text wherever they sit.
# (Not <form>: ASP.NET pages, common on Vietnamese government sites, wrap the
# whole page in one.)
_DROP_TAGS = {"script", "style", "noscript", "template", "iframe", "svg", "canvas",
              "button", "select", "input", "textarea", "nav", "aside", "menu", "dialog", "object",
              "embed", "video", "audio", "map"}
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"}
# Class/id words of page chrome: navigation, share bars, related lists, ads...
_CHROME = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|navigation|menu|breadcrumbs?|sidebar|side-bar|share(?:bar|box|tools)?|sharing|"
    r"social|related|comments?|advert|ads|banner|widget|toolbar|pagination|pager|subscribe|"
    r"newsletter|popup|cookie|footer|header|masthead|topbar|tags|print|rating|most-read|"
    r"tin-lien-quan|tinlienquan|tin-khac|lien-quan)(?:$|[-_\s\d])",
    re.IGNORECASE,
)
# A <meta charset> is looked for in the page's first 4 KiB (HTML5 wants it in the first 1,024 bytes).
CHARSET_SNIFF_BYTES = 4096
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def read_html(path: Path) -> FileText:
    """The article of a saved web page: chrome dropped, title and date from the page.

    BeautifulSoup (with Python's own html.parser: tolerant of broken markup,
    no compiled dependency) builds the tree. The article is ``<article>`` (the
    longest one), ``[itemprop=articleBody]``, ``<main>``, else the page body;
    inside it navigation, headers/footers outside the article, asides, share
    bars and related-article lists (by tag, ARIA role or class name) are removed.
    """
    from bs4 import BeautifulSoup

    data = path.read_bytes()
    if not data.strip():
        raise Skip("empty file")
    markup, encoding = _decode_html(data)
    soup = BeautifulSoup(markup, "html.parser")
    title = _html_title(soup)
    date = _html_date(soup)
    _drop_chrome(soup)
    container = _article_container(soup)
    paragraphs: list[Runs] = [[]]
    _html_walk(container, paragraphs, None)
    text, found = runs_to_text(paragraphs)
    if title:
        title = legacy.fix_text(title)[0] if found != "unicode" else title
    return FileText(text, title=title, date=date, encoding=encoding if found == "unicode" else found)


def _drop_chrome(soup) -> None:
    """Remove page chrome: by tag, ARIA role, page header/footer, and class or id name."""
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(attrs={"role": True}):
        if not tag.decomposed and str(tag.get("role", "")).lower() in _DROP_ROLES:
            tag.decompose()
    for tag in soup.find_all(["header", "footer"]):
        if tag.decomposed:
            continue
        inside_article = tag.find_parent("article") is not None
        if tag.name == "footer" or not inside_article:
            tag.decompose()
    for tag in soup.find_all(attrs={"class": True}) + soup.find_all(attrs={"id": True}):
        if tag.decomposed or tag.name in ("body", "html", "article", "main"):
            continue
        words = " ".join(tag.get("class") or []) + " " + str(tag.get("id") or "")
        if _CHROME.search(words):
            tag.decompose()


def _decode_html(data: bytes) -> tuple[str, str]:
    """The page as text: BOM, then the declared charset, then as a text file."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec.replace("-sig", "")
    m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w]+)""", data[:CHARSET_SNIFF_BYTES], re.IGNORECASE)
    if m:
        codec = m.group(1).decode("ascii").lower()
        try:
            return data.decode(codec), codec
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _html_title(soup) -> str | None:
    for attrs in ({"property": "og:title"}, {"name": "twitter:title"}):
        meta = soup.find("meta", attrs=attrs)
        if meta and meta.get("content", "").strip():
            return meta["content"].strip()
    h1 = soup.find("h1")
    if h1 and h1.get_text(" ", strip=True):
        return re.sub(r"\s+", " ", h1.get_text(" ", strip=True))
    if soup.title and soup.title.get_text(strip=True):
        # "Headline - Site name": keep the headline
        return re.split(r"\s+[|–—-]\s+", soup.title.get_text(" ", strip=True))[0]
    return None


def _html_date(soup) -> dt.date | None:
    candidates = []
    for attrs in ({"property": "article:published_time"}, {"itemprop": "datePublished"},
                  {"name": "pubdate"}, {"name": "publishdate"}, {"name": "date"},
                  {"name": "dc.date.issued"}, {"name": "DC.date.issued"}):
        meta = soup.find("meta", attrs=attrs)
        if meta:
            candidates.append(meta.get("content", ""))
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        m = re.search(r'"datePublished"\s*:\s*"([^"]+)"', script.string or "")
        if m:
            candidates.append(m.group(1))
    for time in soup.find_all("time", attrs={"datetime": True}):
        candidates.append(time["datetime"])
    for value in candidates:
        m = _ISO_DATE.search(value or "")
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def _article_container(soup):
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda a: len(a.get_text(" ", strip=True)))
    for finder in ({"itemprop": "articleBody"}, {"role": "main"}):
        found = soup.find(attrs=finder)
        if found is not None:
            return found
    return soup.find("main") or soup.body or soup


def _html_walk(node, paragraphs: list[Runs], font: str | None) -> None:
    """Text of ``node`` as paragraphs of (text, font) runs; block tags end paragraphs.

    Old Vietnamese pages set legacy fonts with ``<font face=".VnTime">`` or a
    CSS font-family: the run keeps that font so it is converted.
    """
    from bs4 import NavigableString, Tag

    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child).__name__ in ("Comment", "Doctype", "Declaration", "ProcessingInstruction", "CData"):
                continue
            text = re.sub(r"\s+", " ", str(child))
            if text.strip():
                paragraphs[-1].append((text, font))
            continue
        if not isinstance(child, Tag):
            continue
        child_font = font
        face = child.get("face") or ""
        m = re.search(r"font-family\s*:\s*['\"]?([^;'\",]+)", child.get("style") or "", re.IGNORECASE)
        for name in (face.split(",")[0].strip(" '\""), m.group(1).strip() if m else ""):
            if name and legacy.font_encoding(name)[0]:
                child_font = name
        block = child.name in _BLOCKS
        if block and paragraphs[-1]:
            paragraphs.append([])
        _html_walk(child, paragraphs, child_font)
        if block and paragraphs[-1]:
            paragraphs.append([])
