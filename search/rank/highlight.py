"""Where a passage's hits are: [start, end) character offsets of the query's words and phrases.

Whoosh's own highlighter re-analyses stored text and marks tokens by
``startchar``/``endchar``; the same contract holds here: the passage is
re-tokenised with the indexing analyser (``text.analysis.syllable_spans``), so
a span covers exactly the characters that produced the matching terms.
"""

from __future__ import annotations

from whoosh import query as wq

from search.text.analysis import syllable_spans

Pattern = tuple  # ("cites", CODE) or ("seq", (keys, keys, ...)): one set of text keys per position


def _slot(node: wq.Query) -> frozenset[str] | None:
    """The ``text`` keys one position of a phrase may hold (a term, or an Or of spellings)."""
    if isinstance(node, wq.Term) and node.fieldname == "text":
        return frozenset({node.text})
    if isinstance(node, wq.Or) and all(isinstance(c, wq.Term) and c.fieldname == "text" for c in node.children()):
        return frozenset(c.text for c in node.children())
    return None


def highlight_patterns(q: wq.Query) -> list[Pattern]:
    """What to mark in a passage, from the query as the index runs it (``ParsedQuery.executable``):
    every positive term or spelling on ``text``, every phrase (a sequence of
    spellings), and ``("cites", CODE)`` for each directive asked for. Exactly
    what can add to a passage's score: an accentless ``ma tuy`` marks ``ma túy``
    (the spellings it is allowed) and never ``Tuy nhiên``.
    """
    out: list[Pattern] = []

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
            return
        if isinstance(node, wq.Term):
            if node.fieldname == "text":
                out.append(("seq", (frozenset({node.text}),)))
            elif node.fieldname == "cites":
                out.append(("cites", node.text))
            return
        if isinstance(node, wq.Phrase) and node.fieldname == "text":
            out.append(("seq", tuple(frozenset({w}) for w in node.words)))
            return
        if isinstance(node, wq.Sequence):
            slots = [_slot(c) for c in node.children()]
            if all(slots) and all(_slot(c) is not None for c in node.children()):
                out.append(("seq", tuple(slots)))
            return
        if not node.is_leaf():
            for child in node.children():
                walk(child)

    walk(q)
    return out


def find_spans(text: str, patterns: list[Pattern], known: set[str] = frozenset()) -> list[list[int]]:
    """Offsets of every occurrence of every pattern in ``text``, overlaps merged.

    The passage is re-tokenised with the indexing analyser, so a span starts and
    ends exactly on the characters that produced the matching tokens. A cited
    directive is marked in whatever form the passage writes it.
    """
    tokens = syllable_spans(text)
    keys = [k for k, _, _ in tokens]
    spans = []
    cited = {p[1] for p in patterns if p[0] == "cites"}
    if cited:  # imported here: the metadata extractors cost a search that names no directive 17 ms
        from search.ingest.metadata.directives import code_mentions

        spans += [[s, e] for code, s, e in code_mentions(text, set(known)) if code in cited]
    for kind, slots in patterns:
        if kind != "seq" or not slots:
            continue
        n = len(slots)
        for i in range(len(keys) - n + 1):
            if keys[i] in slots[0] and all(keys[i + j] in slots[j] for j in range(1, n)):
                spans.append([tokens[i][1], tokens[i + n - 1][2]])
    spans.sort()
    merged: list[list[int]] = []
    for s in spans:
        if merged and s[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], s[1])
        else:
            merged.append(s)
    return merged
