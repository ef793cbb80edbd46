"""What the library raises for problems a user can act on.

Messages say what is wrong in the library's own terms and name no command-line
option: the CLI (``cli.hint``) and the web page add their own advice, such as
``run `vnsearch index --rebuild``` after a ``DamagedIndex``.
"""

from __future__ import annotations

from pathlib import Path


class VnsearchError(Exception):
    """A problem the user can act on; ``str(exc)`` says what."""


class NoIndex(VnsearchError):
    """Nothing was ever built at ``index_dir``."""

    def __init__(self, index_dir: Path):
        super().__init__(f"no index at {index_dir}")
        self.index_dir = index_dir


class DamagedIndex(VnsearchError):
    """The index on disk cannot be read as a vnsearch index; rebuilding it is the fix.

    ``unreadable``: the operating system refuses a file (permissions may be the
    fix). Kept apart from other errors so that a batch stops at the first one
    instead of repeating it per line.
    """

    def __init__(self, message: str, *, unreadable: bool = False):
        super().__init__(message)
        self.unreadable = unreadable


class WrongIndexDir(DamagedIndex):
    """``index_dir`` is not an index but something else that ``suggested`` explains."""

    def __init__(self, message: str, index_dir: Path, suggested: Path | None = None):
        super().__init__(message)
        self.index_dir = index_dir
        self.suggested = suggested


class IndexBusy(VnsearchError):
    """Another process is writing the index."""


class BadArgument(VnsearchError):
    """A parameter's value cannot be used; ``parameter`` is its API name (``org``, ``date_from``)."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
