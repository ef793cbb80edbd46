#!/usr/bin/env python
"""Top 10 of fixed queries on the seeds and ALQAC 2022, dumped from any checkout and compared.

Why: issue 14 item 7 asks that a restructure of the package leave search
results unchanged: the same top 10 for the seed reports and for the ALQAC 2022
questions before and after. This script records those top 10s from one
checkout and compares two recordings.

It never imports the package itself. Every checkout is run through its own
command line in a subprocess, ``PYTHONPATH=CHECKOUT python -m search ...``, in
a temporary working directory (so the repository's ``./index`` is never
touched), which is what lets the same script measure the code before and after
a change:

- **seeds**: the five ``seeds/*.txt`` reports (copied to a temporary folder) are
  indexed and ``SEED_QUERIES`` below run in one ``search --batch --json
  --limit 10`` call; then again once with each of ``--from 2023``, ``--org "bac
  kan"``, ``--directive 05-CT/TW`` and ``--all``, so the filter and
  every-word paths are covered too;
- **alqac**: the 1,377 law articles of ``law.json`` are written one file each,
  as ``scripts/eval_alqac.py`` writes them, indexed, and all 520 questions of
  ``questions.json`` run in one batch (whitespace collapsed, as eval_alqac does);
- **vntc** (with ``--vntc-docs N``): N VNTC news articles, spread over the archive as
  ``scripts/bench.py`` takes them, indexed, and the bench's 52 queries (their options
  dropped, 51 distinct) run in one batch: long posting lists, accentless spellings and
  the numpy paths that the seeds and ALQAC rarely reach.

For every query the dump keeps the ordered top 10 as ``[doc, passage, score,
highlights]`` (only these keys of the CLI's JSON are relied on; newer versions
may add others), plus the error line if the CLI rejected the query.

    python scripts/compare_top10.py dump --checkout DIR --out FILE.json [--alqac DIR] [--seeds DIR] [--vntc-docs N]
    python scripts/compare_top10.py compare BEFORE.json AFTER.json
    python scripts/compare_top10.py run --before DIR --after DIR [--work DIR] [--vntc-docs N]

``compare`` exits 0 when every query's sequence of (doc, passage) is identical
in both dumps, else 1. Scores (rounded to 4 decimals by the CLI) that differ by
more than 1e-4 and differing highlights are counted apart, for information.
Standard library only; Python 3.10+.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = ROOT / "seeds"
DEFAULT_ALQAC = ROOT.parent / "shared" / "corpora" / "alqac2022"
DEFAULT_VNTC = ROOT.parent / "shared" / "corpora" / "vntc" / "vntc-raw.tar.xz"
LIMIT = 10
FORMAT = 1
SCORE_TOLERANCE = 1e-4
# The CLI prints scores rounded to 4 decimals: a change in the 12th decimal can move the
# last printed digit by one unit (a difference of 1e-4 plus float noise), which is not counted.
_SCORE_SLACK = 1e-9

# Extra runs of SEED_QUERIES: corpus name -> the CLI options added to the batch search.
SEED_VARIANTS: dict[str, list[str]] = {
    "seeds": [],
    "seeds --from 2023": ["--from", "2023"],
    'seeds --org "bac kan"': ["--org", "bac kan"],
    "seeds --directive 05-CT/TW": ["--directive", "05-CT/TW"],
    "seeds --all": ["--all"],
}


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# Queries on the five seed reports. Fixed and ordered: never generated at random.
_README_QUERIES = [
    # README.md: quick start, query syntax table, filters, bench examples
    '"tuyên giáo" Bắc Kạn',
    "tuyên giáo Bắc Kạn",
    "tuyen giao",
    '"dang uy khoi"',
    "Người nghiện ma túy có bị xử lý hành chính không?",
    '"đảng ủy khối"',
    'Bắc Kạn OR "Quảng Trị"',
    "tuyên giáo NOT Trung ương",
    "(tuyên giáo OR báo cáo viên) AND Hồ Chí Minh",
    'title:"Bắc Kạn"',
    "doc:003_d4f937a959a4a1f8.txt",
    'org:"Bắc Kạn"',
    'body:"Ban Tuyên giáo Trung ương"',
    "directive:05-CT/TW",
    'directive:"Chỉ thị 05"',
    "date:2020",
    "date:2023-12",
    "date:2020-07-15",  # a filter alone: an error line, recorded as such
    "tuyên giáo date:2020-07-15",
    "Chỉ thị 05",
    "CT 05",
    "05-CT/TW",
    "05-ct/tw",
    '"05-CT/TW"',
    "1300/CĐ-TTg",
    "-05-CT/TW",
    '"tai nạn giao thông"',
    '"bong da"',
    "hoá",
    "hóa",
    "uỷ",
    "ủy",
    "thuỷ",
    "thủy",
]

_TEST_QUERIES = [
    # literal queries of tests/*.py (test_cli, test_search, test_matching, test_accumulate,
    # test_crash, test_indexer, test_readers, test_safe_output, test_limits)
    '"tuyên giáo"',
    "tuyên giáo",
    "công tác tuyên giáo",
    '"không có cụm từ này"',
    '"Bắc Kạn"',
    '"Sáng 08/7/2020"',
    "công tác",
    "công tác date:2020",
    'công tác org:"Đảng ủy Khối các cơ quan Trung ương"',
    "công tác directive:05-ct/tw",
    "chuyển hóa",
    '"chuyển hóa"',
    '"chuyển hoá"',
    '"chuyen hoa"',
    "học tập và làm theo",
    "học tập",
    "Đảng ủy Khối thi đua",
    "Đảng ủy Khối thi đua khen thưởng",
    '"Đảng ủy Khối"',
    "Người đứng đầu cấp ủy có trách nhiệm gì?",
    "tuyen giao co so",
    '"tuyen giao"',
    '"học tập và làm theo" tư tưởng',
    "title:báo",
    "zzzz",
    "tuyên giáo cơ sở",
    "Chỉ thị 05 tư tưởng",
    "chỉ thị số 05",
    '"bóng đá"',
    "giá vàng",
    "tai nan giao thong",
    "Người nghiện ma túy có bị xử lý không?",
    '"thủy điện"',
    "Công tác tuyên giáo (năm 2020) - kết quả: thế nào?",
    'AND "tuyên giáo OR',
    "Ban Tuyên giáo: OR AND NOT ?",
    "tham nhũng là gì",
    "thị trường chứng khoán giảm bao nhiêu",
    "nguoi nghien ma tuy co bi xu ly khong",
    "Công tác tuyên giáo của Đảng ủy Khối có kết quả gì?",
    '"tuyên giáoo"',
    "tuyen giaoo",
    "tuyen giao date:2020",
    "tuyên giáo Quảng Trị",
    'title:"Tuyên giáo"',
    'org:"Bắc Kạn" tuyên giáo',
    "TITLE:báo cáo",
    "xu ly hanh chinh nguoi nghien ma tuy",
    "xử lý hành chính",
    "ma túy tuyên giáo",
    "Người nghiện ma túy có bị xử lý hành chính hay đưa đi cai nghiện bắt buộc?",
    "ma túy có bị xử lý không?",
    "hành chính NOT ma túy",
    '"xử lý" hành chính',
    "xu ly",
    '"Tỉnh ủy"',
    _nfd('"Tỉnh ủy"'),
    "Bắc Kạn",
    "Bắc Kạn NOT tuyên",
    "(Bắc Kạn) OR (Quảng Trị)",
    '"tuyên giáo',
    "tuyên giáo)",
    "AND tuyên",
    "tuyên:",
    "tuyên giáo?",
    "(tuyên [giáo",
    "(( ?",  # nothing to search: an error line, recorded as such
    '"tuyên giáo quý I"',
    '"công tác dân vận"',
    '"triển khai nhiệm vụ"',
    '"Thời sự"',
    '"Bản quyền"',
    '"Giá vàng"',
    '"Chia sẻ"',
    "Zalo",
    '"Xây dựng Đảng"',
    '"công tác tuyên giáo"',
    "x",
    "tuyên giáo --from 2020",  # a batch line of test_accumulate: the option is query text
    "Chỉ thị 05 --all",
]

_TOPICAL_QUERIES = [
    # picked from the five seed reports: words, phrases, accentless, questions, variants
    "báo cáo viên",
    '"báo cáo viên"',
    "bao cao vien",
    "tuyên truyền miệng",
    '"tuyen truyen mieng"',
    "dư luận xã hội",
    "du luan xa hoi",
    "mạng xã hội",
    "thông tin xấu độc trên mạng xã hội",
    '"bảo vệ nền tảng tư tưởng"',
    "bao ve nen tang tu tuong cua Dang",
    "đấu tranh phản bác quan điểm sai trái",
    '"tự chuyển hoá"',
    '"tự chuyển hóa"',
    "tự diễn biến tự chuyển hoá",
    "văn hoá công sở",
    "văn hóa công sở",
    "van hoa ung xu",
    "Quốc hội khoá XV",
    "Quốc hội khóa XV",
    '"Tỉnh uỷ"',
    "Uỷ viên Trung ương Đảng",
    "Ủy viên Trung ương Đảng",
    "đảng uỷ trực thuộc",
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "hoc tap va lam theo tu tuong dao duc phong cach Ho Chi Minh",
    "Hồ Chí Minh",
    "Covid-19",
    "COVID-19",
    "Tập Cận Bình",
    "Chợ Đồn",
    "Trà Vinh",
    "Sơn Minh Thắng",
    "Nguyễn Phú Trọng",
    "Tết Nguyên đán Giáp Thìn",
    "an toàn giao thông",
    "35-NQ/TW",
    "Nghị quyết 35",
    "01-KL/TW",
    "Kết luận 01",
    "519-CT/TU",
    "29-NQ/TU",
    "34-KH/ĐUK",
    "01-CT/ĐUK",
    "05-CT/W",
    "lý luận chính trị",
    "chuyển đổi số",
    "khoa giáo",
    '"Ban Chỉ đạo 35"',
    "giao ban công tác tuyên giáo quý I/2023",
    '"Đảng ủy Khối các cơ quan và doanh nghiệp"',
    "Quảng Trị",
    "Hồ Đại Nam",
    "Trần Thị Lộc",
    "Đại hội Đảng lần thứ XIII",
    "dai hoi dang lan thu XIII",
    "TUYÊN GIÁO BẮC KẠN",
    "Công tác tuyên truyền miệng năm 2023 đạt kết quả gì?",
    "Báo cáo viên trong Đảng ủy Khối cần có phẩm chất gì?",
    "Ban Tuyên giáo Tỉnh ủy Bắc Kạn đã ban hành bao nhiêu văn bản trong quý I năm 2023?",
    "Hội nghị giao ban tuyên giáo ở Quảng Trị triển khai mấy nhiệm vụ trọng tâm?",
    "báo cáo viên date:2023-12",
    "tuyên giáo date:2021",
    "tuyên giáo OR báo cáo viên",
    "khen thưởng NOT Bắc Kạn",
    'title:"báo cáo viên"',
    'body:"Bộ Chính trị"',
    'org:"Quảng Trị" tuyên giáo',
    "directive:35-NQ/TW",
    _nfd("báo cáo viên"),
    _nfd("tuyên giáo Bắc Kạn"),
    _nfd("Người nghiện ma túy có bị xử lý hành chính không?"),
    _nfd('"Đảng ủy Khối"'),
]


def _unique(queries: list[str]) -> list[str]:
    return list(dict.fromkeys(queries))


SEED_QUERIES: list[str] = _unique(_README_QUERIES + _TEST_QUERIES + _TOPICAL_QUERIES)


# ----------------------------------------------------------------------------------------
# ALQAC articles: the same files as scripts/eval_alqac.py writes (copied rather than
# imported, so a dump taken later is made from the same files even if that script changes).

def article_file(law_id: str, article_id: str) -> str:
    return f"{law_id.replace('/', '_')}/{article_id}.txt"


def write_articles(alqac: Path, folder: Path) -> int:
    """One UTF-8 file per article of ``law.json``; returns how many."""
    count = 0
    for law in json.loads((alqac / "law.json").read_text(encoding="utf-8")):
        for art in law["articles"]:
            path = folder / article_file(law["id"], art["id"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(art["text"], encoding="utf-8")
            count += 1
    return count


def question_line(question: dict) -> str:
    """A question as one batch line, as eval_alqac.py sends it."""
    return " ".join(question["text"].split())


# ----------------------------------------------------------------------------------------
# Running one checkout's CLI

class Checkout:
    """Runs ``python -m search`` of one checkout, in a scratch working directory."""

    def __init__(self, path: Path, work: Path):
        self.path = path.resolve()
        self.work = work
        if not (self.path / "search" / "__main__.py").is_file():
            sys.exit(f"compare_top10: {self.path} has no search/__main__.py")
        env = {k: v for k, v in os.environ.items() if k not in ("VNSEARCH_INDEX", "NO_COLOR")}
        env["PYTHONPATH"] = os.pathsep.join([str(self.path)] + (
            [os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []))
        env.setdefault("PYTHONWARNINGS", "ignore")
        self.env = env

    def python(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *args], cwd=self.work, env=self.env, check=False,
                              capture_output=True, text=True, encoding="utf-8")

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return self.python("-m", "search", *args)

    def module_path(self) -> str:
        """Where ``import search`` resolves in the subprocess: must be this checkout."""
        found = self.python("-c", "import search; print(search.__file__)")
        if found.returncode != 0:
            sys.exit(f"compare_top10: cannot import search from {self.path}: {found.stderr.strip()}")
        where = Path(found.stdout.strip()).resolve()
        if self.path not in where.parents:
            sys.exit(f"compare_top10: `import search` resolves to {where}, not inside {self.path}")
        return str(where)

    def index(self, folder: Path, index_dir: Path) -> float:
        t0 = time.perf_counter()
        built = self.cli("index", str(folder), "--index-dir", str(index_dir))
        if built.returncode != 0:
            sys.exit(f"compare_top10: indexing {folder} failed (exit {built.returncode}): "
                     f"{built.stderr.strip()}")
        return time.perf_counter() - t0

    def batch(self, index_dir: Path, queries: list[str], extra: list[str]) -> dict[str, dict]:
        """Each query's top ``LIMIT`` (``hits``) and error line, if the CLI rejected it."""
        if len(set(queries)) != len(queries):
            raise ValueError("batch queries must be unique")
        for q in queries:
            if not q.strip() or any(c in q for c in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"):
                raise ValueError(f"not a one-line query: {q!r}")
        batch_file = self.work / "batch.txt"
        batch_file.write_text("".join(q + "\n" for q in queries), encoding="utf-8")
        found = self.cli("search", "--batch", str(batch_file), "--json", "--limit", str(LIMIT),
                         "--index-dir", str(index_dir), *extra)
        errors: dict[str, str] = {}
        other = []
        for line in found.stderr.splitlines():
            m = re.match(r"vnsearch: line (\d+): (.*)", line)
            if m and 1 <= int(m.group(1)) <= len(queries):
                errors[queries[int(m.group(1)) - 1]] = m.group(2)
            elif line.strip():
                other.append(line)
        if found.returncode not in (0, 1, 2) or (found.returncode == 2 and not errors):
            sys.exit(f"compare_top10: search {' '.join(extra)} failed (exit {found.returncode}): "
                     f"{found.stderr.strip()}")
        results = {q: {"hits": [], "error": errors.get(q)} for q in queries}
        for q, hits in _blocks(found.stdout, queries):
            results[q]["hits"] = hits
        if other:
            print(f"compare_top10: stderr of search {' '.join(extra)}: " + " | ".join(other[:5]),
                  file=sys.stderr)
        return results


def _blocks(stdout: str, queries: list[str]):
    """(query, [[doc, passage, score, highlights], ...]) for each query that has hits.

    Hits of one query are contiguous with ranks 1, 2, ...; queries without hits print
    nothing, so blocks are matched to the batch's queries in order by their ``query`` key.
    """
    blocks: list[tuple[str, list]] = []
    for line in stdout.splitlines():
        hit = json.loads(line)
        if not blocks or hit["query"] != blocks[-1][0] or hit["rank"] == 1:
            blocks.append((hit["query"], []))
        if hit["rank"] != len(blocks[-1][1]) + 1:
            sys.exit(f"compare_top10: unexpected rank {hit['rank']} for {hit['query']!r}")
        blocks[-1][1].append([hit["doc"], hit["passage"], hit["score"], hit["highlights"]])
    position = 0
    for query, hits in blocks:
        while position < len(queries) and queries[position] != query:
            position += 1
        if position == len(queries):
            sys.exit(f"compare_top10: hits for a query not in the batch, or out of order: {query!r}")
        yield query, hits
        position += 1


# ----------------------------------------------------------------------------------------
# dump

def _git(path: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(path), *args], check=False, capture_output=True,
                             text=True)
    except OSError:
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def vntc_queries() -> list[str]:
    """The bench's 52 queries (``scripts/bench.py``) without their options, each once."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return _unique([q.split(" --")[0].strip() for q in bench.QUERIES])


def write_vntc(docs: int, folder: Path) -> int:
    """``docs`` VNTC articles, spread evenly over the archive's sorted names, as ``bench.py`` takes them."""
    import tarfile

    with tarfile.open(DEFAULT_VNTC) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".txt")]
        ordered = sorted(members, key=lambda m: m.name)
        step = len(ordered) / docs if docs < len(ordered) else 1
        picked = {ordered[int(i * step)].name for i in range(min(docs, len(ordered)))}
        # in the archive's order: going back in a compressed archive decompresses it again from the start
        tar.extractall(folder, members=[m for m in members if m.name in picked], filter="data")
    return len(picked)


