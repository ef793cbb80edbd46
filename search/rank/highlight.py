"""Where a passage's hits are: [start, end) character offsets of the query's words and phrases.

Whoosh's own highlighter re-analyses stored text and marks tokens by
``startchar``/``endchar``; the same contract holds here: the passage is
re-tokenised with the indexing analyser (``text.analysis.syllable_spans``), so
a span covers exactly the characters that produced the matching terms.
"""

from __future__ import annotations

from whoosh import query as wq

from search.ingest.metadata.directives import code_mentions
from search.text.analysis import syllable_spans
from search.text.normalize import fold


def highlight_patterns(q: wq.Query) -> list[tuple[str, ...]]:
    """What to mark in a passage: ``(field, key, key...)`` for each positive term or
    phrase on ``text`` or ``fold``, and ``("cites", CODE)`` for each directive asked for."""
    out: list[tuple[str, ...]] = []

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
            return
        if isinstance(node, wq.Term) and node.fieldname in ("text", "fold", "cites"):
            out.append((node.fieldname, node.text))
        elif isinstance(node, wq.Phrase) and node.fieldname in ("text", "fold"):
            out.append((node.fieldname, *node.words))
        elif node.is_leaf():
            return
        else:
            for child in node.children():
                walk(child)

    walk(q)
    return out


def find_spans(text: str, patterns: list[tuple[str, ...]], known: set[str] = frozenset()) -> list[list[int]]:
    """Offsets of every occurrence of every pattern in ``text``, overlaps merged.

    The passage is re-tokenised with the indexing analyser, so a span starts and
    ends exactly on the characters that produced the matching tokens. A cited
    directive is marked in whatever form the passage writes it.
    """
    tokens = syllable_spans(text)
    keyed = {"text": [k for k, _, _ in tokens]}
    spans = []
    cited = {p[1] for p in patterns if p[0] == "cites"}
    if cited:
        spans += [[s, e] for code, s, e in code_mentions(text, set(known)) if code in cited]
    for field, *pattern in patterns:
        if field == "cites":
            continue
        if field not in keyed:
            keyed[field] = [fold(k) for k in keyed["text"]]
        keys = keyed[field]
        pattern = tuple(pattern)
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
