from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.indexer import build_index

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    """An index of the five seed reports, built once for the whole run."""
    index_dir = tmp_path_factory.mktemp("seed-index")
    build_index([SEEDS], index_dir)
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
