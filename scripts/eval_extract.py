#!/usr/bin/env python
"""Extraction quality against hand-labelled gold.

Prints (1) precision and recall of document-code extraction on the govdocs gold
(tests/gold/govdocs_codes.json: every code mention in 29 files of
../shared/corpora/govdocs/ground-truth, labelled by reading), counted as
multisets of mentions per file; (2) the accuracy of each metadata field on the
five seed reports (tests/gold/seeds_metadata.json).

    python scripts/eval_extract.py [--govdocs DIR] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.ingest.metadata.directives import code_mentions  # noqa: E402
from search.ingest.report import parse_document  # noqa: E402
from search.text.normalize import clean_text  # noqa: E402

GOLD = ROOT / "tests" / "gold"
DEFAULT_GOVDOCS = ROOT.parent / "shared" / "corpora" / "govdocs" / "ground-truth"


def code_scores(govdocs: Path, verbose: bool = False) -> dict:
    gold = json.loads((GOLD / "govdocs_codes.json").read_text(encoding="utf-8"))["files"]
    tp = fp = fn = 0
    for name, mentions in sorted(gold.items()):
        text = clean_text((govdocs / name).read_text(encoding="utf-8"))
        want = Counter(m["code"] for m in mentions)
        got = Counter(code for code, _, _ in code_mentions(text, bare=False))
        tp += sum((want & got).values())
        fp += sum((got - want).values())
        fn += sum((want - got).values())
        if verbose and want != got:
            print(f"{name}: missed {dict(want - got)} spurious {dict(got - want)}")
    return {
        "files": len(gold),
        "mentions": tp + fn,
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
    }


def seed_scores(verbose: bool = False) -> dict[str, float]:
    gold = json.loads((GOLD / "seeds_metadata.json").read_text(encoding="utf-8"))["reports"]
    right: Counter[str] = Counter()
    for name, g in gold.items():
        d = parse_document(name, (ROOT / "seeds" / name).read_text(encoding="utf-8"))
        date = d.date.isoformat() if d.date else None
        if d.date_precision == "year" and date:
            date = date[:4]
        elif d.date_precision == "month" and date:
            date = date[:7]
        got = {
            "title": d.title,
            "date": date,
            "date_precision": d.date_precision,
            "organization": d.organization,
            "directives": sorted(d.directives),
            "directive_dates": {c: d.directive_info[c]["date"] for c in g["directive_dates"]
                                if c in d.directive_info},
        }
        want = dict(g, directives=sorted(g["directives"]))
        for field in got:
            if got[field] == want[field]:
                right[field] += 1
            elif verbose:
                print(f"{name} {field}: got {got[field]!r}, want {want[field]!r}")
    return {field: right[field] / len(gold) for field in
            ["title", "date", "date_precision", "organization", "directives", "directive_dates"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--govdocs", type=Path, default=DEFAULT_GOVDOCS)
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    codes = code_scores(args.govdocs, args.verbose)
    seeds = seed_scores(args.verbose)
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| govdocs code mentions (gold: {codes['files']} files, {codes['mentions']} mentions) | |")
    print(f"| code precision | {codes['precision']:.3f} |")
    print(f"| code recall | {codes['recall']:.3f} |")
    for field, acc in seeds.items():
        print(f"| seeds: {field} accuracy | {acc:.2f} |")


if __name__ == "__main__":
    main()
