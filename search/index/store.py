"""Where an index lives on disk: generations, the live pointer, the writer lock, reader leases.

An index directory holds generations and a pointer::

    index/CURRENT            -> "gen-000007" (written with an atomic rename)
    index/LOCK               the writer's lock (flock; holds the writer's pid)
    index/gen-000007/        Whoosh segment files, meta.json, reports.db, pairs.bin,
                             variants.json, LEASE

A build writes a new generation beside the live one and only then swaps
``CURRENT``; a crash at any point leaves the previous generation searchable.

Readers hold a **lease** on the generation they read: a shared ``flock`` on
its ``LEASE`` file, taken before reading anything and released when they move
to a newer generation or close. A generation that is not live is deleted as
soon as nobody holds its lease: by the writer after publishing, and by the
last reader when it lets go. Deleting takes the lease exclusively and renames
the directory away first, so a reader either holds its lease before the
deletion starts (and the deletion skips it) or finds it gone and reads
``CURRENT`` again. The kernel drops a dead process's flocks, so a killed
reader never pins a generation.

This module has no Whoosh import: the query path uses it before deciding what to load.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import sqlite3
import zlib
from pathlib import Path

from search.errors import DamagedIndex, IndexBusy, NoIndex, VnsearchError, WrongIndexDir

POINTER = "CURRENT"
META = "meta.json"  # small: schema version, sources, counts, known codes (read by every search)
# One row per report: its metadata (``records.Report.to_record``) and the size,
# time and SHA-1 of its file. The only copy of a report's metadata: search reads
# the rows of its hits, listings and updates read them all.
REPORTS = "reports.db"
LEASE = "LEASE"
LOCK = "LOCK"
_GEN = re.compile(r"^gen-(\d{6})$")
_TRASH = re.compile(r"^\.trash-gen-\d{6}-\d+$")
_LEASE_ATTEMPTS = 50  # CURRENT moving on while we take the lease: only under constant rebuilds


def generation_number(gen: Path) -> int:
    return int(_GEN.match(gen.name).group(1))


def current_generation(index_dir: Path) -> Path | None:
    """The live generation directory, or None if no index was ever built here."""
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
        gen = index_dir / name
        live = bool(_GEN.match(name)) and (gen / META).is_file()
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise WrongIndexDir(f"index at {index_dir} is a file, not a directory", index_dir) from None
    except OSError as exc:
        raise unreadable(index_dir, exc) from None
    except UnicodeDecodeError:
        name, live = "<not text>", False
    if not live:
        raise DamagedIndex(
            f"index at {index_dir} is damaged ({POINTER} points to {name[:40]!r}, which is missing or incomplete)"
        )
    return gen


def require_generation(index_dir: Path) -> Path:
    """The live generation; an error that says what the directory is when there is none."""
    gen = current_generation(index_dir)
    if gen is not None:
        return gen
    if (index_dir / META).is_file():
        raise WrongIndexDir(f"{index_dir} is one generation of an index", index_dir, index_dir.parent)
    if index_dir.is_dir() and any(index_dir.glob("*.toc")):
        raise WrongIndexDir(f"{index_dir} holds a Whoosh index that vnsearch did not build", index_dir)
    raise NoIndex(index_dir)


def unreadable(index_dir: Path, exc: OSError) -> DamagedIndex:
    """The error for an index file the OS will not give us."""
    if isinstance(exc, FileNotFoundError):
        return DamagedIndex(f"index at {index_dir} is damaged (a file is missing)")
    return DamagedIndex(f"cannot read index at {index_dir} ({exc.strerror})",
                        unreadable=isinstance(exc, PermissionError))


def damaged(index_dir: Path, what: str) -> DamagedIndex:
    return DamagedIndex(f"index at {index_dir} is damaged ({what})")


def read_meta(gen: Path) -> dict:
    try:
        meta = json.loads((gen / META).read_bytes().decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise DamagedIndex(f"index metadata in {gen} is unreadable ({exc})") from None
    if not isinstance(meta, dict):
        raise DamagedIndex(f"index metadata in {gen} is not what vnsearch writes")
    return meta


def write_json_atomic(path: Path, data) -> None:
    """Write ``data`` as JSON under a temporary name, then rename."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


# ------------------------------------------------------------------ report table

#: A preset dictionary for deflating report records: the keys and empty values
#: every record has. A record is 600 bytes of JSON, mostly keys, nulls and
#: its path three times (path, folder, relpath); alone it deflates poorly.
#: On the 84,132 VNTC records the table went from 48.5 MB (plain JSON) to
#: the figure README quotes. Changing it changes the index format (``SCHEMA_VERSION``).
_RECORD_DICTIONARY = json.dumps(
    {"title": "", "date": None, "date_precision": None, "organization": None, "bodies": [], "directives": [],
     "directive_info": {}, "passages": 1, "path": "", "folder": "", "relpath": "",
     "source": {"size": 1, "mtime_ns": 1, "sha1": ""}}, ensure_ascii=False).encode("utf-8")


