"""The Python API: README's example, long-lived indexes across rebuilds, reports and listings."""

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from search import api
from search.cli import cli
from search.errors import NoIndex, VnsearchError
from search.index import store

from .conftest import ROOT, SEEDS


def _readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Use from Python"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_example_runs_as_written_and_equals_the_cli(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", _readme_example()], cwd=tmp_path, env=env,
                         capture_output=True, text=True, check=True).stdout
    printed = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    cli_out = CliRunner().invoke(cli, ["search", "--json", "--limit", "3", "--index-dir",
                                       str(tmp_path / "index"), "tuyen giao Bac Kan"])
    assert cli_out.exit_code == 0
    assert printed == [json.loads(line) for line in cli_out.stdout.splitlines()]
    assert len(printed) == 3 and all(h["highlights"] for h in printed)


@pytest.fixture()
def index_dir(tmp_path, seeds_copy):
    ix = tmp_path / "ix"
    api.build_index([seeds_copy], ix)
    return ix


def _generations(ix: Path) -> list[str]:
    return sorted(p.name for p in ix.iterdir() if p.name.startswith("gen-"))


def test_an_open_index_follows_rebuilds_and_keeps_only_generations_in_use(index_dir, seeds_copy):
    """A server's Index searches in a loop while five rebuilds run: never an error, then the newest."""
    index = api.open_index(index_dir)
    expected = [h.to_json() for h in index.search("tuyên giáo Bắc Kạn")]
    errors: list[BaseException] = []
    answers: list[list[dict]] = []
    done = threading.Event()

    def search_in_a_loop():
        while not done.is_set():
            try:
                answers.append([h.to_json() for h in index.search("tuyên giáo Bắc Kạn")])
            except BaseException as exc:  # noqa: BLE001 - the test reports whatever it was
                errors.append(exc)
                return

    reader = threading.Thread(target=search_in_a_loop)
    reader.start()
    try:
        for _ in range(5):
            result = subprocess.run([sys.executable, "-m", "search", "index", "--rebuild", str(seeds_copy),
                                     "--index-dir", str(index_dir)], capture_output=True, text=True, cwd=ROOT)
            assert result.returncode == 0, result.stderr
    finally:
        done.set()
        reader.join()
    assert not errors, errors
    assert len(answers) > 5 and all(a == expected for a in answers)
    live = store.current_generation(index_dir)
    assert index.generation == live  # moved to the newest on its next call
    assert _generations(index_dir) == [live.name]
    index.close()


def test_a_generation_in_use_is_never_deleted_under_its_reader(index_dir, seeds_copy):
    first = api.open_index(index_dir)
    held = first.generation
    for _ in range(3):
        api.build_index([seeds_copy], index_dir, rebuild=True)
    live = store.current_generation(index_dir)
    assert _generations(index_dir) == sorted([held.name, live.name])  # the two in use, none other
    assert (held / "reports.db").is_file()
    assert first.search("tuyên giáo")  # moves on, and lets the old one go
    assert _generations(index_dir) == [live.name]
    first.close()


def test_a_killed_reader_does_not_pin_its_generation(index_dir, seeds_copy):
    code = ("import sys, time; from search.api import open_index; ix = open_index(sys.argv[1]); "
            "print(ix.generation, flush=True); time.sleep(60)")
    reader = subprocess.Popen([sys.executable, "-c", code, str(index_dir)], stdout=subprocess.PIPE, text=True,
                              cwd=ROOT)
    try:
        held = Path(reader.stdout.readline().strip())
        api.build_index([seeds_copy], index_dir, rebuild=True)
        assert held.is_dir()  # the reader is alive: its generation stays
    finally:
        reader.kill()
        reader.wait()
    api.build_index([seeds_copy], index_dir, rebuild=True)
    assert not held.exists()
    assert _generations(index_dir) == [store.current_generation(index_dir).name]


def test_report_has_metadata_passages_with_offsets_and_the_whole_text(index_dir):
    index = api.open_index(index_dir)
    hit = index.search('"Bắc Kạn"', limit=1)[0]
    report = index.report(hit.doc)
    assert (report.doc, report.title, report.path) == (hit.doc, hit.title, hit.path)
    assert report.date.isoformat() == hit.date and report.date_precision == hit.date_precision
    assert [p.number for p in report.passages] == list(range(1, len(report.passages) + 1))
    for p in report.passages:
        assert report.text[p.start:p.end] == p.text
    assert report.passages[hit.passage - 1].text == hit.text
    assert Path(report.path).is_file() and Path(report.path).is_absolute()
    with pytest.raises(VnsearchError, match="no report 'nope.txt'"):
        index.report("nope.txt")


def test_reports_and_directives_are_what_the_cli_lists(index_dir):
    index = api.open_index(index_dir)
    runner = CliRunner()
    docs = runner.invoke(cli, ["docs", "--json", "--index-dir", str(index_dir)])
    assert [json.loads(line) for line in docs.stdout.splitlines()] == [r.summary_json() for r in index.reports()]
    directives = runner.invoke(cli, ["directives", "--json", "--index-dir", str(index_dir)])
    assert [json.loads(line) for line in directives.stdout.splitlines()] == index.directives()
    assert any(d["code"] == "05-CT/TW" for d in index.directives())


def test_a_year_only_date_is_the_same_in_search_and_listings(index_dir):
    """2021 (year precision) is 2021-01-01 with date_precision "year" everywhere."""
    index = api.open_index(index_dir)
    dated = {r.doc: r for r in index.reports() if r.date_precision == "year"}
    assert dated, "the seeds have a report dated by its year only"
    doc, report = next(iter(dated.items()))
    hit = next(h for h in index.search(f"doc:{doc}", limit=50) if h.doc == doc)
    assert (hit.date, hit.date_precision) == (report.date.isoformat(), "year")
    assert report.summary_json()["date"] == hit.date


def test_opening_nothing_is_a_no_index_error_without_cli_words(tmp_path):
    with pytest.raises(NoIndex) as caught:
        api.open_index(tmp_path / "nothing")
    assert str(caught.value) == f"no index at {tmp_path / 'nothing'}"


def test_library_errors_name_no_cli_option(index_dir):
    index = api.open_index(index_dir)
    for kwargs in ({"org": "!!!"}, {"date_from": "2020-13"}, {"directive": "hello"}):
        with pytest.raises(VnsearchError) as caught:
            index.search("tuyên giáo", **kwargs)
        assert "--" not in str(caught.value), caught.value
