"""The one guarded way in and out for files: every input file is read here, every save written here.

Reading (``read_input_bytes``/``read_input_text``/``read_json``): regular files only -- a FIFO would hang
the open, a device (also behind a symlink, e.g. to /dev/zero) reports size 0 and reads forever -- at most a
size cap, strict UTF-8, and only plain JSON (no pickle, no eval): NaN/Infinity, absurd nesting, integers
past 1e18 and text UTF-8 cannot encode are rejected with an InputError naming the file and the field.
Writing (``write_bytes_atomic``/``write_json_atomic``): a short temporary file beside the real target,
renamed over it; symlinks are written through, devices/FIFOs/folders are never replaced.
"""

from __future__ import annotations

import json
import math
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from ttcplanner.model.errors import InputError

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 32
MAX_INT_DIGITS = 4000  # longer integer literals are refused while parsing (int() of them is slow)
MAX_INT = 10**18  # any count or price fits; bigger integers lose precision as floats or overflow them


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(text.lstrip('-'))} digits is out of range")
    return int(text)


def parse_json_text(text: str, source: str) -> Any:
    """Parse JSON text strictly; raise InputError naming ``source`` (and the field, for bad values)."""
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
    except RecursionError:
        raise InputError(f"nested deeper than {MAX_DEPTH} levels", source=source) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", source=source) from None
    except ValueError as exc:
        raise InputError(str(exc), source=source) from None
    _check_tree(data, source)
    return data


def _check_tree(data: Any, source: str) -> None:
    """Depth, integers a float can hold, and text UTF-8 can encode (a lone surrogate like \\ud800 is
    valid JSON but fails at every later print, save or PDF), each error naming the field."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(f"nested deeper than {MAX_DEPTH} levels", field=where or None, source=source)
        if isinstance(value, dict):
            for key, item in value.items():
                sub = f"{where}.{key}" if where else str(key)
                _check_text(key, sub, source, "key")
                stack.append((item, sub, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str):
            _check_text(value, where, source)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            raise InputError(
                f"integer {str(value)[:12]}... is out of range (at most {MAX_INT:.0e})",
                field=where or None,
                source=source,
            )


def _check_text(text: str, where: str, source: str, what: str = "text") -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"{what} holds a character that cannot be encoded "
            f"({text[exc.start]!r} at position {exc.start}); replace it",
            field=where or None,
            source=source,
        ) from None


def _describe(path: object) -> str:
    return str(path)


def read_input_bytes(path: str | os.PathLike[str], what: str = "file", max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Read an input file: a regular file only, at most ``max_bytes``; every failure is one InputError.

    FIFOs, devices, sockets and folders (also behind a symlink, e.g. one to /dev/zero) are refused from
    ``os.stat`` before anything is opened for reading: a FIFO would block the open and a device reports
    size 0 and reads forever. The open itself is non-blocking and checked again with ``fstat`` (the path
    may have changed in between), and at most ``max_bytes + 1`` bytes are ever read.
    """
    source = _describe(path)
    if not source:
        raise InputError(f"no {what} given (empty path)")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{what} not found", source=source) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {what} ({_reason(exc)})", source=source) from None
    _require_regular(st.st_mode, what, source)
    if st.st_size > max_bytes:
        raise InputError(f"{what} is {st.st_size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB", source=source)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {what} ({_reason(exc)})", source=source) from None
    try:
        _require_regular(os.fstat(fd).st_mode, what, source)
        chunks, left = [], max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise InputError(f"cannot read {what} ({_reason(exc)})", source=source) from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > max_bytes:
        raise InputError(f"{what} is larger than the limit of {max_bytes / 1e6:.0f} MB", source=source)
    return raw


def _require_regular(mode: int, what: str, source: str) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise InputError(f"is a folder, not a {what}", source=source)
    kind = (
        "a FIFO (named pipe)"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    raise InputError(f"is {kind}, not a regular file; give a {what} saved on disk", source=source)


def require_folder(path: str | os.PathLike[str], what: str = "folder") -> Path:
    """``path`` if it is an existing folder; otherwise one InputError (not found, not a folder, a name too
    long, no permission...), where Path.is_dir would raise OSError for some of these."""
    source = str(path)
    if not source:
        raise InputError(f"no {what} given (empty path)")
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"{what} not found", source=source) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot open {what} ({_reason(exc)})", source=source) from None
    if not stat.S_ISDIR(st.st_mode):
        raise InputError(f"{what} not found (this is a file, not a folder)", source=source)
    return Path(path)


def make_folder(path: str | os.PathLike[str], what: str = "folder") -> Path:
    """Create ``path`` (and its parents) if needed; any refusal (a file in the way, no permission, a name
    the OS cannot take) is one InputError."""
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot create {what} ({_reason(exc)})", source=str(path)) from None
    return Path(path)


