"""The two ways an input fails: the file cannot be read at all, or its content is not a report."""


class ReadError(ValueError):
    """The input cannot be read; str(error) is a one-line Chinese reason."""


class ParseError(ValueError):
    """Input that cannot be read as a report; the message names the line or cell."""