def _pack_record(record: dict) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15, zdict=_RECORD_DICTIONARY)
    return c.compress(json.dumps(record, ensure_ascii=False).encode("utf-8")) + c.flush()


def _unpack_record(packed: bytes) -> dict | None:
    try:
        d = zlib.decompressobj(-15, zdict=_RECORD_DICTIONARY)
        return json.loads((d.decompress(packed) + d.flush()).decode("utf-8"))
    except (zlib.error, ValueError, TypeError):
        return None


class PackedRecord:
    """A report record held deflated (as the report table stores it) while a build runs.

    Keeps the two facts a build's summary reads (``passages``, ``directives``) beside it.
    """

    __slots__ = ("packed", "passages", "directives")

    def __init__(self, packed: bytes, passages: int, directives: tuple[str, ...]):
        self.packed, self.passages, self.directives = packed, passages, directives

    @classmethod
    def of(cls, record: dict) -> PackedRecord:
        return cls(_pack_record(record), record["passages"], tuple(record["directives"]))

    def __getitem__(self, key: str):
        if key not in ("passages", "directives"):
            raise KeyError(key)
        return getattr(self, key)


def write_reports(gen: Path, reports: dict[str, dict | PackedRecord]) -> None:
    """Write the report table (``doc`` -> record, JSON deflated) of a generation being built."""
    path = gen / REPORTS
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("CREATE TABLE reports (doc TEXT PRIMARY KEY, record BLOB NOT NULL) WITHOUT ROWID")
        con.executemany("INSERT INTO reports VALUES (?, ?)",
                        ((doc, r.packed if isinstance(r, PackedRecord) else _pack_record(r))
                         for doc, r in sorted(reports.items())))
        con.commit()
    finally:
        con.close()
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _query_reports(gen: Path, sql: str, args: tuple = ()) -> list[tuple[str, str]]:
    path = gen / REPORTS
    if not path.is_file():
        raise DamagedIndex(f"index at {gen.parent} is damaged (its report table is missing)")
    # immutable: a published generation never changes, so sqlite takes no locks and writes nothing
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        con = sqlite3.connect(uri, uri=True)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise DamagedIndex(f"index at {gen.parent} is damaged (report table: {exc})") from None


def _decoded(gen: Path, rows) -> dict[str, dict]:
    out = {}
    for doc, packed in rows:
        record = _unpack_record(packed)
        if not isinstance(record, dict) or not isinstance(record.get("title"), str) or not isinstance(
                record.get("passages"), int):
            raise DamagedIndex(f"index at {gen.parent} is damaged (report {doc!r} is not what vnsearch writes)")
        out[doc] = record
    return out


def read_reports(gen: Path) -> dict[str, dict]:
    """Every report's record, by ``doc``."""
    return _decoded(gen, _query_reports(gen, "SELECT doc, record FROM reports ORDER BY doc"))


def read_some_reports(gen: Path, docs: list[str]) -> dict[str, dict]:
    """The records of ``docs`` (a search's hits)."""
    out: dict[str, dict] = {}
    docs = sorted(set(docs))
    for i in range(0, len(docs), 500):  # SQLite's limit on parameters is 999 on old builds
        chunk = docs[i:i + 500]
        sql = f"SELECT doc, record FROM reports WHERE doc IN ({','.join('?' * len(chunk))})"
        out.update(_decoded(gen, _query_reports(gen, sql, tuple(chunk))))
    return out


# ------------------------------------------------------------------ generations

def _generations(index_dir: Path) -> list[Path]:
    return sorted(p for p in index_dir.iterdir() if _GEN.match(p.name))


def new_generation(index_dir: Path) -> Path:
    """A fresh generation directory beside the live one, with its own lease file."""
    numbers = [generation_number(p) for p in _generations(index_dir)]
    gen = index_dir / f"gen-{max(numbers, default=0) + 1:06d}"
    gen.mkdir()
    (gen / LEASE).touch()
    return gen


# Whoosh never rewrites a segment file: a commit adds new segments and a new
# table of contents (_MAIN_<n>.toc, deletions included) under new names. So a
# generation can start as hard links to the live one's segments and be updated
# without touching the files the live generation reads. The lease must be a
# file of its own: a hard link would share the live generation's flock.
_NOT_LINKED = {META, REPORTS, LEASE, "MAIN_WRITELOCK"}


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


