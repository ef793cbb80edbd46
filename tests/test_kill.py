"""Killing the indexer never locks the index: its workers die with it and the lock goes with them."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search.api import build_index, open_index
from search.index import store

from .conftest import ROOT, generated_corpus

QUERIES = ["tuyên giáo cơ sở", '"học tập và làm theo"', "tuyen giao", "Chỉ thị 05", "Đảng ủy Khối thi đua"]


def _processes_of(index_dir: Path) -> list[int]:
    """Processes whose command line names ``index_dir``: the indexer and the workers it forked."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = next((ln for ln in (entry / "status").read_text().splitlines() if ln.startswith("State:")), "")
        except OSError:
            continue
        if str(index_dir).encode() in cmdline and "Z" not in state.split()[1:2]:
            out.append(int(entry.name))
    return out


def _answers(index_dir: Path) -> dict:
    index = open_index(index_dir)
    return {q: [(h.doc, h.passage, h.score, h.highlights) for h in index.search(q, limit=30)] for q in QUERIES}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return generated_corpus(tmp_path_factory.mktemp("kill") / "src", reports=240)


@pytest.fixture(scope="module")
def clean_build(corpus, tmp_path_factory) -> tuple[float, dict]:
    """How long a clean ``vnsearch index --jobs 2`` of the corpus takes here, and its answers."""
    clean = tmp_path_factory.mktemp("clean") / "ix"
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "search", "index", str(corpus), "--jobs", "2", "--index-dir",
                    str(clean)], cwd=ROOT, check=True, capture_output=True)
    return time.monotonic() - started, _answers(clean)


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize("share", [0.2, 0.45, 0.7])  # of a clean build's time: reading, writing, merging
def test_killing_the_parent_of_a_parallel_build_leaves_nothing_running_and_nothing_locked(
        corpus, clean_build, tmp_path, share):
    seconds, clean_answers = clean_build
    index_dir = tmp_path / "ix"
    build = subprocess.Popen([sys.executable, "-m", "search", "index", str(corpus), "--jobs", "2",
                              "--index-dir", str(index_dir)], cwd=ROOT, stderr=subprocess.PIPE)
    time.sleep(share * seconds)
    if build.poll() is not None:  # a build this much faster than the clean one: nothing to kill
        pytest.skip(f"the build ended within {share:.0%} of a clean build's {seconds:.1f} s")
    assert len(_processes_of(index_dir)) >= 2  # the parent and its workers
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 5
    while _processes_of(index_dir) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_of(index_dir) == []  # within 5 seconds, every worker is gone
    with store.WriterLock(index_dir):  # and nothing holds the lock
        pass
    stats = build_index([corpus], index_dir, jobs=2)
    assert stats.indexed + stats.unchanged == 240
    assert _answers(index_dir) == clean_answers


def test_a_live_writer_still_blocks_and_is_named(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    build = subprocess.Popen([sys.executable, "-m", "search", "index", str(corpus), "--jobs", "2",
                              "--index-dir", str(index_dir)], cwd=ROOT, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while not (index_dir / store.LOCK).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        second = subprocess.run([sys.executable, "-m", "search", "index", str(corpus), "--index-dir",
                                 str(index_dir)], cwd=ROOT, capture_output=True, text=True)
        if build.poll() is None:
            assert second.returncode == 2
            assert second.stderr.strip() == (f"vnsearch: another `vnsearch index` (pid {build.pid}) is writing "
                                             f"{index_dir}; wait for it to finish")
    finally:
        build.wait()
