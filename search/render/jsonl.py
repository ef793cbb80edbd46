"""JSON Lines: one record per line, whatever the text holds."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO

# Line ends that JSON leaves raw inside strings but str.splitlines(), editors and
# pre-2019 JavaScript split on: escaped, so that one record is always one line.
_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def write_jsonl(records: Iterable[dict], out: IO[str]) -> None:
    for rec in records:
        out.write(json.dumps(rec, ensure_ascii=False).translate(_LINE_BREAKS) + "\n")
