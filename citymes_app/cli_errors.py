"""The error every management command raises for a person to read (printed on stderr, exit status 2)."""


class CommandError(Exception):
    """A command that cannot be done; the message says what to do instead."""
