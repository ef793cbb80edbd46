"""Build a passage index from folders of reports."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import store
from .errors import VnsearchError
from .extract import Document, parse_document
from .normalize import fold
from .readers import SUFFIXES, Skip, read_report
from .schema import SCHEMA_VERSION, VARIANTS, build_schema

@dataclass
class IndexStats:
    indexed: int = 0
    passages: int = 0
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
            fold=text,
            words=text,
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


def spelling_variants(ix) -> dict[str, str]:
    """For every syllable written with diacritics: folded form -> its most frequent spelling.

    Lets an accentless query rank the usual spelling (``tuyen`` -> ``tuyên``)
    above rarer ones that fold the same way (``tuyến``).
    """
    best: dict[str, tuple[int, str]] = {}
    with ix.reader() as reader:
        for term, info in reader.iter_field("text"):
            key = term.decode("utf-8") if isinstance(term, bytes) else term
            folded = fold(key)
            if folded == key:
                continue
            df = info.doc_frequency()
            if folded not in best or df > best[folded][0]:
                best[folded] = (df, key)
    return {k: v for k, (_, v) in sorted(best.items())}


def build_index(
    sources: list[Path],
    index_dir: Path,
    progress: Callable[[int, int, str], None] | None = None,
) -> IndexStats:
    """Index every report under ``sources`` into a new generation of ``index_dir``.

    The live index is untouched until the new one is complete and committed.
    """
    from whoosh import index as windex

    stats = IndexStats()
    files = find_sources(sources, stats.skipped)
    gen = store.new_generation(index_dir)
    documents: dict[str, dict] = {}
    try:
        ix = windex.create_in(str(gen), build_schema())
        writer = ix.writer(limitmb=256)
        try:
            for i, sf in enumerate(files):
                if progress:
                    progress(i, len(files), sf.doc)
                try:
                    source = read_report(sf.path)
                except Skip as exc:
                    stats.skipped.append((str(sf.path), str(exc)))
                    continue
                document = parse_document(sf.doc, source.text, title=source.title, date=source.date)
                if not document.passages:
                    stats.skipped.append((str(sf.path), "no text"))
                    continue
                for fields in _passage_fields(document):
                    writer.add_document(**fields)
                stats.indexed += 1
                stats.passages += len(document.passages)
                documents[sf.doc] = document_record(document)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        store.write_json_atomic(gen / VARIANTS, spelling_variants(ix))
        store.write_json_atomic(
            gen / store.META,
            {
                "schema_version": SCHEMA_VERSION,
                "built": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "sources": [str(s) for s in sources],
                "documents": documents,
            },
        )
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    store.publish(index_dir, gen)
    if progress:
        progress(len(files), len(files), "")
    return stats

