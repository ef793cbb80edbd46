#!/usr/bin/env python
"""Speed, size and memory of vnsearch on VNTC news articles, next to SQLite FTS5 and tantivy.

Unpacks ``../shared/corpora/vntc/vntc-raw.tar.xz`` (84,132 articles, UTF-16LE)
to a temporary folder, takes ``--docs N`` of them (spread evenly over the
sorted list, so every topic is represented; all by default) and measures, in
one run:

* a full build with ``--jobs 1`` and ``--jobs 2`` (the public CLI, each in its
  own process), next to stock pyvi (``ViTokenizer.tokenize``) segmenting the
  whole text of each file in one process;
* a no-op update, and an update after changing 1 % of the files;
* in-process query latency (p50/p95 over ``QUERIES``, each run once after a
  warm-up pass) and the CLI's wall time for a few of them, next to the bare
  imports it cannot avoid and to ``rg`` scanning the raw files for the phrase;
* ``/api/search`` latency on the same queries, through ``vnsearch serve`` over HTTP;
* index size on disk against the raw text in UTF-8; peak memory (largest
  resident set of any one process) of indexing and of a search.

Two peer systems are built and queried in the same run, on the same passages
(those vnsearch indexes: ``parse_document`` over each file, extracted once to
``passages.jsonl`` in the work folder) and the same queries (translated by
``peer_query``: options and field prefixes dropped, phrases kept, bare words
OR-ed, or AND-ed with ``--all``; neither peer folds diacritics, so accentless
queries are passed as typed and mostly find nothing):

* SQLite FTS5 (standard library ``sqlite3``), tokenizer ``unicode61
  remove_diacritics 0``, all rows in one transaction then ``optimize``;
  queries ``ORDER BY rank LIMIT 10`` with a ``snippet()`` per hit;
* tantivy (``pip install tantivy``), its default tokenizer, a writer with 2
  threads; queries through ``parse_query``, top 10, each hit's stored passage
  fetched and highlighted with a ``SnippetGenerator``.

The peers' build time is indexing the prepared passages only: reading and
splitting the files is not counted for them (it is in vnsearch's). A second
table puts the three side by side, with each one's latency as a multiple of
tantivy's.

    python scripts/bench.py --docs 1500
    python scripts/bench.py                 # the whole corpus (about an hour on 2 cores)
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "vntc" / "vntc-raw.tar.xz"

# The fixed query list: phrases, single words, natural-language questions,
# accentless queries, and queries with filters (VNTC's ten news topics).
QUERIES = [
    # phrases
    '"bóng đá"', '"thị trường chứng khoán"', '"Hà Nội"', '"tai nạn giao thông"', '"giá vàng"',
    '"công nghệ thông tin"', '"Liên Hợp Quốc"', '"cúm gia cầm"', '"đội tuyển Việt Nam"',
    '"phần mềm"', '"ngân hàng nhà nước"', '"bệnh viện"', '"Tổng thống Mỹ"', '"ô nhiễm môi trường"',
    # single words
    "Internet", "vaccine", "lạm phát", "World Cup", "xuất khẩu", "ma túy", "điện ảnh", "HIV",
    "bầu cử", "khủng bố", "học sinh", "tham nhũng",
    # natural-language questions
    "Người nghiện ma túy có bị xử lý hành chính không?",
    "giá xăng dầu tăng ảnh hưởng thế nào đến doanh nghiệp?",
    "đội tuyển bóng đá Việt Nam thi đấu ra sao tại SEA Games",
    "làm thế nào để phòng chống dịch cúm gia cầm",
    "vì sao thị trường chứng khoán giảm điểm",
    "ai là người chịu trách nhiệm vụ tai nạn giao thông?",
    "học sinh thi đại học cần chuẩn bị gì",
    "virus máy tính lây lan qua email như thế nào",
    "Mỹ và Iraq đàm phán về vấn đề gì",
    "bệnh nhân ung thư được điều trị ở bệnh viện nào",
    # accentless
    '"bong da"', '"thi truong chung khoan"', "ha noi", "tai nan giao thong", "gia vang tang",
    "cong nghe thong tin", "benh vien", "cum gia cam", "tham nhung", "doi tuyen viet nam",
    # with filters and fields
    '"bóng đá" --from 2005', "chứng khoán --to 2006-12", 'title:"Hà Nội"', "giá dầu --from 2004 --to 2007",
    '"thế giới" --org "Bộ Y tế"', "ma túy --all",
]
CLI_QUERIES = ['"tai nạn giao thông"', "Người nghiện ma túy có bị xử lý hành chính không?", '"bong da"']
RG_PHRASE = "tai nạn giao thông"

# Runs a Python entry point and writes its wall time and peak memory (its own
# and its children's, i.e. Whoosh's indexing processes) to the fd named by BENCH_FD.
_RUNNER = r"""
import os, resource, runpy, sys, time
t = time.perf_counter()
def report():
    # VmHWM: this process's own peak (ru_maxrss would carry the bench's over exec)
    own = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
    rss = max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    os.write(int(os.environ["BENCH_FD"]), f"{time.perf_counter() - t} {rss}\n".encode())
