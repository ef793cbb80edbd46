"""Build a passage index from folders of reports."""

from __future__ import annotations

import datetime as dt
import hashlib
from array import array
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from search.index import pairs

from search.index import store
from search.whoosh_ext.codec import PackedCodec
from search.text.analysis import syllable_keys
from search.errors import VnsearchError
from search.ingest.extract import Document, parse_document
from search.text.normalize import fold
from search.ingest.readers import SUFFIXES, Skip, read_report
from search.index.schema import SCHEMA_VERSION, VARIANTS, build_schema

@dataclass
class IndexStats:
    indexed: int = 0  # new reports
    updated: int = 0  # changed reports read again
    removed: int = 0  # reports whose files are gone
    unchanged: int = 0
    passages: int = 0  # passages written by this run
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


@dataclass(frozen=True)
class SourceFile:
    path: Path  # on disk
    doc: str  # as shown to users: relative to the folder it was found in


def find_sources(
    sources: Iterable[Path], skipped: list[tuple[str, str]] | None = None
) -> list[SourceFile]:
    """Report files under ``sources`` (files or folders), in a stable order.

    Folders are walked following symbolic links, each real folder once (a link
    back to a parent is a loop, not more reports). Folders that cannot be read
    are added to ``skipped`` with the reason instead of stopping the run.
    """
    found: list[SourceFile] = []
    for src in sources:
        if src.is_file():
            found.append(SourceFile(src, src.name))
        elif src.is_dir():
            for p in _walk(src, skipped if skipped is not None else []):
                if p.suffix.lower() in SUFFIXES and p.name != "README.md":
                    found.append(SourceFile(p, p.relative_to(src).as_posix()))
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


def _passage_fields(document: Document) -> Iterable[dict]:
    span = document.date_range
    for number, (text, cited) in enumerate(zip(document.passages, document.passage_codes), start=1):
        fields = dict(
            doc=document.path,
            passage=number,
            title=document.title,
            organization=document.organization or "",
            bodies="\n".join(document.bodies),
            directives=",".join(document.directives),
            cites=",".join(cited),
            text=text,
            date_precision=document.date_precision,
        )
        if span is not None:
            fields["date"] = dt.datetime.combine(span[0], dt.time())
            fields["date_end"] = dt.datetime.combine(span[1], dt.time())
        yield fields


def document_record(document: Document) -> dict:
    """What meta.json keeps of a report: enough for `docs` and `directives` without Whoosh."""
    cited: dict[str, int] = {}
    for codes in document.passage_codes:
        for code in codes:
            cited[code] = cited.get(code, 0) + 1
    return {
        "title": document.title,
        "date": document.date.isoformat() if document.date else None,
        "date_precision": document.date_precision,
        "organization": document.organization,
        "bodies": document.bodies,
        "directives": document.directives,
        "directive_info": {
            code: dict(info, passages=cited.get(code, 0))
            for code, info in document.directive_info.items()
        },
        "passages": len(document.passages),
    }


def spelling_variants(ix) -> dict[str, list[str]]:
    """Folded syllable -> every spelling of it in the index, most passages first.

    Only for syllables that have a spelling with diacritics. An accentless
    query word becomes these alternatives, the usual spelling (``tuyen`` ->
    ``tuyên``) ranked above rarer ones that fold the same way (``tuyến``).
    """
    forms: dict[str, list[tuple[int, str]]] = {}
    with ix.reader() as reader:
        for term, info in reader.iter_field("text"):
            key = term.decode("utf-8") if isinstance(term, bytes) else term
            forms.setdefault(fold(key), []).append((-info.doc_frequency(), key))
    return {
        folded: [key for _, key in sorted(spellings)]
        for folded, spellings in sorted(forms.items())
        if any(key != folded for _, key in spellings)
    }