def dump(checkout: Path, out: Path, alqac: Path, seeds: Path, vntc_docs: int = 0) -> dict:
    """Record the top 10s of ``checkout`` into ``out`` (JSON); returns the record."""
    t_start = time.perf_counter()
    seed_files = sorted(seeds.glob("*.txt"))
    if not seed_files:
        sys.exit(f"compare_top10: no .txt reports in {seeds}")
    questions = json.loads((alqac / "questions.json").read_text(encoding="utf-8"))
    timings: dict[str, float] = {}
    corpora: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="compare_top10-") as tmp:
        work = Path(tmp)
        runner = Checkout(checkout, work)
        module = runner.module_path()

        folder = work / "seeds"
        folder.mkdir()
        for f in seed_files:
            shutil.copyfile(f, folder / f.name)
        timings["seeds index"] = runner.index(folder, work / "seeds-index")
        for name, extra in SEED_VARIANTS.items():
            t0 = time.perf_counter()
            corpora[name] = {"options": extra,
                             "queries": runner.batch(work / "seeds-index", SEED_QUERIES, extra)}
            timings[f"{name} search"] = time.perf_counter() - t0

        articles = write_articles(alqac, work / "articles")
        timings["alqac index"] = runner.index(work / "articles", work / "alqac-index")
        t0 = time.perf_counter()
        lines = _unique([question_line(q) for q in questions])
        found = runner.batch(work / "alqac-index", lines, [])
        timings["alqac search"] = time.perf_counter() - t0
        corpora["alqac"] = {"options": [], "articles": articles, "queries": {
            q["id"]: {"text": question_line(q), **found[question_line(q)]} for q in questions}}

        if vntc_docs:  # news articles: long posting lists, accentless spellings, numpy's paths
            count = write_vntc(vntc_docs, work / "vntc")
            timings["vntc index"] = runner.index(work / "vntc", work / "vntc-index")
            t0 = time.perf_counter()
            corpora["vntc"] = {"options": [], "articles": count,
                               "queries": runner.batch(work / "vntc-index", vntc_queries(), [])}
            timings["vntc search"] = time.perf_counter() - t0

    timings["total"] = time.perf_counter() - t_start
    record = {
        "format": FORMAT,
        "checkout": str(checkout.resolve()),
        "commit": _git(checkout, "rev-parse", "HEAD"),
        "dirty": bool(_git(checkout, "status", "--porcelain", "--untracked-files=no")),
        "search_module": module,
        "python": platform.python_version(),
        "limit": LIMIT,
        "seeds": [f.name for f in seed_files],
        "alqac": str(alqac.resolve()),
        "timings_s": {k: round(v, 1) for k, v in timings.items()},
        "corpora": corpora,
    }
    _write(record, out)
    counts = ", ".join(f"{name}: {len(c['queries'])} queries" for name, c in corpora.items())
    print(f"{out}: {counts}; {timings['total']:.0f} s "
          f"(commit {(record['commit'] or '?')[:7]}{', uncommitted changes' if record['dirty'] else ''})",
          file=sys.stderr)
    return record