import atexit; atexit.register(report)
sys.argv = sys.argv[1:]
if sys.argv[0] == "-c":
    sys.argv = sys.argv[1:]
    exec(compile(sys.argv[0], "<bench>", "exec"), {"__name__": "__main__"})
else:
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


def measured(*argv: str, stdin: str | None = None) -> tuple[float, int, str]:
    """Run ``python -m argv...`` (or a script); return (wall seconds, peak RSS KiB, stdout)."""
    r, w = os.pipe()
    env = dict(os.environ, BENCH_FD=str(w), PYTHONWARNINGS="ignore")
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _RUNNER, *argv], input=stdin, text=True,
                          capture_output=True, env=env, pass_fds=(w,), cwd=ROOT)
    wall = time.perf_counter() - t
    os.close(w)
    with os.fdopen(r) as fh:
        line = fh.read().split()
    if proc.returncode not in (0, 1):
        sys.exit(f"failed: {' '.join(argv)}\n{proc.stderr.strip()}")
    return wall, int(line[1]) if line else 0, proc.stdout


def unpack(work: Path, docs: int | None) -> tuple[Path, list[Path]]:
    raw = work / "raw"
    with tarfile.open(CORPUS) as tar:
        tar.extractall(raw, filter="data")
    files = sorted(p for p in raw.rglob("*.txt"))
    if docs and docs < len(files):
        step = len(files) / docs
        keep = {files[int(i * step)] for i in range(docs)}
        for p in files:
            if p not in keep:
                p.unlink()
        files = sorted(keep)
    return raw, files


PYVI_ALONE = r"""
import json, sys, time
from pathlib import Path
from search.ingest.formats import read_report
from pyvi import ViTokenizer
texts = [read_report(Path(p)).text for p in json.load(sys.stdin)]
t = time.perf_counter()
for text in texts:  # the natural call: each file's whole text at once
    ViTokenizer.tokenize(text)
print(json.dumps({"seconds": time.perf_counter() - t, "chars": sum(map(len, texts)), "files": len(texts)}))
"""

LATENCY = r"""
import json, shlex, sys, time
from pathlib import Path
from search.api import open_index
index = open_index(sys.argv[1])
queries = json.load(sys.stdin)

def split(q):
    words = shlex.split(q)
    opts = {"date_from": None, "date_to": None, "org": None, "directive": None}
    names = {"--from": "date_from", "--to": "date_to", "--org": "org", "--directive": "directive"}
    text, i, require_all = [], 0, False
    while i < len(words):
        if words[i] in names:
            opts[names[words[i]]] = words[i + 1]; i += 2
        elif words[i] == "--all":
            require_all = True; i += 1
        else:
            text.append(words[i]); i += 1
    quoted = q.split(" --")[0]
    return quoted, opts, require_all

runs = [split(q) for q in queries]
for text, filters, require_all in runs:  # warm-up: caches, first use of each term
    index.search(text, limit=10, require_all=require_all, **filters)
times, hits = [], 0
for text, filters, require_all in runs:
    t = time.perf_counter()
    found = index.search(text, limit=10, require_all=require_all, **filters)
    times.append(time.perf_counter() - t)
    hits += bool(found)
print(json.dumps({"times": times, "hits": hits}))
"""


