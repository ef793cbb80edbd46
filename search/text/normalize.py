"""Text normalisation for Vietnamese: NFC, canonical tone-mark placement, folding.

Everything that decides whether two spellings are "the same word" lives here, so
the indexer and the query side can never disagree about it.

* ``clean_text`` is applied once, at ingest: the stored passage text is its output
  and every character offset the index hands out points into it.
* ``term_key`` turns one syllable as written into the key that is indexed and
  searched: lower case, NFC, tone mark on the vowel the traditional spelling uses
  (``hoá`` -> ``hóa``, ``uỷ`` -> ``ủy``, ``thuỷ`` -> ``thủy``, ``hòan`` -> ``hoàn``).
* ``fold`` strips every diacritic (``đ`` -> ``d``) for queries typed without them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# The five Vietnamese tone marks as combining characters (NFD).
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Vowels whose letter shape carries a quality mark; in a vowel cluster the tone
# goes on such a vowel whatever the spelling style (tiếng, người, tuần).
_MARKED_VOWELS = frozenset("ăâêôơư")
_VOWELS = frozenset("aeiouy") | _MARKED_VOWELS

# Characters seen in scraped and converted text that are never meant as such:
# Latin capital/small eth used for Vietnamese Đ/đ (same glyph in many fonts),
# zero-width characters, BOMs left inside text, soft hyphens.
_CHAR_FIXES = str.maketrans(
    {
        "\u00d0": "\u0110",  # Ð (eth) -> Đ
        "\u00f0": "\u0111",  # ð -> đ
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\u00ad": None,
    }
)
_SPACE_LIKE = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean_text(text: str) -> str:
    """Normalise raw document text before anything is stored or analysed.

    NFC (decomposed tone marks become precomposed letters), one newline style,
    exotic spaces become plain spaces, invisible characters are dropped. Tone
    placement is *not* changed: the stored text stays as the author wrote it.
    """
    text = nfc(text.translate(_CHAR_FIXES))
    text = _NEWLINES.sub("\n", text)
    return _SPACE_LIKE.sub(" ", text)


def _nucleus(base: str) -> tuple[int, int] | None:
    """Start/end of the vowel nucleus of a toneless lower-case syllable, or None.

    ``qu`` and ``gi`` at the start are consonants: their u/i is not part of the
    nucleus when a vowel follows (quý, già, giữa), but ``gì`` keeps its i.
    """
    positions = [i for i, ch in enumerate(base) if ch in _VOWELS]
    if not positions:
        return None
    start, end = positions[0], positions[-1] + 1
    if end - start != len(positions):  # vowels not contiguous: not a syllable
        return None
    if end - start > 1 and start == 1 and base[0] in "qg":
        if (base[0] == "q" and base[1] == "u") or (base[0] == "g" and base[1] == "i"):
            start += 1
    return start, end


@lru_cache(maxsize=262144)
def canonical_syllable(syllable: str) -> str:
    """Lower-case NFC syllable with its tone mark in the canonical place.

    The canonical place is the traditional one that dominates official texts:
    open syllables ending in oa/oe/uy take the tone on the first vowel (hóa,
    khỏe, thủy). Anything that does not look like one Vietnamese syllable is
    returned lower-cased and NFC, unchanged otherwise.
    """
    decomposed = unicodedata.normalize("NFD", syllable.lower())
    tones = [ch for ch in decomposed if ch in _TONES]
    if len(tones) != 1:
        return unicodedata.normalize("NFC", decomposed)
    tone = tones[0]
    base = unicodedata.normalize("NFC", decomposed.replace(tone, ""))
    span = _nucleus(base) if base.isalpha() else None
    if span is None:
        return unicodedata.normalize("NFC", decomposed)
    start, end = span
    nucleus = base[start:end]
    if "ươ" in nucleus:
        pos = start + nucleus.index("ươ") + 1
    elif any(ch in _MARKED_VOWELS for ch in nucleus):
        pos = start + max(i for i, ch in enumerate(nucleus) if ch in _MARKED_VOWELS)
    elif end < len(base):  # closed syllable: tone on the last vowel (hoàn, toán)
        pos = end - 1
    elif end - start == 3:  # open, three vowels: the middle one (oái, khuỷu)
        pos = start + 1
    else:  # open, one or two vowels: the first one (hóa, thủy, mùa, kìa)
        pos = start
    marked = unicodedata.normalize("NFC", base[pos] + tone)
    return base[:pos] + marked + base[pos + 1 :]


@lru_cache(maxsize=262144)  # a corpus repeats a few thousand syllables
def term_key(token: str) -> str:
    """The indexed form of one token: case-, NFC- and tone-placement-insensitive."""
    token = nfc(token)
    return canonical_syllable(token) if token.isalpha() else token.lower()


FOLD_CACHED_CHARS = 64  # folds of strings this short are cached: syllables, names and short lines repeat


def fold(text: str) -> str:
    """Lower case with every diacritic removed (``Đảng ủy`` -> ``dang uy``)."""
    if len(text) <= FOLD_CACHED_CHARS:
        return _fold_cached(text)
    return _fold(text)  # a long line or passage rarely repeats: caching every one grew the cache to 100s of MB


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d")


_fold_cached = lru_cache(maxsize=262144)(_fold)


def has_diacritics(text: str) -> bool:
    """True if folding would change ``text`` (a letter carries a Vietnamese mark)."""
    return fold(text) != text.lower()
