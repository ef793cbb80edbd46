"""A damaged, foreign or unreadable index directory: one line naming the fix, exit 2, no traceback.

Each test damages a copy of the seed index the way a crash, a disk, a sync tool
or a user could, and runs the commands a user would.
"""

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from search.index import store

REBUILD = "run `vnsearch index --rebuild`"


@pytest.fixture
def copy(seed_index, tmp_path) -> Path:
    target = tmp_path / "ix"
    shutil.copytree(seed_index, target)
    return target


def _gen(index_dir: Path) -> Path:
    return index_dir / (index_dir / "CURRENT").read_text().strip()


def _error_line(result) -> str:
    """The single stderr line of a failed command (and check it failed the promised way)."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("vnsearch: ")
    assert "internal error" not in lines[0] and "Traceback" not in result.stderr
    return lines[0]


def _write_meta(index_dir: Path, text: str) -> None:
    (_gen(index_dir) / "meta.json").write_text(text, encoding="utf-8")


def _edit_meta(index_dir: Path, change) -> None:
    meta = json.loads((_gen(index_dir) / "meta.json").read_text(encoding="utf-8"))
    change(meta)
    _write_meta(index_dir, json.dumps(meta))


def _segments(index_dir: Path) -> list[Path]:
    segs = sorted(_gen(index_dir).glob("*.seg"))
    assert segs
    return segs


def _truncate_segments(ix):
    for seg in _segments(ix):
        seg.write_bytes(seg.read_bytes()[:100])


def _delete_segments(ix):
    for seg in _segments(ix):
        seg.unlink()


def _delete_toc(ix):
    for toc in _gen(ix).glob("*.toc"):
        toc.unlink()


def _current_is_a_directory(ix):
    (ix / "CURRENT").unlink()
    (ix / "CURRENT").mkdir()


DAMAGE = {
    # CURRENT: the pointer to the live generation
    "CURRENT names a missing generation": (
        lambda ix: (ix / "CURRENT").write_text("gen-000099\n"), "'gen-000099'"),
    "CURRENT holds binary garbage": (
        lambda ix: (ix / "CURRENT").write_bytes(b"\x00\xff\xfe\x80 garbage"), "damaged"),
    "CURRENT names a path outside": (
        lambda ix: (ix / "CURRENT").write_text("../../etc\n"), "'../../etc'"),
    "CURRENT is a directory": (_current_is_a_directory, "cannot read index"),
    # meta.json
    "meta.json missing": (lambda ix: (_gen(ix) / "meta.json").unlink(), "damaged"),
    "meta.json truncated": (lambda ix: _write_meta(ix, '{"schema_version": 3, "docu'), "unreadable"),
    "meta.json not UTF-8": (
        lambda ix: (_gen(ix) / "meta.json").write_bytes(b"\xff\xfe{}"), "unreadable"),
    "meta.json a list": (lambda ix: _write_meta(ix, "[1, 2]"), "not what vnsearch writes"),
    "meta.json older schema": (
        lambda ix: _edit_meta(ix, lambda m: m.update(schema_version=0)), "schema version 0"),
    "meta.json codes of another shape": (
        lambda ix: _edit_meta(ix, lambda m: m.update(codes=5)), "not what vnsearch writes"),
    # Whoosh's files
    "segment truncated": (_truncate_segments, "damaged (EOFError)"),
    "segment deleted": (_delete_segments, "damaged (a file is missing)"),
    "table of contents deleted": (_delete_toc, "damaged"),
}


@pytest.mark.parametrize("command", [
    ["search", "tuyên giáo"],
    ["search", "--json", "tuyên giáo"],
    ["export", "tuyên giáo", "-o", "-"],
    ["docs"],
    ["directives"],
])
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_is_one_line_naming_rebuild(run, copy, damage, command):
    corrupt, detail = DAMAGE[damage]
    corrupt(copy)
    line = _error_line(run(*command, index_dir=copy))
    assert detail in line and line.endswith(REBUILD), line


def _replace_reports(rows):
    def damage(path: Path) -> None:
        with sqlite3.connect(path) as con:
            con.execute("DELETE FROM reports")
            con.executemany("INSERT INTO reports VALUES (?, ?)", rows)
        con.close()
    return damage


def _drop_table(path: Path) -> None:
    with sqlite3.connect(path) as con:
        con.execute("DROP TABLE reports")
    con.close()


REPORTS_DAMAGE = {
    "missing": (lambda path: path.unlink(), "report table is missing"),
    "not a database": (lambda path: path.write_text("{}", encoding="utf-8"), "report table"),
    "truncated": (lambda path: path.write_bytes(path.read_bytes()[:600]), "report table"),
    "no table": (_drop_table, "report table"),
    "a record not JSON": (_replace_reports([(f"00{i}", "{") for i in range(5)]), "is not what vnsearch writes"),
    "a record of another shape": (
        _replace_reports([(f"00{i}", store._pack_record({"name": "x"})) for i in range(5)]),
        "is not what vnsearch writes"),
}


@pytest.mark.parametrize("damage", list(REPORTS_DAMAGE))
def test_a_damaged_report_table_is_one_line_naming_rebuild(run, copy, damage):
    """The report table holds every report's metadata: search, listings and updates need it."""
    corrupt, detail = REPORTS_DAMAGE[damage]
    corrupt(_gen(copy) / store.REPORTS)
    for command in (["docs"], ["directives"], ["search", "tuyên giáo"], ["index"]):
        result = run(*command, index_dir=copy)
        if command == ["search", "tuyên giáo"] and damage.startswith("a record"):
            # the seed reports' own rows are gone: their hits name the missing report
            detail_here = "missing from the report table"
        else:
            detail_here = detail
        line = _error_line(result)
        assert detail_here in line and line.endswith(REBUILD), line


