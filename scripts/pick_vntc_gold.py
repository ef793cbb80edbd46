#!/usr/bin/env python
"""Pick the VNTC articles of the hand-labelled gold set (tests/gold/vntc_articles.json) and copy them.

    d=$(mktemp -d) && tar -xJf ../shared/corpora/vntc/vntc-raw.tar.xz -C "$d"
    python scripts/pick_vntc_gold.py "$d" [--out tests/gold/vntc] [--list]

Deterministic (seed 17). Per source (VnExpress VNE, Người Lao Động NLD, Tuổi Trẻ TT, Thanh Niên TN): 2 articles
drawn at random from each of the 20 strata topic x {Train_Full, Test_Full}, plus 15 hard cases (VNE: 14) at random
from grep pools (VnExpress lists of related articles, "Ảnh:" captions, narrative dates before 2000, datelines
and "ngày … tháng … năm …" lines, duplicated lines), plus `Train_Full/Phap luat/PL_ VNE_ (1327).txt`
(issue 17). Then a supplement of 5 per source whose lead opens with a time and a full date (so that date recall
has a denominator: few VNTC articles state their date). The pools only choose which articles are read; every label
is made by reading the article.

Each article is written as UTF-8: decoded from UTF-16 (BOM dropped), CRLF -> LF, NFC; nothing else changed.
Name: <topic>__<train|test>__<file name>.txt with spaces replaced by "_".
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import unicodedata
from pathlib import Path

SEED = 17
SOURCES = ("VNE", "NLD", "TT", "TN")
PER_STRATUM = 2
FORCED = ("Train_Full/Phap luat/PL_ VNE_ (1327).txt",)

RELATED = re.compile(r"\(\d{2}/\d{2}/\d{4}\)\s*$", re.M)
CAPTION = re.compile(r"ảnh\s*:", re.I)
OLD_DATE = re.compile(r"\b\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*19\d\d\b|\b(?:sinh )?năm 19\d\d\b")
STAMP = re.compile(
    r"ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}"
    r"|^\s*(?:\S.{0,120}?\(?(?:NLĐ|TT|TTO)\)?\s*-\s*)?(?:Sáng|Chiều|Tối|Trưa|Đêm|Ngày|Hôm nay|Hôm qua)"
    r"\s*(?:ngày\s*|nay\s*|qua\s*)?,?\s*\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*(?:19|20)\d\d",
    re.M,
)
# the lead (NLĐ: the first line; others: the first two lines) opens with a time and a full date, e.g.
# "(NLĐ)- Ngày 26-12-2005, ..." or "Ngày 25/2/2005, ...": a date-bearing supplement, drawn after the main sample
# (which it leaves as it is)
LEAD_DATE = re.compile(
    r"^\s*(?:\S[^\n]{0,200}?\(?(?:NLĐO?|TTO?)\)?\s*-\s*)?"
    r"(?:Sáng|Chiều|Tối|Trưa|Đêm|Ngày|Hôm qua|Hôm nay|Rạng sáng|Khuya|Lúc [^,]{1,25}?)"
    r"\s*(?:ngày\s*|nay\s*|qua\s*)?,?\s*"
    r"\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*(?:19|20)\d\d"
)
SUPPLEMENT = 5
# hard-case pools and how many articles each gives per source
HARD = {
    "VNE": (("related", 7), ("caption", 3), ("old_date", 3), ("stamp", 1)),
    "NLD": (("caption", 5), ("old_date", 4), ("stamp", 4), ("duplicate", 2)),
    "TT": (("caption", 5), ("old_date", 4), ("stamp", 4), ("duplicate", 2)),
    "TN": (("caption", 5), ("old_date", 4), ("stamp", 4), ("duplicate", 2)),
}


def decode(raw: bytes) -> str:
    return unicodedata.normalize("NFC", raw.decode("utf-16").replace("\r\n", "\n"))


def source(member: str) -> str:
    return re.search(r"_ ?(VNE|NLD|TT|TN)_", member.rsplit("/", 1)[1]).group(1)


def gold_name(member: str) -> str:
    split, topic, name = member.split("/")
    return f"{topic}__{'train' if split == 'Train_Full' else 'test'}__{name}".replace(" ", "_")


def kinds(text: str) -> set[str]:
    out = set()
    if RELATED.search(text):
        out.add("related")
    if CAPTION.search(text):
        out.add("caption")
    if OLD_DATE.search(text):
        out.add("old_date")
    if STAMP.search(text):
        out.add("stamp")
    lines = [x.strip() for x in text.split("\n") if len(x.strip()) > 15]
    if len(lines) != len(set(lines)):
        out.add("duplicate")
    return out


def lead_dated(text: str, src: str) -> bool:
    lines = [x for x in text.split("\n") if x.strip()]
    return any(LEAD_DATE.search(x) for x in lines[: 1 if src == "NLD" else 2])


def pick(root: Path) -> list[tuple[str, str]]:
    """(member, why) for every picked article, in a stable order."""
    members = sorted(str(p.relative_to(root)) for p in root.glob("*_Full/*/*.txt"))
    rng = random.Random(SEED)
    picked: dict[str, str] = {m: "issue 17 example" for m in FORCED if (root / m).exists()}
    for src in SOURCES:
        mine = [m for m in members if source(m) == src]
        strata: dict[tuple[str, str], list[str]] = {}
        for m in mine:
            split, topic, _ = m.split("/")
            strata.setdefault((topic, split), []).append(m)
        for key in sorted(strata):
            pool = [m for m in strata[key] if m not in picked]
            for m in rng.sample(pool, min(PER_STRATUM, len(pool))):
                picked[m] = "random"
        text = {m: decode((root / m).read_bytes()) for m in mine}
        tags = {m: kinds(t) for m, t in text.items()}
        for kind, n in HARD[src]:
            pool = [m for m in mine if kind in tags[m] and m not in picked]
            for m in rng.sample(pool, min(n, len(pool))):
                picked[m] = f"hard: {kind}"
    for src in SOURCES:  # after the main sample, so that it stays the same
        pool = [m for m in members if source(m) == src and m not in picked]
        pool = [m for m in pool if lead_dated(decode((root / m).read_bytes()), src)]
        for m in rng.sample(pool, min(SUPPLEMENT, len(pool))):
            picked[m] = "supplement: lead opens with a full date"
    return sorted(picked.items(), key=lambda x: (source(x[0]), x[0]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root", type=Path, help="directory holding Train_Full/ and Test_Full/")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "tests" / "gold" / "vntc")
    ap.add_argument("--list", action="store_true", help="only print the picks")
    args = ap.parse_args(argv)
    picks = pick(args.root)
    if not args.list:
        args.out.mkdir(parents=True, exist_ok=True)
    for member, why in picks:
        print(f"{gold_name(member)}\t{member}\t{why}")
        if not args.list:
            (args.out / gold_name(member)).write_bytes(decode((args.root / member).read_bytes()).encode("utf-8"))
    print(f"{len(picks)} articles", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
