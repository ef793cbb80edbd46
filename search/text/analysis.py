"""Whoosh analysers for Vietnamese: syllables for recall and phrases, pyvi words for precision.

Two token streams are indexed from the same stored text:

* ``syllable_analyzer``: every syllable (and every number or document code) is a
  token. Phrase queries work on syllable positions, so a quoted phrase matches
  every occurrence of its syllables in order, however pyvi would have grouped
  them into words in that context. Highlighting re-analyses stored text with
  this analyser, so its ``startchar``/``endchar`` are what the user sees marked.
* ``word_analyzer``: pyvi's words (``đảng_ủy``) used to reward passages whose
  segmentation agrees with the query's.

Both key tokens with ``normalize.term_key`` (case, NFC and tone placement do not
matter) and keep document codes whole (``05-ct/tw``). Whoosh pickles analysers
into the index by import path: renaming this module or these classes breaks
existing indexes (bump ``schema.SCHEMA_VERSION`` if you do).
"""

from __future__ import annotations

import re

from whoosh.analysis import Filter, Token, Tokenizer

from search.text.codes import code_spans, normalize_code
from search.text.normalize import fold, term_key

# Outside document codes, a syllable token is a number with separators (99,5 /
# 1.300) or a run of letters and digits; "_" separates (it joins pyvi words).
# Combining marks count as letters so decomposed (NFD) text tokenises like NFC.
_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)+|(?:[^\W_]|[\u0300-\u036f])+")
# The same tokens for text without combining marks (stored text is NFC), 40 % faster:
# the alternation above is tried character by character.
_NFC_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+")
_COMBINING_RE = re.compile(r"[\u0300-\u036f]")


def _tokens_re(text: str) -> re.Pattern:
    return _TOKEN_RE if _COMBINING_RE.search(text) else _NFC_TOKEN_RE


def code_key(code: str) -> str:
    """Index key of a document code: its normalised form, lower case (``05-ct/tw``).

    ``144 /2002/QĐ/BTC`` and ``144/2002/QĐ-BTC`` get the same key.
    """
    return normalize_code(code).lower()


def syllable_spans(text: str) -> list[tuple[str, int, int]]:
    """(key, start, end) of every syllable-level token of ``text``, codes whole.

    The indexing tokenizer and the highlighter both use this, so highlight
    offsets are the offsets of the indexed tokens.
    """
    out: list[tuple[str, int, int]] = []
    pos = 0
    token_re = _tokens_re(text)
    for cstart, cend in code_spans(text) + [(len(text), len(text))]:
        out.extend((term_key(m.group(0)), m.start(), m.end())
                   for m in token_re.finditer(text, pos, cstart))
        if cstart < cend:
            out.append((code_key(text[cstart:cend]), cstart, cend))
        pos = cend
    return out


def syllable_keys(text: str) -> list[str]:
    """The keys of ``syllable_spans(text)`` without offsets: what indexing and
    pair scoring need, at about half the cost (no match objects)."""
    out: list[str] = []
    pos = 0
    token_re = _tokens_re(text)
    for cstart, cend in code_spans(text) + [(len(text), len(text))]:
        out.extend(map(term_key, token_re.findall(text, pos, cstart)))
        if cstart < cend:
            out.append(code_key(text[cstart:cend]))
        pos = cend
    return out


class _SpanTokenizer(Tokenizer):
    """Emits Whoosh tokens from (key, start, end) spans computed by ``spans``."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def spans(self, value: str, tokenize: bool) -> list[tuple[str, int, int]]:
        raise NotImplementedError

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, (key, start, end) in enumerate(self.spans(value, tokenize)):
            t.text = key
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class SyllableTokenizer(_SpanTokenizer):
    """Syllables, numbers and document codes with positions and character offsets."""

    def spans(self, value, tokenize):
        if not tokenize:
            return [(term_key(value), 0, len(value))] if value else []
        return syllable_spans(value)


class WordTokenizer(_SpanTokenizer):
    """pyvi words (syllables joined by ``_``), codes whole, punctuation dropped."""

    def spans(self, value, tokenize):
        if not tokenize:
            return [(word_key(value), 0, len(value))] if value.strip() else []
        from search.text.segment import segment  # loads the CRF model on first use

        return [(word_key(w.text), w.start, w.end) for w in segment(value)]


def word_key(word: str) -> str:
    """Index key of a pyvi word as written (``Đảng ủy`` -> ``đảng_ủy``)."""
    if word[0].isdigit() and "/" in word:
        return code_key(word)
    return "_".join(term_key(s) for s in word.split())


class FoldFilter(Filter):
    """Strips every diacritic from already-keyed tokens (for accentless matching)."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold(t.text)
            yield t


def syllable_analyzer():
    return SyllableTokenizer()


def word_analyzer():
    return WordTokenizer()


def folded_analyzer():
    return SyllableTokenizer() | FoldFilter()
