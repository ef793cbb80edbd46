import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.index.build import build_index

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    """An index of the five seed reports, built once for the whole run."""
    index_dir = tmp_path_factory.mktemp("seed-index")
    build_index([SEEDS], index_dir)
    return index_dir


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    """A copy of the seed reports that a test may change."""
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    return src


def generated_corpus(folder: Path, reports: int = 150) -> Path:
    """``reports`` reports of 12 seed paragraphs each, shuffled with a fixed seed.

    The same paragraphs recur across reports, so many passages score exactly
    alike: the case where result order could depend on how the index was written.
    """
    rng = random.Random(7)
    paragraphs = [p for f in sorted(SEEDS.glob("*.txt"))
                  for p in f.read_text(encoding="utf-8").split("\n\n") if len(p) > 80]
    folder.mkdir()
    for i in range(reports):
        body = "\n\n".join(rng.sample(paragraphs, 12))
        (folder / f"r{i:04d}.txt").write_text(f"Báo cáo số {i}\n\n{body}\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def generated_index(tmp_path_factory) -> Path:
    """An index of ``generated_corpus``, built once for the whole run."""
    root = tmp_path_factory.mktemp("generated")
    index_dir = root / "ix"
    build_index([generated_corpus(root / "src")], index_dir)
    return index_dir


@pytest.fixture
def run(seed_index, monkeypatch):
    """Run the CLI against the seed index; returns click's Result (stdout/stderr apart)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("VNSEARCH_INDEX", raising=False)

    def invoke(*args, index_dir=seed_index, env=None):
        runner = CliRunner()
        return runner.invoke(cli, [*args, "--index-dir", str(index_dir)] if index_dir else list(args),
                             env=env, catch_exceptions=False)

    return invoke
