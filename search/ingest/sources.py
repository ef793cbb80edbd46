"""Which files to index: walking source folders, naming reports, telling changed files from unchanged.

A report is identified by its source folder and its path relative to it. Its
``doc`` (the name users see and type after ``doc:``) is that relative path,
composed (NFC: macOS writes names decomposed), with bytes that are not UTF-8
shown as ``\\xNN``; when an earlier source already holds the same relative
path, the later one is shown as ``FOLDER/PATH`` (the source folder's name), so
the two can be told apart.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from search.errors import VnsearchError
from search.ingest.formats import SUFFIXES
from search.records import Source
from search.text.normalize import nfc


def display_name(name: str) -> str:
    """A file name as text: composed, with bytes that are not UTF-8 as ``\\xNN`` escapes.

    Python hands such bytes over as lone surrogates, which no JSON, CSV or
    terminal can carry.
    """
    return nfc(os.fsencode(name).decode("utf-8", "backslashreplace"))


def source_folder(src: Path) -> Path:
    """A source as the index records it: absolute, symbolic links resolved."""
    return Path(os.path.realpath(src))


def find_sources(sources: Iterable[Path], skipped: list[tuple[str, str]] | None = None,
                 named: dict[tuple[str, str], str] | None = None) -> list[Source]:
    """Report files under ``sources`` (folders or files), in a stable order.

    Folders are walked following symbolic links, each real folder once (a link
    back to a parent is a loop, not more reports). Everything that is not
    indexed is added to ``skipped`` with its reason: unreadable folders, loops,
    dangling links, FIFOs, sockets and devices, files of an unsupported type.
    ``named``: the ``doc`` each (folder, relative path) already has in the
    index; a report keeps its name for as long as it is indexed.
    """
    skipped = skipped if skipped is not None else []
    named = named or {}
    found: list[Source] = []
    taken: set[str] = set(named.values())
    for src in sources:
        folder = source_folder(src)
        if folder.is_file():
            files = [(folder, display_name(folder.name))]
            root = str(folder)
        elif folder.is_dir():
            files = []
            for p in _walk(folder, skipped):
                if p.suffix.lower() in SUFFIXES:
                    files.append((p, display_name(p.relative_to(folder).as_posix())))
                else:
                    skipped.append((display_name(str(p)), f"unsupported file type {p.suffix or '(none)'}"))
            root = str(folder)
        else:
            raise VnsearchError(f"cannot read source {src}: no such file or directory")
        for path, relpath in files:
            doc = named.get((root, relpath))
            if doc is None:
                doc = relpath if relpath not in taken else f"{display_name(folder.name)}/{relpath}"
                n = 2
                while doc in taken:  # two sources of one name holding one path: rare, but never mixed
                    doc = f"{display_name(folder.name)}~{n}/{relpath}"
                    n += 1
            taken.add(doc)
            found.append(Source(path, doc, root, relpath))
    return found


def _not_regular(path: Path) -> str | None:
    """Why ``path`` is not a file to read, or None if it is one."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "dangling symbolic link"
    except OSError as exc:
        return exc.strerror or "cannot read"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe), not a file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file"
    return "not a regular file"


def _walk(root: Path, skipped: list[tuple[str, str]]) -> list[Path]:
    seen: set[tuple[int, int]] = set()
    files: list[Path] = []

    def failed(exc: OSError) -> None:
        skipped.append((display_name(exc.filename or str(root)), exc.strerror or "cannot read folder"))

    for folder, dirs, names in os.walk(root, onerror=failed, followlinks=True):
        try:
            st = os.stat(folder)
        except OSError as exc:
            failed(exc)
            dirs[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:
            skipped.append((display_name(folder), "symbolic link loop (folder already indexed)"))
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirs.sort()
        for name in sorted(names):
            path = Path(folder, name)
            why = _not_regular(path)
            if why is None:
                files.append(path)
            else:
                skipped.append((display_name(str(path)), why))
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
    compared by SHA-1 and kept if its content is unchanged. A record matches
    a file by ``doc`` and by source folder.
    """
    todo: list[Source] = []
    keep: dict[str, dict] = {}
    for sf in files:
        record = old.get(sf.doc)
        if record is not None and record.get("folder", sf.folder) != sf.folder:
            record = None  # the same name, another source: not this report
        try:
            fp = Fingerprint.of(sf.path)
        except OSError:
            todo.append(sf)  # reading it names the reason
            continue
        here = {"path": display_name(str(sf.path)), "folder": sf.folder, "relpath": sf.relpath}
        if record is not None and record.get("source") == {"size": fp.size, "mtime_ns": fp.mtime_ns,
                                                             "sha1": record["source"]["sha1"]}:
            keep[sf.doc] = dict(record, **here)
            continue
        if record is not None and record.get("source", {}).get("size") == fp.size:
            # Touched but maybe not changed (copied, checked out again): compare content.
            try:
                if digest(sf.path) == record["source"]["sha1"]:
                    keep[sf.doc] = dict(record, **here, source=dict(record["source"], mtime_ns=fp.mtime_ns))
                    continue
            except OSError:
                pass
        todo.append(sf)
    seen = {sf.doc for sf in files}
    removed = [doc for doc in old if doc not in seen]
    return todo, keep, removed
