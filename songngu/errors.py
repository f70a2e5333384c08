"""The one exception type users see: bad input, reported as a single line."""


class InputError(Exception):
    """Input that songngu cannot use: unreadable, not UTF-8, malformed.

    The message is complete and says where: ``"FILE:LINE: what is wrong"`` or
    ``"FILE: byte N: what is wrong"``. The command line prints it as one line and exits 2.
    """