@dataclass(frozen=True)
class Fingerprint:
    """What tells a changed file from an unchanged one without reading it."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> "Fingerprint":
        st = path.stat()
        return cls(st.st_size, st.st_mtime_ns)


def _digest(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def _pairs_of(texts: Iterable[str]) -> array:
    """The distinct syllable-pair keys of each passage, one after the other (``pairs``)."""
    out = array("Q")
    for text in texts:
        out.extend(pairs.passage_pairs(syllable_keys(text)))
    return out


def _parse(sf: SourceFile) -> tuple[SourceFile, Document | None, str | None, str | None, array | None]:
    """Read and analyse one file: (file, document or None, skip reason, content digest, pair keys)."""
    try:
        source = read_report(sf.path)
        sha1 = _digest(sf.path)
    except Skip as exc:
        return sf, None, str(exc), None, None
    except OSError as exc:
        return sf, None, exc.strerror or "cannot read file", None, None
    document = parse_document(sf.doc, source.text, title=source.title, date=source.date)
    if not document.passages:
        return sf, None, "no text", None, None
    return sf, document, None, sha1, _pairs_of(document.passages)


AHEAD = 64  # files read ahead of the indexing processes


def _parsed(files: list[SourceFile], jobs: int):
    """``_parse`` over ``files`` in order, reading and extracting on ``jobs`` processes.

    At most ``AHEAD`` files are handed out beyond the one being indexed.
    ``Pool.imap`` alone reads its whole input and keeps every result until it
    is consumed, and reading and extraction outrun Whoosh's indexing
    processes, so parsed reports could pile up here. The feeder below is
    iterated by the pool's task thread and waits for room. (It did not lower
    the full corpus's peak: that is elsewhere, see README.)
    """
    if jobs <= 1:
        yield from map(_parse, files)
        return
    import multiprocessing
    import threading

    room = threading.Semaphore(AHEAD)
    stop = threading.Event()

    def feed():
        for sf in files:
            room.acquire()
            if stop.is_set():
                return
            yield sf

    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        try:
            for result in pool.imap(_parse, feed(), chunksize=4):
                room.release()
                yield result
        finally:
            stop.set()
            room.release(len(files) + 1)  # a feeder waiting for room sees ``stop``


PARALLEL_MIN = 50  # files below which extra processes cost more than they save
BATCH = 100  # passages handed to an indexing process at a time


def _plan(files: list[SourceFile], old: dict[str, dict]):
    """Split ``files`` against the live index's records: (to index, unchanged records, removed docs)."""
    todo: list[SourceFile] = []
    keep: dict[str, dict] = {}
    for sf in files:
        record = old.get(sf.doc)
        try:
            fp = Fingerprint.of(sf.path)
        except OSError:
            todo.append(sf)  # _parse names the reason
            continue
        if record is not None and record.get("source") == {"size": fp.size, "mtime_ns": fp.mtime_ns,
                                                             "sha1": record["source"]["sha1"]}:
            keep[sf.doc] = record
            continue
        if record is not None and record.get("source", {}).get("size") == fp.size:
            # Touched but maybe not changed (copied, checked out again): compare content.
            try:
                if _digest(sf.path) == record["source"]["sha1"]:
                    keep[sf.doc] = dict(record, source=dict(record["source"], mtime_ns=fp.mtime_ns))
                    continue
            except OSError:
                pass
        todo.append(sf)
    seen = {sf.doc for sf in files}
    removed = [doc for doc in old if doc not in seen]
    return todo, keep, removed


def build_index(
    sources: list[Path],
    index_dir: Path,
    progress: Callable[[int, int, str], None] | None = None,
    jobs: int | None = None,
    rebuild: bool = False,
) -> IndexStats:
    """Bring ``index_dir`` in line with the reports under ``sources``.

    By default only new and changed files are read, and reports whose files are
    gone leave the index; ``rebuild`` reads everything. Either way the result is
    a new generation published atomically: the live index is untouched until the
    new one is complete, and a second writer is refused (``store.WriterLock``).
    """
    jobs = max(1, jobs or os.cpu_count() or 1)
    with store.WriterLock(index_dir):
        return _build_locked(sources, index_dir, progress, jobs, rebuild)


