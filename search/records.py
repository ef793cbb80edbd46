"""The small typed records that cross module boundaries.

``Source`` (a file to index) -> ``Report`` (what ingestion reads from it, with
its ``Passage``s) -> the index -> ``Hit`` (one ranked passage) and
``IndexStats`` (what a build did). Each record has one serialised form: a
report's metadata is written by ``Report.to_record`` into the index's report
table and read back by ``Report.from_record``; ``Hit.to_json`` is the line
``vnsearch search --json`` prints, and the API, CSV and web page use it too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

DatePrecision = Literal["day", "month", "year"]

#: How a report's passages are joined into its text (``Report.text``): passages
#: hold their paragraphs one per line, so a blank line marks a passage boundary.
PASSAGE_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Source:
    """One file to index."""

    path: Path  # the file on disk
    doc: str  # the report's name as users see it (``ingest.sources.find_sources`` says how)
    folder: str = ""  # the source folder it was found in (absolute), or the file itself
    relpath: str = ""  # its path relative to that folder: with ``folder``, what identifies the report


@dataclass
class Passage:
    """What search ranks and shows: about 700 characters of a report, paragraphs one per line."""

    number: int  # 1-based, in reading order
    text: str
    start: int = 0  # offset of ``text`` in its report's ``Report.text``
    codes: list[str] = field(default_factory=list)  # directive codes it cites, normalised

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def date_range(date: dt.date | None, precision: str | None) -> tuple[dt.date, dt.date] | None:
    """First and last day a date covers: a date known only to its year covers the year."""
    if date is None:
        return None
    if precision == "year":
        return dt.date(date.year, 1, 1), dt.date(date.year, 12, 31)
    if precision == "month":
        nxt = dt.date(date.year + (date.month == 12), date.month % 12 + 1, 1)
        return dt.date(date.year, date.month, 1), nxt - dt.timedelta(days=1)
    return date, date


@dataclass
class Report:
    """One report: its metadata and its passages in reading order.

    ``date`` is the first day the report's date covers and ``date_precision``
    says how much of it the report states (``2021`` is 2021-01-01 at ``year``).
    """

    doc: str
    title: str
    date: dt.date | None = None
    date_precision: DatePrecision | None = None
    organization: str | None = None
    directives: list[str] = field(default_factory=list)  # normalised codes, most cited first
    bodies: list[str] = field(default_factory=list)  # every body named, the organization first
    directive_info: dict[str, dict] = field(default_factory=dict)  # code -> type, issuer, date, passages
    passages: list[Passage] = field(default_factory=list)
    path: str | None = None  # absolute path of the file it was read from
    passage_count: int | None = None  # set when read back without the passages' text

    def __post_init__(self) -> None:
        start = 0
        for p in self.passages:  # offsets follow from the text: never stored apart from it
            p.start = start
            start += len(p.text) + len(PASSAGE_SEPARATOR)

    @property
    def text(self) -> str:
        """The report as indexed: its passages joined by ``PASSAGE_SEPARATOR``."""
        return PASSAGE_SEPARATOR.join(p.text for p in self.passages)

    @property
    def date_range(self) -> tuple[dt.date, dt.date] | None:
        return date_range(self.date, self.date_precision)

    @property
    def n_passages(self) -> int:
        return len(self.passages) if self.passage_count is None else self.passage_count

    def to_record(self) -> dict:
        """The report's metadata as the index's report table keeps it (no passage text)."""
        cited: dict[str, int] = {}
        for p in self.passages:
            for code in p.codes:
                cited[code] = cited.get(code, 0) + 1
        return {
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "date_precision": self.date_precision,
            "organization": self.organization,
            "bodies": self.bodies,
            "directives": self.directives,
            "directive_info": {
                code: dict(info, passages=cited.get(code, info.get("passages", 0)))
                for code, info in self.directive_info.items()
            },
            "passages": self.n_passages,
            "path": self.path,
        }

    @classmethod
    def from_record(cls, doc: str, record: dict) -> Report:
        date = record.get("date")
        return cls(
            doc=doc,
            title=record["title"],
            date=dt.date.fromisoformat(date) if date else None,
            date_precision=record.get("date_precision"),
            organization=record.get("organization"),
            directives=list(record.get("directives") or []),
            bodies=list(record.get("bodies") or []),
            directive_info=dict(record.get("directive_info") or {}),
            path=record.get("path"),
            passage_count=record["passages"],
        )

    def summary_json(self) -> dict:
        """What ``vnsearch docs --json`` prints for the report."""
        return {
            "doc": self.doc,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "date_precision": self.date_precision,
            "organization": self.organization,
            "directives": self.directives,
            "path": self.path,
            "passages": self.n_passages,
        }


@dataclass
class Hit:
    """One ranked passage; ``highlights`` are [start, end) offsets into ``text``."""

    rank: int
    score: float
    doc: str
    passage: int
    title: str
    date: str | None  # YYYY-MM-DD: the first day of the period ``date_precision`` names
    date_precision: DatePrecision | None
    organization: str | None
    directives: list[str]
    path: str | None
    text: str
    highlights: list[list[int]]

    #: The keys of ``to_json``, in order: the columns of the CSV export too.
    KEYS = ("rank", "score", "doc", "passage", "title", "date", "date_precision", "organization",
            "directives", "path", "text", "highlights")

    def to_json(self) -> dict:
        """Exactly the record ``vnsearch search --json`` prints for this hit."""
        return {k: getattr(self, k) for k in self.KEYS}

    @classmethod
    def of(cls, rank: int, score: float, report: Report, passage: int, text: str,
           highlights: list[list[int]]) -> Hit:
        return cls(
            rank=rank,
            score=score,
            doc=report.doc,
            passage=passage,
            title=report.title,
            date=report.date.isoformat() if report.date else None,
            date_precision=report.date_precision,
            organization=report.organization,
            directives=list(report.directives),
            path=report.path,
            text=text,
            highlights=highlights,
        )


@dataclass
class IndexStats:
    """What one ``build_index`` run did."""

    indexed: int = 0  # new reports
    updated: int = 0  # changed reports read again
    removed: int = 0  # reports whose files are gone
    unchanged: int = 0
    passages: int = 0  # passages written by this run
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
