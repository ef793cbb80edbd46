"""Does a six-word phrase from the middle of each govdocs transcript find its original in the top 3?

The acceptance check of the formats in the default install (issue 16): after

    vnsearch index ../shared/corpora/govdocs/corpus --index-dir /tmp/govix

each original in a supported format (.doc, .docx, .pdf, .rtf, .xls, .xlsx) that
has a transcript (``X.ext`` -> ``ground-truth*/X.txt``, see the corpus README)
gets one query: the six words at the middle of its transcript, in quotes (a
phrase). Words are the transcript's whitespace-separated tokens with the
punctuation around them stripped (tokens without a letter or digit are left
out, and so are double quotes, which would end the phrase). The original is
found if its file is among the 3 hits.

    python scripts/eval_govdocs_phrases.py --index-dir /tmp/govix [--corpus DIR] [--build]

``--build`` indexes the corpus into ``--index-dir`` first (``search.api.build_index``).
Prints every miss with the phrase and the files that came first, then the count;
exits 0 when at least ``--target`` originals (default 104) are found, else 1.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.api import build_index, open_index  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "corpora" / "govdocs"
FORMATS = (".doc", ".docx", ".pdf", ".rtf", ".xls", ".xlsx")
PHRASE_WORDS = 6
TOP = 3
_EDGE = re.compile(r"^[^\w]+|[^\w]+$")


def originals(corpus: Path) -> list[tuple[Path, Path]]:
    """(original, transcript) for every original in FORMATS that has a transcript."""
    transcripts = {p.stem: p for d in sorted(corpus.glob("ground-truth*")) for p in d.glob("*.txt")}
    return [
        (f, transcripts[f.stem])
        for f in sorted((corpus / "corpus").rglob("*"))
        if f.suffix.lower() in FORMATS and f.stem in transcripts
    ]


def middle_phrase(transcript: Path, n: int = PHRASE_WORDS) -> str:
    """The ``n`` words at the middle of the transcript, as one space-separated string."""
    words = []
    for token in transcript.read_text(encoding="utf-8-sig").split():
        word = _EDGE.sub("", token.replace('"', ""))
        if any(ch.isalnum() for ch in word):
            words.append(word)
    start = max(0, len(words) // 2 - n // 2)
    return " ".join(words[start : start + n])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--corpus", type=Path, default=DEFAULT)
    ap.add_argument("--build", action="store_true", help="index the corpus into --index-dir first")
    ap.add_argument("--target", type=int, default=104)
    args = ap.parse_args()
    if not (args.corpus / "corpus").is_dir():
        print(f"eval_govdocs_phrases: no corpus at {args.corpus}", file=sys.stderr)
        return 2
    if args.build:
        stats = build_index([str(args.corpus / "corpus")], str(args.index_dir))
        print(f"indexed {stats.indexed}, skipped {stats.skipped}")
    pairs = originals(args.corpus)
    found = 0
    with open_index(str(args.index_dir)) as index:
        for original, transcript in pairs:
            phrase = middle_phrase(transcript)
            hits = index.search(f'"{phrase}"', limit=TOP)
            paths = [Path(h.path).resolve() for h in hits]
            if original.resolve() in paths:
                found += 1
            else:
                firsts = ", ".join(Path(h.path).name for h in hits) or "no hit"
                print(f"- {original.name}: \"{phrase}\" -> {firsts}")
    print(f"\n{found} of {len(pairs)} originals found in the top {TOP} by a {PHRASE_WORDS}-word phrase "
          f"from the middle of their transcript (target {args.target})")
    return 0 if found >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
