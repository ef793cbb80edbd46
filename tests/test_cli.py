"""The command line as a user sees it: exact output formats and exit codes."""

import csv
import io
import json
import re
from pathlib import Path

from search.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"
JSON_KEYS = ["rank", "score", "doc", "passage", "title", "date", "date_precision", "organization",
             "directives", "path", "text", "highlights"]


def test_json_lines_have_exactly_the_promised_keys(run):
    result = run("search", '"tuyên giáo"', "--json", "--limit", "5")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    for rank, line in enumerate(lines, start=1):
        hit = json.loads(line)
        assert list(hit) == JSON_KEYS
        assert hit["rank"] == rank
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", hit["date"])
        assert hit["date_precision"] in ("day", "month", "year")
        assert Path(hit["path"]).is_absolute() and Path(hit["path"]).name == hit["doc"]
        assert hit["highlights"]
        for start, end in hit["highlights"]:
            assert hit["text"][start:end].lower() == "tuyên giáo"


def test_ranks_are_by_descending_score(run):
    hits = [json.loads(x) for x in run("search", "công tác tuyên giáo", "--json").stdout.splitlines()]
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_no_hits_exits_1_and_prints_nothing(run):
    result = run("search", '"không có cụm từ này"')
    assert result.exit_code == 1 and result.stdout == ""


def test_missing_index_is_one_line_and_exit_2(run, tmp_path):
    result = run("search", "x", index_dir=tmp_path / "nonexistent")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "no index" in result.stderr


def test_bad_option_exits_2(run):
    assert run("search", "x", "--limit", "0").exit_code == 2
    assert run("search", "x", "--color", "purple").exit_code == 2


def test_empty_query_is_an_error(run):
    result = run("search", "   ")
    assert result.exit_code == 2 and "empty query" in result.stderr


def test_unreadable_source_exits_2(run, tmp_path):
    result = run("index", str(tmp_path / "missing"), index_dir=tmp_path / "ix")
    assert result.exit_code == 2 and "missing" in result.stderr


def test_colour_on_request_and_off_when_piped(run):
    plain = run("search", '"Bắc Kạn"', "--limit", "1")
    assert "\x1b[" not in plain.stdout and "Bắc Kạn" in plain.stdout
    coloured = run("search", '"Bắc Kạn"', "--limit", "1", "--color", "always")
    assert "\x1b[1;31mBắc Kạn\x1b[0m" in coloured.stdout  # hit bold red
    assert "\x1b[35m001_a764983588b6760c.txt\x1b[0m" in coloured.stdout  # path magenta
    never = run("search", '"Bắc Kạn"', "--limit", "1", "--color", "never")
    assert never.stdout == plain.stdout


def test_no_color_env_is_respected_in_auto_mode(run, monkeypatch):
    monkeypatch.setattr("search.cli.sys.stdout.isatty", lambda: True, raising=False)
    result = run("search", '"Bắc Kạn"', "--limit", "1", env={"NO_COLOR": "1"})
    assert "\x1b[" not in result.stdout


def test_text_output_shows_where_when_who(run):
    out = run("search", '"Sáng 08/7/2020"', "--limit", "1").stdout
    first = out.splitlines()[0]
    assert first == "000_524827478ada9ff7.txt:1  2020-07-08 · Đảng ủy Khối các cơ quan Trung ương"


def test_export_csv_with_bom_one_row_per_hit(run, tmp_path):
    target = tmp_path / "hits.csv"
    result = run("export", '"tuyên giáo"', "-o", str(target))
    assert result.exit_code == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    n_json = len(run("search", '"tuyên giáo"', "--json", "--limit", "1000").stdout.splitlines())
    assert rows[0][:4] == ["rank", "score", "doc", "passage"]
    assert len(rows) - 1 == n_json > 10
    snippet = rows[1][rows[0].index("snippet")]
    assert re.search(r"«[Tt]uyên giáo»", snippet)


def test_export_neutralises_formula_cells():
    from search.render.csv_export import neutralize

    assert neutralize("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    for bad in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"]:
        assert neutralize(bad).startswith("'")
    assert neutralize("Đảng ủy") == "Đảng ủy"


