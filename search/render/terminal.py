"""Hits for a person at a terminal: where, when, who, then the passage with hits marked.

Colours follow ripgrep: report path magenta, passage number green, hits bold
red; only when asked to or when writing to a terminal without NO_COLOR.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from search.records import Hit

WINDOW = 360  # characters of a long passage shown around its first hit

MAGENTA, GREEN, BOLD_RED, BOLD, DIM, RESET = (
    "\x1b[35m", "\x1b[32m", "\x1b[1;31m", "\x1b[1m", "\x1b[2m", "\x1b[0m",
)


def window(text: str, spans: list[list[int]], size: int = WINDOW) -> tuple[int, int]:
    """The part of ``text`` to show: all of it if short, else ``size`` chars around the first hit."""
    if len(text) <= size:
        return 0, len(text)
    first = spans[0][0] if spans else 0
    start = max(0, first - size // 3)
    end = min(len(text), start + size)
    start = max(0, end - size)
    # do not cut a word in half
    if start > 0:
        nxt = text.find(" ", start)
        start = nxt + 1 if 0 <= nxt < first else start
    if end < len(text):
        prv = text.rfind(" ", start, end)
        end = prv if prv > max(start, spans[0][1] if spans else start) else end
    return start, end


def mark(text: str, spans: list[list[int]], start: int, end: int, before: str, after: str) -> str:
    """``text[start:end]`` with every span inside wrapped in ``before``/``after``."""
    out, pos = [], start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out.append(text[pos:s])
        out.append(before + text[s:e] + after)
        pos = e
    out.append(text[pos:end])
    body = "".join(out)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def snippet(hit: Hit, before: str = "«", after: str = "»") -> str:
    start, end = window(hit.text, hit.highlights)
    return mark(hit.text, hit.highlights, start, end, before, after)


# Control characters from a document or a query must not reach a terminal as
# commands (ESC starts colour, cursor and title sequences): one visible
# replacement character each, so offsets into the text stay valid.
_CONTROLS = {c: "\ufffd" for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]}


def printable(text: str) -> str:
    """``text`` with every control character but newline and tab shown as U+FFFD."""
    return text.translate(_CONTROLS)


def format_hit(hit: Hit, color: bool) -> str:
    """A hit for a human: where, when, who, what; then the passage with hits marked."""
    c = (lambda code, s: f"{code}{s}{RESET}") if color else (lambda code, s: s)
    facts = [printable(f) for f in (hit.date, hit.organization) if f]
    head = f"{c(MAGENTA, printable(hit.doc))}:{c(GREEN, str(hit.passage))}"
    if facts:
        head += "  " + " · ".join(facts)
    lines = [head]
    if hit.title and hit.title != hit.text:
        lines.append(c(BOLD, printable(hit.title)))
    text = printable(hit.text)
    start, end = window(text, hit.highlights)
    body = mark(text, hit.highlights, start, end, BOLD_RED if color else "", RESET if color else "")
    lines.append(body)
    return "\n".join(lines) + "\n"


def write_text(hits: Iterable[Hit], out: IO[str], color: bool) -> None:
    for i, hit in enumerate(hits):
        if i:
            out.write("\n")
        out.write(format_hit(hit, color))
