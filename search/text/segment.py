"""Vietnamese word segmentation with pyvi's model, returning character offsets.

This is the only module that touches pyvi. It reproduces ``ViTokenizer.tokenize``
exactly (same syllable regex, same CRF features, same joining rule; a
differential test runs pyvi itself) but

* keeps every token's start/end offsets in the input, which pyvi throws away;
* keeps document codes (``05-CT/TW``, ``114/2003/NĐ-CP``) whole, which pyvi
  splits into ``05 - CT / TW``;
* loads the CRF model with python-crfsuite directly. pyvi's model file is a
  pickled ``sklearn_crfsuite.CRF``; unpickling it the normal way imports
  scikit-learn (about a second). The pickle only wraps the crfsuite model bytes,
  so a restricted unpickler that never imports sklearn or numpy takes them out.
"""

from __future__ import annotations

import importlib.util
import pickle
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from search.text.codes import code_spans
from search.text.normalize import nfc


class Token(NamedTuple):
    text: str  # the token as written (syllables of a word joined by spaces as in the text)
    start: int  # offset of the first character in the segmented string
    end: int  # offset one past the last character


# pyvi's ``sylabelize`` pattern, alternative by alternative, in pyvi's order
# (first match wins, so the order matters for exact agreement).
_SYLLABLE_RE = re.compile(
    "("
    + "|".join(
        [
            r"[A-ZĐ]+\.",  # abbreviations; also glues a sentence-final "TW." (pyvi quirk)
            r"Tp\.",
            r"Mr\.",
            r"Mrs\.",
            r"Ms\.",
            r"Dr\.",
            r"ThS\.",
            r"==>",
            r"->",
            r"\.\.\.",
            r">>",
            "\n",
            r"\w+://[^\s]+",
            r"([a-zA-Z0-9_.+-]+@([a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+)",
            r"\d+([\.,_]\d+)+",
            r"[^\w\s]",
            r"\w+",
        ]
    )
    + ")",
    re.UNICODE,
)

@dataclass(frozen=True)
class _Model:
    tagger: object
    model_bytes: bytes  # crfsuite reads the model in place: it must outlive the tagger
    bigrams: frozenset
    trigrams: frozenset


class _Stub:
    """Stands in for every class the pickle names except the file-resource holder."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        self.state = state


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module == "_codecs" and name == "encode":  # how protocol 2 pickles bytes
            import _codecs

            return _codecs.encode
        if module in ("builtins", "copyreg", "collections"):
            return super().find_class(module, name)
        return _Stub


def _pyvi_dir() -> Path:
    spec = importlib.util.find_spec("pyvi")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyvi is not installed (pip install pyvi)")
    return Path(list(spec.submodule_search_locations)[0])


@lru_cache(maxsize=1)
def _model() -> _Model:
    """pyvi's CRF tagger and n-gram lists, loaded without importing scikit-learn."""
    import pycrfsuite

    models = _pyvi_dir() / "models"
    with open(models / "pyvi3.pkl", "rb") as fh:
        crf = _ModelUnpickler(fh).load()
    model_bytes = crf.state["modelfile"].state["__FILE_RESOURCE_DATA__"]
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(model_bytes)
    bigrams, trigrams = set(), set()
    for line in (models / "words.txt").read_text(encoding="utf-8").split("\n"):
        n = line.count(" ")
        if n == 1:
            bigrams.add(line)
        elif n == 2:
            trigrams.add(line)
    return _Model(tagger, model_bytes, frozenset(bigrams), frozenset(trigrams))


def syllables(text: str) -> list[re.Match]:
    """pyvi's syllables of ``text`` (already NFC) as regex matches with offsets."""
    return list(_SYLLABLE_RE.finditer(text))