def is_folder(path: str | os.PathLike[str]) -> bool:
    """True for an existing folder; False for anything else, including paths the OS refuses to look at."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def read_input_text(path: str | os.PathLike[str], what: str = "file", max_bytes: int = MAX_FILE_BYTES) -> str:
    """``read_input_bytes`` decoded as strict UTF-8 (a BOM is allowed)."""
    raw = read_input_bytes(path, what, max_bytes)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (bad byte at offset {exc.start})", source=_describe(path)) from None


def read_json(path: str | os.PathLike[str], what: str = "file", max_bytes: int = MAX_FILE_BYTES) -> Any:
    """Read a JSON file, rejecting anything that is not a small, regular, UTF-8, finite JSON file."""
    text = read_input_text(path, what, max_bytes)
    if not text.strip():
        raise InputError(f"{what} is empty", source=_describe(path))
    return parse_json_text(text, _describe(path))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or type(exc).__name__
    return str(exc) or type(exc).__name__


def write_json_atomic(path: str | os.PathLike[str], data: Any) -> None:
    """Write JSON atomically (see write_bytes_atomic)."""
    try:
        raw = (json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
    except (ValueError, UnicodeEncodeError) as exc:  # NaN, or a lone surrogate that slipped past validation
        raise InputError(f"cannot be saved: {exc}"[:300], source=str(path)) from None
    write_bytes_atomic(path, raw)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, what: str = "file") -> Path:
    """Write to a temporary file beside the target, fsync it, then rename it over the target.

    A crash or a full disk leaves either the old file or the new one, never half of one. An existing
    file keeps its permissions; a new one gets 0666 minus the umask (mkstemp alone would make it 0600).
    A symlink is written through (its target is replaced, the link stays); a folder, FIFO or device at
    the target is refused, never replaced. The temporary name is short, so any name the file system
    allows for the target works. Returns the file actually written (the symlink's target).
    """
    source = str(path)
    target = writable_target(path, what)
    directory = target.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=".ttc", suffix=".tmp", dir=directory)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot write in {directory} ({_reason(exc)})", source=source) from None
    try:
        os.chmod(tmp, _file_mode(target))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise InputError(f"cannot write the {what} ({_reason(exc)})", source=source) from None
    return target


def writable_target(path: str | os.PathLike[str], what: str = "file") -> Path:
    """The file a save to ``path`` writes (a symlink resolved), after the checks a save makes: a name is
    given, its folder exists, and nothing but a regular file is there. Raises InputError otherwise."""
    source = str(path)
    if not source:
        raise InputError(f"no file name given for the {what}")
    try:
        target = Path(os.path.realpath(path))
        st = _stat_or_none(target)
        folder = _stat_or_none(target.parent)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot write the {what} ({_reason(exc)})", source=source) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = (
            "a folder"
            if stat.S_ISDIR(st.st_mode)
            else "a FIFO (named pipe)"
            if stat.S_ISFIFO(st.st_mode)
            else "a device"
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "not a regular file"
        )
        hint = "; give a file name" if stat.S_ISDIR(st.st_mode) else ""
        raise InputError(
            f"is {kind}; the {what} is written only to a regular file, never over this{hint}", source=source
        )
    if folder is None or not stat.S_ISDIR(folder.st_mode):
        raise InputError(f"folder {target.parent} does not exist", source=source)
    return target


def _stat_or_none(path: Path) -> os.stat_result | None:
    """os.stat, None when nothing is there yet (any other failure, e.g. a name too long, is raised)."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _file_mode(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def finite_number(
    value: Any,
    field: str,
    source: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    integer: bool = False,
) -> float:
    """Validate one numeric field; bools and strings are not numbers."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"must be a number, got {type(value).__name__} {value!r}"[:200], field=field, source=source)
    if isinstance(value, int) and abs(value) > MAX_INT:  # math.isfinite(10**400) raises OverflowError
        raise InputError(
            f"is out of range ({str(value)[:12]}... has {len(str(abs(value)))} digits)", field=field, source=source
        )
    if not math.isfinite(value):
        raise InputError("must be finite", field=field, source=source)
    if integer and float(value) != int(value):
        raise InputError(f"must be a whole number, got {value}", field=field, source=source)
    if minimum is not None and value < minimum:
        raise InputError(f"must be at least {minimum:g}, got {value:g}", field=field, source=source)
    if maximum is not None and value > maximum:
        raise InputError(f"must be at most {maximum:g}, got {value:g}", field=field, source=source)
    return int(value) if integer else float(value)
