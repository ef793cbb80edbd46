"""How a query typed without diacritics is spelled in the index, word by word.

``ma tuy`` could be any of ``ma má mà mã mạ mả`` × ``tuy túy tùy tụy``. Expanding
each syllable to all its spellings finds ``Tuy nhiên`` and ``mà`` everywhere,
and highlights them. Instead:

1. **Respell** the query: choose the spelling sequence whose adjacent pairs
   the index holds most often (a Viterbi pass over the pair table, the
   index's usual spelling of each syllable breaking ties): ``ma tuy`` ->
   ``ma túy``.
2. Segment the respelled query with pyvi (the caller does): ``ma_túy`` is one word.
3. **Allow** a syllable of a multi-syllable word only the spellings that
   stand next to an allowed spelling of its neighbours in the index about as
   often as the word's usual spelling does (``SHARE_OF_BEST``): ``tuy`` in
   ``ma tuy`` may be ``túy`` or ``tuý`` (``ma túy``) but not ``Tuy`` (no
   passage has ``ma Tuy``). A syllable that is a word on its own
   keeps every spelling. If no spelling of a word stands together anywhere,
   its syllables keep every spelling (nothing is lost for unknown words).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

CANDIDATES = 8  # spellings of a syllable weighed when respelling (the index's most used first)
# A spelling of two syllables of a word is allowed if the index holds it together at least this
# share as often as the word's most frequent spelling. A fifth: on 2,000 VNTC articles ``chỉ thị``
# stands together in 24 passages, the chance ``chỉ thì`` and ``chỉ thi`` in 3 each.
SHARE_OF_BEST = 0.2
RANK_PENALTY = 0.01  # per place down the usage order: breaks ties, never outweighs one passage of evidence

PairCount = Callable[[str, str], int]


@dataclass
class Spelling:
    """The spellings an accentless query's syllables may match, by folded syllable."""

    preferred: dict[str, str] = field(default_factory=dict)  # the respelled (most likely) form
    allowed: dict[str, list[str]] = field(default_factory=dict)  # what it may match, preferred first

    def forms(self, folded: str, variants: dict[str, list[str]]) -> list[str]:
        return self.allowed.get(folded) or variants.get(folded) or [folded]


def respell(folded: list[str], variants: dict[str, list[str]], pair_count: PairCount | None) -> list[str]:
    """The most likely spelling of each syllable of ``folded`` (see the module docstring)."""
    if not folded:
        return []
    cands = [(variants.get(f) or [f])[:CANDIDATES] for f in folded]
    if pair_count is None:
        return [c[0] for c in cands]
    best = [{c: (-RANK_PENALTY * r, -1) for r, c in enumerate(cands[0])}]
    for i in range(1, len(cands)):
        prev = list(best[-1].items())
        step = {}
        for r, c in enumerate(cands[i]):
            options = [(score + math.log1p(pair_count(p, c)), j) for j, (p, (score, _)) in enumerate(prev)]
            score, j = max(options, key=lambda o: (o[0], -o[1]))
            step[c] = (score - RANK_PENALTY * r, j)
        best.append(step)
    # backtrack from the best last spelling (ties: the more used spelling)
    last = list(best[-1].items())
    k = max(range(len(last)), key=lambda i: (last[i][1][0], -i))
    out = []
    for i in range(len(best) - 1, -1, -1):
        spelled, (_, back) = list(best[i].items())[k]
        out.append(spelled)
        k = back
    return out[::-1]


def allowed_spellings(folded: list[str], words: list[int], variants: dict[str, list[str]],
                      pair_count: PairCount | None, preferred: list[str]) -> Spelling:
    """The ``Spelling`` of a query: ``words`` gives each syllable's word number (pyvi's segmentation)."""
    out = Spelling()
    groups: dict[int, list[int]] = {}
    for i, w in enumerate(words):
        groups.setdefault(w, []).append(i)
    per_position: list[list[str]] = [list(variants.get(f) or [f]) for f in folded]
    for positions in groups.values():
        if len(positions) < 2 or pair_count is None:
            continue
        allowed = _consistent([per_position[i] for i in positions], pair_count)
        if allowed is not None:
            for i, forms in zip(positions, allowed):
                per_position[i] = forms
    for i, f in enumerate(folded):
        first = preferred[i] if preferred[i] in per_position[i] else per_position[i][0]
        forms = [first] + [s for s in per_position[i] if s != first]
        out.preferred.setdefault(f, first)
        if f in out.allowed:  # the same syllable twice: whatever either place allows
            out.allowed[f] += [s for s in forms if s not in out.allowed[f]]
        else:
            out.allowed[f] = forms
    return out


def _consistent(slots: list[list[str]], pair_count: PairCount) -> list[list[str]] | None:
    """Each slot's spellings joined to an allowed spelling of each neighbour by a frequent
    enough pair (``SHARE_OF_BEST``); None if no spelling of the word stands together anywhere."""
    edges: list[set[tuple[str, str]]] = []
    for left, right in zip(slots, slots[1:]):
        counts = {(a, b): pair_count(a, b) for a in left for b in right}
        best = max(counts.values(), default=0)
        if best == 0:
            return None
        edges.append({e for e, n in counts.items() if n >= SHARE_OF_BEST * best})
    slots = [list(s) for s in slots]
    changed = True
    while changed:
        changed = False
        for i in range(len(slots)):
            keep = [s for s in slots[i]
                    if (i == 0 or any((p, s) in edges[i - 1] for p in slots[i - 1]))
                    and (i == len(slots) - 1 or any((s, n) in edges[i] for n in slots[i + 1]))]
            if len(keep) != len(slots[i]):
                slots[i] = keep
                changed = True
            if not keep:
                return None
    return slots