# The passages vnsearch indexes (as ``search.index.build._parse`` reads them),
# one JSON line each: report id (path relative to the raw folder), passage number, text.
PASSAGES = r"""
import json, sys
from pathlib import Path
from search.ingest.formats import Skip, read_report
from search.ingest.report import parse_document
raw = Path(sys.argv[1])
n = files = 0
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for f in sorted(raw.rglob("*.txt")):
        try:
            read = read_report(f)
        except (Skip, OSError):
            continue
        passages = parse_document(f.name, read.text, title=read.title, date=read.date).passages
        files += bool(passages)
        for p in passages:
            out.write(json.dumps({"doc": str(f.relative_to(raw)), "passage": p.number, "text": p.text},
                                 ensure_ascii=False) + "\n")
            n += 1
print(json.dumps({"passages": n, "files": files}))
"""

# The peers' builds time indexing only: the prepared passages are loaded first, outside the timing
# (reading and splitting the files, which vnsearch's build includes, is not counted for them).
# Their peak memory includes those passages held in the process.
FTS5_BUILD = r"""
import json, sqlite3, sys, time
with open(sys.argv[2], encoding="utf-8") as fh:
    rows = [(r["doc"], r["passage"], r["text"]) for r in map(json.loads, fh)]
t = time.perf_counter()
con = sqlite3.connect(sys.argv[1])
con.execute("CREATE VIRTUAL TABLE passages USING fts5(doc UNINDEXED, passage UNINDEXED, text, "
            "tokenize = 'unicode61 remove_diacritics 0')")
with con:  # one transaction
    con.executemany("INSERT INTO passages(doc, passage, text) VALUES (?, ?, ?)", rows)
with con:
    con.execute("INSERT INTO passages(passages) VALUES('optimize')")
con.close()
print(json.dumps({"seconds": time.perf_counter() - t, "passages": len(rows)}))
"""

TANTIVY_BUILD = r"""
import json, sys, time
import tantivy
with open(sys.argv[2], encoding="utf-8") as fh:
    rows = [json.loads(line) for line in fh]
t = time.perf_counter()
sb = tantivy.SchemaBuilder()
sb.add_text_field("doc", stored=True, tokenizer_name="raw", index_option="basic")
sb.add_integer_field("passage", stored=True, indexed=False)
sb.add_text_field("text", stored=True)  # the default tokenizer
index = tantivy.Index(sb.build(), path=sys.argv[1])
writer = index.writer(heap_size=128_000_000, num_threads=2)  # the binding's default heap
for r in rows:
    writer.add_document(tantivy.Document(doc=r["doc"], passage=r["passage"], text=r["text"]))
writer.commit()
writer.wait_merging_threads()
index.reload()
print(json.dumps({"seconds": time.perf_counter() - t, "passages": len(rows)}))
"""

# Like LATENCY: open once, a warm-up pass, then each query once, timed. A query the
# peer cannot parse counts as no hits; its error is reported back.
# The peers' query scripts end the same way: a warm-up pass, then each query timed once
# (as vnsearch's LATENCY), counting the queries with hits.
_TIMED = r"""
for q in queries:
    search(q)
times, hits = [], 0
for q in queries:
    t = time.perf_counter()
    found = search(q)
    times.append(time.perf_counter() - t)
    hits += bool(found)
print(json.dumps({"times": times, "hits": hits, "errors": errors}))
"""

