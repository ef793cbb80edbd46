"""The numpy path for big indexes (``search.rank.accumulate``) answers as Whoosh does.

Every comparison runs both paths on the same index: Whoosh's exhaustive
search is the reference; the numpy path must return the same passages in the
same order with the same scores (to the last bits of a float sum).
"""

import pytest
from click.testing import CliRunner
from whoosh.query import And, Or

from search.api import Generation
from search.cli import cli
from search.index.build import build_index
from search.rank import accumulate
from search.rank import retrieve as searcher
from search.rank.parse import Filters, parse
from search.rank.retrieve import _search, levels
from search.rank.score import Weighting

from .conftest import generated_corpus

QUERIES = [
    "học tập và làm theo",  # ranked
    "Đảng ủy Khối thi đua khen thưởng",
    "Người đứng đầu cấp ủy có trách nhiệm gì?",  # pasted question
    "tuyen giao co so",  # accentless: every spelling of every word
    '"tuyên giáo"',  # phrase
    '"tuyen giao"',  # accentless phrase: a sequence of spellings
    '"học tập và làm theo" tư tưởng',  # a phrase among words (Whoosh's path)
    "title:báo",  # another field
    "zzzz",  # no hits
]
FILTERS = [None, Filters(org="Bắc Kạn"), Filters(date_from="2021-01-01")]


@pytest.fixture(scope="module")
def updated_index(tmp_path_factory):
    """The generated corpus, then a tenth of it removed and rewritten: segments with deletions."""
    root = tmp_path_factory.mktemp("accumulate")
    src = generated_corpus(root / "src")
    index_dir = root / "ix"
    build_index([src], index_dir, jobs=2)
    files = sorted(src.iterdir())
    for f in files[::10]:
        f.unlink()
    for f in files[5::10]:
        f.write_text(f.read_text(encoding="utf-8") + "\nPhụ lục: tuyên giáo cơ sở.\n", encoding="utf-8")
    stats = build_index([src], index_dir, jobs=1)
    assert stats.removed and stats.updated
    return index_dir


def _same_top(got, ref: list[tuple[int, float]], n: int | None) -> None:
    """``got`` holds Whoosh's best ``n`` (all when None) with the same scores.

    Scores are compared to 9 decimals: mathematically equal scores can differ
    in their last bits on either path, since Whoosh itself adds a passage's
    term scores in an order that changes as its matchers are replaced.
    """
    scores = dict(ref)
    assert len({h.docnum for h in got}) == len(got)
    assert all(h.docnum in scores and round(h.score, 9) == round(scores[h.docnum], 9) for h in got)
    assert [h.score for h in got] == sorted((h.score for h in got), reverse=True)
    assert len(got) >= (len(ref) if n is None else min(n, len(ref)))
    if got:
        floor = round(got[-1].score, 9)
        missing = [d for d, sc in ref if round(sc, 9) > floor and d not in {h.docnum for h in got}]
        assert not missing  # nothing better was left out


def _reference(s, q, flt, mask=None):
    return sorted(((h.docnum, h.score) for h in _search(s, q, None, flt, mask)), key=lambda x: (-x[1], x[0]))


def _level_filters(parsed):
    """(filter, mask) of each level the ranking reads (``retrieve.ranked``)."""
    out, earlier = [], []
    for level in levels(parsed):
        flt = parsed.filter if level is None else level if parsed.filter is None else And([level, parsed.filter])
        mask = None if not earlier else earlier[0] if len(earlier) == 1 else Or(earlier)
        out.append((flt, mask))
        if level is not None:
            earlier.append(level)
    return out


@pytest.mark.parametrize("flt", FILTERS, ids=["all", "org", "date"])
@pytest.mark.parametrize("text", QUERIES)
def test_numpy_top_n_is_whooshs_top_n(updated_index, text, flt):
    ix = Generation(updated_index)
    parsed = parse(text, ix.query_schema, flt, ix.known_codes, False, ix.variants)
    with ix.ix.searcher(weighting=Weighting()) as s:
        assert any(sub.reader().has_deletions() for sub, _ in s.leaf_searchers())
        q = parsed.scored
        for flt, mask in _level_filters(parsed):
            ref = _reference(s, q, flt, mask)
            for n in (5, 50, None):
                got = accumulate.top(s, q, n, flt, {}, mask)
                if got is None:  # a phrase among optional words: Whoosh answers
                    assert '" ' in text
                    continue
                _same_top(got, ref, n)


def test_cli_answers_are_the_same_on_either_path(generated_index, monkeypatch):
    args = ["search", "--batch", "-", "--json", "--limit", "30", "--index-dir", str(generated_index)]
    lines = "\n".join(QUERIES + ["tuyên giáo --from 2020", "Chỉ thị 05 --all"]) + "\n"
    out = {}
    for threshold in (10**12, 0):
        monkeypatch.setattr(searcher, "FAST_MIN_POSTINGS", threshold)
        r = CliRunner().invoke(cli, args, input=lines, catch_exceptions=False)
        assert r.exit_code == 0, r.stderr
        out[threshold] = r.stdout
    assert out[0].count("\n") > 100
    assert out[0] == out[10**12]


def test_small_queries_do_not_import_numpy(seed_index):
    """numpy costs 0.1 s to import; a search of a small index never pays it."""
    import subprocess
    import sys

    code = ("import sys; from search.api import open_index; "
            f"open_index({str(seed_index)!r}).search('tuyên giáo cơ sở'); print('numpy' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "False", r.stderr
