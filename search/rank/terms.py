"""Significant terms: the words most over-represented in a query's passages (``vnsearch terms``).

An analyst's question, "what do the reports citing Chỉ thị 05 talk about?",
answered from the index alone. The foreground is a sample of the passages the
query matches: its best ``TERMS_SAMPLE`` hits, as ``Index.search`` ranks them
(filters included). The background is the whole index. Words are pyvi's words
of each passage, read from the boundaries stored at index time
(``index.words``); a word of two syllables or more is counted across the index
in the word table (``words.bin``), a one-syllable word by its syllable's
document frequency.

Each word is scored with JLH, the default score of Elasticsearch's
``significant_terms``: with ``fg`` the share of sample passages holding the
word and ``bg`` the share of all passages holding it,

    score = (fg - bg) * fg / bg        (0 unless fg > bg)

It is the absolute gain times the relative gain, so it favours words that are
both common in the sample and much rarer elsewhere; a log-likelihood ratio
(Dunning's G²) instead ranks the index's most frequent words near the top as
soon as they are slightly over-represented, which answers "what is
statistically different" rather than "what is this about". A word must occur in at least
``MIN_PASSAGES`` sample passages: one passage's peculiar words are not what
the reports talk about. Function words, numbers and codes, one-letter words and
the query's own words are never listed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from search.index import words
from search.text.analysis import syllable_keys, syllable_spans
from search.text.normalize import fold, has_diacritics, term_key

# Sample passages (the query's best hits). A thousand 700-character passages
# are about 150,000 words from a few hundred reports: enough for counts of 2
# or more to mean something, small enough that reading and counting them
# stays well under a second (stored boundaries, no segmenting). Elasticsearch
# suggests a sampler of a few hundred documents per shard for the same job.
TERMS_SAMPLE = 1000
MIN_PASSAGES = 2  # a word held by fewer sample passages is never listed...
MIN_REPORTS = 2  # ...or by passages of fewer reports: one report's names and peculiar words
LIMIT = 20  # words listed by default


@dataclass(frozen=True)
class Term:
    """One over-represented word: ``word`` as indexed (syllable keys joined by spaces)."""

    word: str
    passages: int  # sample passages holding it
    score: float  # JLH, rounded to 4 decimals

    def to_json(self) -> dict:
        """Exactly the record ``vnsearch terms --json`` prints."""
        return {"word": self.word, "passages": self.passages, "score": self.score}


# Function words: conjunctions, prepositions, particles, auxiliaries, pronouns,
# classifiers, quantifiers, question words and written numerals, as pyvi
# segments them (``tuy nhiên``, ``đối với`` are one word; ``bên cạnh đó`` is
# three). A word whose syllables are all function words (``do đó``, ``trong
# khi``) is one too (``is_function_word``).
_FUNCTION_WORDS = """
và với cùng hay hoặc hoặc_là hay_là nhưng mà song tuy tuy_nhiên tuy_vậy mặc_dù dù dẫu dù_sao
nếu nếu_như giả_sử thì là rằng vì vì_vậy vì_thế bởi bởi_vì bởi_vậy do do_đó do_vậy cho_nên nên
để nhằm hễ khi lúc đồng_thời ngoài_ra bên_cạnh hơn_nữa thậm_chí chẳng_hạn ví_dụ như như_vậy
như_thế cũng_như vậy thế vậy_mà còn chứ tức tức_là nghĩa_là nhất_là đặc_biệt_là kể_cả ngay_cả
của cho trong ngoài trên dưới giữa sau trước tại ở từ đến tới về theo bằng qua vào ra lên xuống
sang đối_với so_với cùng_với thay_vì nhờ bao_gồm gồm kể
đã đang sẽ sắp vừa mới từng chưa không chẳng chả có được bị phải cần cần_phải hãy đừng chớ
có_thể không_thể rất quá lắm hơn nhất khá hơi đều cũng vẫn lại cứ chỉ mãi luôn luôn_luôn
hầu_như hầu_hết gần_như khoảng chừng ngay liền rồi xong nữa thôi ạ à ư nhé nhỉ đấy đây đó kia
này nọ ấy sao gì nào ai đâu bao_giờ bao_nhiêu mấy thế_nào như_thế_nào tại_sao vì_sao
các những mọi mỗi một vài nhiều ít cả tất_cả toàn_bộ hết một_số số
tôi ta chúng_ta chúng_tôi chúng_mình mình bạn anh chị em ông bà cô chú họ nó chúng hắn
người_ta ai_đó
sự việc cuộc cái chiếc điều
hiện hiện_nay nay vừa_qua trên_đây dưới_đây sau_đây như_sau
hai ba bốn sáu bảy tám chín mười mươi trăm nghìn ngàn vạn triệu tỷ tỉ chục
"""
FUNCTION_WORDS = frozenset(" ".join(term_key(s) for s in w.split("_")) for w in _FUNCTION_WORDS.split())
_FUNCTION_SYLLABLES = frozenset(w for w in FUNCTION_WORDS if " " not in w)


def is_function_word(word: tuple[str, ...]) -> bool:
    """A function word, or a word made only of function syllables (``do đó``, ``trong khi``)."""
    return " ".join(word) in FUNCTION_WORDS or all(s in _FUNCTION_SYLLABLES for s in word)


def _listable(word: tuple[str, ...], query: set[str], folded: bool) -> bool:
    """Whether ``word`` may be listed: no function word, number, code, single letter or query word."""
    if len(word) == 1 and len(word[0]) == 1:
        return False
    if any(ch.isdigit() for s in word for ch in s):
        return False  # numbers, dates, document codes
    if is_function_word(word):
        return False
    return not all((fold(s) if folded else s) in query for s in word)


def query_syllables(query: str) -> tuple[set[str], bool]:
    """The syllable keys of the query as typed (folded, and True, for a query without diacritics)."""
    keys = syllable_keys(query)
    folded = not has_diacritics(query)
    return {fold(k) for k in keys} if folded else set(keys), folded


@dataclass
class SamplePassage:
    """One hit of the sample: its report, its words, and whether the query matched a whole word of it."""

    doc: str
    words: list[tuple[str, ...]]
    matched: bool  # some content word of the passage is highlighted from its first syllable to its last


def _whole_word_matched(text: str, bits: int, highlights: list[list[int]]) -> tuple[list, bool]:
    """The passage's words, and whether a highlight covers every syllable of one of its content words."""
    spans = syllable_spans(text)
    marked = bytearray(len(text) + 1)
    for start, end in highlights:
        marked[start:end] = b"\x01" * (end - start)
    lit = [all(marked[s:e]) for _, s, e in spans]
    found, matched, i = [], False, 0
    for word in words.words_of([k for k, _, _ in spans], bits):
        if not matched and all(lit[i:i + len(word)]) and not is_function_word(word):
            matched = True
        found.append(word)
        i += len(word)
    return found, matched


