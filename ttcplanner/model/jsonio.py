"""Safe JSON reading and atomic writing for catalogs and scenarios.

Only plain JSON is ever read (no pickle, no eval); NaN/Infinity, non-UTF-8 bytes, files over a size
limit and absurd nesting are rejected with an InputError naming the file.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from ttcplanner.model.errors import InputError

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 32


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _check_depth(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        for item in value.values():
            _check_depth(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_depth(item, depth + 1)


def parse_json_text(text: str, source: str) -> Any:
    """Parse JSON text strictly; raise InputError naming ``source``."""
    try:
        data = json.loads(text, parse_constant=_reject_constant)
        _check_depth(data)
    except RecursionError:
        raise InputError(f"nested deeper than {MAX_DEPTH} levels", source=source) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", source=source) from None
    except ValueError as exc:
        raise InputError(str(exc), source=source) from None
    return data


def read_json(path: str | os.PathLike[str], what: str = "file") -> Any:
    """Read a JSON file, rejecting anything that is not small, UTF-8, finite JSON."""
    p = Path(path)
    source = str(p)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{what} not found", source=source) from None
    except OSError as exc:
        raise InputError(f"cannot read {what} ({exc.strerror})", source=source) from None
    if p.is_dir():
        raise InputError(f"is a folder, not a {what}", source=source)
    if size > MAX_FILE_BYTES:
        raise InputError(f"{what} is {size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB", source=source)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what} ({exc.strerror})", source=source) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (bad byte at offset {exc.start})", source=source) from None
    if not text.strip():
        raise InputError(f"{what} is empty", source=source)
    return parse_json_text(text, source)


def write_json_atomic(path: str | os.PathLike[str], data: Any) -> None:
    """Write JSON atomically (see write_bytes_atomic)."""
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, what: str = "file") -> None:
    """Write to a temporary file beside ``path``, fsync it, then rename over ``path``.

    A crash or a full disk leaves either the old file or the new one, never half of one. An existing
    file keeps its permissions; a new one gets 0666 minus the umask (mkstemp alone would make it 0600).
    """
    p = Path(path)
    directory = p.parent if str(p.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot write in {directory} ({exc.strerror or exc})", source=str(p)) from None
    try:
        os.chmod(tmp, _file_mode(p))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise InputError(f"cannot write the {what} ({exc.strerror or exc})", source=str(p)) from None


def _file_mode(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def finite_number(value: Any, field: str, source: str, *, minimum: float | None = None,
                  maximum: float | None = None, integer: bool = False) -> float:
    """Validate one numeric field; bools and strings are not numbers."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"must be a number, got {type(value).__name__} {value!r}"[:200], field=field, source=source)
    if not math.isfinite(value):
        raise InputError("must be finite", field=field, source=source)
    if integer and float(value) != int(value):
        raise InputError(f"must be a whole number, got {value}", field=field, source=source)
    if minimum is not None and value < minimum:
        raise InputError(f"must be at least {minimum:g}, got {value:g}", field=field, source=source)
    if maximum is not None and value > maximum:
        raise InputError(f"must be at most {maximum:g}, got {value:g}", field=field, source=source)
    return int(value) if integer else float(value)
