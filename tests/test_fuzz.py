"""Hostile queries: whatever is typed or pasted, `search` and `export` answer or fail in one line.

Property-based (hypothesis). Queries mix Whoosh syntax, field names (known and
unknown), dates and directive codes (valid and not), Vietnamese in NFC and NFD,
stray combining marks, invisible, right-to-left and control characters, and
very long input. The promise checked: exit status 0, 1 or 2, never a
traceback, an error is one line on stderr, `--json` output is one valid record
per line and an export is a well-formed CSV with no cell a spreadsheet would run.

The default run is bounded to stay fast; `pytest -m slow tests/test_fuzz.py`
runs the same properties on many more examples.
"""

import csv
import dataclasses
import io
import json
import unicodedata

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from search.api import Generation, open_index
from search.cli import cli
from search.errors import VnsearchError
from search.rank.parse import Filters, parse
from search.render import csv_export, jsonl, terminal

JSON_KEYS = ["rank", "score", "doc", "passage", "title", "date", "date_precision", "organization",
             "directives", "path", "text", "highlights"]

SYNTAX = ['"', "'", "(", ")", "[", "]", "{", "}", ":", "*", "?", "~", "^", "+", "-", "!", "/",
          "\\", "AND", "OR", "NOT", "TO", "ANDNOT", "ANDMAYBE", "~2", "^3", "^-1", "*:*", "[a TO",
          "{x TO y}", "<", ">", "=", "@", "&", "|", "#"]
FIELDS = ["title:", "org:", "organization:", "directive:", "directives:", "date:", "body:",
          "bodies:", "text:", "fold:", "words:", "cites:", "doc:", "passage:", "date_end:",
          "date_precision:", "foo:", "Title:", "ORG:", ":", "đ:"]
WORDS = ["tuyên", "giáo", "Bắc", "Kạn", "tuyen", "giao", "đảng", "ủy", "uỷ", "khối", "Chỉ", "thị",
         "công", "tác", "có", "không", "bao", "nhiêu", "Quảng", "Trị", "ĐẢNG", "Người", "nghiện",
         "ma", "túy", "hóa", "hoá", "giaoo", "x", "a", "1", "2020", "ở", "ý"]
CODES = ["05-CT/TW", "05-ct/tw", "CT 05", "Chỉ thị 05", "Chỉ thị số 05-CT/TW", "/", "-CT/", "-CT",
         "CT/", "1300/CĐ-TTg", "29-NQ/TU", "99-CT/TW", "144 /2002/QĐ/BTC", "05-CT/W", "/TW", "05-",
         "Nghị quyết", "NQ 29", "114/2003/NĐ-CP"]
DATES = ["2020", "2023-12", "2020-07-15", "2020-13-45", "[2020 TO", "[2020 TO 2021]", "0000",
         "2020-02-30", "99999", "2020-1-1", "-2020", "2020-", "", "x", "２０２０", '"2020"', "(2020)"]
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\r", "\u00a0", "\u3000", "\u2028", "\u2029", "\x85", "\x0b"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f",
             "\u202a", "\u202e", "\u2066", "\u2069", "\u034f"]
RTL = ["שלום", "مرحبا", "\u202etuyên\u202c", "ב:א"]

