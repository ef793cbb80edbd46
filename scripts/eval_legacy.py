"""How much of each legacy-encoded original does vnsearch read back exactly?

For every .rtf, .pdf, .docx, .doc, .xls and .xlsx under ../shared/corpora/govdocs/corpus/
that has a transcript (``X.ext`` -> ``ground-truth*/X.txt``), the file is read with
``search.ingest.formats.read_report`` and compared with its transcript.

Measure, per file: the share of the transcript's syllables recovered exactly.
Syllables are the letter/digit runs (``\\w+``) of the NFC, lower-cased text;
recovered = the multiset intersection of the read syllables with the
transcript's (each transcript syllable counts once per occurrence it is matched
by), divided by the transcript's syllable count. Order is ignored on purpose:
table cells and PDF columns come out in another order than the transcriber
typed them, which matters to nobody searching (spreadsheets come out row by
row, cells joined by `` | ``). Per format, the figure is the micro-average (all
syllables of all files of that format) and the worst file. A format with no
original in the corpus (.xlsx here) gets no row.

    python scripts/eval_legacy.py [--corpus DIR] [--threshold 0.98]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.ingest.formats import Skip, read_report  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "corpora" / "govdocs"
FORMATS = (".rtf", ".pdf", ".docx", ".doc", ".xls", ".xlsx")
_WORD = re.compile(r"\w+")


def syllables(text: str) -> Counter:
    return Counter(_WORD.findall(unicodedata.normalize("NFC", text).lower()))


def pairs(corpus: Path) -> list[tuple[Path, Path]]:
    """(original, transcript) for every original in FORMATS that has a transcript."""
    transcripts = {p.stem: p for d in sorted(corpus.glob("ground-truth*")) for p in d.glob("*.txt")}
    return [
        (f, transcripts[f.stem])
        for f in sorted((corpus / "corpus").rglob("*"))
        if f.suffix.lower() in FORMATS and f.stem in transcripts
    ]


def score(original: Path, transcript: Path) -> tuple[int, int]:
    """(syllables recovered, transcript syllables)."""
    truth = syllables(transcript.read_text(encoding="utf-8-sig"))
    try:
        read = syllables(read_report(original).text)
    except Skip:
        read = Counter()
    return sum((truth & read).values()), sum(truth.values())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT)
    ap.add_argument("--threshold", type=float, default=0.98)
    args = ap.parse_args()
    if not (args.corpus / "corpus").is_dir():
        print(f"eval_legacy: no corpus at {args.corpus}", file=sys.stderr)
        return 2
    results: dict[str, list[tuple[str, int, int]]] = {s: [] for s in FORMATS}
    start = time.perf_counter()
    for original, transcript in pairs(args.corpus):
        got, total = score(original, transcript)
        results[original.suffix.lower()].append((original.name, got, total))
    elapsed = time.perf_counter() - start

    print("| format | files | transcript syllables | recovered exactly | worst file |")
    print("| --- | --- | --- | --- | --- |")
    below = []
    for suffix, rows in results.items():
        if not rows:
            continue
        got = sum(r[1] for r in rows)
        total = sum(r[2] for r in rows)
        worst = min(rows, key=lambda r: r[1] / max(r[2], 1))
        print(f"| {suffix} | {len(rows)} | {total:,} | {got / total:.4f} | "
              f"{worst[1] / max(worst[2], 1):.4f} ({worst[0]}) |")
        below += [r for r in rows if r[1] / max(r[2], 1) < args.threshold]
    print()
    if below:
        print(f"Files below {args.threshold}:")
        for name, got, total in below:
            print(f"- {name}: {got / max(total, 1):.4f} ({total - got} of {total} syllables missed)")
    else:
        print(f"Every file is at or above {args.threshold}.")
    print(f"\n({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
