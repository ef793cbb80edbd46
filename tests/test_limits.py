"""Limits and bad options: a clear one-line message and exit status 2, like every other error."""

import json
import re

import pytest

from search.cli import MAX_LIMIT
from search.rank.parse import MAX_QUERY_CHARS


def _one_line(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("command", ["search", "export"])
@pytest.mark.parametrize("value", ["0", "-5", str(MAX_LIMIT + 1), "many"])
def test_limit_out_of_range(run, command, value):
    args = ["-o", "-"] if command == "export" else []
    line = _one_line(run(command, "tuyên giáo", *args, "--limit", value))
    assert line.startswith("vnsearch: Invalid value for '--limit' / '-n': ")
    assert line.endswith(f"(see cli {command} --help)")  # CliRunner calls the program "cli"
    if value != "many":
        assert f"{value} is not in the range 1<=x<={MAX_LIMIT}" in line


def test_largest_limit_is_accepted(run):
    result = run("search", '"tuyên giáo"', "--limit", str(MAX_LIMIT), "--json")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) > 10


def test_query_length_limit(run):
    at_limit = ("tuyên giáo " * MAX_QUERY_CHARS)[:MAX_QUERY_CHARS].strip()
    assert run("search", at_limit, "--limit", "1").exit_code == 0
    too_long = "tuyên giáo " * 1000
    line = _one_line(run("search", too_long))
    n = len(too_long.strip())
    assert line == f"vnsearch: query too long ({n} characters; the limit is {MAX_QUERY_CHARS})"
    assert _one_line(run("export", too_long, "-o", "-")) == line


def test_a_long_line_in_a_batch_fails_alone(run, tmp_path):
    """The other queries still run; the long one is named by its line in the file."""
    batch = tmp_path / "q.txt"
    batch.write_text(f"\"tuyên giáo\"\n\n{'x ' * MAX_QUERY_CHARS}\n\"Bắc Kạn\"\n", encoding="utf-8")
    result = run("search", "--batch", str(batch), "--json")
    assert result.exit_code == 2
    assert result.stderr == (f"vnsearch: line 3: query too long ({2 * MAX_QUERY_CHARS - 1} "
                             f"characters; the limit is {MAX_QUERY_CHARS})\n")
    asked = [json.loads(x)["query"] for x in result.stdout.splitlines()]
    assert set(asked) == {'"tuyên giáo"', '"Bắc Kạn"'}


def test_batch_file_that_is_not_utf8(run, tmp_path):
    batch = tmp_path / "q.txt"
    batch.write_bytes("tuyên giáo\n".encode("utf-16"))
    assert _one_line(run("search", "--batch", str(batch))) == f"vnsearch: --batch {batch}: not UTF-8 text"


def test_batch_file_with_bom(run, tmp_path):
    """Notepad's UTF-8 BOM is not part of the first query."""
    batch = tmp_path / "q.txt"
    batch.write_text('\ufeff"tuyên giáo"\n', encoding="utf-8")
    result = run("search", "--batch", str(batch), "--json", "--limit", "1")
    assert result.exit_code == 0 and json.loads(result.stdout)["query"] == '"tuyên giáo"'


def test_query_that_looks_like_an_option(run, seed_index):
    line = _one_line(run("search", "-CT/TW"))
    assert line == ("vnsearch: No such option '-C' (to search for text that starts with '-', "
                    "put it after --: cli search -- QUERY)")
    after = run("search", "--index-dir", str(seed_index), "--", "-05-CT/TW", index_dir=None)
    assert after.exit_code == 0 and "05-CT/TW" in after.stdout


@pytest.mark.parametrize("args, message", [
    (["search", "x", "--color", "purple"], "Invalid value for '--color'"),
    (["search"], "missing QUERY (or --batch FILE)"),
    (["search", "x", "--batch", "-"], "give either QUERY or --batch, not both"),
    (["nosuch"], "No such command 'nosuch'."),
])
def test_usage_errors_are_one_line(run, args, message):
    line = _one_line(run(*args))
    assert line.startswith(f"vnsearch: {message}") and line.endswith("--help)")


def test_help_and_version_still_exit_0(run):
    assert run("search", "--help", index_dir=None).exit_code == 0
    version = run("--version", index_dir=None)
    assert version.exit_code == 0 and version.stdout.startswith("cli, version ")


def test_search_and_export_options_are_documented_in_readme():
    """Each option a user can pass to search or export appears in README (the new ones included)."""
    from pathlib import Path

    from search.cli import cli

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    def documented(opt: str) -> bool:
        return re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", readme) is not None

    for name in ("search", "export"):
        for param in cli.commands[name].params:
            if param.opts and param.opts != ["--help"]:
                assert any(documented(opt) for opt in param.opts), (name, param.opts)
