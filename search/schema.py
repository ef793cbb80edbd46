"""The Whoosh schema of a passage index, and its version.

One Whoosh document per passage. Report-level fields (title, date, organization,
directives) are repeated on each passage so that filters and ranking work on
passages directly.
"""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import folded_analyzer, syllable_analyzer, word_analyzer

# Bump whenever fields, analysers or their keys change: an index written with
# another version must be rebuilt, and says so instead of answering wrongly.
SCHEMA_VERSION = 4
VARIANTS = "variants.json"  # folded syllable -> most used spelling, written by the indexer


def build_schema() -> Schema:
    return Schema(
        doc=ID(stored=True),
        passage=NUMERIC(int, stored=True),
        title=TEXT(analyzer=syllable_analyzer(), stored=True),
        # The report's date as the first and last day it covers: a report dated
        # only "2021" spans the year, so range filters test the overlap.
        date=DATETIME(stored=True),
        date_end=DATETIME(),
        date_precision=STORED(),
        # Accent- and case-insensitive: --org "Bac Kan" finds "Bắc Kạn".
        organization=TEXT(analyzer=folded_analyzer(), stored=True),
        # Every body the report names (the organization included).
        bodies=TEXT(analyzer=folded_analyzer()),
        # The report's directive codes, normalised ("05-CT/TW"), comma-separated.
        directives=KEYWORD(stored=True, commas=True, scorable=True),
        # Codes this passage cites, in any written form (bare mentions resolved).
        cites=KEYWORD(commas=True, scorable=True),
        # Syllables with positions: phrases, recall, highlighting.
        text=TEXT(analyzer=syllable_analyzer(), stored=True, phrase=True),
        # The same syllables without diacritics, for queries typed without them.
        fold=TEXT(analyzer=folded_analyzer(), phrase=True),
        # pyvi words, no positions: rewards passages segmented like the query.
        words=TEXT(analyzer=word_analyzer(), phrase=False),
    )
