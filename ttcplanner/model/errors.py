"""The one error type the model layer raises for bad input.

Every front end turns it into one line (CLI, exit 2) or one dialog (GUI); the message names the
file, entry and field so the user can fix it without reading a traceback.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input: a file, a field value or an unknown id."""

    def __init__(self, message: str, *, field: str | None = None, source: str | None = None):
        self.field = field
        self.source = source
        parts = []
        if source:
            parts.append(str(source))
        if field:
            parts.append(field)
        prefix = ": ".join(parts)
        super().__init__(f"{prefix}: {message}" if prefix else message)
