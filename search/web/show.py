"""``vnsearch show DOC[:PASSAGE]``: the report page in a terminal.

The same report as ``/report/<doc>`` (metadata, cited directives, the whole
text by passage) with the hits of an optional query marked as ``vnsearch
search`` marks them: bold red on a terminal, unmarked when piped. Nothing
from the web stack is imported here.
"""

from __future__ import annotations

from search.errors import DamagedIndex, VnsearchError
from search.records import Report
from search.render.terminal import BOLD, BOLD_RED, DIM, GREEN, MAGENTA, RESET, mark, printable


def find(index, target: str) -> tuple[Report, int | None]:
    """The report ``target`` names (``DOC`` or ``DOC:PASSAGE``) and the passage number, if any."""
    try:
        return index.report(target), None
    except DamagedIndex:
        raise
    except VnsearchError:
        doc, sep, number = target.rpartition(":")
        if not sep or not number.isdigit() or not doc:
            raise
    report = index.report(doc)
    passage = int(number)
    if not 1 <= passage <= len(report.passages):
        raise VnsearchError(f"report {doc!r} has {len(report.passages)} passages; there is no passage {passage}")
    return report, passage


def display_date(report: Report) -> str:
    """The date at the precision the report gives it (2023-12-28, 2023-12 or 2021), as ``vnsearch docs``."""
    if report.date is None:
        return "-"
    iso = report.date.isoformat()
    return {"year": iso[:4], "month": iso[:7]}.get(report.date_precision or "day", iso)


def format_report(report: Report, spans: list[list[int]], *, passage: int | None = None, color: bool = False,
                  query: str | None = None) -> str:
    """The report for a terminal: facts, directives, then each passage (or only ``passage``)
    headed ``DOC:N`` like a search hit, with ``spans`` (offsets into ``report.text``) marked."""
    c = (lambda code, s: f"{code}{s}{RESET}") if color else (lambda code, s: s)
    lines = [f"{c(MAGENTA, printable(report.doc))}  {display_date(report)}  {len(report.passages)} passages",
             c(BOLD, printable(report.title)),
             f"organization: {printable(report.organization or '-')}"]
    if report.directives:
        cited = []
        for code in report.directives:
            kind = (report.directive_info.get(code) or {}).get("type")
            cited.append(f"{code} ({kind})" if kind else code)
        lines.append(f"directives: {printable(', '.join(cited))}")
    else:
        lines.append("directives: -")
    lines.append(f"file: {printable(report.path or '-')}")
    if query is not None:
        inside = [s for s in spans if passage is None or _within(report, passage, s)]
        lines.append(f"hits of {printable(query)!r}: {len(inside)}")
    before, after = (BOLD_RED, RESET) if color else ("", "")
    for p in report.passages:
        if passage is not None and p.number != passage:
            continue
        local = [[s - p.start, e - p.start] for s, e in spans if p.start <= s and e <= p.end]
        text = printable(p.text)
        lines.append("")
        lines.append(f"{c(MAGENTA, printable(report.doc))}:{c(GREEN, str(p.number))}"
                     + (c(DIM, f"  ({len(local)} hits)") if query is not None and local else ""))
        lines.append(mark(text, local, 0, len(text), before, after))
    return "\n".join(lines) + "\n"


def _within(report: Report, number: int, span: list[int]) -> bool:
    p = report.passages[number - 1]
    return p.start <= span[0] and span[1] <= p.end