def _write(record: dict, out: Path) -> None:
    """The dump as JSON with one line per query, so that two dumps can also be diffed."""
    def j(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["{"]
    lines += [f" {j(k)}: {j(v)}," for k, v in record.items() if k != "corpora"]
    lines.append(' "corpora": {')
    for n, (name, corpus) in enumerate(record["corpora"].items()):
        head = ", ".join(f"{j(k)}: {j(v)}" for k, v in corpus.items() if k != "queries")
        lines.append(f"  {j(name)}: {{{head}, \"queries\": {{")
        queries = list(corpus["queries"].items())
        lines += [f"   {j(k)}: {j(v)}" + ("," if i < len(queries) - 1 else "")
                  for i, (k, v) in enumerate(queries)]
        lines.append("  }}" + ("," if n < len(record["corpora"]) - 1 else ""))
    lines += [" }", "}"]
    text = "\n".join(lines) + "\n"
    if json.loads(text) != record:
        raise AssertionError("dump does not read back as written")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


# ----------------------------------------------------------------------------------------
# compare

def _short_doc(doc: str) -> str:
    stem = doc.removesuffix(".txt")
    m = re.fullmatch(r"(\d{3})_[0-9a-f]{16}", stem)
    return m.group(1) if m else stem


def _sequence(entry: dict) -> list[tuple[str, int]]:
    return [(h[0], h[1]) for h in entry["hits"]]


def _short(entry: dict) -> str:
    if entry.get("error"):
        return f"error: {entry['error']}"
    return " ".join(f"{_short_doc(d)}#{p}" for d, p in _sequence(entry)) or "(no hits)"


def _label(key: str, entry: dict) -> str:
    text = entry.get("text", key)
    text = text if len(text) <= 90 else text[:87] + "..."
    return f"{key}: {text}" if "text" in entry else text


def compare(a: dict, b: dict, names: tuple[str, str] = ("A", "B")) -> bool:
    """Print how the two dumps' top 10s compare; True when every (doc, passage) sequence is equal."""
    identical = True
    for label, rec in zip(names, (a, b)):
        print(f"{label}: {rec.get('checkout')} commit {(rec.get('commit') or '?')[:10]}"
              f"{' (uncommitted changes)' if rec.get('dirty') else ''}")
    if a.get("limit") != b.get("limit"):
        print(f"different --limit: {a.get('limit')} and {b.get('limit')}")
        identical = False
    print()
    for corpus in list(dict.fromkeys([*a["corpora"], *b["corpora"]])):
        qa = a["corpora"].get(corpus, {}).get("queries")
        qb = b["corpora"].get(corpus, {}).get("queries")
        if qa is None or qb is None:
            print(f"{corpus}: only in {names[0] if qb is None else names[1]}")
            identical = False
            continue
        common = [k for k in qa if k in qb]
        only = [k for k in qa if k not in qb] + [k for k in qb if k not in qa]
        same, differ, score_diff, highlight_diff, error_diff = 0, [], 0, 0, 0
        for key in common:
            ea, eb = qa[key], qb[key]
            if _sequence(ea) == _sequence(eb):
                same += 1
            else:
                differ.append(key)
            ha = {(h[0], h[1]): h for h in ea["hits"]}
            hb = {(h[0], h[1]): h for h in eb["hits"]}
            shared = ha.keys() & hb.keys()
            if any(abs(ha[k][2] - hb[k][2]) > SCORE_TOLERANCE + _SCORE_SLACK for k in shared):
                score_diff += 1
            if any(ha[k][3] != hb[k][3] for k in shared):
                highlight_diff += 1
            if ea.get("error") != eb.get("error"):
                error_diff += 1
        print(f"{corpus}: {same} of {len(common)} queries with identical top {LIMIT} "
              f"(doc, passage, order), {len(differ)} differ"
              + (f", {len(only)} in only one dump" if only else ""))
        print(f"  informational: {score_diff} with a score differing by > {SCORE_TOLERANCE:g}, "
              f"{highlight_diff} with different highlights, {error_diff} with a different error")
        for key in differ:
            print(f"  - {_label(key, qa[key])}")
            print(f"      {names[0]}: {_short(qa[key])}")
            print(f"      {names[1]}: {_short(qb[key])}")
        for key in only:
            print(f"  ? only in {names[0] if key in qa else names[1]}: {_label(key, qa.get(key) or qb[key])}")
        identical = identical and not differ and not only
    print()
    print("identical top 10s" if identical else "top 10s differ")
    return identical


def _load(path: Path) -> dict:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        sys.exit(f"compare_top10: cannot read {path}: {exc}")
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        sys.exit(f"compare_top10: {path} is not a format {FORMAT} dump")
    return record


# ----------------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)

    def inputs(p: argparse.ArgumentParser) -> None:
        p.add_argument("--alqac", type=Path, default=DEFAULT_ALQAC,
                       help=f"ALQAC 2022 folder (law.json, questions.json); default {DEFAULT_ALQAC}")
        p.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS,
                       help=f"folder of the seed .txt reports; default {DEFAULT_SEEDS}")
        p.add_argument("--vntc-docs", type=int, default=0,
                       help="also index this many VNTC articles and run the bench's queries (default 0: off)")

    p = sub.add_parser("dump", help="record the top 10s of one checkout")
    p.add_argument("--checkout", type=Path, required=True, help="the project checkout to run")
    p.add_argument("--out", type=Path, required=True, help="the JSON file to write")
    inputs(p)
    p = sub.add_parser("compare", help="compare two dumps (exit 1 when any top 10 differs)")
    p.add_argument("a", type=Path)
    p.add_argument("b", type=Path)
    p = sub.add_parser("run", help="dump two checkouts and compare them")
    p.add_argument("--before", type=Path, required=True)
    p.add_argument("--after", type=Path, required=True)
    p.add_argument("--work", type=Path, help="keep the two dumps in this folder (default: a temp dir)")
    inputs(p)
    args = ap.parse_args()

    if args.command == "dump":
        dump(args.checkout, args.out, args.alqac, args.seeds, args.vntc_docs)
    elif args.command == "compare":
        sys.exit(0 if compare(_load(args.a), _load(args.b), (str(args.a), str(args.b))) else 1)
    else:
        with tempfile.TemporaryDirectory(prefix="compare_top10-run-") as tmp:
            work = args.work or Path(tmp)
            before = dump(args.before, work / "before.json", args.alqac, args.seeds, args.vntc_docs)
            after = dump(args.after, work / "after.json", args.alqac, args.seeds, args.vntc_docs)
            sys.exit(0 if compare(before, after, ("before", "after")) else 1)


if __name__ == "__main__":
    main()
