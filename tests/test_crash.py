"""kill -9 during a rebuild never costs the live index; searches work while one runs.

The default run uses a generated corpus (seed paragraphs shuffled into 150
reports); ``pytest -m slow`` repeats it on 3,000 VNTC articles.
"""

import os
import random
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from search.index import store

from .conftest import ROOT
from .conftest import generated_corpus as _generated_corpus

QUERIES = ['"tuyên giáo"', "chuyển hóa", "tuyen giao", "Chỉ thị 05", "học tập và làm theo"]
VNTC = ROOT.parent / "shared" / "corpora" / "vntc" / "vntc-raw.tar.xz"


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search", *args], cwd=ROOT, capture_output=True,
                          text=True, **kwargs)


def _answers(index_dir: Path, queries: list[str] = QUERIES) -> str:
    """What the CLI answers, all queries in one process (``--batch -``)."""
    r = _cli("search", "--batch", "-", "--json", "--limit", "20", "--index-dir", str(index_dir),
             input="\n".join(queries) + "\n")
    assert r.returncode in (0, 1), r.stderr
    assert r.stdout
    return r.stdout


def _kill_rebuilds(src: Path, index_dir: Path, times: int, seed: int, queries=QUERIES) -> None:
    before = _answers(index_dir, queries)
    live = store.current_generation(index_dir)
    t = time.perf_counter()
    assert _cli("index", str(src), "--rebuild", "--index-dir", str(index_dir)).returncode == 0
    full = time.perf_counter() - t
    expected = _answers(index_dir, queries)  # the same sources: the rebuilt index answers as before
    assert expected == before
    rng = random.Random(seed)
    for _ in range(times):
        proc = subprocess.Popen([sys.executable, "-m", "search", "index", str(src), "--rebuild",
                                 "--index-dir", str(index_dir)], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.05, full * 0.95))
        os.killpg(proc.pid, signal.SIGKILL)  # the indexer and its worker processes
        proc.wait()
        assert _answers(index_dir, queries) == expected
    assert store.current_generation(index_dir) != live  # (the clean rebuild above published)
    # the next run cleans up after the killed ones and still works
    assert _cli("index", str(src), "--index-dir", str(index_dir)).returncode == 0
    gens = [p for p in index_dir.iterdir() if p.name.startswith("gen-")]
    assert len(gens) <= 2
    assert _answers(index_dir, queries) == expected


def test_kill_9_during_rebuild_leaves_the_old_index_answering_identically(tmp_path):
    src = _generated_corpus(tmp_path / "src")
    index_dir = tmp_path / "ix"
    assert _cli("index", str(src), "--index-dir", str(index_dir)).returncode == 0
    _kill_rebuilds(src, index_dir, times=5, seed=1)


def test_searches_keep_working_while_the_index_is_rebuilt(tmp_path):
    src = _generated_corpus(tmp_path / "src")
    index_dir = tmp_path / "ix"
    assert _cli("index", str(src), "--index-dir", str(index_dir)).returncode == 0
    expected = _answers(index_dir)
    live = store.current_generation(index_dir)
    proc = subprocess.Popen([sys.executable, "-m", "search", "index", str(src), "--rebuild",
                             "--index-dir", str(index_dir)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    during = 0  # searches begun while the rebuild ran
    while proc.poll() is None:
        assert _answers(index_dir) == expected
        during += 1
    assert proc.wait() == 0, proc.stderr.read()
    assert _answers(index_dir) == expected
    # some searches overlapped the rebuild, and it published a new generation under them
    assert during >= 1 and store.current_generation(index_dir) != live


def test_a_second_writer_gets_a_clear_message(tmp_path):
    src = _generated_corpus(tmp_path / "src")
    index_dir = tmp_path / "ix"
    first = subprocess.Popen([sys.executable, "-m", "search", "index", str(src), "--index-dir",
                              str(index_dir)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while not (index_dir / store.LOCK).exists() or not (index_dir / store.LOCK).read_text():
        assert time.time() < deadline and first.poll() is None
        time.sleep(0.02)
    second = _cli("index", str(src), "--index-dir", str(index_dir))
    assert first.wait() == 0
    assert second.returncode == 2
    assert second.stderr.startswith("vnsearch: another `vnsearch index` (pid ")
    assert len(second.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_kill_9_during_a_rebuild_of_3000_vntc_articles(tmp_path):
    if not VNTC.is_file():
        pytest.skip("../shared/corpora/vntc is not here")
    src = tmp_path / "vntc"
    # Two streaming passes: seeking in an .xz stream decompresses it again from the start.
    with tarfile.open(VNTC, "r|xz") as tar:
        names = sorted(m.name for m in tar if m.isfile())
    wanted = set(names[::28][:3000])
    with tarfile.open(VNTC, "r|xz") as tar:
        for member in tar:
            if member.name in wanted:
                tar.extract(member, src, filter="data")
    index_dir = tmp_path / "ix"
    assert _cli("index", str(src), "--index-dir", str(index_dir)).returncode == 0
    queries = ['"bóng đá"', "giá vàng", "tai nan giao thong", "Người nghiện ma túy có bị xử lý không?"]
    _kill_rebuilds(src, index_dir, times=5, seed=2, queries=queries)
