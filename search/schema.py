"""The Whoosh schema of a passage index, and its version.

One Whoosh document per passage. Report-level fields (title, date, organization,
directives) are repeated on each passage so that filters and ranking work on
passages directly.
"""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import syllable_analyzer, word_analyzer

# Bump whenever fields, analysers or their keys change: an index written with
# another version must be rebuilt, and says so instead of answering wrongly.
SCHEMA_VERSION = 1


def build_schema() -> Schema:
    return Schema(
        doc=ID(stored=True),
        passage=NUMERIC(int, stored=True),
        title=TEXT(analyzer=syllable_analyzer(), stored=True),
        date=DATETIME(stored=True),
        date_precision=STORED(),
        organization=TEXT(analyzer=syllable_analyzer(), stored=True),
        # Normalised codes ("05-CT/TW"), comma-separated; matched exactly.
        directives=KEYWORD(stored=True, commas=True, scorable=True),
        # Syllables with positions: phrases, recall, highlighting.
        text=TEXT(analyzer=syllable_analyzer(), stored=True, phrase=True),
        # pyvi words, no positions: rewards passages segmented like the query.
        words=TEXT(analyzer=word_analyzer(), phrase=False),
    )