def read_sample(searcher, hits) -> list[SamplePassage]:
    """Each hit's words, from the stored boundaries of the generation ``searcher`` belongs to.

    A hit whose stored text differs (a rebuild was published between the
    search and this read) is segmented afresh.
    """
    stored: dict[tuple[str, int], dict] = {}
    for doc in dict.fromkeys(h.doc for h in hits):
        for fields in searcher.documents(doc=doc):
            stored[doc, fields["passage"]] = fields
    out = []
    for h in hits:
        fields = stored.get((h.doc, h.passage))
        if fields is not None and fields.get("text") == h.text and words.FIELD in fields:
            bits = fields[words.FIELD]
        else:
            bits = words.boundaries(h.text)[1]
        found, matched = _whole_word_matched(h.text, bits, h.highlights)
        out.append(SamplePassage(h.doc, found, matched))
    return out


def foreground(sample: list[SamplePassage]) -> list[SamplePassage]:
    """The sample passages where the query matched a whole word; all of them if there is none.

    A ranked query matches passages holding any of its syllables, and its
    best thousand passages run far past the ones about it: ``tham nhũng``
    brings passages holding only ``tham gia``, ``giao thông`` those holding
    only ``thông tin``, and those words would lead the list. A passage whose
    highlighted syllables make up a whole word of it (``tham nhũng``, ``Chỉ
    thị`` for ``chi thi 05``, a directive code cited) is about the query.
    Queries that highlight nothing (``directive:`` alone) keep every hit.
    """
    about = [p for p in sample if p.matched]
    return about or sample


def count_words(passages: Iterable[SamplePassage]) -> tuple[Counter, dict[tuple[str, ...], int], int]:
    """How many passages hold each word, from how many reports, and how many passages there are."""
    counts: Counter = Counter()
    docs: dict[tuple[str, ...], set[str]] = {}
    n = 0
    for p in passages:
        for word in set(p.words):
            counts[word] += 1
            docs.setdefault(word, set()).add(p.doc)
        n += 1
    return counts, {w: len(d) for w, d in docs.items()}, n


def jlh(fg: int, sample: int, bg: int, total: int) -> float:
    """Elasticsearch's JLH score of a word in ``fg`` of ``sample`` passages and ``bg`` of ``total``."""
    if not sample or not total:
        return 0.0
    bg = max(bg, fg)  # the sample is part of the index
    fg_share, bg_share = fg / sample, bg / total
    if fg_share <= bg_share:
        return 0.0
    return (fg_share - bg_share) * fg_share / bg_share


def significant(passages: list[SamplePassage], background, total: int, query: str,
                limit: int | None = LIMIT) -> list[Term]:
    """The listable words of ``passages`` by JLH, best first (then most passages, then the word).

    ``background(word)`` is how many of the index's ``total`` passages hold
    ``word``. A word must be held by ``MIN_PASSAGES`` passages from
    ``MIN_REPORTS`` reports (fewer only when the sample has fewer).
    """
    counts, reports, n = count_words(passages)
    min_passages = min(MIN_PASSAGES, n)
    min_reports = min(MIN_REPORTS, len({p.doc for p in passages}))
    mine, folded = query_syllables(query)
    scored = []
    for word, fg in counts.items():
        if fg < min_passages or reports[word] < min_reports or not _listable(word, mine, folded):
            continue
        score = jlh(fg, n, background(word), total)
        if score > 0:
            scored.append(Term(" ".join(word), fg, round(score, 4)))
    scored.sort(key=lambda t: (-t.score, -t.passages, t.word))
    return scored if limit is None else scored[:limit]


def terms(ix, gen: Path, hits, query: str, limit: int | None = LIMIT) -> list[Term]:
    """The words most over-represented in ``hits`` (a query's best passages) against the index ``ix``.

    ``gen``: the generation directory ``ix`` was opened from (its ``words.bin``).
    """
    if not hits:
        return []
    table = words.WordTable(gen / words.FILE)
    with ix.searcher() as s:
        sample = foreground(read_sample(s, hits))
        total = s.doc_count()
        text_field = s.schema["text"]

        def background(word: tuple[str, ...]) -> int:
            if len(word) > 1:
                return table.passages(words.word_key(word))
            return s.doc_frequency("text", text_field.to_bytes(word[0]))

        return significant(sample, background, total, query, limit)
