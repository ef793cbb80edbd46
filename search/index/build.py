"""Build a passage index from folders of reports: read, analyse, write a new generation, publish."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from search.errors import DamagedIndex, VnsearchError
from search.index import pairs, store, words
from search.index.schema import LENGTH, SCHEMA_VERSION, VARIANTS, build_schema, indexed_text
from search.ingest.formats import Skip, read_report
from search.ingest.report import parse_document
from search.ingest.sources import Fingerprint, digest, display_name, find_sources, plan, source_folder
from search.records import IndexStats, Report, Source
from search.text.analysis import syllable_keys
from search.text.normalize import fold
from search.whoosh_ext.codec import PackedCodec


def _passage_fields(report: Report, bounds: list[tuple[int, int]]) -> Iterable[dict]:
    """One Whoosh document per passage: what search matches, filters and shows.

    The report's metadata is indexed on each passage (for fields and filters)
    but stored only once, in the report table (``store.write_reports``).
    ``bounds``: each passage's pyvi word boundaries (``words.boundaries``) and
    how many syllable keys its ``text`` field indexes (``schema.LENGTH``).
    """
    span = report.date_range
    shared = dict(
        doc=report.doc,
        title=report.title,
        organization=report.organization or "",
        bodies="\n".join(report.bodies),
        directives=",".join(report.directives),
    )
    if span is not None:
        shared["date"] = dt.datetime.combine(span[0], dt.time())
        shared["date_end"] = dt.datetime.combine(span[1], dt.time())
    for p, (bits, length) in zip(report.passages, bounds, strict=True):
        indexed = indexed_text(report.title, p.number, p.text)
        fields = dict(shared, passage=p.number, cites=",".join(p.codes), text=indexed, words=bits,
                      **{LENGTH: length})
        if indexed is not p.text:
            fields["_stored_text"] = p.text  # Whoosh stores this and indexes ``text``
        yield fields


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


def _pairs_of(texts: Iterable[str]) -> array:
    """The distinct syllable-pair keys of each passage, one after the other (``pairs``)."""
    out = array("Q")
    for text in texts:
        out.extend(pairs.passage_pairs(syllable_keys(text)))
    return out


def _analysed(report: Report) -> tuple[array, array, list[tuple[int, int]]]:
    """Pair keys and word keys of each passage (one after the other), and each one's word
    boundaries and indexed length (``_passage_fields``).

    Pairs are counted on what the ``text`` field indexes (``schema.indexed_text``),
    words on the stored text. Segmenting with pyvi is most of the cost of
    reading a file; it runs here, in the reading processes, so ``--jobs``
    parallelises it.
    """
    pair_keys, word_keys, bounds = array("Q"), array("Q"), []
    for p in report.passages:
        keys, bits = words.boundaries(p.text)
        indexed = indexed_text(report.title, p.number, p.text)
        indexed_keys = keys if indexed is p.text else syllable_keys(indexed)
        pair_keys.extend(pairs.passage_pairs(indexed_keys))
        word_keys.extend(words.passage_words(keys, bits))
        bounds.append((bits, len(indexed_keys)))
    return pair_keys, word_keys, bounds


@dataclass
class Parsed:
    """One file read and analysed (in a worker process): a report, or why it was skipped."""

    source: Source
    report: Report | None = None
    skipped: str | None = None  # the reason, when ``report`` is None
    sha1: str | None = None  # of the file's bytes
    pair_keys: array | None = None  # ``_pairs_of`` its passages
    word_keys: array | None = None  # ``words.passage_words`` of its passages, one after the other
    bounds: list[tuple[int, int]] | None = None  # each passage's word boundaries and indexed length


def _parse(sf: Source) -> Parsed:
    """Read and analyse one file."""
    try:
        read = read_report(sf.path)
        sha1 = digest(sf.path)
    except Skip as exc:
        return Parsed(sf, skipped=str(exc))
    except OSError as exc:
        return Parsed(sf, skipped=exc.strerror or "cannot read file")
    report = parse_document(sf.doc, read.text, title=read.title, date=read.date)
    if not report.passages:
        return Parsed(sf, skipped="no text")
    report.path = display_name(str(sf.path))
    pair_keys, word_keys, bounds = _analysed(report)
    return Parsed(sf, report, sha1=sha1, pair_keys=pair_keys, word_keys=word_keys, bounds=bounds)


AHEAD = 64  # files read ahead of the indexing processes
# Whoosh's posting pool per writing process, in its own estimate of MB: it counts about 150
# bytes a posting where Python holds 1.4 times that, and spills a sorted run to disk when full.
# On 10,500 VNTC articles with --jobs 1, 256 gave a 577 MiB peak and 64 a 366 MiB one in the
# same time (more, smaller runs; the final merge reads them all at once either way).
POOL_MB = 64


def _parsed(files: list[Source], jobs: int):
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


class _ParentWatch:
    """Makes every process forked by this build die with the process that forked it.

    The workers (the readers' pool, Whoosh's ``MpWriter`` processes) are
    forked; killed with ``kill -9``, an out-of-memory kill or a service
    manager stopping only the main process, the parent used to leave them
    running for good. Linux's ``PR_SET_PDEATHSIG`` sends them SIGKILL when it
    dies; elsewhere they are not watched.
    """

    def __init__(self) -> None:
        self.parent = os.getpid()

    def forked(self) -> None:
        import ctypes
        import signal

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            return
        if os.getppid() != self.parent:  # died before the signal was armed
            os._exit(1)


def _watch_parent() -> _ParentWatch:
    import multiprocessing.util

    watch = _ParentWatch()
    multiprocessing.util.register_after_fork(watch, _ParentWatch.forked)
    return watch


PARALLEL_MIN = 50  # files below which extra processes cost more than they save
BATCH = 100  # passages handed to an indexing process at a time


def build_index(
    sources: list[Path],
    index_dir: Path,
    progress: Callable[[int, int, str], None] | None = None,
    jobs: int | None = None,
    rebuild: bool = False,
    remove: list[Path] = (),
) -> IndexStats:
    """Bring ``index_dir`` in line with its source folders, adding ``sources`` to them.

    The index records its source folders: ``sources`` are added to those it
    has, ``remove`` dropped with their reports, and every source is brought up
    to date. By default only new and changed files are read, and reports
    whose files are gone leave the index; ``rebuild`` reads everything. A
    recorded source folder that is missing (an unmounted drive) keeps its
    reports and is named in ``skipped``. Either way the result is a new
    generation published atomically: the live index is untouched until the
    new one is complete, and a second writer is refused (``store.WriterLock``).
    A run that fails leaves no new folder behind.
    """
    jobs = max(1, jobs or os.cpu_count() or 1)
    for src in sources:
        if not os.path.exists(src):
            raise VnsearchError(f"cannot read source {src}: no such file or directory")
    created = store.make_index_dir(index_dir)
    try:
        with store.WriterLock(index_dir):
            return _build_locked([Path(s) for s in sources], index_dir, progress, jobs, rebuild,
                                 [Path(r) for r in remove])
    except BaseException:
        if created:
            store.remove_if_unused(index_dir)
        raise


def recorded_sources(index_dir: Path) -> list[dict]:
    """The source folders the live index records: ``folder`` (absolute) and ``indexed`` (ISO time)."""
    try:
        gen = store.current_generation(index_dir)
        meta = store.read_meta(gen) if gen is not None else {}
    except VnsearchError:
        return []
    out = []
    for s in meta.get("sources") or []:
        if isinstance(s, str):  # written before sources were records
            s = {"folder": str(source_folder(Path(s))), "indexed": meta.get("built")}
        if isinstance(s, dict) and isinstance(s.get("folder"), str):
            out.append(s)
    return out


def _live_records(index_dir: Path, rebuild: bool) -> tuple[Path | None, dict[str, dict]]:
    """The live generation an update starts from, and its report records (none for a rebuild).

    An update opens every segment of the live index first: a damaged index
    must stop the update, never be reported as up to date.
    """
    if rebuild:
        return None, {}
    live = store.current_generation(index_dir)
    if live is None:
        return None, {}
    if store.read_meta(live).get("schema_version") != SCHEMA_VERSION:
        raise DamagedIndex(f"index at {index_dir} was built by another version of vnsearch")
    old = store.read_reports(live)
    if not all(isinstance(r.get("source"), dict) for r in old.values()):
        raise store.damaged(index_dir, "report records")
    try:
        ix = _open(live)
        with ix.searcher() as s:
            for doc in list(old)[:1]:
                list(s.documents(doc=doc))  # reads a stored block and a posting list
    except OSError as exc:
        raise store.unreadable(index_dir, exc) from None
    except Exception as exc:  # noqa: BLE001 - Whoosh raises many kinds on damaged files
        raise store.damaged(index_dir, type(exc).__name__) from None
    for table, what in ((pairs.PairTable, "pair table"), (words.WordTable, "word table")):
        try:
            table(live / (pairs.FILE if table is pairs.PairTable else words.FILE))
        except (OSError, ValueError):
            raise store.damaged(index_dir, what) from None
    return live, old


def _open(gen: Path):
    from whoosh.filedb.filestore import FileStorage

    ix = FileStorage(str(gen), supports_mmap=False).open_index()
    ix.reader().close()  # opens every segment: catches missing or truncated files
    return ix


def _sources(index_dir: Path, given: list[Path], remove: list[Path]) -> list[dict]:
    """The sources this run brings up to date: the recorded ones and ``given``, less ``remove``."""
    recorded = recorded_sources(index_dir)
    folders = [s["folder"] for s in recorded]
    for r in remove:
        folder = str(source_folder(r))
        if folder not in folders:
            known = ", ".join(folders) or "none"
            raise VnsearchError(f"{r} is not a source of the index at {index_dir} (its sources: {known})")
    gone = {str(source_folder(r)) for r in remove}
    out = [s for s in recorded if s["folder"] not in gone]
    for g in given:
        folder = str(source_folder(g))
        if folder not in [s["folder"] for s in out]:
            out.append({"folder": folder, "indexed": None})
    return out


def _build_locked(given, index_dir, progress, jobs, rebuild, remove) -> IndexStats:
    from whoosh import index as windex

    live, old = _live_records(index_dir, rebuild)
    store.clean_leftovers(index_dir, damaged_ok=rebuild)
    stats = IndexStats()
    sources = _sources(index_dir, given, remove)
    present = [s for s in sources if os.path.exists(s["folder"])]
    missing = {s["folder"] for s in sources} - {s["folder"] for s in present}
    for folder in sorted(missing):
        kept = sum(1 for r in old.values() if r.get("folder") == folder)
        if rebuild:
            raise VnsearchError(f"cannot rebuild: source folder {folder} is missing")
        stats.skipped.append((folder, f"source folder is missing; its {kept} reports are kept"))
    named = {(r.get("folder"), r.get("relpath")): doc for doc, r in old.items()}
    files = find_sources([Path(s["folder"]) for s in present], stats.skipped, named)
    todo, records, removed = plan(files, old)
    for doc in [d for d in removed if old[d].get("folder") in missing]:  # kept, not removed
        records[doc] = old[doc]
        removed.remove(doc)
    stats.unchanged = len(records)
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    for s in present:
        s["indexed"] = now
    meta_sources = [{"folder": s["folder"], "indexed": s["indexed"]} for s in sources]
    if live is not None and not todo and not removed and records == old and meta_sources == [
            {"folder": s["folder"], "indexed": s["indexed"]} for s in recorded_sources(index_dir)]:
        if progress:
            progress(len(files), len(files), "")
        return stats
    gen = store.clone_generation(index_dir, live) if live is not None else store.new_generation(index_dir)
    try:
        ix = _open(gen) if live is not None else windex.create_in(str(gen), build_schema())
        leaving = removed + [sf.doc for sf in todo if sf.doc in old]
        try:
            counts = pairs.PairCounter(live / pairs.FILE if live is not None else None)
        except (OSError, ValueError):
            raise store.damaged(index_dir, "pair table") from None
        try:
            word_counts = words.WordCounter(live / words.FILE if live is not None else None)
        except (OSError, ValueError):
            raise store.damaged(index_dir, "word table") from None
        if leaving:
            with ix.searcher() as s:
                for doc in leaving:
                    stored = list(s.documents(doc=doc))
                    title = old[doc].get("title", "")
                    counts.remove(_pairs_of(indexed_text(title, f["passage"], f["text"]) for f in stored))
                    word_counts.remove(words.word_keys_of(stored))
        many = len(todo) >= 2 * PARALLEL_MIN and jobs > 1
        watch = _watch_parent() if many else None  # noqa: F841 - registered while workers are forked
        # Whoosh's MpWriter analyses documents in `jobs` subprocesses, each
        # writing its own segment (multisegment: no serial merge at the end).
        codec = PackedCodec()  # every segment, merged ones too: accumulate reads its blocks
        writer = (ix.writer(procs=jobs, multisegment=True, batchsize=BATCH, limitmb=POOL_MB, codec=codec) if many
                  else ix.writer(limitmb=POOL_MB, codec=codec))
        try:
            for doc in leaving:
                writer.delete_by_term("doc", doc)
            for i, parsed in enumerate(_parsed(todo, jobs if many else 1)):
                sf, report = parsed.source, parsed.report
                if progress:
                    progress(stats.unchanged + i, len(files), sf.doc)
                if report is None:
                    stats.skipped.append((display_name(str(sf.path)), parsed.skipped))
                    continue
                for fields in _passage_fields(report, parsed.bounds):
                    writer.add_document(**fields)
                counts.add(parsed.pair_keys)
                word_counts.add(parsed.word_keys)
                if sf.doc in old:
                    stats.updated += 1
                else:
                    stats.indexed += 1
                stats.passages += len(report.passages)
                fp = Fingerprint.of(sf.path)
                record = dict(report.to_record(), folder=sf.folder, relpath=sf.relpath,
                              source={"size": fp.size, "mtime_ns": fp.mtime_ns, "sha1": parsed.sha1})
                # Kept deflated until written: 84,000 records as dicts held 200 MB of a build's peak.
                records[sf.doc] = store.PackedRecord.of(record)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        stats.removed = sum(1 for doc in old if doc not in records)
        counts.write(gen / pairs.FILE)
        word_counts.write(gen / words.FILE)
        store.write_json_atomic(gen / VARIANTS, spelling_variants(ix))
        store.write_reports(gen, records)
        store.write_json_atomic(
            gen / store.META,
            {
                "schema_version": SCHEMA_VERSION,
                "built": now,
                "sources": meta_sources,
                "reports": len(records),
                "passages": sum(r["passages"] for r in records.values()),
                "codes": sorted({c for r in records.values() for c in r["directives"]}),
            },
        )
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    store.publish(index_dir, gen)
    if progress:
        progress(len(files), len(files), "")
    return stats