def _features(sylls: list[str], model: _Model) -> list[list[str]]:
    """pyvi's ``word2features`` for a whole sentence, as crfsuite attribute names.

    pyvi passes dicts to sklearn-crfsuite; crfsuite turns ``{"k": "v"}`` into the
    attribute ``k:v`` and a False flag into weight 0, which contributes nothing,
    so listing only the true flags is the same model input, built faster.
    """
    n = len(sylls)
    low = [s.lower() for s in sylls]
    upper = [s.isupper() for s in sylls]
    title = [s.istitle() for s in sylls]
    bi = [False] + [f"{low[i - 1]} {low[i]}" in model.bigrams for i in range(1, n)]
    tri = [False, False] + [
        f"{low[i - 2]} {low[i - 1]} {low[i]}" in model.trigrams for i in range(2, n)
    ]
    out = []
    for i in range(n):
        f = ["bias", "word.lower():" + low[i]]
        if upper[i]:
            f.append("word.isupper()")
        if title[i]:
            f.append("word.istitle()")
        if sylls[i].isdigit():
            f.append("word.isdigit()")
        if i > 0:
            f.append("-1:word.lower():" + low[i - 1])
            if title[i - 1]:
                f.append("-1:word.istitle()")
            if upper[i - 1]:
                f.append("-1:word.isupper()")
            if bi[i]:
                f.append("-1:word.bi_gram()")
            if i > 1 and tri[i]:
                f.append("-2:word.tri_gram()")
        if i < n - 1:
            f.append("+1:word.lower():" + low[i + 1])
            if title[i + 1]:
                f.append("+1:word.istitle()")
            if upper[i + 1]:
                f.append("+1:word.isupper()")
            if bi[i + 1]:
                f.append("+1:word.bi_gram()")
            if i < n - 2 and tri[i + 2]:
                f.append("+2:word.tri_gram()")
        out.append(f)
    return out


def _joins(prev: str, cur: str, label: str) -> bool:
    """pyvi's rule for gluing a syllable to the previous one (``in`` is a substring test there too)."""
    return (
        label == "I_W"
        and cur not in string.punctuation
        and prev not in string.punctuation
        and not cur[0].isdigit()
        and not prev[0].isdigit()
        and not (cur[0].istitle() and not prev[0].istitle())
    )


def pyvi_words(text: str) -> list[Token]:
    """pyvi's segmentation of ``text`` with offsets, punctuation and newlines included."""
    matches = syllables(text)
    if not matches:
        return []
    model = _model()
    sylls = [m.group(0) for m in matches]
    labels = model.tagger.tag(_features(sylls, model))
    words: list[Token] = []
    start, end = matches[0].start(), matches[0].end()
    for i in range(1, len(sylls)):
        if _joins(sylls[i - 1], sylls[i], labels[i]):
            end = matches[i].end()
        else:
            words.append(Token(text[start:end], start, end))
            start, end = matches[i].start(), matches[i].end()
    words.append(Token(text[start:end], start, end))
    return words


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def segment(text: str) -> list[Token]:
    """Words of ``text`` with offsets: pyvi's words, codes kept whole, punctuation dropped.

    ``text`` should be NFC (stored text always is); offsets index into it.
    """
    text = nfc(text) if not text.isascii() else text
    codes = code_spans(text)
    tokens = pyvi_words(text)
    if codes:
        tokens = _merge_codes(text, tokens, codes)
    return [t for t in tokens if _is_word(t.text)]


def _merge_codes(text: str, tokens: list[Token], codes: list[tuple[int, int]]) -> list[Token]:
    """Replace the pieces pyvi cut a code into by one token spanning the code."""
    out: list[Token] = []
    ci = 0
    for tok in tokens:
        while ci < len(codes) and codes[ci][1] <= tok.start:
            ci += 1
        if ci < len(codes) and codes[ci][0] <= tok.start < codes[ci][1]:
            cstart, cend = codes[ci]
            if not (out and out[-1].start == cstart):
                out.append(Token(text[cstart:cend], cstart, cend))
            if tok.end > cend:  # pyvi glued what follows the code (``TW.``, ``TW của``)
                rest = cend + len(text[cend : tok.end]) - len(text[cend : tok.end].lstrip())
                out.append(Token(text[rest : tok.end], rest, tok.end))
            continue
        out.append(tok)
    return out


@lru_cache(maxsize=1)
def known_syllables() -> frozenset[str]:
    """Every syllable of pyvi's word list, lower case: what counts as a real Vietnamese syllable."""
    text = (_pyvi_dir() / "models" / "words.txt").read_text(encoding="utf-8")
    return frozenset(nfc(text.lower()).split())
