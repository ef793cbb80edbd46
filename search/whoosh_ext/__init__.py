"""Every use of Whoosh's private internals, fenced behind one version check.

vnsearch reaches below Whoosh's public API in two places: the posting codec
(``codec``: packed blocks through W3's writer and matcher hooks) and raw
posting and field-length reads for numpy scoring (``postings``). Those
internals are not a contract: another Whoosh could change them and search
would fall back quietly or score wrongly. So importing this package checks
that the installed Whoosh is the one these modules were written against and
stops with one clear line otherwise. ``tests/test_whoosh_fence.py`` holds the
list of private names and checks that no other module uses them.
"""

from __future__ import annotations

import whoosh

from search.errors import VnsearchError

#: The Whoosh release whose internals ``codec`` and ``postings`` read (whoosh-reloaded 2.7.5).
WHOOSH_VERSION = (2, 7, 5)


def check_version(version: tuple = whoosh.__version__) -> None:
    if tuple(version[:3]) != WHOOSH_VERSION:
        raise VnsearchError(
            f"vnsearch needs Whoosh {'.'.join(map(str, WHOOSH_VERSION))} (whoosh-reloaded), "
            f"found {'.'.join(map(str, version))}: reinstall vnsearch to get it"
        )


check_version()
