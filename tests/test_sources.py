"""Issue 16: real folders indexed without losing, mixing or locking reports."""

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import cli, progress_bar

from .conftest import ROOT, SEEDS


def _run(*args, cwd=None):
    result = CliRunner().invoke(cli, list(map(str, args)), catch_exceptions=False)
    return result


def _report(folder: Path, name: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"Báo cáo {body}\n\nCông tác tuyên giáo {body}.\n", encoding="utf-8")


def _docs(ix) -> list[dict]:
    return [json.loads(x) for x in _run("docs", "--json", "--index-dir", ix).stdout.splitlines()]


def test_adding_a_folder_keeps_the_others_and_sources_lists_them(tmp_path):
    ix = tmp_path / "ix"
    shutil.copytree(SEEDS, tmp_path / "src")
    _report(tmp_path / "src2", "moi.txt", "mới")
    assert _run("index", tmp_path / "src", "--index-dir", ix).exit_code == 0
    added = _run("index", tmp_path / "src2", "--index-dir", ix)
    assert added.stderr.strip().endswith("1 indexed, 0 updated, 0 removed, 5 unchanged, 0 skipped")
    assert len(_docs(ix)) == 6
    listed = [json.loads(x) for x in _run("sources", "--json", "--index-dir", ix).stdout.splitlines()]
    assert [(s["folder"], s["reports"], s["exists"]) for s in listed] == [
        (str(tmp_path / "src"), 5, True), (str(tmp_path / "src2"), 1, True)]
    assert all(s["indexed"] for s in listed)
    removed = _run("index", "--remove", tmp_path / "src", "--index-dir", ix)
    assert removed.stderr.strip().endswith("0 indexed, 0 updated, 5 removed, 1 unchanged, 0 skipped")
    assert [d["doc"] for d in _docs(ix)] == ["moi.txt"]
    assert _run("index", "--remove", tmp_path / "nope", "--index-dir", ix).exit_code == 2


def test_two_sources_with_the_same_relative_path_are_two_reports(tmp_path):
    ix = tmp_path / "ix"
    _report(tmp_path / "c1", "report.txt", "một")
    _report(tmp_path / "c2", "report.txt", "hai")
    assert _run("index", tmp_path / "c1", tmp_path / "c2", "--index-dir", ix).exit_code == 0
    docs = {d["doc"]: d for d in _docs(ix)}
    assert set(docs) == {"report.txt", "c2/report.txt"}
    assert docs["c2/report.txt"]["path"] == str(tmp_path / "c2" / "report.txt")
    hits = [json.loads(x) for x in _run("search", "--json", "tuyên giáo", "--index-dir", ix).stdout.splitlines()]
    assert sorted(h["doc"] for h in hits) == ["c2/report.txt", "report.txt"]
    (tmp_path / "c1" / "report.txt").unlink()
    update = _run("index", "--index-dir", ix)
    assert update.stderr.strip().endswith("0 indexed, 0 updated, 1 removed, 1 unchanged, 0 skipped")
    assert _run("search", "một", "--index-dir", ix).exit_code == 1  # the deleted file's text is gone
    assert [d["doc"] for d in _docs(ix)] == ["c2/report.txt"]  # a report keeps its name


def test_a_missing_source_folder_keeps_its_reports(tmp_path):
    ix = tmp_path / "ix"
    _report(tmp_path / "drive", "a.txt", "ổ ngoài")
    _report(tmp_path / "local", "b.txt", "máy")
    _run("index", tmp_path / "drive", tmp_path / "local", "--index-dir", ix)
    (tmp_path / "drive").rename(tmp_path / "unmounted")
    update = _run("index", "--index-dir", ix)
    assert f"vnsearch: skipped {tmp_path / 'drive'}: source folder is missing; its 1 reports are kept" in update.stderr
    assert len(_docs(ix)) == 2


def test_names_that_are_not_utf8_are_indexed_under_an_escaped_name(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (Path(os.fsdecode(bytes(src) + b"/bad\xffname.txt"))).write_text("Báo cáo\n\nTuyên giáo.", encoding="utf-8")
    result = _run("index", src, "--index-dir", tmp_path / "ix")
    assert result.exit_code == 0, result.stderr
    assert [d["doc"] for d in _docs(tmp_path / "ix")] == ["bad\\xffname.txt"]


def test_nothing_is_skipped_silently(tmp_path):
    src = tmp_path / "src"
    _report(src, "ok.txt", "tốt")
    os.mkfifo(src / "pipe.txt")
    os.symlink(src / "gone.txt", src / "dangling.txt")
    (src / "photo.jpg").write_bytes(b"\xff\xd8")
    result = _run("index", src, "--index-dir", tmp_path / "ix")
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert f"vnsearch: skipped {src / 'pipe.txt'}: a FIFO (named pipe), not a file" in lines
    assert f"vnsearch: skipped {src / 'dangling.txt'}: dangling symbolic link" in lines
    assert f"vnsearch: skipped {src / 'photo.jpg'}: unsupported file type .jpg" in lines
    assert lines[-1].endswith("1 indexed, 0 updated, 0 removed, 0 unchanged, 3 skipped")


def test_an_update_over_a_damaged_index_fails_naming_rebuild(tmp_path):
    ix = tmp_path / "ix"
    _run("index", SEEDS, "--index-dir", ix)
    gen = ix / (ix / "CURRENT").read_text().strip()
    for seg in gen.glob("*.seg"):
        seg.write_bytes(seg.read_bytes()[:100])
    result = _run("index", "--index-dir", ix)
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("run `vnsearch index --rebuild`")


@pytest.mark.parametrize("where", ["/proc/nope", "file/sub"])
def test_bad_index_paths_are_one_line_and_leave_nothing(tmp_path, where):
    (tmp_path / "file").write_text("x")
    target = Path(where) if where.startswith("/") else tmp_path / where
    result = _run("index", SEEDS, "--index-dir", target)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "internal error" not in result.stderr
    assert result.stderr.startswith(f"vnsearch: cannot create the index directory {target}: ")


def test_a_failed_first_run_leaves_no_folder(tmp_path):
    result = _run("index", "/does-not-exist", "--index-dir", tmp_path / "ixn")
    assert result.exit_code == 2 and "no such file or directory" in result.stderr
    assert not (tmp_path / "ixn").exists()


def test_the_progress_bar_fits_a_narrow_terminal_and_shows_rate_and_eta():
    import time

    out = io.StringIO()
    bar = progress_bar(out, ncols=60)
    bar.total = 84132
    time.sleep(0.3)
    bar.update(1500)
    bar.refresh()
    shown = out.getvalue().split("\r")[-1].rstrip()
    assert len(shown) <= 60, shown
    assert "1.50k/84.1k" in shown and " files/s]" in shown and "<" in shown, shown  # count, rate, ETA


def test_vnsearch_alone_prints_the_usage():
    result = subprocess.run([sys.executable, "-m", "search"], capture_output=True, text=True, cwd=ROOT)
    text = result.stdout + result.stderr
    assert text.startswith("Usage: ") and "Commands:" in text and len(text.splitlines()) > 5
