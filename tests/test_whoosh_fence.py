"""Whoosh's private internals are reached from ``search/whoosh_ext`` only, behind a version check."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from search.errors import VnsearchError
from search.whoosh_ext import WHOOSH_VERSION, check_version

from .conftest import ROOT

PACKAGE = ROOT / "search"
FENCE = PACKAGE / "whoosh_ext"

# Every private Whoosh name vnsearch uses: attributes read, methods overridden, names imported.
PRIVATE_NAMES = {
    # whoosh_ext/postings.py: raw posting lists, field lengths, deletions, ranges
    "_perdoc", "_cached_reader", "_lenfield", "_dbfile", "_basepos", "_doccount", "_terms", "_postfile",
    "_compile_query", "_btexts",
    # whoosh_ext/codec.py: W3's posting writer and block matcher hooks and state
    "_mini_ids", "_mini_weights", "_mini_values", "_byteids", "_ids", "_weights", "_values", "_format",
    "_read_ids", "_read_weights", "_read_values", "_read_data", "_data", "_blocklength", "_blocklimit",
    "_compression", "_inlinelimit",
}


# Private names of other libraries, each with why (they are not Whoosh's, so not fenced here).
OTHER_PRIVATE = {
    "_tc": "python-docx: a table cell's XML element, to read merged cells once (ingest/formats/docx.py)",
    "_exit": "os._exit: a forked worker whose parent already died leaves at once (index/build.py)",
}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _used(tree: ast.AST) -> set[str]:
    """Private names a module reads as attributes, overrides as methods or imports from Whoosh."""
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            used.add(node.attr)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            used |= {a.name for a in node.names if _private(a.name)}
        elif isinstance(node, ast.ClassDef):
            used |= {f.name for f in node.body if isinstance(f, ast.FunctionDef) and _private(f.name)}
    return used


def _defined(tree: ast.AST) -> set[str]:
    """Private names a module defines itself: functions, classes, constants, attributes it assigns."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and _private(node.name):
            out.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and _private(node.attr):
            out.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and _private(node.id):
            out.add(node.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out.add(node.target.id)
    return out


def _modules(inside: bool):
    for path in sorted(PACKAGE.rglob("*.py")):
        if (FENCE in path.parents) == inside:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_private_whoosh_names_are_used_only_behind_the_fence():
    outside = list(_modules(inside=False))
    ours = set().union(*(_defined(tree) for _, tree in outside))
    for path, tree in outside:
        foreign = _used(tree) - ours - set(OTHER_PRIVATE)
        assert not foreign, f"{path.relative_to(ROOT)} uses private names it does not define: {sorted(foreign)}"
        assert not _used(tree) & PRIVATE_NAMES - ours, path


def test_the_list_of_private_names_is_exactly_what_the_fence_uses():
    fenced = list(_modules(inside=True))
    own = set().union(*(_defined(tree) for _, tree in fenced)) - PRIVATE_NAMES
    used = set().union(*(_used(tree) for _, tree in fenced)) - own
    assert used == PRIVATE_NAMES


def test_other_whoosh_versions_are_refused_in_one_line():
    check_version(WHOOSH_VERSION)
    with pytest.raises(VnsearchError, match=r"^vnsearch needs Whoosh 2\.7\.5 \(whoosh-reloaded\), found 2\.8\.0"):
        check_version((2, 8, 0))


def test_the_cli_refuses_another_whoosh_in_one_line(tmp_path):
    code = ("import sys, whoosh; whoosh.__version__ = (2, 7, 4); from search.cli import main; "
            "sys.argv = ['vnsearch', 'search', 'x', '--index-dir', sys.argv[1]]; main()")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "ix")], capture_output=True,
                            text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "vnsearch: vnsearch needs Whoosh 2.7.5 (whoosh-reloaded), found 2.7.4: reinstall vnsearch to get it"]
    assert Path(tmp_path / "ix").exists() is False
