"""Did-you-mean: spelling suggestions built from the index's own vocabulary."""

from __future__ import annotations

import re
import unicodedata

from search.rank.parse import plain_words
from search.text.analysis import syllable_spans
from search.text.normalize import fold, has_diacritics

# Every letter a Vietnamese syllable can contain, tone marks included (NFC).
_BASE = "abcdefghijklmnopqrstuvwxyzđăâêôơư"
_TONES = "\u0300\u0301\u0303\u0309\u0323"
ALPHABET = sorted(
    set(_BASE)
    | {unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in _TONES}
)
RARE = 2  # a word in at most this many passages may be a typo...
COMMON_FACTOR = 20  # ...if a one-letter edit of it is this many times more frequent


def _edits(word: str, letters: list[str]) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    out.discard(word)
    return out


def suggest(df, text: str, accentless: bool, found: bool) -> str | None:
    """``text`` with a missing or rare syllable replaced by a close frequent one.

    When the query found nothing, any syllable the index lacks is replaced by
    its most frequent one-letter edit. When it found something, only a rare
    syllable that is not a Vietnamese word (pyvi's word list) is, and only by
    an edit ``COMMON_FACTOR`` times more frequent: ``giaoo`` -> ``giao``, while
    ``nghiện`` is never "corrected" to the commoner ``nghiên``. Returns None
    when nothing would change. ``df(key)`` counts the passages with a syllable
    (a folded one when ``accentless``).
    """
    from search.text.normalize import term_key
    from search.text.segment import known_syllables

    vocabulary: set[str] | frozenset[str] | None = None  # read only for a rare syllable (35 ms accentless)
    letters = [c for c in ALPHABET if not has_diacritics(c)] if accentless else ALPHABET
    out, pos, changed = [], 0, False
    for key, start, end in syllable_spans(text):
        key = fold(key) if accentless else key
        if not key.isalpha():
            continue
        n = df(key)
        if n > RARE:
            continue
        if found and vocabulary is None:
            vocabulary = {fold(w) for w in known_syllables()} if accentless else known_syllables()
        if found and (key in vocabulary or term_key(key) in vocabulary):
            continue
        if found:
            best, best_df = None, max(n, 1) * COMMON_FACTOR
        else:
            best, best_df = None, n * COMMON_FACTOR if n else 1
        for cand in _edits(key, letters):
            cdf = df(cand)
            if cdf >= best_df:
                best, best_df = cand, cdf
        if best:
            out.append(text[pos:start])
            out.append(best)
            pos, changed = end, True
    out.append(text[pos:])
    return "".join(out) if changed else None


_FIELD_TERM = re.compile(r'(?<!\S)\w+:(?:"[^"]*"|\S+)')


def did_you_mean(reader, variants: dict[str, list[str]], text: str, found: bool) -> str | None:
    """A respelling of the query ``text`` from the index vocabulary, or None.

    ``field:value`` terms (``date:2020``, ``org:"Bắc Kạn"``) restrict, they are not
    words to respell, so they are left out.
    """
    plain = plain_words(_FIELD_TERM.sub(" ", text))
    accentless = not has_diacritics(plain)
    if accentless:
        def df(key: str) -> int:
            return sum(reader.doc_frequency("text", k) for k in variants.get(key) or [key])
    else:
        def df(key: str) -> int:
            return reader.doc_frequency("text", key)
    return suggest(df, plain, accentless=accentless, found=found)
