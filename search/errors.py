"""The one exception type the CLI turns into a one-line message and exit status 2."""


class VnsearchError(Exception):
    """A problem the user can act on; ``str(exc)`` says what and how."""
