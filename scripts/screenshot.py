#!/usr/bin/env python
"""The README's screenshot of the search page, made anew from the current code.

Indexes the bundled seeds into a temporary folder, starts `vnsearch serve` on a
free local port, opens the search page for a query in the system's Chromium
(through Playwright, as the browser tests do) and saves a PNG.

    python scripts/screenshot.py [--query 'tuyen giao'] [--out docs/search-page.png]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--query", default="tuyen giao")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "search-page.png")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        ix = Path(tmp) / "index"
        subprocess.run([sys.executable, "-m", "search", "index", str(ROOT / "seeds"), "--index-dir", str(ix)],
                       check=True, capture_output=True)
        server = subprocess.Popen([sys.executable, "-m", "search", "serve", "--index-dir", str(ix), "--port", "0"],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            url = None
            deadline = time.monotonic() + 30
            while url is None and time.monotonic() < deadline:
                line = server.stdout.readline()
                found = re.search(r"http://127\.0\.0\.1:\d+/?", line)
                url = found.group(0).rstrip("/") if found else None
            if url is None:
                sys.exit("the server printed no URL")
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="vi-VN")
                page.goto(f"{url}/?q={quote(args.query)}")
                page.wait_for_load_state("networkidle")
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out))
                browser.close()
        finally:
            server.terminate()
            server.wait()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
