"""Build a passage index from folders of reports."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import store
from .errors import VnsearchError
from .extract import Document, parse_document
from .normalize import fold
from .schema import SCHEMA_VERSION, VARIANTS, build_schema

TEXT_SUFFIXES = {".txt", ".md", ".text"}


@dataclass
class IndexStats:
    indexed: int = 0
    passages: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


@dataclass(frozen=True)
class SourceFile:
    path: Path  # on disk
    doc: str  # as shown to users: relative to the folder it was found in


def find_sources(sources: Iterable[Path]) -> list[SourceFile]:
    """Report files under ``sources`` (files or folders), in a stable order."""
    found: list[SourceFile] = []
    for src in sources:
        if src.is_file():
            found.append(SourceFile(src, src.name))
        elif src.is_dir():
            for p in sorted(src.rglob("*")):
                if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES and p.name != "README.md":
                    found.append(SourceFile(p, p.relative_to(src).as_posix()))
        else:
            raise VnsearchError(f"cannot read source {src}: no such file or directory")
    return found


def read_text(path: Path) -> str:
    """Decode a report file: UTF-8 (with or without BOM) or UTF-16 with BOM."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


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

    files = find_sources(sources)
    gen = store.new_generation(index_dir)
    stats = IndexStats()
    documents: dict[str, dict] = {}
    try:
        ix = windex.create_in(str(gen), build_schema())
        writer = ix.writer(limitmb=256)
        try:
            for i, sf in enumerate(files):
                if progress:
                    progress(i, len(files), sf.doc)
                try:
                    raw = read_text(sf.path)
                except (OSError, UnicodeDecodeError) as exc:
                    reason = getattr(exc, "strerror", None) or "not UTF-8 or UTF-16 text"
                    stats.skipped.append((str(sf.path), reason))
                    continue
                document = parse_document(sf.doc, raw)
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

