"""The Whoosh schema of a passage index, and its version.

One Whoosh document per passage. Report-level fields (title, date, organization,
directives) are repeated on each passage so that filters and ranking work on
passages directly.
"""

from __future__ import annotations

from array import array
from itertools import accumulate

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions

from search.text.analysis import folded_analyzer, syllable_analyzer, syllable_keys

# Bump whenever fields, analysers, their keys or the files beside them change: an index written with
# another version must be rebuilt, and says so instead of answering wrongly.
SCHEMA_VERSION = 15
VARIANTS = "variants.json"  # folded syllable -> its spellings in the index, most used first
#: Stored field: how many syllable keys the passage's ``text`` field indexes (its exact length;
#: Whoosh keeps field lengths in one lossy byte). Pair scores use it without re-reading the text.
LENGTH = "length"


class CompactPositions(Positions):
    """Whoosh's positions, stored as bytes instead of a pickled list.

    Whoosh pickles each posting's position deltas with its count; almost every
    delta of a passage fits a byte, so the value is a flag byte and one byte
    per delta (an ``array('I')`` otherwise), and the count is its length.
    Decoding is C-speed (``accumulate`` over bytes).
    """

    def encode(self, poslist):
        deltas = [b - a for a, b in zip([0] + poslist[:-1], poslist)]
        if max(deltas) < 256:
            return b"\x00" + bytes(deltas)
        return b"\x01" + array("I", deltas).tobytes()

    def decode_positions(self, valuestring):
        if valuestring[0] == 0:
            return list(accumulate(valuestring[1:]))
        return list(accumulate(array("I", valuestring[1:])))

    def decode_frequency(self, valuestring):
        return len(valuestring) - 1 if valuestring[0] == 0 else (len(valuestring) - 1) // 4


class PassageText(TEXT):
    """The passage's syllables: indexed straight from ``syllable_keys``.

    Same terms and positions as running the analyser through Whoosh's token
    machinery, without a Token object per syllable (indexing's hottest loop).
    """

    def __init__(self, **kwargs):
        super().__init__(analyzer=syllable_analyzer(), phrase=True, **kwargs)
        self.format = CompactPositions(field_boost=self.format.field_boost)

    def index(self, value, **kwargs):
        positions: dict[str, list[int]] = {}
        for pos, key in enumerate(syllable_keys(value)):
            positions.setdefault(key, []).append(pos)
        encode, boost = self.format.encode, self.format.field_boost
        for key, poslist in positions.items():
            yield key.encode("utf-8"), len(poslist), len(poslist) * boost, encode(poslist)


class ReportText(TEXT):
    """A report-level field repeated on each of its passages: analysed once per report.

    A report's passages are added one after another, so the terms of the last
    value analysed are kept (one entry: nothing grows) and left out of the
    pickled schema.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.format = CompactPositions(field_boost=self.format.field_boost)

    def index(self, value, **kwargs):
        last = self.__dict__.get("_last")
        if last is None or last[0] != value:
            last = self._last = (value, list(super().index(value, **kwargs)))
        return iter(last[1])

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_last", None)
        return state


def indexed_text(title: str, number: int, text: str) -> str:
    """What the ``text`` field indexes for passage ``number`` of a report titled ``title``.

    A headline is not repeated in the passages' stored text (issue 17), but
    its words still describe the report: the first passage is indexed, and
    its syllable pairs counted and scored, as the headline followed by the
    passage, as it was when the headline was the passage's first line (on
    ALQAC, whose article headings are titles, leaving them out cost 0.024
    MRR@10). Stored text, highlights and word boundaries are the passage's own.
    """
    if number != 1 or not title or text.startswith(title):
        return text
    return f"{title}\n{text}"


def build_schema() -> Schema:
    """One Whoosh document per passage.

    Only ``doc``, ``passage``, ``text``, ``words`` and ``length`` are stored: a report's
    metadata is indexed on its passages for fields and filters but kept
    once, in the report table (``store.REPORTS``).
    """
    return Schema(
        doc=ID(stored=True),
        passage=NUMERIC(int, stored=True),
        title=ReportText(analyzer=syllable_analyzer()),
        # The report's date as the first and last day it covers: a report dated
        # only "2021" spans the year, so range filters test the overlap.
        date=DATETIME(),
        date_end=DATETIME(),
        # Accent- and case-insensitive: --org "Bac Kan" finds "Bắc Kạn".
        organization=ReportText(analyzer=folded_analyzer()),
        # Every body the report names (the organization included).
        bodies=ReportText(analyzer=folded_analyzer()),
        # The report's directive codes, normalised ("05-CT/TW"), comma-separated.
        directives=KEYWORD(commas=True, scorable=True),
        # Codes this passage cites, in any written form (bare mentions resolved).
        cites=KEYWORD(commas=True, scorable=True),
        # Syllables with positions: phrases, recall, highlighting. The only
        # analysed copy of the passage: an accentless query is expanded to the
        # spellings in the index (variants.json), and the query's pyvi words are
        # checked on the candidates, so neither needs a field of its own.
        text=PassageText(stored=True),
        # pyvi's word boundaries between the passage's syllable keys, one bit
        # per gap (``index.words``): stored, not indexed.
        words=STORED(),
        length=STORED(),
    )


def query_schema(schema: Schema) -> Schema:
    """The index schema plus ``fold``, a field that exists only while parsing.

    Whoosh's parser analyses each word with its field's analyser; words of an
    accentless query are parsed into ``fold`` (diacritics stripped) and then
    rewritten as alternatives over ``text`` (see ``query.expand_folded``).
    """
    parsing = schema.copy()
    parsing.add("fold", TEXT(analyzer=folded_analyzer(), phrase=True))
    parsing.add("directive", KEYWORD())  # ``directive:CODE``: resolved to ``cites`` (rank.parse)
    return parsing
