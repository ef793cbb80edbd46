#!/usr/bin/env python
"""Ranking quality on ALQAC 2022 legal retrieval, vnsearch next to plain BM25, in one run.

Writes one file per law article (1,377) to a temporary folder, builds a vnsearch
index of them through the public CLI (`vnsearch index`), runs all 520 questions
in one `vnsearch search --batch --json` call, and scores article-level R@1,
R@10 and MRR@10 (an article's rank is that of its best passage). The
reference is plain BM25 (the `bm25s` package) over pyvi-segmented, lower-cased
words of the same articles, measured in the same run.

Questions are split by id into a tuning half (even numbers, used while
choosing the ranking weights in search/rank/score.py) and a held-out half (odd),
reported separately so over-fitting would show.

    pip install bm25s            # the reference only
    python scripts/eval_alqac.py [--alqac DIR] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ALQAC = ROOT.parent / "shared" / "corpora" / "alqac2022"
DEPTH = 10


def article_file(law_id: str, article_id: str) -> str:
    return f"{law_id.replace('/', '_')}/{article_id}.txt"


def write_articles(alqac: Path, folder: Path) -> dict[str, str]:
    """One UTF-8 file per article; returns file name -> article text."""
    texts = {}
    for law in json.loads((alqac / "law.json").read_text(encoding="utf-8")):
        for art in law["articles"]:
            name = article_file(law["id"], art["id"])
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(art["text"], encoding="utf-8")
            texts[name] = art["text"]
    return texts


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search", *args], cwd=ROOT,
                          capture_output=True, text=True)


def vnsearch_rankings(folder: Path, index: Path, questions: list[dict]) -> tuple[dict, float, float]:
    t0 = time.perf_counter()
    built = cli("index", str(folder), "--index-dir", str(index), "--rebuild")
    if built.returncode != 0:
        sys.exit(f"indexing failed: {built.stderr.strip()}")
    t1 = time.perf_counter()
    batch = index.parent / "questions.txt"
    batch.write_text("".join(" ".join(q["text"].split()) + "\n" for q in questions), encoding="utf-8")
    found = cli("search", "--batch", str(batch), "--json", "--limit", "50", "--index-dir", str(index))
    if found.returncode not in (0, 1):
        sys.exit(f"search failed: {found.stderr.strip()}")
    t2 = time.perf_counter()
    by_query: dict[str, list[str]] = defaultdict(list)
    for line in found.stdout.splitlines():
        hit = json.loads(line)
        ranked = by_query[hit["query"]]
        if hit["doc"] not in ranked:
            ranked.append(hit["doc"])
    return ({q["id"]: by_query.get(" ".join(q["text"].split()), []) for q in questions},
            t1 - t0, t2 - t1)


def bm25_rankings(texts: dict[str, str], questions: list[dict]) -> dict[str, list[str]]:
    import bm25s
    from pyvi import ViTokenizer

    def tokens(text: str) -> list[str]:
        return re.findall(r"\w+", ViTokenizer.tokenize(text).lower())

    names = sorted(texts)
    retriever = bm25s.BM25()
    retriever.index([tokens(texts[n]) for n in names], show_progress=False)
    out = {}
    for q in questions:
        docs, _ = retriever.retrieve([tokens(q["text"])], k=DEPTH, show_progress=False)
        out[q["id"]] = [names[i] for i in docs[0]]
    return out


def scores(rankings: dict[str, list[str]], questions: list[dict]) -> dict[str, float]:
    r1 = r10 = mrr = 0.0
    for q in questions:
        gold = {article_file(a["law_id"], a["article_id"]) for a in q["relevant_articles"]}
        ranked = rankings[q["id"]][:DEPTH]
        rank = next((i for i, d in enumerate(ranked, start=1) if d in gold), None)
        r1 += rank == 1
        r10 += rank is not None
        mrr += 1 / rank if rank else 0
    n = len(questions)
    return {"R@1": r1 / n, "R@10": r10 / n, "MRR@10": mrr / n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--alqac", type=Path, default=DEFAULT_ALQAC)
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temp dir)")
    args = ap.parse_args()
    questions = json.loads((args.alqac / "questions.json").read_text(encoding="utf-8"))
    parts = {
        "tuning half": [q for q in questions if int(q["id"].split("-")[1]) % 2 == 0],
        "held-out half": [q for q in questions if int(q["id"].split("-")[1]) % 2 == 1],
        "all": questions,
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        texts = write_articles(args.alqac, work / "articles")
        ours, t_index, t_search = vnsearch_rankings(work / "articles", work / "index", questions)
        try:
            reference = bm25_rankings(texts, questions)
        except ImportError as exc:
            reference = None
            print(f"(reference skipped: {exc}; pip install bm25s)", file=sys.stderr)
    print(f"ALQAC 2022: {len(texts)} articles, {len(questions)} questions; "
          f"vnsearch index {t_index:.1f} s, 520 queries {t_search:.1f} s (CLI, one batch)\n")
    print("| questions | system | R@1 | R@10 | MRR@10 |")
    print("| --- | --- | --- | --- | --- |")
    for part, qs in parts.items():
        systems = [("vnsearch", ours)] + ([("BM25 (bm25s, pyvi words)", reference)] if reference else [])
        for name, rankings in systems:
            s = scores(rankings, qs)
            print(f"| {part} ({len(qs)}) | {name} | {s['R@1']:.3f} | {s['R@10']:.3f} | {s['MRR@10']:.3f} |")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main()
