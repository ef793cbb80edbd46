"""The Whoosh schema of a passage index, and its version.

One Whoosh document per passage. Report-level fields (title, date, organization,
directives) are repeated on each passage so that filters and ranking work on
passages directly.
"""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import folded_analyzer, syllable_analyzer

# Bump whenever fields, analysers or their keys change: an index written with
# another version must be rebuilt, and says so instead of answering wrongly.
SCHEMA_VERSION = 5
VARIANTS = "variants.json"  # folded syllable -> its spellings in the index, most used first


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
        # Syllables with positions: phrases, recall, highlighting. The only
        # analysed copy of the passage: an accentless query is expanded to the
        # spellings in the index (variants.json), and the query's pyvi words are
        # checked on the candidates, so neither needs a field of its own.
        text=TEXT(analyzer=syllable_analyzer(), stored=True, phrase=True),
    )


def query_schema(schema: Schema) -> Schema:
    """The index schema plus ``fold``, a field that exists only while parsing.

    Whoosh's parser analyses each word with its field's analyser; words of an
    accentless query are parsed into ``fold`` (diacritics stripped) and then
    rewritten as alternatives over ``text`` (see ``query.expand_folded``).
    """
    parsing = schema.copy()
    parsing.add("fold", TEXT(analyzer=folded_analyzer(), phrase=True))
    return parsing
