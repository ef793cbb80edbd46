#!/usr/bin/env python
"""Extraction quality against hand-labelled gold.

Prints one table of:

1. precision and recall of document-code extraction on the govdocs gold
   (tests/gold/govdocs_codes.json: every code mention in 29 files of
   ../shared/corpora/govdocs/ground-truth, labelled by reading), counted as
   multisets of mentions per file (left out when ../shared is not there);
2. the accuracy of each metadata field on the five seed reports
   (tests/gold/seeds_metadata.json);
3. dates and page furniture on the VNTC gold (tests/gold/vntc_articles.json,
   the articles' text in tests/gold/vntc/):
   - date precision: of the dates the extractor gives, the share equal to the
     gold date at the gold's precision (a date where the gold has none is wrong);
   - date recall: of the articles whose gold has a date, the share given it;
   - furniture removed: of the gold's furniture lines, the share not among the
     passages' lines;
   - the author's lines kept: of the file's other lines (not furniture, not the
     gold title, not listed as unsure), the share present in the passages. A
     line is present when its text, after the normalisation below, is part of
     the passages' text joined; a line the title opens (Người Lao Động) is
     checked without the title, and a line holding inline furniture (a caption
     glued to a paragraph) piece by piece around it.

   Normalisation: NFC, HTML character references decoded, whitespace runs to
   one space, ends stripped.

    python scripts/eval_extract.py [--govdocs DIR] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.ingest.metadata.directives import code_mentions  # noqa: E402
from search.ingest.report import parse_document, unescape_entities  # noqa: E402
from search.text.normalize import clean_text  # noqa: E402

GOLD = ROOT / "tests" / "gold"
DEFAULT_GOVDOCS = ROOT.parent / "shared" / "corpora" / "govdocs" / "ground-truth"
PRECISION_CHARS = {"day": 10, "month": 7, "year": 4}


def code_scores(govdocs: Path, verbose: bool = False) -> dict | None:
    if not govdocs.is_dir():
        return None
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


def norm(text: str) -> str:
    """What "the same text" means here: see the module docstring."""
    return re.sub(r"\s+", " ", unescape_entities(clean_text(text))).strip()


def date_right(got: str | None, precision: str | None, gold: str | None) -> bool:
    """The extracted date equals the gold date at the gold's precision (never finer than given)."""
    if got is None or gold is None:
        return False
    chars = len(gold)
    return PRECISION_CHARS[precision] >= chars and got[:chars] == gold


def _pieces(line: str, title: str | None, inline: list[str]) -> list[str]:
    """What of a file's line the passages must hold: without the title it opens, around inline furniture."""
    text = norm(line)
    if title and text.startswith(title):
        text = text[len(title):]
    pieces = [text]
    for cut in (norm(s) for s in inline):
        pieces = [p for piece in pieces for p in (piece.split(cut) if cut else [piece])]
    return [p.strip() for p in pieces if p.strip()]


def vntc_scores(verbose: bool = False) -> dict | None:
    """Dates and furniture on the VNTC gold (see the module docstring)."""
    path = GOLD / "vntc_articles.json"
    if not path.is_file():
        return None
    gold = json.loads(path.read_text(encoding="utf-8"))["articles"]
    given = right = dated = found = 0
    furniture = removed = authors = kept = 0
    for name, g in sorted(gold.items()):
        raw = (GOLD / "vntc" / name).read_text(encoding="utf-8")
        doc = parse_document(name, raw)
        date = doc.date.isoformat() if doc.date else None
        ok = date_right(date, doc.date_precision, g["date"])
        given += date is not None
        right += ok
        dated += g["date"] is not None
        found += ok and g["date"] is not None
        if verbose and (date is not None or g["date"] is not None) and not ok:
            print(f"{name} date: got {date} ({doc.date_precision}), want {g['date']} ({g['date_evidence']})")
        passage_lines = Counter(norm(ln) for p in doc.passages for ln in p.text.split("\n"))
        joined = " ".join(norm(p.text) for p in doc.passages)
        lines = [ln for ln in raw.split("\n") if ln.strip()]
        occurs = Counter(norm(ln) for ln in lines)
        listed = Counter(norm(ln) for ln in g["furniture"])
        unsure = Counter(norm(ln) for ln in g.get("unsure_lines") or [])
        for text, k in listed.items():
            # the file's copies that are the author's come first; those beyond are furniture
            n = occurs[text]
            gone = min(k, max(0, n - passage_lines[text]))
            furniture += k
            removed += gone
            if verbose and gone < k:
                print(f"{name} furniture kept: {text[:100]!r}")
        title = norm(g["title"]) if g.get("title") else None
        skip = listed + unsure
        for ln in lines:
            text = norm(ln)
            if skip[text] > 0:
                skip[text] -= 1
                continue
            if text == title:
                continue
            pieces = _pieces(ln, title, g.get("inline_furniture") or [])
            if not pieces:
                continue
            authors += 1
            if all(p in joined for p in pieces):
                kept += 1
            elif verbose:
                missing = next(p for p in pieces if p not in joined)
                print(f"{name} line lost: {missing[:100]!r}")
    return {
        "articles": len(gold), "dated": dated, "given": given,
        "date precision": right / given if given else 1.0,
        "date recall": found / dated if dated else 1.0,
        "furniture lines": furniture, "author lines": authors,
        "furniture removed": removed / furniture if furniture else 1.0,
        "author lines kept": kept / authors if authors else 1.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--govdocs", type=Path, default=DEFAULT_GOVDOCS)
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    codes = code_scores(args.govdocs, args.verbose)
    seeds = seed_scores(args.verbose)
    vntc = vntc_scores(args.verbose)
    print("| measure | value |")
    print("| --- | --- |")
    if codes:
        print(f"| govdocs code mentions (gold: {codes['files']} files, {codes['mentions']} mentions) | |")
        print(f"| code precision | {codes['precision']:.3f} |")
        print(f"| code recall | {codes['recall']:.3f} |")
    else:
        print(f"| govdocs code mentions | n/a ({args.govdocs} not found) |")
    for field, acc in seeds.items():
        print(f"| seeds: {field} accuracy | {acc:.2f} |")
    if vntc:
        print(f"| VNTC gold: articles (with a gold date; dates given) | {vntc['articles']} "
              f"({vntc['dated']}; {vntc['given']}) |")
        print(f"| VNTC date precision | {vntc['date precision']:.3f} |")
        print(f"| VNTC date recall | {vntc['date recall']:.3f} |")
        print(f"| VNTC furniture removed ({vntc['furniture lines']} lines) | {vntc['furniture removed']:.3f} |")
        print(f"| VNTC author's lines kept ({vntc['author lines']} lines) | {vntc['author lines kept']:.3f} |")


if __name__ == "__main__":
    main()
