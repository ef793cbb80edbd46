"""Where an index lives on disk, and how a new one replaces the old atomically.

An index directory holds generations and a pointer::

    index/CURRENT            -> "gen-000007" (written with an atomic rename)
    index/gen-000007/        Whoosh segment files + meta.json

A build writes a new generation beside the live one and only then swaps
``CURRENT``; a crash at any point leaves the previous generation searchable,
and readers that opened the old generation keep reading it. This module has no
Whoosh import: the query path uses it before deciding what to load.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from .errors import VnsearchError

POINTER = "CURRENT"
META = "meta.json"
_GEN = re.compile(r"^gen-(\d{6})$")


def current_generation(index_dir: Path) -> Path | None:
    """The live generation directory, or None if no index was ever built here."""
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise VnsearchError(f"cannot read index at {index_dir}: {exc.strerror}") from None
    gen = index_dir / name
    if not _GEN.match(name) or not (gen / META).is_file():
        raise VnsearchError(
            f"index at {index_dir} is damaged ({POINTER} points to {name!r}); "
            "run `vnsearch index --rebuild`"
        )
    return gen


def read_meta(gen: Path) -> dict:
    try:
        return json.loads((gen / META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise VnsearchError(
            f"index metadata in {gen} is unreadable ({exc}); run `vnsearch index --rebuild`"
        ) from None


def write_json_atomic(path: Path, data) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def new_generation(index_dir: Path) -> Path:
    """A fresh, empty generation directory beside the live one."""
    index_dir.mkdir(parents=True, exist_ok=True)
    numbers = [int(m.group(1)) for p in index_dir.iterdir() if (m := _GEN.match(p.name))]
    gen = index_dir / f"gen-{max(numbers, default=0) + 1:06d}"
    gen.mkdir()
    return gen


def publish(index_dir: Path, gen: Path) -> None:
    """Make ``gen`` the live generation (atomic), then drop the others."""
    tmp = index_dir / (POINTER + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(gen.name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / POINTER)
    dirfd = os.open(index_dir, os.O_RDONLY)
    try:
        os.fsync(dirfd)
    finally:
        os.close(dirfd)
    remove_stale(index_dir, keep=gen.name)


def remove_stale(index_dir: Path, keep: str) -> None:
    """Delete generations other than ``keep`` (leftovers of finished or crashed builds)."""
    for p in index_dir.iterdir():
        if _GEN.match(p.name) and p.name != keep:
            shutil.rmtree(p, ignore_errors=True)