def test_damage_found_only_while_searching_is_reported_the_same_way(run, copy):
    """Whoosh opens a segment whose posting blocks are garbled and only fails on reading them."""
    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

    for seg in _segments(copy):
        data = seg.read_bytes()
        assert WHOOSH3_HEADER_MAGIC in data
        seg.write_bytes(data.replace(WHOOSH3_HEADER_MAGIC, b"XXXX"))
    assert run("docs", index_dir=copy).exit_code == 0  # metadata is intact
    for command in (["search", "tuyên giáo"], ["export", "tuyên giáo", "-o", "-"]):
        line = _error_line(run(*command, index_dir=copy))
        assert line == f"vnsearch: index at {copy} is damaged (Exception); {REBUILD}"


def test_damaged_index_stops_a_batch_at_once(run, copy, tmp_path):
    """The same damage would fail every line: one message, not one per query."""
    _truncate_segments(copy)
    batch = tmp_path / "q.txt"
    batch.write_text("tuyên giáo\nBắc Kạn\ncông tác\n", encoding="utf-8")
    line = _error_line(run("search", "--batch", str(batch), index_dir=copy))
    assert "line" not in line and line.endswith(REBUILD)


def test_another_programs_whoosh_index(run, tmp_path):
    from whoosh import fields, index

    other = tmp_path / "other"
    other.mkdir()
    ix = index.create_in(str(other), fields.Schema(body=fields.TEXT(stored=True)))
    with ix.writer() as w:
        w.add_document(body="tuyên giáo")
    line = _error_line(run("search", "tuyên giáo", index_dir=other))
    assert line == (f"vnsearch: {other} holds a Whoosh index that vnsearch did not build; build one "
                    f"with `vnsearch index --rebuild --index-dir {other}` or use another directory")


def test_another_programs_whoosh_index_inside_a_generation(run, copy, tmp_path):
    """CURRENT and meta.json intact, but the Whoosh files have other fields."""
    from whoosh import fields, index

    gen = _gen(copy)
    for f in list(gen.glob("*.seg")) + list(gen.glob("*.toc")):
        f.unlink()
    ix = index.create_in(str(gen), fields.Schema(body=fields.TEXT(stored=True)))
    with ix.writer() as w:
        w.add_document(body="tuyên giáo")
    line = _error_line(run("search", "tuyên giáo", index_dir=copy))
    assert line == f"vnsearch: index at {copy} has fields vnsearch does not write; {REBUILD}"


