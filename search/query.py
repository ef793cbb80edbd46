"""User text -> Whoosh query.

Whoosh's parser handles the syntax ("phrases", AND/OR/NOT, parentheses,
field:value) and analyses each word with the field's analyser. Default search
is on syllables (``text``), so a Vietnamese multi-syllable word typed without
quotes becomes its syllables AND-ed, and a quoted phrase becomes a syllable
phrase that matches however pyvi segmented the passage. On top, the query's
own pyvi words are added as optional terms on ``words``: they never decide
whether a passage matches, only how high it ranks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh import qparser
from whoosh import query as wq

from .errors import VnsearchError
from .normalize import clean_text

MAX_QUERY_CHARS = 2000
WORD_BOOST = 0.5  # weight of the pyvi-word bonus relative to the syllable match

_SYNTAX_CHARS = re.compile(r"[\"'()\[\]{}:^*?~+\-!\\/]")
_OPERATORS = re.compile(r"\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b")


@dataclass
class ParsedQuery:
    text: str  # the cleaned user text
    matcher: wq.Query  # decides which passages match (syllable field)
    scored: wq.Query  # matcher plus the optional word bonus; what the searcher runs


def _parser(schema) -> qparser.QueryParser:
    parser = qparser.QueryParser("text", schema, group=qparser.AndGroup)
    # Single quotes are apostrophes in pasted text, '?' and '*' are punctuation
    # in questions, not wildcards; '*:*' is never meant.
    for plugin in (qparser.SingleQuotePlugin, qparser.WildcardPlugin, qparser.EveryPlugin,
                   qparser.RangePlugin):
        parser.remove_plugin_class(plugin)
    return parser


def _plain_parser(schema) -> qparser.QueryParser:
    """A parser that knows no syntax at all: every word is a word."""
    return qparser.QueryParser(
        "text", schema, plugins=[qparser.WhitespacePlugin()], group=qparser.AndGroup
    )


def _nodes(q: wq.Query):
    yield q
    for child in q.children():
        yield from _nodes(child)


def _has_errors(q: wq.Query) -> bool:
    """Whoosh marks what it could not parse with an ``error`` attribute or a NullQuery."""
    return any(getattr(node, "error", None) or node is wq.NullQuery for node in _nodes(q))


def _plain_words(text: str) -> str:
    return " ".join(_OPERATORS.sub(" ", _SYNTAX_CHARS.sub(" ", text)).split())


_DANGLING_OPS = [
    re.compile(r"^\s*(?:(?:AND|OR|ANDNOT|ANDMAYBE)\s+)+"),  # nothing to join on the left
    re.compile(r"(?:\s+(?:AND|OR|NOT|ANDNOT|ANDMAYBE))+\s*$"),  # nor on the right
    re.compile(r"\b(?:AND|OR|ANDNOT|ANDMAYBE)\s+(?=(?:AND|OR|ANDNOT|ANDMAYBE)\b)"),
]


def _tidy_operators(text: str) -> str:
    """Drop operators with nothing to combine (``AND tuyên``), which Whoosh would search as words."""
    for pattern in _DANGLING_OPS:
        text = pattern.sub(" ", text)
    return text.strip() or text


def parse(text: str, schema) -> ParsedQuery:
    """Parse user text; text that is not valid syntax is searched as plain words."""
    text = clean_text(text).strip()
    if not text:
        raise VnsearchError("empty query")
    if len(text) > MAX_QUERY_CHARS:
        raise VnsearchError(f"query too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    try:
        matcher = _parser(schema).parse(_tidy_operators(text))
    except Exception:  # Whoosh's parser raises on some malformed input
        matcher = wq.NullQuery
    if _has_errors(matcher):
        plain = _plain_words(text)
        matcher = _plain_parser(schema).parse(plain) if plain else wq.NullQuery
    if matcher is wq.NullQuery:
        raise VnsearchError(f"nothing to search for in {text!r}")
    return ParsedQuery(text, matcher, _with_word_bonus(matcher, text, schema))


def _with_word_bonus(matcher: wq.Query, text: str, schema) -> wq.Query:
    words = {
        t.text
        for t in schema["words"].analyzer(_plain_words(text))
    }
    if not words:
        return matcher
    bonus = wq.Or([wq.Term("words", w, boost=WORD_BOOST) for w in sorted(words)])
    return wq.AndMaybe(matcher, bonus)


def highlight_patterns(q: wq.Query) -> list[tuple[str, ...]]:
    """Syllable-key sequences to mark in a passage: each positive term or phrase on ``text``."""
    out: list[tuple[str, ...]] = []

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
            return
        if isinstance(node, wq.Term) and node.fieldname == "text":
            out.append((node.text,))
        elif isinstance(node, wq.Phrase) and node.fieldname == "text":
            out.append(tuple(node.words))
        elif node.is_leaf():
            return
        else:
            for child in node.children():
                walk(child)

    walk(q)
    return out
