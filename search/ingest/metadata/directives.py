"""The directives a report cites: normalised codes, and what the text says of each."""

from __future__ import annotations

import re
from collections import Counter

from search.ingest.metadata.date import calendar_date
from search.text import codes

# "..., ban hành ngày 13/3/2001" right after a code: the date the directive was issued.
_CITED_DATE = re.compile(
    r"\s*,?\s*(?:ban hành\s+)?ngày\s+(\d{1,2})\s*(?:/|tháng)\s*(\d{1,2})\s*(?:/|năm)\s*(\d{4})",
    re.IGNORECASE,
)


def code_mentions(text: str, known: set[str] | None = None, bare: bool = True) -> list[tuple[str, int, int]]:
    """(code, start, end) of every directive cited in ``text``, in order.

    Written-out codes are normalised and typo-repaired against the codes the
    text cites elsewhere (and ``known``); with ``bare``, mentions without a
    symbol ("Chỉ thị 05 của Bộ Chính trị") are resolved too.
    """
    written = codes.find_codes(text)
    cited = {c for c, _, _ in written} | (known or set())
    mentions = [(codes.repair(c, cited - {c}), s, e) for c, s, e in written]
    if bare:
        full = {c for c, _, _ in mentions} | (known or set())
        mentions += codes.bare_mentions(text, full)
        mentions.sort(key=lambda m: m[1])
    return mentions


def extract_directives(lines: list[str]) -> tuple[list[str], dict[str, dict]]:
    """Codes cited in the article (most cited first) and what the text says of each."""
    text = "\n".join(lines)
    mentions = code_mentions(text)
    counts = Counter(c for c, _, _ in mentions)
    order = {c: i for i, (c, _, _) in reversed(list(enumerate(mentions)))}
    ranked = sorted(counts, key=lambda c: (-counts[c], order[c]))
    info: dict[str, dict] = {}
    for code in ranked:
        parsed = codes.parse_code(code)
        info[code] = {"type": codes.type_name(code), "issuer": parsed.issuer, "date": None,
                      "mentions": counts[code]}
    for code, _, end in mentions:
        m = _CITED_DATE.match(text, end)
        if m and info[code]["date"] is None:
            d = calendar_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            info[code]["date"] = d.isoformat() if d else None
    return ranked, info
