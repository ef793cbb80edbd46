"""vnsearch as a library: the one seam the command line and the web page use.

    from search.api import open_index
    with open_index("index") as index:
        for hit in index.search("tuyen giao Bac Kan", limit=3):
            print(hit.doc, hit.passage, hit.score, hit.to_json()["highlights"])

``open_index`` opens an index directory; an ``Index`` answers from the newest
generation a build has published (it checks ``CURRENT`` on every call, a
20-byte read) and holds a lease on the generation it reads, so no build
deletes it underneath (``index.store``). Every problem is a
``VnsearchError`` subclass whose message names no command-line option.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from search.errors import DamagedIndex, VnsearchError
from search.index import store
from search.records import Hit, IndexStats, Passage, Report

__all__ = ["open_index", "build_index", "Index", "Hit", "Report", "Passage", "IndexStats", "VnsearchError"]

# What Whoosh raises when a segment file is missing, truncated or garbled
# (found by truncating and bit-flipping a seed index); anything else is a bug.
_DAMAGE = (EOFError, struct.error, zlib.error, pickle.UnpicklingError, UnicodeDecodeError)
REPORT_CACHE = 1024  # report records kept per open generation (hits of recent searches)


def open_index(index_dir: str | os.PathLike) -> Index:
    """Open the index in ``index_dir``; ``NoIndex`` if nothing was built there."""
    return Index(Path(index_dir))


def build_index(
    sources: Iterable[str | os.PathLike],
    index_dir: str | os.PathLike,
    *,
    jobs: int | None = None,
    rebuild: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    remove: Iterable[str | os.PathLike] = (),
) -> IndexStats:
    """Add ``sources`` (folders or files) to the index's sources, drop ``remove``, and bring
    every source up to date.

    Incremental unless ``rebuild``; ``jobs`` processes (default: the number of
    cores); ``progress(done, total, name)`` is called as files are read. The
    new generation is published atomically: open ``Index`` objects move to it
    on their next call.
    """
    from search.index.build import build_index as build

    return build([Path(s) for s in sources], Path(index_dir), progress=progress, jobs=jobs, rebuild=rebuild,
                 remove=[Path(r) for r in remove])


@contextmanager
def _reading(index_dir: Path):
    """Turn what Whoosh raises on damaged files met while searching into a one-line error."""
    try:
        yield
    except OSError as exc:
        raise store.unreadable(index_dir, exc) from None
    except Exception as exc:
        # Whoosh reports a bad block with a bare Exception; our own bugs raise subclasses
        if not isinstance(exc, _DAMAGE) and type(exc) is not Exception:
            raise
        raise store.damaged(index_dir, type(exc).__name__) from None


class _Variants:
    """A generation's ``variants.json`` (folded syllable -> spellings), read when first looked into.

    Only accentless words look: parsing 0.5 MB of JSON cost every other
    search 7 ms on the full corpus, 2 % of a ``vnsearch search`` run.
    """

    __slots__ = ("_path", "_data")

    def __init__(self, path: Path):
        self._path, self._data = path, None

    def _load(self) -> dict[str, list[str]]:
        if self._data is None:
            try:
                data = json.loads(self._path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            self._data = data if isinstance(data, dict) else {}
        return self._data

    def get(self, key: str, default=None):
        return self._load().get(key, default)

    def __getitem__(self, key: str) -> list[str]:
        return self._load()[key]

    def __contains__(self, key) -> bool:
        return key in self._load()

    def __bool__(self) -> bool:  # ``variants or {}`` must not read the file
        return True

    def __len__(self) -> int:
        return len(self._load())

    def __iter__(self):
        return iter(self._load())

    def items(self):
        return self._load().items()


class Generation:
    """One published generation, opened and leased: Whoosh index, metadata, side tables."""

    def __init__(self, index_dir: Path):
        from search.index.schema import SCHEMA_VERSION, build_schema, query_schema
        from search.whoosh_ext import check_version

        check_version()
        self.index_dir = index_dir = Path(index_dir)
        self.lease = store.Lease(index_dir)
        self.gen = self.lease.gen
        self.users = 0
        self.retired = False
        opened = None
        try:
            self.meta = store.read_meta(self.gen)
            version = self.meta.get("schema_version")
            if version != SCHEMA_VERSION:
                raise DamagedIndex(
                    f"index at {index_dir} has schema version {version}, this vnsearch needs {SCHEMA_VERSION}")
            codes = self.meta.get("codes", [])
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                raise DamagedIndex(f"index metadata in {self.gen} is not what vnsearch writes")
            self.known_codes = set(codes)
            try:
                from search.rank.score import Weighting

                self.ix = _open_whoosh(self.gen)
                # Opens every segment (catches missing or truncated files); kept for the first call.
                opened = self.ix.searcher(weighting=Weighting())
            except OSError as exc:
                raise store.unreadable(index_dir, exc) from None
            except Exception as exc:  # noqa: BLE001 - Whoosh raises many kinds on damaged files
                raise store.damaged(index_dir, type(exc).__name__) from None
            if set(self.ix.schema.names()) != set(build_schema().names()):
                raise DamagedIndex(f"index at {index_dir} has fields vnsearch does not write")
            self.query_schema = query_schema(self.ix.schema)
            self._reports: OrderedDict[str, Report] = OrderedDict()
            self._reports_lock = threading.Lock()  # calls on one Index may come from several threads
            self._variants: _Variants | None = None
            self._pairs = None
            self._idle: list = [opened]  # open searchers between calls (``searcher``)
            self._closed = False
        except BaseException:
            if opened is not None:
                opened.close()
            self.lease.release()
            raise

    @property
    def variants(self) -> _Variants:
        """Folded syllable -> its spellings in the index, most used first (read on first use)."""
        if self._variants is None:
            from search.index.schema import VARIANTS

            self._variants = _Variants(self.gen / VARIANTS)
        return self._variants

    @property
    def pairs(self):
        """How many passages hold each syllable pair (``index.pairs``)."""
        if self._pairs is None:
            from search.index.pairs import FILE, PairTable

            try:
                self._pairs = PairTable(self.gen / FILE)
            except OSError as exc:
                raise store.unreadable(self.index_dir, exc) from None
            except ValueError:
                raise store.damaged(self.index_dir, "pair table") from None
        return self._pairs

    def pair_count(self, a: str, b: str) -> int:
        """In how many passages the syllables ``a b`` (as indexed) stand together."""
        from search.index.pairs import pair_key

        return self.pairs.passages(pair_key(a, b))

    def reports(self, docs: Iterable[str]) -> dict[str, Report]:
        """The records of ``docs``, from a small per-generation cache or the report table."""
        wanted = list(dict.fromkeys(docs))
        with self._reports_lock:
            missing = [d for d in wanted if d not in self._reports]
        read = store.read_some_reports(self.gen, missing) if missing else {}
        with self._reports_lock:
            for doc, record in read.items():
                self._reports[doc] = Report.from_record(doc, record)
            out = {}
            for doc in wanted:
                report = self._reports.get(doc)
                if report is None:
                    raise store.damaged(self.index_dir, f"report {doc!r} is missing from the report table")
                self._reports.move_to_end(doc)
                out[doc] = report
            while len(self._reports) > REPORT_CACHE:
                self._reports.popitem(last=False)
        return out

    @contextmanager
    def searcher(self):
        """A Whoosh searcher over this generation, kept open between calls.

        Opening one opens every segment's term index: 2 to 3 ms a search on
        the 84,000-article corpus, the cost of a whole short query. A
        generation never changes once published, so searchers are reused; each
        is used by one call at a time (its files have one read position), and
        a pool holds as many as calls ever ran at once.
        """
        from search.rank.score import Weighting

        with self._reports_lock:
            s = self._idle.pop() if self._idle else None
        if s is None:
            s = self.ix.searcher(weighting=Weighting())
        try:
            yield s
        finally:
            with self._reports_lock:
                if self._closed:
                    s.close()
                else:
                    self._idle.append(s)

    def close(self) -> None:
        with self._reports_lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for s in idle:
            s.close()
        self.ix.close()
        self.lease.release()


def _open_whoosh(gen: Path):
    """Open a generation's Whoosh index without memory-mapping its segments.

    With mmap, whoosh-reloaded wraps each part of a compound segment file it
    opens in ``BytesIO(memoryview)``, which copies it: on an 84,000-article
    index every search copied hundreds of MB (0.5 s, 1.2 GB resident). Plain
    file reads only load what a query touches.
    """
    from whoosh.filedb.filestore import FileStorage

    return FileStorage(str(gen), supports_mmap=False).open_index()


class Index:
    """An open index: searches, reports and listings from its newest generation.

    Safe to share between threads. Every call first checks whether a build
    has published a newer generation and moves to it; the generation it
    leaves is closed once no call uses it, and deleted once no process does.
    """

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._generation: Generation | None = Generation(self.index_dir)

    # ------------------------------------------------------------ life cycle

    @contextmanager
    def _use(self) -> Iterator[Generation]:
        """The newest generation, held for the duration of one call."""
        with self._lock:
            if self._generation is None:
                raise VnsearchError(f"index at {self.index_dir} is closed")
            live = store.current_generation(self.index_dir)
            if live is None:
                raise store.damaged(self.index_dir, f"{store.POINTER} is missing")
            current = self._generation
            if live != current.gen:
                newer = Generation(self.index_dir)
                current.retired = True
                if current.users == 0:
                    current.close()
                current = self._generation = newer
            current.users += 1
        try:
            with _reading(self.index_dir):
                yield current
        finally:
            with self._lock:
                current.users -= 1
                if current.retired and current.users == 0:
                    current.close()

    @property
    def generation(self) -> Path:
        """The generation directory the next call will read (after moving to the newest)."""
        with self._use() as g:
            return g.gen

    def close(self) -> None:
        with self._lock:
            g, self._generation = self._generation, None
        if g is not None:
            g.retired = True
            if g.users == 0:
                g.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ searching

    def search(
        self,
        query: str,
        *,
        limit: int | None = 10,
        require_all: bool = False,
        date_from: str | None = None,
        date_to: str | None = None,
        org: str | None = None,
        directive: str | None = None,
    ) -> list[Hit]:
        """The best ``limit`` passages for ``query`` (all of them when ``limit`` is None).

        ``query`` uses the query syntax of ``vnsearch search`` (README);
        ``date_from``/``date_to`` are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``;
        ``org`` is matched without accents or case; ``directive`` is a code in
        any spelling (``05-CT/TW``, ``CT 05``, ``Chỉ thị 05``).
        """
        from search.rank import highlight, parse, retrieve
        from search.rank.score import passage_score

        with self._use() as g:
            filters = parse.Filters(date_from=date_from, date_to=date_to, org=org, directive=directive)
            parsed = parse.parse(query, g.query_schema, filters, g.known_codes, require_all, g.variants,
                                 g.pair_count)
            patterns = highlight.highlight_patterns(parsed.executable(parsed.matcher))
            with g.searcher() as s:
                found = retrieve.ranked(s, parsed, limit, g.pairs,
                                        lambda docs: {d: r.title for d, r in g.reports(docs).items()})
                texts = [r["text"] for _, r in found]
            reports = g.reports(ev.doc for ev, _ in found)
            hits = []
            for rank, ((ev, _), text) in enumerate(zip(found, texts), start=1):
                report = reports[ev.doc]
                spans = highlight.find_spans(text, patterns, set(report.directives))
                hits.append(Hit.of(rank, round(float(passage_score(ev)), 4), report, ev.passage, text, spans))
            return hits

    def suggest(self, query: str, found: bool) -> str | None:
        """A respelling of ``query`` from the index's vocabulary when it looks mistyped, else None."""
        from search.rank.suggest import did_you_mean

        with self._use() as g, g.ix.reader() as reader:
            return did_you_mean(reader, g.variants, query, found)

    # ------------------------------------------------------------ reports

    def report(self, doc: str) -> Report:
        """One report: its metadata, its passages with their offsets, and its whole text (``Report.text``)."""
        from search.ingest.metadata.directives import code_mentions

        with self._use() as g:
            records = store.read_some_reports(g.gen, [doc])
            if doc not in records:
                raise VnsearchError(f"no report {doc!r} in the index at {self.index_dir}")
            with g.searcher() as s:
                stored = sorted((f["passage"], f["text"]) for f in s.documents(doc=doc))
        report = Report.from_record(doc, records[doc])
        known = set(report.directives)  # as indexing resolved them (``ingest.report``)
        passages = [Passage(number, text, codes=sorted({c for c, _, _ in code_mentions(text, known)}))
                    for number, text in stored]
        return dataclasses.replace(report, passages=passages, passage_count=None)

    def reports(self) -> list[Report]:
        """Every report's metadata (no passage text), by ``doc``."""
        with self._use() as g:
            return [Report.from_record(doc, r) for doc, r in store.read_reports(g.gen).items()]

    def sources(self) -> list[dict]:
        """The source folders: ``folder``, ``reports`` (how many it holds), ``indexed`` (when a build
        last read it, ISO time) and ``exists`` (False for a folder that is gone or unmounted)."""
        with self._use() as g:
            sources = g.meta.get("sources") or []
            records = store.read_reports(g.gen)
        counts: dict[str, int] = {}
        for r in records.values():
            counts[r.get("folder")] = counts.get(r.get("folder"), 0) + 1
        return [{"folder": s["folder"], "reports": counts.get(s["folder"], 0), "indexed": s.get("indexed"),
                 "exists": os.path.exists(s["folder"])}
                for s in sources if isinstance(s, dict) and isinstance(s.get("folder"), str)]

    def directives(self) -> list[dict]:
        """Every directive code cited, most cited first (what ``vnsearch directives`` lists)."""
        from search.index.catalog import directive_records

        return directive_records(self.reports())

    @property
    def meta(self) -> dict:
        """The generation's small metadata: schema version, sources, counts, codes."""
        with self._use() as g:
            return dict(g.meta)


    # ------------------------------------------------------------ significant terms (issue 15)

    def terms(
        self,
        query: str,
        *,
        limit: int | None = 20,
        require_all: bool = False,
        date_from: str | None = None,
        date_to: str | None = None,
        org: str | None = None,
        directive: str | None = None,
    ) -> list:
        """The pyvi words most over-represented in the passages matching ``query``, best first.

        Returns ``search.rank.terms.Term``s (``word``, ``passages``, ``score``).
        The passages are the best ``terms.TERMS_SAMPLE`` hits of ``search`` with
        the same arguments; each word is scored against the whole index
        (JLH, see ``search/rank/terms.py``). Function words, numbers, codes and
        the query's own words are left out; ``limit=None`` returns every word.
        """
        from search.rank import terms as significant

        hits = self.search(query, limit=significant.TERMS_SAMPLE, require_all=require_all,
                           date_from=date_from, date_to=date_to, org=org, directive=directive)
        with self._use() as g:
            try:
                return significant.terms(g.ix, g.gen, hits, query, limit)
            except ValueError:
                raise store.damaged(self.index_dir, "word table") from None

    # ------------------------------------------------------------ for the web page (issue 18)
    # `vnsearch serve` and `vnsearch show` use these; nothing above depends on them.

    def matching_reports(
        self,
        query: str,
        *,
        require_all: bool = False,
        date_from: str | None = None,
        date_to: str | None = None,
        org: str | None = None,
        directive: str | None = None,
    ) -> list[tuple[Report, int]]:
        """Every report with a passage matching ``query`` and the filters, with how many do.

        The passages are those ``search(query, limit=None, ...)`` returns, found
        without ranking, scoring pairs or highlighting them: what the search
        page's facets and timeline count. Reports come as metadata only, by ``doc``.
        """
        from collections import Counter

        from whoosh import query as wq

        from search.rank import parse

        with self._use() as g:
            filters = parse.Filters(date_from=date_from, date_to=date_to, org=org, directive=directive)
            parsed = parse.parse(query, g.query_schema, filters, g.known_codes, require_all, g.variants,
                                 g.pair_count)
            q = parsed.executable(parsed.matcher)
            if parsed.filter is not None:
                q = wq.And([q, parsed.filter])
            with g.searcher() as s:
                counts = Counter(s.stored_fields(n)["doc"] for n in s.docs_for_query(q))
            reports = g.reports(counts)
        return [(reports[doc], counts[doc]) for doc in sorted(counts)]

    def highlights(self, report: Report, query: str, *, require_all: bool = False) -> list[list[int]]:
        """[start, end) offsets into ``report.text`` (a ``report(doc)``) of every occurrence of
        ``query``'s words and phrases, marked passage by passage exactly as ``search`` marks
        a hit's text with the same ``query`` and ``require_all``."""
        from search.rank import highlight, parse

        with self._use() as g:
            parsed = parse.parse(query, g.query_schema, None, g.known_codes, require_all, g.variants,
                                 g.pair_count)
        patterns = highlight.highlight_patterns(parsed.executable(parsed.matcher))
        known = set(report.directives)
        return [[p.start + s, p.start + e] for p in report.passages
                for s, e in highlight.find_spans(p.text, patterns, known)]

    def original(self, doc: str) -> tuple[Path, bytes]:
        """The file report ``doc`` was read from and its bytes, if it is still the file indexed.

        Only a report in the index names a file, and the file is read only when
        its size and SHA-1 are those recorded at indexing: ``VnsearchError``
        when ``doc`` is not in the index, the file is gone or it has changed.
        """
        import hashlib

        with self._use() as g:
            record = store.read_some_reports(g.gen, [doc]).get(doc)
        if record is None:
            raise VnsearchError(f"no report {doc!r} in the index at {self.index_dir}")
        source = record.get("source") or {}
        path = Path(record.get("path") or "")
        try:
            if not path.is_absolute() or not path.is_file() or path.stat().st_size != source.get("size"):
                raise VnsearchError(f"the file of report {doc!r} has changed or is gone since it was indexed")
            data = path.read_bytes()
        except OSError as exc:
            raise VnsearchError(f"cannot read the file of report {doc!r}: {exc.strerror}") from None
        if hashlib.sha1(data).hexdigest() != source.get("sha1"):
            raise VnsearchError(f"the file of report {doc!r} has changed since it was indexed")
        return path, data
