#!/usr/bin/env python
"""Issue 17 acceptance: the dates `vnsearch docs --json` gives VNTC articles lie in the years they were published.

Copies N articles (default 3,000) spread evenly over VNTC's 20 folders (10
topics x Train_Full/Test_Full) out of ../shared/corpora/vntc/vntc-raw.tar.xz
into a temporary folder, indexes them through the command line, lists them with
`vnsearch docs --json` and prints how many got a date, by year and precision,
and every date outside the publication years (exit status 1 if there is one).

VNTC's articles were published 2003-2006 (the default --years): its newest
article dates are of April 2006, and it holds 2003 articles (a Tuổi Trẻ report
of the Năm Cam appeal hearing, datelined "TT (TP.HCM) - Sáng nay, 17-9-2003";
VnExpress pages whose lists of related articles end in 2003).

    python scripts/check_vntc_dates.py [--docs 3000] [--years 2003-2006] [--jobs 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "vntc" / "vntc-raw.tar.xz"


def pick(members: list[tarfile.TarInfo], docs: int) -> list[tarfile.TarInfo]:
    """``docs`` files, the same number from each folder, evenly spaced in name order."""
    folders: dict[str, list[tarfile.TarInfo]] = {}
    for m in members:
        if m.isfile() and m.name.endswith(".txt"):
            folders.setdefault(m.name.rsplit("/", 1)[0], []).append(m)
    per = docs // len(folders)
    out = []
    for _, files in sorted(folders.items()):
        files.sort(key=lambda m: m.name)
        step = len(files) / per
        out += [files[int(i * step)] for i in range(min(per, len(files)))]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--years", default="2003-2006", help="publication years, FIRST-LAST")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = ap.parse_args()
    first, last = (int(y) for y in args.years.split("-"))
    if not args.corpus.is_file():
        sys.exit(f"{args.corpus} not found")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        src, index = work / "src", work / "index"
        src.mkdir(parents=True, exist_ok=True)
        with tarfile.open(args.corpus) as tar:
            chosen = pick(tar.getmembers(), args.docs)
        names = {m.name for m in chosen}
        with tarfile.open(args.corpus, "r|xz") as tar:  # one pass: an .xz archive cannot seek cheaply
            for m in tar:
                if m.name in names:
                    target = src / m.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(tar.extractfile(m).read())
        vnsearch = [sys.executable, "-m", "search"]
        subprocess.run([*vnsearch, "index", str(src), "--index-dir", str(index), "--rebuild",
                        "--jobs", str(args.jobs)], check=True, cwd=ROOT)
        out = subprocess.run([*vnsearch, "docs", "--json", "--index-dir", str(index)], check=True,
                             capture_output=True, text=True, cwd=ROOT).stdout
    reports = [json.loads(line) for line in out.splitlines()]
    dated = [r for r in reports if r["date"]]
    by_year = Counter((r["date"][:4], r["date_precision"]) for r in dated)
    outside = [r for r in dated if not first <= int(r["date"][:4]) <= last]
    print(f"{len(chosen)} articles picked from {len(set(m.name.rsplit('/', 1)[0] for m in chosen))} folders, "
          f"{len(reports)} indexed, {len(dated)} with a date")
    print("| year | dates to the day | to the month | to the year |")
    print("| --- | --- | --- | --- |")
    for year in sorted({y for y, _ in by_year}):
        print(f"| {year} | {by_year[year, 'day']} | {by_year[year, 'month']} | {by_year[year, 'year']} |")
    print(f"dates outside {first}-{last}: {len(outside)}")
    for r in outside:
        print(f"  {r['doc']}  {r['date']} ({r['date_precision']})  {r['title'][:80]}")
    return 1 if outside else 0


if __name__ == "__main__":
    sys.exit(main())
