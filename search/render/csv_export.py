"""Hits as CSV for spreadsheets: the JSON record's fields as columns, plus a marked snippet."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO

from search.records import Hit
from search.render.terminal import snippet

# A spreadsheet executes a cell that starts with one of these (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = [
    "rank", "score", "doc", "passage", "title", "date", "date_precision", "organization", "directives",
    "path", "snippet", "text", "highlights",
]


def neutralize(value: str) -> str:
    """Make a cell that a spreadsheet would run as a formula read as plain text."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def csv_row(hit: Hit, safe: bool = True) -> list:
    """The hit's JSON record as cells: lists joined, nulls empty, highlights as JSON."""
    cells = hit.to_json()
    cells.update(
        date=hit.date or "",
        date_precision=hit.date_precision or "",
        organization=hit.organization or "",
        directives="; ".join(hit.directives),
        path=hit.path or "",
        snippet=snippet(hit),
        highlights=json.dumps(hit.highlights),
    )
    row = [cells[c] for c in CSV_COLUMNS]
    if safe:
        row = [neutralize(v) if isinstance(v, str) else v for v in row]
    return row


def write_csv(results: Iterable[tuple[str, list[Hit]]], fh: IO[str], safe: bool = True,
              with_query: bool = False) -> int:
    """Write a header and one row per hit of each (query, hits) to ``fh`` (opened with newline='')."""
    writer = csv.writer(fh)
    writer.writerow((["query"] if with_query else []) + CSV_COLUMNS)
    n = 0
    for query, hits in results:
        for hit in hits:
            row = csv_row(hit, safe)
            writer.writerow(([neutralize(query) if safe else query] if with_query else []) + row)
            n += 1
    return n