def test_a_generation_given_instead_of_the_index(run, seed_index):
    gen = _gen(seed_index)
    line = _error_line(run("search", "tuyên giáo", index_dir=gen))
    assert line == (f"vnsearch: {gen} is one generation of an index; use the directory above it "
                    f"(--index-dir {seed_index})")


def test_a_file_instead_of_a_directory(run, tmp_path):
    not_dir = tmp_path / "index"
    not_dir.write_text("hello")
    via_env = _error_line(run("search", "tuyên giáo", index_dir=None, env={"VNSEARCH_INDEX": str(not_dir)}))
    assert via_env == (f"vnsearch: index at {not_dir} is a file, not a directory; build one in a "
                       "directory with `vnsearch index --rebuild --index-dir DIR`")
    via_option = _error_line(run("search", "tuyên giáo", index_dir=not_dir))
    assert str(not_dir) in via_option and "is a file" in via_option


def test_an_empty_directory_is_no_index_yet(run, tmp_path):
    line = _error_line(run("search", "tuyên giáo", index_dir=tmp_path))
    assert line == (f"vnsearch: no index at {tmp_path}; build one with "
                    f"`vnsearch index SOURCE --index-dir {tmp_path}`")


def test_permission_denied_simulated(run, copy, monkeypatch):
    """Works as root too: the OS refusal is simulated where the index reads CURRENT."""
    real = Path.read_text

    def refuse(self, *args, **kwargs):
        if self.name == "CURRENT":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refuse)
    line = _error_line(run("search", "tuyên giáo", index_dir=copy))
    assert line == (f"vnsearch: cannot read index at {copy} (Permission denied); "
                    "fix its permissions or run `vnsearch index --rebuild`")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads everything")
@pytest.mark.parametrize("target", ["CURRENT", "generation", "segment"])
def test_permission_denied(run, copy, target):
    path = {"CURRENT": copy / "CURRENT", "generation": _gen(copy), "segment": _segments(copy)[0]}[target]
    path.chmod(0)
    try:
        line = _error_line(run("search", "tuyên giáo", index_dir=copy))
    finally:
        path.chmod(0o755)
    assert "Permission denied" in line and line.endswith(REBUILD)


PAIRS_DAMAGE = {
    "missing": (lambda path: path.unlink(), "damaged (a file is missing)"),
    "truncated": (lambda path: path.write_bytes(path.read_bytes()[:-5]), "damaged (pair table)"),
    "garbage": (lambda path: path.write_bytes(b"\x00\xff" * 40), "damaged (pair table)"),
}


@pytest.mark.parametrize("damage", list(PAIRS_DAMAGE))
def test_damaged_pair_table_fails_search_and_update_not_the_listings(run, copy, damage):
    corrupt, detail = PAIRS_DAMAGE[damage]
    corrupt(_gen(copy) / "pairs.bin")
    live = _gen(copy)
    for command in (["search", "tuyên giáo"], ["export", "tuyên giáo", "-o", "-"]):
        line = _error_line(run(*command, index_dir=copy))
        assert detail in line and line.endswith(REBUILD), line
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    (copy.parent / "src").mkdir()
    for f in sorted(seeds.iterdir())[:2]:
        shutil.copy(f, copy.parent / "src" / f.name)
    line = _error_line(run("index", str(copy.parent / "src"), index_dir=copy))
    assert "damaged (pair table)" in line and line.endswith(REBUILD), line
    assert _gen(copy) == live  # the live generation is untouched
    assert run("docs", index_dir=copy).exit_code == 0
    assert run("index", str(copy.parent / "src"), "--rebuild", index_dir=copy).exit_code == 0
    assert run("search", "tuyên giáo", index_dir=copy).exit_code == 0