def test_docs_lists_every_report(run):
    result = run("docs", "--json")
    docs = [json.loads(x) for x in result.stdout.splitlines()]
    assert [d["doc"][:3] for d in docs] == ["000", "001", "002", "003", "004"]
    assert all(list(d) == ["doc", "title", "date", "date_precision", "organization", "directives",
                           "path", "passages"] for d in docs)
    assert {d["date_precision"] for d in docs} == {"day", "year"}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d["date"]) for d in docs)
    assert all(d["passages"] > 3 for d in docs)


def test_schema_version_mismatch_asks_for_rebuild(run, seed_index, tmp_path):
    import shutil

    copy = tmp_path / "old"
    shutil.copytree(seed_index, copy)
    gen = (copy / "CURRENT").read_text().strip()
    meta = copy / gen / "meta.json"
    data = json.loads(meta.read_text())
    data["schema_version"] = 0
    meta.write_text(json.dumps(data))
    result = run("search", "x", index_dir=copy)
    assert result.exit_code == 2 and "--rebuild" in result.stderr


def test_python_dash_m_entry_point():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "search", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "search" in out.stdout


def test_every_command_is_documented_in_readme():
    readme = README.read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"vnsearch {name}" in readme, name


def _docs_of(result):
    return sorted({json.loads(x)["doc"][:3] for x in result.stdout.splitlines()})


def test_directive_filter_keeps_reports_citing_it(run):
    # 003 cites it only as "Chỉ thị 05 của Bộ Chính trị"
    for spelling in ["05-CT/TW", "05-ct/tw", "CT 05", "Chỉ thị 05"]:
        result = run("search", "công tác", "--directive", spelling, "--json", "--limit", "1000")
        assert _docs_of(result) == ["000", "002", "003", "004"], spelling


def test_directive_filter_for_unknown_code_finds_nothing(run):
    assert run("search", "công tác", "--directive", "99-CT/TW").exit_code == 1
    bad = run("search", "công tác", "--directive", "hello")
    assert bad.exit_code == 2 and "not a directive" in bad.stderr


def test_date_filters_use_the_span_a_report_covers(run):
    after = run("search", '"tuyên giáo"', "--from", "2023-01-01", "--json", "--limit", "1000")
    assert {json.loads(x)["date"][:4] for x in after.stdout.splitlines()} == {"2023"}
    # 002 is dated only "2021": it covers the whole year
    mid = run("search", "công tác", "--from", "2021-06", "--to", "2021-06", "--json", "--limit", "1000")
    assert _docs_of(mid) == ["002"]
    in_2020 = run("search", "công tác date:2020", "--json", "--limit", "1000")
    assert _docs_of(in_2020) == ["000", "003"]
    assert run("search", "x", "--from", "2023-13").exit_code == 2


def test_org_filter_ignores_accents_and_case(run):
    a = run("search", "công tác", "--org", "Bắc Kạn", "--json", "--limit", "1000")
    b = run("search", "công tác", "--org", "bac kan", "--json", "--limit", "1000")
    assert _docs_of(a) == _docs_of(b) == ["001"]
    c = run("search", 'công tác org:"Đảng ủy Khối các cơ quan Trung ương"', "--json", "--limit", "1000")
    assert _docs_of(c) == ["000", "004"]


def test_directive_in_query_language(run):
    result = run("search", "công tác directive:05-ct/tw", "--json", "--limit", "1000")
    assert _docs_of(result) == ["000", "002", "003", "004"]


def test_export_takes_the_same_filters(run, tmp_path):
    target = tmp_path / "x.csv"
    run("export", "công tác", "-o", str(target), "--org", "Quảng Trị")
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows and {r["doc"][:3] for r in rows} == {"003"}


def test_directives_listing(run):
    records = [json.loads(x) for x in run("directives", "--json").stdout.splitlines()]
    top = records[0]
    assert top == {"code": "05-CT/TW", "type": "Chỉ thị", "issuer": "TW", "date": "2016-05-15",
                   "reports": 4, "passages": top["passages"], "first_report": "2020-07-08",
                   "last_report": "2023-12-28"}
    assert top["passages"] >= 8
    by_code = {r["code"]: r for r in records}
    assert by_code["519-CT/TU"]["date"] == "2020-04-06"
    assert by_code["34-KH/ĐUK"]["first_report"] == "2021-01-01"  # a report dated 2021 (year precision)
    assert "290-QĐ/TW" not in by_code  # cited only in 000's list of other articles
    counts = [(r["reports"], r["passages"]) for r in records]
    assert counts == sorted(counts, reverse=True)
