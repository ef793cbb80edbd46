"""Which files to index: walking source folders, and telling changed files from unchanged ones."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from search.errors import VnsearchError
from search.ingest.formats import SUFFIXES
from search.records import Source
from search.text.normalize import nfc


def find_sources(
    sources: Iterable[Path], skipped: list[tuple[str, str]] | None = None
) -> list[Source]:
    """Report files under ``sources`` (files or folders), in a stable order.

    Folders are walked following symbolic links, each real folder once (a link
    back to a parent is a loop, not more reports). Folders that cannot be read
    are added to ``skipped`` with the reason instead of stopping the run.
    """
    found: list[Source] = []
    for src in sources:
        if src.is_file():
            found.append(Source(src.absolute(), nfc(src.name)))
        elif src.is_dir():
            for p in _walk(src, skipped if skipped is not None else []):
                if p.suffix.lower() in SUFFIXES and p.name != "README.md":
                    found.append(Source(p.absolute(), nfc(p.relative_to(src).as_posix())))  # macOS names are NFD
        else:
            raise VnsearchError(f"cannot read source {src}: no such file or directory")
    return found


def _walk(root: Path, skipped: list[tuple[str, str]]) -> list[Path]:
    seen: set[tuple[int, int]] = set()
    files: list[Path] = []

    def failed(exc: OSError) -> None:
        skipped.append((exc.filename or str(root), exc.strerror or "cannot read folder"))

    for folder, dirs, names in os.walk(root, onerror=failed, followlinks=True):
        try:
            st = os.stat(folder)
        except OSError as exc:
            failed(exc)
            dirs[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:
            skipped.append((folder, "symbolic link loop (folder already indexed)"))
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirs.sort()
        for name in names:
            path = Path(folder, name)
            if path.is_file():  # not a dangling link, socket or fifo
                files.append(path)
    return sorted(files)


@dataclass(frozen=True)
class Fingerprint:
    """What tells a changed file from an unchanged one without reading it."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Fingerprint:
        st = path.stat()
        return cls(st.st_size, st.st_mtime_ns)


def digest(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def plan(files: list[Source], old: dict[str, dict]) -> tuple[list[Source], dict[str, dict], list[str]]:
    """Split ``files`` against the live index's records: (to index, unchanged records, removed docs).

    A file whose size and modification time match its record is not opened;
    one of the same size with a new time (copied, checked out again) is
    compared by SHA-1 and kept if its content is unchanged.
    """
    todo: list[Source] = []
    keep: dict[str, dict] = {}
    for sf in files:
        record = old.get(sf.doc)
        try:
            fp = Fingerprint.of(sf.path)
        except OSError:
            todo.append(sf)  # reading it names the reason
            continue
        if record is not None and record.get("source") == {"size": fp.size, "mtime_ns": fp.mtime_ns,
                                                             "sha1": record["source"]["sha1"]}:
            keep[sf.doc] = dict(record, path=str(sf.path))
            continue
        if record is not None and record.get("source", {}).get("size") == fp.size:
            # Touched but maybe not changed (copied, checked out again): compare content.
            try:
                if digest(sf.path) == record["source"]["sha1"]:
                    keep[sf.doc] = dict(record, path=str(sf.path),
                                        source=dict(record["source"], mtime_ns=fp.mtime_ns))
                    continue
            except OSError:
                pass
        todo.append(sf)
    seen = {sf.doc for sf in files}
    removed = [doc for doc in old if doc not in seen]
    return todo, keep, removed