def _build_locked(sources, index_dir, progress, jobs, rebuild) -> IndexStats:
    from whoosh import index as windex

    live = None
    if not rebuild:
        live = store.current_generation(index_dir)
        meta = store.read_meta(live) if live is not None else None
        if live is not None and (not isinstance(meta, dict) or meta.get("schema_version") != SCHEMA_VERSION):
            raise VnsearchError(
                f"index at {index_dir} was built by another version of vnsearch; "
                "run `vnsearch index --rebuild`"
            )
    store.clean_leftovers(index_dir, damaged_ok=rebuild)
    stats = IndexStats()
    files = find_sources(sources, stats.skipped)
    old = store.read_documents(live) if live is not None else {}
    if not isinstance(old, dict) or not all(isinstance(r, dict) and isinstance(r.get("source"), dict)
                                            for r in old.values()):
        raise VnsearchError(f"index at {index_dir} has damaged report records; "
                            "run `vnsearch index --rebuild`")
    todo, documents, removed = _plan(files, old)
    stats.unchanged = len(documents)
    if live is not None and not todo and not removed and documents == old:
        if progress:
            progress(len(files), len(files), "")
        return stats
    gen = store.clone_generation(index_dir, live) if live is not None else store.new_generation(index_dir)
    try:
        if live is not None:
            from search.rank.retrieve import open_whoosh

            ix = open_whoosh(gen)
        else:
            ix = windex.create_in(str(gen), build_schema())
        leaving = removed + [sf.doc for sf in todo if sf.doc in old]
        try:
            counts = pairs.PairCounter(live / pairs.FILE if live is not None else None)
        except (OSError, ValueError):
            raise store.damaged_pairs(index_dir) from None
        if leaving:
            with ix.searcher() as s:
                for doc in leaving:
                    counts.remove(_pairs_of(f["text"] for f in s.documents(doc=doc)))
        many = len(todo) >= 2 * PARALLEL_MIN and jobs > 1
        # Whoosh's MpWriter analyses documents in `jobs` subprocesses, each
        # writing its own segment (multisegment: no serial merge at the end).
        codec = PackedCodec()  # every segment, merged ones too: accumulate reads its blocks
        writer = (ix.writer(procs=jobs, multisegment=True, batchsize=BATCH, limitmb=128, codec=codec) if many
                  else ix.writer(limitmb=256, codec=codec))
        try:
            for doc in leaving:
                writer.delete_by_term("doc", doc)
            for i, (sf, document, reason, sha1, keys) in enumerate(_parsed(todo, jobs if many else 1)):
                if progress:
                    progress(stats.unchanged + i, len(files), sf.doc)
                if document is None:
                    stats.skipped.append((str(sf.path), reason))
                    continue
                for fields in _passage_fields(document):
                    writer.add_document(**fields)
                counts.add(keys)
                if sf.doc in old:
                    stats.updated += 1
                else:
                    stats.indexed += 1
                stats.passages += len(document.passages)
                fp = Fingerprint.of(sf.path)
                documents[sf.doc] = dict(
                    document_record(document),
                    source={"size": fp.size, "mtime_ns": fp.mtime_ns, "sha1": sha1},
                )
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        stats.removed = sum(1 for doc in old if doc not in documents)
        counts.write(gen / pairs.FILE)
        store.write_json_atomic(gen / VARIANTS, spelling_variants(ix))
        store.write_documents(gen, dict(sorted(documents.items())))
        store.write_json_atomic(
            gen / store.META,
            {
                "schema_version": SCHEMA_VERSION,
                "built": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "sources": [str(s) for s in sources],
                "reports": len(documents),
                "passages": sum(d["passages"] for d in documents.values()),
                "codes": sorted({c for d in documents.values() for c in d["directives"]}),
            },
        )
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    store.publish(index_dir, gen)
    if progress:
        progress(len(files), len(files), "")
    return stats
