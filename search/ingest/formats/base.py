"""What every format reader returns or raises: ``FileText`` and ``Skip``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: One paragraph of a document whose format names fonts: its (text, font name) runs.
Runs = list[tuple[str, str | None]]


class Skip(Exception):
    """The file is not indexed; ``str(exc)`` says why in a few words."""


@dataclass(frozen=True)
class FileText:
    """What a reader gets out of one report file: its Unicode text and what the file declares.

    ``text`` holds the paragraphs separated by blank lines (a plain-text file
    keeps its own lines). ``title`` and ``date`` are set only when the file
    states them itself (a web page's ``og:title``, ``article:published_time``);
    they take precedence over what ``search.ingest.report`` reads from the
    text. ``encoding`` is what was detected: ``utf-8``, ``utf-16``, ``cp1258``,
    ``tcvn3``, ``vni``, ``tcvn3+vni``, ``unicode``, ...
    """

    text: str
    title: str | None = None
    date: dt.date | None = None
    encoding: str = "utf-8"