FTS5_QUERY = r"""
import json, sqlite3, sys, time
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
queries = json.load(sys.stdin)
SQL = ("SELECT doc, passage, snippet(passages, 2, '[', ']', '…', 16) FROM passages "
       "WHERE passages MATCH ? ORDER BY rank LIMIT 10")
errors = {}

def search(q):
    try:
        return con.execute(SQL, (q,)).fetchall()
    except sqlite3.OperationalError as exc:
        errors[q] = str(exc)
        return []

""" + _TIMED

TANTIVY_QUERY = r"""
import json, sys, time
import tantivy
index = tantivy.Index.open(sys.argv[1])
schema = index.schema
searcher = index.searcher()
queries = json.load(sys.stdin)
errors = {}

def search(q):
    try:
        query = index.parse_query(q, ["text"])
    except ValueError as exc:
        errors[q] = str(exc)
        return []
    snippets = tantivy.SnippetGenerator.create(searcher, query, schema, "text")
    out = []
    for _, address in searcher.search(query, 10).hits:
        doc = searcher.doc(address)
        out.append((doc["doc"][0], doc["passage"][0], snippets.snippet_from_doc(doc).to_html()))
    return out

""" + _TIMED

_FIELD = re.compile(r"^[A-Za-z]+:")  # vnsearch's field prefixes: title:, ...


def peer_query(q: str) -> str:
    """A ``QUERIES`` entry in the syntax both peers parse alike (FTS5 MATCH and tantivy's ``parse_query``).

    The peers have no metadata, so the options (everything from the first ``" --"``: ``--from``,
    ``--to``, ``--org``) are dropped and a field prefix (``title:"Hà Nội"``) becomes a search of its
    phrase in the text. A quoted phrase stays a phrase; each bare word becomes a quoted term
    (punctuation such as ``?`` stripped). Terms and phrases are joined with OR, as vnsearch ranks
    passages having any of them, or with AND for ``--all``. Quoting every term keeps words the
    peers' grammars reserve (AND, OR, NOT, NEAR, ``-``, ``:``) literal. Accentless words are
    passed as typed: neither peer folds diacritics.
    """
    require_all = "--all" in shlex.split(q)
    terms = []
    for m in re.finditer(r'(?:[A-Za-z]+:)?"([^"]*)"|(\S+)', q.split(" --")[0]):
        if m.group(1) is not None:
            words = re.findall(r"\w+", m.group(1))
            if words:
                terms.append('"' + " ".join(words) + '"')
        else:
            terms.extend(f'"{w}"' for w in re.findall(r"\w+", _FIELD.sub("", m.group(2))))
    return (" AND " if require_all else " OR ").join(terms)


