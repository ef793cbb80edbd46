"""Run a query against an index: ranked passages with highlight offsets."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path

from . import store
from .analysis import syllable_spans
from .errors import VnsearchError
from .query import Filters, highlight_patterns, parse
from .schema import SCHEMA_VERSION


@dataclass
class Hit:
    """One ranked passage; ``highlights`` are [start, end) offsets into ``text``."""

    rank: int
    score: float
    doc: str
    passage: int
    title: str
    date: str | None  # YYYY-MM-DD
    organization: str | None
    directives: list[str]
    text: str
    highlights: list[list[int]]

    def to_dict(self) -> dict:
        return asdict(self)


class Index:
    """An opened index generation: its Whoosh index and its metadata."""

    def __init__(self, index_dir: Path):
        gen = store.current_generation(index_dir)
        if gen is None:
            raise VnsearchError(
                f"no index at {index_dir}; build one with `vnsearch index SOURCE --index-dir {index_dir}`"
            )
        self.meta = store.read_meta(gen)
        version = self.meta.get("schema_version")
        if version != SCHEMA_VERSION:
            raise VnsearchError(
                f"index at {index_dir} has schema version {version}, this vnsearch needs "
                f"{SCHEMA_VERSION}; run `vnsearch index --rebuild`"
            )
        from whoosh import index as windex

        try:
            self.ix = windex.open_dir(str(gen))
        except Exception as exc:  # Whoosh raises many kinds on damaged files
            raise VnsearchError(
                f"index at {index_dir} is damaged ({type(exc).__name__}); run `vnsearch index --rebuild`"
            ) from None

    @property
    def documents(self) -> dict[str, dict]:
        return self.meta.get("documents", {})

    @property
    def known_codes(self) -> set[str]:
        """Every directive code any indexed report cites."""
        return {c for d in self.documents.values() for c in d.get("directives", [])}


def find_spans(text: str, patterns: list[tuple[str, ...]], known: set[str] = frozenset()) -> list[list[int]]:
    """Offsets of every occurrence of every pattern in ``text``, overlaps merged.

    The passage is re-tokenised with the indexing analyser, so a span starts and
    ends exactly on the characters that produced the matching tokens. A cited
    directive is marked in whatever form the passage writes it.
    """
    tokens = syllable_spans(text)
    keys = [k for k, _, _ in tokens]
    spans = []
    cited = {p[1] for p in patterns if p[0] == "cites" and len(p) == 2}
    if cited:
        from .extract import code_mentions

        spans += [[s, e] for code, s, e in code_mentions(text, set(known)) if code in cited]
    for pattern in patterns:
        if pattern[0] == "cites":
            continue
        n = len(pattern)
        if not n:
            continue
        for i in range(len(keys) - n + 1):
            if keys[i] == pattern[0] and tuple(keys[i : i + n]) == pattern:
                spans.append([tokens[i][1], tokens[i + n - 1][2]])
    spans.sort()
    merged: list[list[int]] = []
    for s in spans:
        if merged and s[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], s[1])
        else:
            merged.append(s)
    return merged


def search(index: Index, text: str, limit: int | None = 10, filters: Filters | None = None) -> list[Hit]:
    """The best ``limit`` passages for ``text`` (all of them when ``limit`` is None)."""
    parsed = parse(text, index.ix.schema, filters, index.known_codes)
    patterns = highlight_patterns(parsed.matcher)
    hits: list[Hit] = []
    with index.ix.searcher() as s:
        results = s.search(parsed.scored, limit=limit, filter=parsed.filter)
        for rank, r in enumerate(results, start=1):
            f = r.fields()
            date = f.get("date")
            hits.append(
                Hit(
                    rank=rank,
                    score=round(float(r.score), 4),
                    doc=f["doc"],
                    passage=f["passage"],
                    title=f.get("title", ""),
                    date=date.date().isoformat() if isinstance(date, dt.datetime) else None,
                    organization=f.get("organization") or None,
                    directives=[d for d in f.get("directives", "").split(",") if d],
                    text=f["text"],
                    highlights=find_spans(f["text"], patterns, set(f.get("directives", "").split(","))),
                )
            )
    return hits