combining = st.text(st.characters(min_codepoint=0x300, max_codepoint=0x323), min_size=1, max_size=6)
nfd_words = st.sampled_from(WORDS + CODES).map(lambda w: unicodedata.normalize("NFD", w))
control = st.characters(categories=["Cc"])
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=8)  # argv cannot hold surrogates
field_terms = st.builds(
    lambda f, v: f + v, st.sampled_from(FIELDS),
    st.one_of(st.sampled_from(WORDS + CODES + ['"Bắc Kạn"', "(", '"', ")", ""]), any_text),
)
token = st.one_of(
    st.sampled_from(WORDS), st.sampled_from(SYNTAX), st.sampled_from(FIELDS), field_terms,
    st.sampled_from(DATES).map(lambda d: "date:" + d), st.sampled_from(CODES),
    st.sampled_from(SPACES), st.sampled_from(INVISIBLE), st.sampled_from(RTL), combining,
    nfd_words, control, any_text,
)
queries = st.one_of(
    st.lists(token, max_size=25).map("".join),  # glued
    st.lists(token, max_size=25).map(" ".join),  # spaced
    st.sampled_from(["", " ", "\t\n", "\u3000", "\u200b", "\n"]),  # empty or blank
    st.builds(lambda t, n: (t + " ") * n, token, st.integers(1, 3000)),  # repeated, often 10k+ chars
    st.lists(st.sampled_from(WORDS + SYNTAX + CODES), min_size=150, max_size=450).map(" ".join),  # near the limit
)
filter_options = st.lists(
    st.one_of(
        st.just("--all"),
        st.builds(lambda o, v: f"{o}={v}", st.sampled_from(["--org", "--directive", "--from", "--to"]),
                  st.one_of(st.sampled_from(WORDS + CODES + DATES), any_text)),
    ),
    max_size=2,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MORE = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
THOROUGH = settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def index(seed_index):
    return open_index(seed_index)


@pytest.fixture(scope="module")
def seed_generation(seed_index):
    return Generation(seed_index)


def _event(name: str) -> None:
    """Counted by ``pytest --hypothesis-show-statistics``: is the mix of outcomes still useful?"""
    if currently_in_test_context():
        event(name)


def _invoke(seed_index, command, *args):
    """``vnsearch COMMAND --index-dir SEED ARGS``: the index option first, since ARGS may end in ``-- QUERY``."""
    return CliRunner().invoke(cli, [command, "--index-dir", str(seed_index), *args], catch_exceptions=True)


def _check_exit(result) -> list[str]:
    """Exit 0, 1 or 2 without a traceback; stderr lines are vnsearch's own. Returns them."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code in (0, 1, 2), result.exit_code
    _event(f"exit {result.exit_code}")
    err = result.stderr.split("\n")[:-1] if result.stderr else []
    assert result.stderr == "" or result.stderr.endswith("\n")
    assert all(line.startswith("vnsearch: ") for line in err), result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    if result.exit_code == 2:
        assert len(err) == 1 and result.stdout == "", (result.stderr, result.stdout)
    return err


def _json_lines(stdout: str, keys: list[str]) -> list[dict]:
    """Every line one JSON object with exactly ``keys``; no line break of any kind inside a record."""
    assert stdout == "" or stdout.endswith("\n")
    lines = stdout.split("\n")[:-1]
    assert stdout.splitlines() == lines  # U+2028, U+0085... would split a record for many readers
    records = [json.loads(line) for line in lines]
    for r in records:
        assert list(r) == keys
        for start, end in r["highlights"]:
            assert 0 <= start < end <= len(r["text"])
    return records


def _csv_rows(stdout: str, header: list[str], safe: bool = True) -> list[list[str]]:
    assert stdout.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(stdout[1:], newline="")))
    assert rows[0] == header
    assert all(len(row) == len(header) for row in rows)
    if safe:
        for row in rows[1:]:
            for cell in row:
                assert not cell.startswith(csv_export.FORMULA_PREFIXES), cell
    return rows[1:]


def check_search_json(seed_index, query, options):
    result = _invoke(seed_index, "search", "--json", "--limit", "20", *options, "--", query)
    _check_exit(result)
    records = _json_lines(result.stdout, JSON_KEYS)
    assert bool(records) == (result.exit_code == 0)
    assert [r["rank"] for r in records] == list(range(1, len(records) + 1))
    return result


def check_search_text(seed_index, query, options):
    result = _invoke(seed_index, "search", "--color", "always", *options, "--", query)
    _check_exit(result)
    assert bool(result.stdout) == (result.exit_code == 0)
    return result


def check_export(seed_index, query, options):
    result = _invoke(seed_index, "export", "-o", "-", "--limit", "20", *options, "--", query)
    _check_exit(result)
    if result.exit_code != 2:
        rows = _csv_rows(result.stdout, csv_export.CSV_COLUMNS)
        assert bool(rows) == (result.exit_code == 0)
    return result


CHECKS = {"json": check_search_json, "text": check_search_text, "csv": check_export}


@pytest.mark.parametrize("mode", sorted(CHECKS))
def test_the_checks_see_hits_and_errors(seed_index, mode):
    """The harness itself: a plain query has hits, an option-like or empty one fails cleanly."""
    assert CHECKS[mode](seed_index, '"tuyên giáo"', ["--org=Bắc Kạn"]).exit_code == 0
    assert CHECKS[mode](seed_index, "-CT/TW", []).exit_code == 1
    assert CHECKS[mode](seed_index, "--limit", ["--all"]).exit_code == 1
    assert CHECKS[mode](seed_index, " ", []).stderr == "vnsearch: empty query\n"


@FAST
@given(query=queries, options=filter_options, mode=st.sampled_from(sorted(CHECKS)))
def test_cli_survives_any_query(seed_index, query, options, mode):
    CHECKS[mode](seed_index, query, options)


@pytest.mark.slow
@THOROUGH
@given(query=queries, options=filter_options, mode=st.sampled_from(sorted(CHECKS)))
def test_cli_survives_any_query_thorough(seed_index, query, options, mode):
    CHECKS[mode](seed_index, query, options)


batch_lines = st.lists(queries.map(lambda q: q.replace("\r", " ").replace("\n", " ")), min_size=1,
                       max_size=4)


def check_batch(seed_index, tmp_path_factory, lines, mode):
    path = tmp_path_factory.mktemp("batch") / "queries.txt"
    text = "".join(line + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")
    args = ["search", "--json", "--limit", "5"] if mode == "json" else ["export", "-o", "-", "--limit", "5"]
    result = _invoke(seed_index, *args, "--batch", str(path))
    # a BOM that opens the file marks its encoding, it is not part of the first query
    asked = [line for line in text.removeprefix("\ufeff").split("\n") if line.strip()]
    if len(asked) == 1:  # a single query fails like a plain one
        _check_exit(result)
    else:
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
        assert result.exit_code in (0, 1, 2)
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr
        for line in result.stderr.splitlines():
            assert line.startswith("vnsearch: line "), result.stderr
        assert (result.exit_code == 2) == bool(result.stderr)
    if mode == "json":
        records = _json_lines(result.stdout, ["query", *JSON_KEYS])
        assert {r["query"] for r in records} <= set(asked)
    elif result.stdout:
        rows = _csv_rows(result.stdout, ["query", *csv_export.CSV_COLUMNS])
        assert {r[0] for r in rows} <= {csv_export.neutralize(q) for q in asked}


@FAST
@given(lines=batch_lines, mode=st.sampled_from(["json", "csv"]))
def test_batch_survives_any_lines(seed_index, tmp_path_factory, lines, mode):
    check_batch(seed_index, tmp_path_factory, lines, mode)


@pytest.mark.slow
@THOROUGH
@given(lines=batch_lines, mode=st.sampled_from(["json", "csv"]))
def test_batch_survives_any_lines_thorough(seed_index, tmp_path_factory, lines, mode):
    check_batch(seed_index, tmp_path_factory, lines, mode)


def check_library(index, query, require_all, limit, filters):
    """In process: either hits that the writers accept, or one VnsearchError with a one-line message."""
    try:
        options = dataclasses.asdict(filters) if filters else {}
        hits = index.search(query, limit=limit, require_all=require_all, **options)
    except VnsearchError as exc:
        _event("error")
        assert str(exc) and "\n" not in str(exc)
        return
    _event("hits" if hits else "no hits")
    assert limit is None or len(hits) <= limit
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    for h in hits:
        assert all(0 <= s < e <= len(h.text) for s, e in h.highlights)
        terminal.format_hit(h, color=True)
    buf = io.StringIO()
    jsonl.write_jsonl((h.to_json() for h in hits), buf)
    _json_lines(buf.getvalue(), JSON_KEYS)
    buf = io.StringIO()
    csv_export.write_csv([(query, hits)], buf, with_query=True)
    _csv_rows("\ufeff" + buf.getvalue(), ["query", *csv_export.CSV_COLUMNS])
    suggestion = index.suggest(query, found=bool(hits))
    assert suggestion is None or (suggestion and "\n" not in suggestion)


filters = st.builds(
    Filters,
    date_from=st.none() | st.sampled_from(DATES) | any_text,
    date_to=st.none() | st.sampled_from(DATES),
    org=st.none() | st.sampled_from(WORDS) | any_text,
    directive=st.none() | st.sampled_from(CODES) | any_text,
)


@MORE
@given(query=queries, require_all=st.booleans(), limit=st.none() | st.integers(1, 30),
       filters=st.none() | filters)
def test_library_survives_any_query(index, query, require_all, limit, filters):
    check_library(index, query, require_all, limit, filters)


@pytest.mark.slow
@THOROUGH
@given(query=queries, require_all=st.booleans(), limit=st.none() | st.integers(1, 30),
       filters=st.none() | filters)
def test_library_survives_any_query_thorough(index, query, require_all, limit, filters):
    check_library(index, query, require_all, limit, filters)


with_surrogates = st.text(st.characters() | st.characters(categories=["Cs"]), max_size=60)


@MORE
@given(query=with_surrogates, org=st.none() | with_surrogates, require_all=st.booleans())
def test_parser_survives_arbitrary_unicode(seed_generation, query, org, require_all):
    """Even lone surrogates (which argv can carry): parse answers or says why not, in one line."""
    def surrogates(text):
        return any("\ud800" <= c <= "\udfff" for c in text or "")

    try:
        index = seed_generation
        parsed = parse(query, index.query_schema, Filters(org=org), known=index.known_codes,
                       require_all=require_all, variants=index.variants)
    except VnsearchError as exc:
        assert "\n" not in str(exc)
        assert not surrogates(query) or str(exc).startswith("query is not UTF-8 text"), str(exc)
    else:  # a lone surrogate never becomes a term (nothing could match it); the query runs
        assert not surrogates(query) and not surrogates(org)
        with index.ix.searcher() as s:
            s.search(parsed.scored, limit=1, filter=parsed.filter)


# Regressions: what the properties above found, pinned down.


def test_batch_query_with_a_unicode_line_separator_stays_one_json_line(seed_index, tmp_path):
    """Found by test_batch_survives_any_lines: json.dumps leaves U+2028 raw, splitlines() splits on it."""
    batch = tmp_path / "q.txt"
    batch.write_text("tuyên\u2028giáo\n\"Bắc Kạn\"\x85\n", encoding="utf-8")
    result = _invoke(seed_index, "search", "--json", "--limit", "2", "--batch", str(batch))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    assert [json.loads(x)["query"] for x in lines] == ["tuyên\u2028giáo"] * 2 + ['"Bắc Kạn"\x85'] * 2
    assert '"query": "tuyên\\u2028giáo"' in lines[0]


def test_invalid_utf8_in_argv_is_one_line(seed_index):
    """A terminal in another encoding: Python hands such bytes over as lone surrogates."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root), "LC_ALL": "C.UTF-8"}
    for query in [b"tuy\xean gi\xe1o", b"\xff", b"\"t\xc3\xa0i \xed\xa0\x80"]:
        out = subprocess.run([sys.executable, "-m", "search", "search", "--index-dir", str(seed_index),
                              "--json", query], capture_output=True, env=env, cwd=root)
        assert out.returncode in (0, 1, 2), out
        err = out.stderr.decode("utf-8", "replace")
        assert "Traceback" not in err and "internal error" not in err, err
        assert len(err.splitlines()) <= 1
        for line in out.stdout.decode("utf-8").splitlines():
            assert list(json.loads(line)) == JSON_KEYS
