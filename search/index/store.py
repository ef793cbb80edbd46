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

import gzip
import json
import os
import re
import shutil
import zlib
from pathlib import Path

from search.errors import DamagedIndex, VnsearchError

POINTER = "CURRENT"
META = "meta.json"  # small: schema version, sources, counts, known codes (read by every search)
# One record per report (docs, directives, incremental updates), gzip-compressed:
# 84,132 articles' records are 39 MB of JSON and 9 MB gzipped at level 1, which
# takes 0.3 s to write and 0.15 s to read, and only listings and updates read it.
DOCUMENTS = "documents.json.gz"
LOCK = "LOCK"
_GEN = re.compile(r"^gen-(\d{6})$")


def current_generation(index_dir: Path) -> Path | None:
    """The live generation directory, or None if no index was ever built here."""
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
        gen = index_dir / name
        live = bool(_GEN.match(name)) and (gen / META).is_file()
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise DamagedIndex(
            f"index at {index_dir} is a file, not a directory; build one in a directory "
            "with `vnsearch index --rebuild --index-dir DIR`"
        ) from None
    except OSError as exc:
        raise unreadable(index_dir, exc) from None
    except UnicodeDecodeError:
        name, live = "<not text>", False
    if not live:
        raise DamagedIndex(
            f"index at {index_dir} is damaged ({POINTER} points to {name[:40]!r}, "
            "which is missing or incomplete); run `vnsearch index --rebuild`"
        )
    return gen


def unreadable(index_dir: Path, exc: OSError) -> DamagedIndex:
    """The error for an index file the OS will not give us."""
    if isinstance(exc, FileNotFoundError):
        return DamagedIndex(
            f"index at {index_dir} is damaged (a file is missing); run `vnsearch index --rebuild`"
        )
    fix = "fix its permissions or " if isinstance(exc, PermissionError) else ""
    return DamagedIndex(
        f"cannot read index at {index_dir} ({exc.strerror}); {fix}run `vnsearch index --rebuild`"
    )


def damaged_pairs(index_dir: Path) -> DamagedIndex:
    """The error for a pair table (``pairs.bin``) that is not one."""
    return DamagedIndex(f"index at {index_dir} is damaged (pair table); run `vnsearch index --rebuild`")


def _read_json(gen: Path, name: str, error: type[VnsearchError]):
    try:
        data = (gen / name).read_bytes()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        return json.loads(data.decode("utf-8"))
    # gzip raises OSError (BadGzipFile), EOFError (truncated) or zlib.error
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        raise error(
            f"index metadata in {gen} is unreadable ({exc}); run `vnsearch index --rebuild`"
        ) from None


def read_meta(gen: Path) -> dict:
    return _read_json(gen, META, DamagedIndex)


def write_json_atomic(path: Path, data) -> None:
    """Write ``data`` as JSON (gzipped if ``path`` ends in .gz) under a temporary name, then rename."""
    tmp = path.with_name(path.name + ".tmp")
    text = json.dumps(data, ensure_ascii=False, indent=None if path.suffix == ".gz" else 1)
    with open(tmp, "wb") as fh:
        if path.suffix == ".gz":
            with gzip.GzipFile(fileobj=fh, mode="wb", compresslevel=1, mtime=0) as gz:
                gz.write(text.encode("utf-8"))
        else:
            fh.write(text.encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_documents(gen: Path, documents: dict[str, dict]) -> None:
    write_json_atomic(gen / DOCUMENTS, documents)


def read_documents(gen: Path) -> dict[str, dict]:
    return _read_json(gen, DOCUMENTS, VnsearchError)


def _generations(index_dir: Path) -> list[Path]:
    return sorted(p for p in index_dir.iterdir() if _GEN.match(p.name))


def new_generation(index_dir: Path) -> Path:
    """A fresh, empty generation directory beside the live one."""
    index_dir.mkdir(parents=True, exist_ok=True)
    numbers = [int(_GEN.match(p.name).group(1)) for p in _generations(index_dir)]
    gen = index_dir / f"gen-{max(numbers, default=0) + 1:06d}"
    gen.mkdir()
    return gen


# Whoosh never rewrites a segment file: a commit adds new segments and a new
# table of contents (_MAIN_<n>.toc, deletions included) under new names. So a
# generation can start as hard links to the live one's segments and be updated
# without touching the files the live generation reads.
_NOT_LINKED = {META, DOCUMENTS, "MAIN_WRITELOCK"}


def clone_generation(index_dir: Path, source: Path) -> Path:
    """A new generation sharing ``source``'s Whoosh files (hard links, copies if impossible)."""
    gen = new_generation(index_dir)
    for f in source.iterdir():
        if f.name in _NOT_LINKED or not f.is_file() or f.name.endswith(".tmp"):
            continue
        try:
            os.link(f, gen / f.name)
        except OSError:
            shutil.copy2(f, gen / f.name)
    return gen


class WriterLock:
    """One writer per index directory (``flock``: released even by ``kill -9``).

    Searches never take it: they read whichever generation ``CURRENT`` names.
    """

    def __init__(self, index_dir: Path):
        self.path = index_dir / LOCK
        self.fd: int | None = None

    def __enter__(self) -> "WriterLock":
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise VnsearchError(
                f"another `vnsearch index` (pid {holder}) is writing {self.path.parent}; "
                "wait for it to finish"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)  # closing releases the flock
            self.fd = None


def publish(index_dir: Path, gen: Path) -> None:
    """Make ``gen`` the live generation (atomic), then drop the others."""
    tmp = index_dir / (POINTER + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(gen.name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    previous = current_generation(index_dir)
    os.replace(tmp, index_dir / POINTER)
    dirfd = os.open(index_dir, os.O_RDONLY)
    try:
        os.fsync(dirfd)
    finally:
        os.close(dirfd)
    remove_stale(index_dir, keep={gen.name} | ({previous.name} if previous else set()))


def remove_stale(index_dir: Path, keep: set[str]) -> None:
    """Delete generations not in ``keep``: leftovers of crashed builds, and old ones.

    The generation just replaced is kept until the next write, so a search that
    read ``CURRENT`` a moment before the switch can still open its files.
    """
    for p in _generations(index_dir):
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)


def clean_leftovers(index_dir: Path, damaged_ok: bool = False) -> None:
    """Before a write: drop every generation but the live one and the one before it."""
    if not index_dir.is_dir():
        return
    try:
        live = current_generation(index_dir)
    except VnsearchError:
        if not damaged_ok:
            raise
        live = None
    gens = _generations(index_dir)
    if live is None:
        remove_stale(index_dir, keep=set())
        return
    older = [g.name for g in gens if g.name < live.name]
    remove_stale(index_dir, keep={live.name, *older[-1:]})