def api_latency(ix: Path, queries: list[str]) -> list[float]:
    """Seconds per query of ``/api/search?limit=10`` on ``vnsearch serve`` over ``ix``
    (the queries of ``LATENCY``, their options as URL parameters), each once after a warm-up pass."""
    import re
    import shlex
    import urllib.parse
    import urllib.request

    names = {"--from": "from", "--to": "to", "--org": "org", "--directive": "directive", "--all": "all"}

    def url_params(q: str) -> str:
        w = shlex.split(q)
        opts = {names[w[i]]: "1" if w[i] == "--all" else w[i + 1] for i in range(len(w)) if w[i] in names}
        return urllib.parse.urlencode({"q": q.split(" --")[0], "limit": 10, **opts})

    proc = subprocess.Popen([sys.executable, "-m", "search", "serve", "--index-dir", str(ix), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    try:
        base = re.search(r"http://\S+/", proc.stdout.readline()).group(0)
        urls = [f"{base}api/search?{url_params(q)}" for q in queries]
        for url in urls:  # warm-up, as in process
            urllib.request.urlopen(url).read()
        times = []
        for url in urls:
            t = time.perf_counter()
            urllib.request.urlopen(url).read()
            times.append(time.perf_counter() - t)
        return times
    finally:
        proc.terminate()
        proc.wait(30)


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def ms(seconds: float) -> str:
    """Milliseconds with the digits a sub-millisecond peer needs."""
    v = seconds * 1e3
    return f"{v:.2f} ms" if v < 1 else f"{v:.1f} ms" if v < 10 else f"{v:.0f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def latency(times: list[float]) -> tuple[str, str, str]:
    return ms(percentile(times, .5)), ms(percentile(times, .95)), ms(max(times))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=None, help="articles to use (default: all 84,132)")
    ap.add_argument("--builds", default="1,2",
                    help="--jobs values to time full builds with (default 1,2; the last is updated)")
    ap.add_argument("--only-queries", action="store_true",
                    help="reuse --work from an earlier run (its raw/ and index-j<N>/) and measure only searches")
    ap.add_argument("--work", type=Path, default=None, help="work folder (default: a temp dir, removed)")
    args = ap.parse_args()
    if not CORPUS.is_file():
        sys.exit(f"corpus not found: {CORPUS}")
    tmp = tempfile.mkdtemp(prefix="vnsearch-bench-") if args.work is None else None
    work = args.work or Path(tmp)
    rows: list[tuple[str, str]] = []

    def row(name: str, value: str) -> None:
        rows.append((name, value))
        print(f"  {name}: {value}", file=sys.stderr, flush=True)

    try:
        work.mkdir(parents=True, exist_ok=True)
        job_list = [int(j) for j in args.builds.split(",")]
        last = job_list[-1]
        ix = work / f"index-j{last}"
        sys.path.insert(0, str(ROOT))
        from search.ingest.formats import read_report

        build_wall: float | None = None
        goals: list[tuple[str, str, bool]] = []  # (goal, measured, met), printed after the tables
        if args.only_queries:
            raw = work / "raw"
            if not ix.is_dir() or not raw.is_dir():
                sys.exit(f"--only-queries needs {raw} and {ix} from an earlier run with --work {work}")
            # the text as it is now (the earlier run's update appended a line to 1 % of the files)
            utf8 = sum(len(read_report(f).text.encode("utf-8")) for f in sorted(raw.rglob("*.txt")))
            size = du(Path(ix / (ix / "CURRENT").read_text().strip()))
        else:
            raw, files = unpack(work, args.docs)
            utf8 = sum(len(read_report(f).text.encode("utf-8")) for f in files)
            row("articles", f"{len(files):,} ({utf8 / 1e6:.1f} MB of text in UTF-8)")

            _, _, out = measured("-c", PYVI_ALONE, stdin=json.dumps([str(f) for f in files]))
            pyvi = json.loads(out)
            row("stock pyvi alone, 1 process (`ViTokenizer.tokenize` on the whole text of each file)",
                f"{pyvi['seconds']:.1f} s ({pyvi['chars'] / pyvi['seconds'] / 1e3:.0f}k chars/s, "
                f"{pyvi['files']:,} files)")

            builds = {}
            for jobs in job_list:
                ix = work / f"index-j{jobs}"
                wall, rss, _ = measured("search", "index", str(raw), "--index-dir", str(ix), "--rebuild",
                                        "--jobs", str(jobs))
                builds[jobs] = wall
                row(f"full build, --jobs {jobs}", f"{wall:.1f} s ({wall / pyvi['seconds']:.2f} × pyvi); "
                    f"peak {rss / 1024:.0f} MiB")
                goals.append((f"indexing peak memory ≤ 1 GiB per process, --jobs {jobs}", f"{rss / 1024:.0f} MiB",
                              rss <= 1024 * 1024))
                if jobs == 2:
                    goals.append(("full build with --jobs 2 ≤ 1.0 × stock pyvi",
                                  f"{wall / pyvi['seconds']:.2f} ×", wall <= pyvi["seconds"]))
            wall, rss, _ = measured("search", "index", "--index-dir", str(ix), "--jobs", str(last))
            row("no-op update", f"{wall:.2f} s ({wall / builds[last]:.3f} × full build); peak {rss / 1024:.0f} MiB")
            changed = files[:: 100]
            for f in changed:
                text = f.read_text(encoding="utf-16")
                f.write_text(text + "\nCập nhật: bài viết đã được sửa.\n", encoding="utf-16")
            wall, rss, _ = measured("search", "index", "--index-dir", str(ix), "--jobs", str(last))
            row(f"update after changing 1 % ({len(changed):,} files)",
                f"{wall:.1f} s ({wall / builds[last]:.3f} × full build); peak {rss / 1024:.0f} MiB")

            gen = Path(ix / (ix / "CURRENT").read_text().strip())
            size = du(gen)
            row("index size on disk", f"{size / 1e6:.1f} MB ({size / utf8:.2f} × the UTF-8 text)")
            goals.append(("index ≤ 1.5 × the text", f"{size / utf8:.2f} ×", size <= 1.5 * utf8))
            build_wall = builds[last]

        _, rss, out = measured("-c", LATENCY, str(ix), stdin=json.dumps(QUERIES))
        result = json.loads(out)
        times = result["times"]
        row(f"query latency in process ({len(QUERIES)} queries)",
            f"p50 {percentile(times, .5) * 1e3:.0f} ms, p95 {percentile(times, .95) * 1e3:.0f} ms, "
            f"max {max(times) * 1e3:.0f} ms; peak {rss / 1024:.0f} MiB")
        systems = [(f"vnsearch (--jobs {last})", "—" if build_wall is None else secs(build_wall),
                    size / utf8, times, result["hits"])]
        own_p95 = percentile(times, .95)
        goals.append(("in-process p95 ≤ 30 ms", ms(own_p95), own_p95 <= 0.030))
        times = api_latency(ix, QUERIES)
        api_p95 = percentile(times, .95)
        goals.append(("`/api/search` p95 ≤ in-process p95 + 10 ms", f"{ms(api_p95)} against {ms(own_p95)}",
                      api_p95 <= own_p95 + 0.010))
        row("`/api/search` latency over HTTP, same queries (`vnsearch serve`)",
            f"p50 {percentile(times, .5) * 1e3:.0f} ms, p95 {percentile(times, .95) * 1e3:.0f} ms, "
            f"max {max(times) * 1e3:.0f} ms")

        base = min(measured("-c", "import whoosh.index, whoosh.qparser, click")[0] for _ in range(3))
        row("bare imports (`import whoosh.index, whoosh.qparser, click`)", f"{base:.2f} s")
        peak_search = 0
        for q in CLI_QUERIES:
            runs = [measured("search", "search", q, "--index-dir", str(ix)) for _ in range(3)]
            wall = min(r[0] for r in runs)
            peak_search = max(peak_search, max(r[1] for r in runs))
            row(f"CLI `vnsearch search '{q}'`", f"{wall:.2f} s ({wall / base:.1f} × bare imports)")
            goals.append((f"CLI `vnsearch search '{q}'` ≤ 3 × the bare imports", f"{wall / base:.1f} ×",
                          wall <= 3 * base))
        row("peak memory of a search (CLI)", f"{peak_search / 1024:.0f} MiB")
        rg = shutil.which("rg")
        if rg:
            t = time.perf_counter()
            subprocess.run([rg, "-l", "-F", RG_PHRASE, str(raw)], capture_output=True)
            row(f"`rg -l -F '{RG_PHRASE}'` over the raw files", f"{time.perf_counter() - t:.2f} s")
        else:
            row("rg", "not installed (apt-get install ripgrep)")

        # The peers, each built and queried in its own process (tantivy stays out of vnsearch's
        # processes and vnsearch's modules out of theirs), on the passages of the index queried
        # above (after the update). With --only-queries, an earlier run's fts5.db and tantivy/ are
        # reused when present, else built.
        jsonl = work / "passages.jsonl"
        peers = [
            (f"SQLite FTS5 {sqlite3.sqlite_version}", work / "fts5.db", FTS5_BUILD, FTS5_QUERY),
            (f"tantivy {importlib.metadata.version('tantivy')}", work / "tantivy", TANTIVY_BUILD, TANTIVY_QUERY),
        ]
        peer_build: dict[str, float | None] = {}
        peer_size: dict[str, int] = {}
        to_build = [name for name, path, _, _ in peers if not (args.only_queries and path.exists())]
        if to_build and not (args.only_queries and jsonl.is_file()):
            _, _, out = measured("-c", PASSAGES, str(raw), str(jsonl))
            info = json.loads(out)
            row("passages given to the peers (those vnsearch indexes)",
                f"{info['passages']:,} from {info['files']:,} files")
        for name, path, build, _ in peers:
            if name not in to_build:
                peer_build[name] = None
            else:
                if path.is_dir():
                    shutil.rmtree(path)
                elif path.exists():
                    path.unlink()
                if build is TANTIVY_BUILD:
                    path.mkdir()
                _, rss, out = measured("-c", build, str(path), str(jsonl))
                peer_build[name] = json.loads(out)["seconds"]
                row(f"{name}: build (passages prepared: reading and splitting the files not counted)",
                    f"{secs(peer_build[name])}; peak {rss / 1024:.0f} MiB (the passages loaded included)")
            peer_size[name] = path.stat().st_size if path.is_file() else du(path)
            row(f"{name}: size on disk",
                f"{peer_size[name] / 1e6:.1f} MB ({peer_size[name] / utf8:.2f} × the UTF-8 text)")

        translated = [peer_query(q) for q in QUERIES]
        for name, path, _, query in peers:
            _, rss, out = measured("-c", query, str(path), stdin=json.dumps(translated))
            result = json.loads(out)
            for q, error in result["errors"].items():
                print(f"warning: {name} could not parse {q!r} (counted as no hits): {error}", file=sys.stderr)
            p50, p95, worst = latency(result["times"])
            row(f"{name}: query latency in process (same queries, translated)",
                f"p50 {p50}, p95 {p95}, max {worst}; peak {rss / 1024:.0f} MiB")
            built = "—" if peer_build[name] is None else f"{secs(peer_build[name])} (passages prepared)"
            systems.append((name, built, peer_size[name] / utf8, result["times"], result["hits"]))
            if query is FTS5_QUERY:
                own, theirs = percentile(systems[0][3], .5), percentile(result["times"], .5)
                goals.append(("in-process median ≤ SQLite FTS5's median", f"{ms(own)} against {ms(theirs)}",
                              own <= theirs))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line),
               platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    print(f"vnsearch bench at commit {commit}{' (uncommitted changes)' if dirty else ''}: {os.cpu_count()} cores "
          f"({cpu}), Python {platform.python_version()}, `python scripts/bench.py {' '.join(sys.argv[1:])}`\n")
    print("| measure | result |")
    print("| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")
    print("\n| system | build | size / text | p50 | p95 | max | queries with hits |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, built, ratio, times, hits in systems:
        print(f"| {name} | {built} | {ratio:.2f} × | {' | '.join(latency(times))} | {hits} of {len(QUERIES)} |")
    reference = systems[-1][3]  # tantivy's
    print()
    for name, _, _, times, _ in systems:
        print(f"- {name}: p50 {percentile(times, .5) / percentile(reference, .5):.1f} × tantivy's, "
              f"p95 {percentile(times, .95) / percentile(reference, .95):.1f} × tantivy's")
    print("\nQueries with hits: at least one result. The peers ignore `--from`, `--to` and `--org` (no metadata), "
          "and accentless words OR-ed often match some real syllable (gia, nam, tin).")
    if goals:
        print("\n| goal (issue 19) | measured | met |")
        print("| --- | --- | --- |")
        for goal, measured_value, met in goals:
            print(f"| {goal} | {measured_value} | {'yes' if met else '**no**'} |")


if __name__ == "__main__":
    main()
