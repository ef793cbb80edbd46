"""Word 97-2003 (.doc) through the ``antiword`` program, when it is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from search.ingest import legacy
from search.ingest.formats.base import FileText, Skip

ANTIWORD_TIMEOUT = 60  # seconds; a .doc that takes longer is skipped


def read_doc(path: Path) -> FileText:
    """Word 97-2003 through antiword, when installed; its UTF-8 output loses fonts,
    so legacy text is found by detection."""
    antiword = shutil.which("antiword")
    if antiword is None:
        raise Skip(".doc needs antiword (apt-get install antiword)")
    try:
        done = subprocess.run([antiword, "-w", "0", "-m", "UTF-8.txt", str(path)],
                              capture_output=True, timeout=ANTIWORD_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise Skip(f"antiword took over {ANTIWORD_TIMEOUT} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise Skip(f"antiword failed: {message[-1] if message else done.returncode}")
    text, found = legacy.fix_text(done.stdout.decode("utf-8", errors="replace"))
    return FileText(_paragraphs(text), encoding=found or "unicode")


def _paragraphs(text: str) -> str:
    """One paragraph per line, separated by blank lines."""
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n\n".join(ln for ln in lines if ln)