class Lease:
    """A reader's hold on the live generation: it is not deleted while the lease is held."""

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        for _ in range(_LEASE_ATTEMPTS):
            gen = require_generation(index_dir)
            fd = _hold(gen)
            if fd is not None:
                self.gen, self._fd = gen, fd
                return
        raise DamagedIndex(f"index at {index_dir} is damaged (its live generation cannot be leased)")

    def release(self) -> None:
        """Let go; if the generation is no longer live and nobody else reads it, delete it."""
        if self._fd is None:
            return
        os.close(self._fd)
        self._fd = None
        try:
            live = current_generation(self.index_dir)
        except Exception:  # noqa: BLE001 - cleaning up is best effort; the next writer cleans too
            return
        if live is not None and generation_number(self.gen) < generation_number(live):
            _delete_if_unused(self.gen)

    def __del__(self):
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)


def _hold(gen: Path) -> int | None:
    """A shared flock on ``gen``'s lease, or None if ``gen`` is being deleted (read CURRENT again)."""
    lease = gen / LEASE
    try:
        fd = os.open(lease, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise unreadable(gen.parent, exc) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        # The deleter may have renamed the directory between our open and our lock.
        if os.fstat(fd).st_ino != os.stat(lease).st_ino:
            raise FileNotFoundError(lease)
    except OSError:
        os.close(fd)
        return None
    return fd


def _delete_if_unused(gen: Path) -> bool:
    """Delete a generation nobody holds a lease on; False if someone does."""
    try:
        fd = os.open(gen / LEASE, os.O_RDONLY)
    except FileNotFoundError:
        fd = None  # a build that died before creating its lease: nobody can hold it
    except OSError:
        return False
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False
        trash = gen.with_name(f".trash-{gen.name}-{os.getpid()}")
        try:
            os.rename(gen, trash)  # from here on, readers find it gone
        except OSError:
            return False
        shutil.rmtree(trash, ignore_errors=True)
        return True
    finally:
        if fd is not None:
            os.close(fd)


def remove_unused(index_dir: Path, keep: Path | None) -> None:
    """Delete every generation but ``keep`` that no reader holds, and leftover trash.

    Called by the writer (under its lock) before and after a build: it removes
    what crashed builds left and the generations readers have let go of.
    """
    for p in sorted(index_dir.iterdir()):
        if _TRASH.match(p.name):
            shutil.rmtree(p, ignore_errors=True)
        elif _GEN.match(p.name) and (keep is None or p.name != keep.name):
            _delete_if_unused(p)


def make_index_dir(index_dir: Path) -> bool:
    """Create ``index_dir`` (and its parents) for a build; True if this call created it."""
    if index_dir.is_dir():
        return False
    if index_dir.exists():
        raise WrongIndexDir(f"index at {index_dir} is a file, not a directory", index_dir)
    try:
        index_dir.mkdir(parents=True)
    except FileExistsError:
        return False
    except OSError as exc:
        raise VnsearchError(f"cannot create the index directory {index_dir}: {exc.strerror}") from None
    return True


def remove_if_unused(index_dir: Path) -> None:
    """Remove an index directory a failed first build created, if it holds nothing but its lock."""
    try:
        if {p.name for p in index_dir.iterdir()} <= {LOCK}:
            shutil.rmtree(index_dir, ignore_errors=True)
    except OSError:
        pass


class WriterLock:
    """One writer per index directory (``flock``: released even by ``kill -9``).

    Searches never take it: they read whichever generation ``CURRENT`` names.
    """

    def __init__(self, index_dir: Path):
        self.path = index_dir / LOCK
        self.fd: int | None = None

    def __enter__(self) -> WriterLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise IndexBusy(f"another `vnsearch index` (pid {holder}) is writing {self.path.parent}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self.fd = fd
        # Worker processes are forked and inherit this descriptor, and a flock
        # lasts while any descriptor of it is open: workers outliving a killed
        # parent kept the index locked. They close their copy as they start.
        import multiprocessing.util

        multiprocessing.util.register_after_fork(self, WriterLock._forked)
        return self

    def _forked(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)  # closing releases the flock
            self.fd = None


def publish(index_dir: Path, gen: Path) -> None:
    """Make ``gen`` the live generation (atomic), then drop the generations nobody reads."""
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
    remove_unused(index_dir, keep=gen)


def clean_leftovers(index_dir: Path, damaged_ok: bool = False) -> None:
    """Before a write: drop every generation but the live one that no reader holds."""
    if not index_dir.is_dir():
        return
    try:
        live = current_generation(index_dir)
    except DamagedIndex:
        if not damaged_ok:
            raise
        live = None
    remove_unused(index_dir, keep=live)
