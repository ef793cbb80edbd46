"""The exception types the CLI turns into a one-line message and exit status 2."""


class VnsearchError(Exception):
    """A problem the user can act on; ``str(exc)`` says what and how."""


class DamagedIndex(VnsearchError):
    """The index on disk cannot be read as a vnsearch index; the message names the fix.

    Kept apart so that a batch stops at the first one instead of repeating it per line.
    """
