"""Index maintenance: incremental updates, one writer at a time, parallel builds."""

import json
import os
import shutil
import sqlite3

import pytest

from search.api import open_index
from search.errors import DamagedIndex, VnsearchError
from search.index import build as indexer
from search.index import store
from search.index.build import build_index

from .conftest import SEEDS

QUERIES = ['"tuyên giáo"', "chuyển hóa", "tuyen giao", "Chỉ thị 05", "Đảng ủy Khối thi đua", "học tập"]


def _results(index_dir):
    ix = open_index(index_dir)
    return {q: [(h.doc, h.passage, h.score, h.highlights) for h in ix.search(q, limit=None)]
            for q in QUERIES}


def test_update_reads_only_new_and_changed_files_and_drops_deleted(seeds_copy, tmp_path, seed_index):
    ix = tmp_path / "ix"
    first = build_index([seeds_copy], ix)
    assert (first.indexed, first.updated, first.removed) == (5, 0, 0)

    noop = build_index([seeds_copy], ix)
    assert (noop.indexed, noop.updated, noop.removed, noop.unchanged) == (0, 0, 0, 5)

    names = sorted(p.name for p in seeds_copy.glob("*.txt"))
    changed, gone = seeds_copy / names[0], seeds_copy / names[1]
    body = changed.read_text(encoding="utf-8")
    middle = body.index("\n\n", len(body) // 2)  # the end of a page is footer junk, dropped
    changed.write_text(body[:middle] + "\n\nĐoạn mới về thủy điện Nậm Cắt." + body[middle:],
                       encoding="utf-8")
    gone.unlink()
    (seeds_copy / "new.txt").write_text("Báo cáo mới\n\nCông tác thủy điện năm 2024.\n", encoding="utf-8")
    stats = build_index([seeds_copy], ix)
    assert (stats.indexed, stats.updated, stats.removed, stats.unchanged) == (1, 1, 1, 3)

    index = open_index(ix)
    assert {h.doc for h in index.search('"thủy điện"', limit=None)} == {names[0], "new.txt"}
    assert not [h for h in index.search("tuyên giáo", limit=None) if h.doc == names[1]]
    assert [r.doc for r in index.reports()] == sorted([*names[:1], *names[2:], "new.txt"])


def test_incremental_and_full_builds_answer_identically(seeds_copy, tmp_path):
    ix = tmp_path / "ix"
    names = sorted(p.name for p in seeds_copy.glob("*.txt"))
    held = tmp_path / names[2]
    shutil.move(seeds_copy / names[2], held)
    build_index([seeds_copy], ix)
    shutil.move(held, seeds_copy / names[2])
    assert build_index([seeds_copy], ix).indexed == 1
    full = tmp_path / "full"
    build_index([seeds_copy], full)
    assert _results(ix) == _results(full)


def test_touched_but_unchanged_file_is_not_read_again(seeds_copy, tmp_path):
    ix = tmp_path / "ix"
    build_index([seeds_copy], ix)
    path = next(seeds_copy.glob("*.txt"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    stats = build_index([seeds_copy], ix)
    assert (stats.indexed, stats.updated, stats.unchanged) == (0, 0, 5)
    # ...and the new mtime is remembered, so the next run does not hash it again.
    assert build_index([seeds_copy], ix).unchanged == 5
    record = store.read_reports(store.current_generation(ix))[path.name]
    assert record["source"]["mtime_ns"] == path.stat().st_mtime_ns


def test_parallel_build_answers_like_a_serial_one(tmp_path, monkeypatch):
    monkeypatch.setattr(indexer, "PARALLEL_MIN", 1)  # five seeds are enough to go parallel
    monkeypatch.setattr(indexer, "BATCH", 5)
    build_index([SEEDS], tmp_path / "one", jobs=1)
    build_index([SEEDS], tmp_path / "two", jobs=2)
    segments = [p for p in store.current_generation(tmp_path / "two").iterdir() if p.suffix == ".seg"]
    assert len(segments) >= 2  # really written by two processes
    assert _results(tmp_path / "one") == _results(tmp_path / "two")


def test_second_writer_is_refused_with_a_clear_message(tmp_path, seeds_copy):
    ix = tmp_path / "ix"
    build_index([seeds_copy], ix)
    with store.WriterLock(ix):
        with pytest.raises(VnsearchError, match="another `vnsearch index` .* is writing"):
            build_index([seeds_copy], ix)
        assert open_index(ix).reports()  # readers are not blocked
    assert build_index([seeds_copy], ix).unchanged == 5  # released afterwards


def test_cli_index_updates_its_recorded_sources_and_prints_a_summary(run, seeds_copy, tmp_path):
    ix = tmp_path / "ix"
    result = run("index", str(seeds_copy), index_dir=ix)
    assert result.exit_code == 0
    assert result.stderr.strip().endswith("5 indexed, 0 updated, 0 removed, 0 unchanged, 0 skipped")
    (seeds_copy / "extra.txt").write_text("Báo cáo thêm\n\nNội dung thêm.\n", encoding="utf-8")
    result = run("index", index_dir=ix)  # no SOURCE: the folders it was built from
    assert result.stderr.strip().endswith("1 indexed, 0 updated, 0 removed, 5 unchanged, 0 skipped")
    result = run("index", "--rebuild", index_dir=ix)
    assert result.stderr.strip().endswith("6 indexed, 0 updated, 0 removed, 0 unchanged, 0 skipped")


def test_leftovers_of_a_killed_build_are_cleaned_by_the_next_one(tmp_path, seeds_copy):
    ix = tmp_path / "ix"
    build_index([seeds_copy], ix)
    live = store.current_generation(ix)
    crashed = store.new_generation(ix)  # what a kill -9 mid-build leaves
    (crashed / "junk.seg").write_bytes(b"half")
    (seeds_copy / "extra.txt").write_text("Báo cáo thêm\n\nNội dung thêm.\n", encoding="utf-8")
    build_index([seeds_copy], ix)
    gens = sorted(p.name for p in ix.iterdir() if p.name.startswith("gen-"))
    assert not (crashed / "junk.seg").exists()
    assert live.name not in gens  # nobody reads the previous one: deleted on publishing
    assert gens == [store.current_generation(ix).name]
    assert json.loads((store.current_generation(ix) / "meta.json").read_text())["reports"] == 6


def test_update_over_metadata_that_is_not_an_object_names_rebuild(tmp_path, seeds_copy):
    ix = tmp_path / "ix"
    build_index([seeds_copy], ix)
    (store.current_generation(ix) / "meta.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(DamagedIndex, match="not what vnsearch writes"):
        build_index([seeds_copy], ix)
    assert build_index([seeds_copy], ix, rebuild=True).indexed == 5


@pytest.mark.parametrize("records", [{"a.txt": "[1, 2]"}, {"a.txt": "3"}, {"a.txt": '{"title": "x"}'},
                                     {"a.txt": '{"title": "x", "passages": 1}'}])
def test_update_over_damaged_report_records_is_a_damaged_index(tmp_path, seeds_copy, records):
    ix = tmp_path / "ix"
    build_index([seeds_copy], ix)
    table = store.current_generation(ix) / store.REPORTS
    with sqlite3.connect(table) as con:
        con.execute("DELETE FROM reports")
        con.executemany("INSERT INTO reports VALUES (?, ?)",
                        [(doc, store._pack_record(json.loads(r))) for doc, r in records.items()])
    con.close()
    with pytest.raises(DamagedIndex, match="is damaged"):
        build_index([seeds_copy], ix)
    assert build_index([seeds_copy], ix, rebuild=True).indexed == 5
