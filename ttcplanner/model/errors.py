"""The one error type the model layer raises for bad input.

Every front end turns it into one line (CLI, exit 2) or one dialog (GUI); the message names the
file, entry and field so the user can fix it without reading a traceback.
"""

from __future__ import annotations

MAX_MESSAGE = 2000  # characters: a megabyte-long key or path must not become a megabyte-long error line


class InputError(ValueError):
    """Bad user input: a file, a field value or an unknown id.

    The message is always one printable line: newlines, other control characters and text that cannot
    be encoded (a lone surrogate, a file name in a foreign encoding) are shown escaped, so a path with a
    newline cannot split the CLI's one-line error and printing it never fails; it is cut at MAX_MESSAGE.
    """

    def __init__(self, message: str, *, field: str | None = None, source: str | None = None):
        self.field = field
        self.source = source
        parts = []
        if source:
            parts.append(str(source))
        if field:
            parts.append(field)
        prefix = ": ".join(parts)
        text = one_line(f"{prefix}: {message}" if prefix else str(message))
        super().__init__(text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…")


def one_line(text: str) -> str:
    """``text`` with control characters and unencodable characters escaped (repr-style)."""
    if text.isprintable():
        try:
            text.encode("utf-8")
            return text
        except UnicodeEncodeError:
            pass
    out = []
    for ch in text:
        if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1] if ch != "'" else ch)
    return "".join(out)
