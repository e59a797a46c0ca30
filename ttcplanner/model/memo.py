"""Caching in one place: ``@memo(size)`` keeps a step's result for the inputs it reads, so a slider step
recomputes only the steps whose inputs moved, and no step carries cache code of its own.

The key is built from the positional arguments:
- a Scenario by the fields named in ``reads`` only, and the function receives a view holding just those
  fields: reading any other field fails at once instead of answering from a stale entry;
- numbers by value (floats also by sign: -0.0 == 0.0 as keys, not always in results), strings, None and
  tuples (of names) by value, numpy arrays by dtype, shape and bytes;
- anything else (catalog, task, option set, serving setup, ...) by identity: the entry keeps that object
  alive, so its id cannot pass to a newer object while the entry lives (a reloaded catalog builds new
  options, hence new keys).
Results are frozen (numpy arrays made read-only, inside tuples, lists, dicts and dataclasses too), so no caller
changes what later plans are built from. Entries are per thread (LRU of ``size``): the GUI thread and a
background sensitivity run neither race on an entry nor evict each other's. A plan is the same to the last
bit with the entries cold or warm (tests/model/test_evaluate_cache.py).

``@memo_rows(size)`` is the same for a step computed row by row (serving estimates of GPU rows): each row is
kept apart, so a call computes only the rows it has not seen, whatever set of rows they come in.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import threading
from collections import OrderedDict
from types import SimpleNamespace

import numpy as np

from ttcplanner.model.scenario import Scenario

_MEMOS: list = []


class Reads(SimpleNamespace):
    """The fields of a Scenario a memoised step declared it reads (and nothing else)."""


def memo(size: int, reads: tuple[str, ...] = (), freeze_result: bool = True):
    """Keep the last ``size`` results of the decorated function per thread (see the module doc);
    ``freeze_result=False`` for results without arrays (a tuple of a thousand strings need not be walked)."""

    def wrap(fn):
        local = threading.local()

        def entries() -> OrderedDict:
            try:
                return local.entries
            except AttributeError:
                local.entries = OrderedDict()
                return local.entries

        @functools.wraps(fn)
        def call(*args):
            keep: list = []
            key = tuple([_key(a, reads, keep) for a in args])
            table = entries()
            hit = table.get(key)
            if hit is not None:
                table.move_to_end(key)
                return hit[1]
            value = fn(*(_view(a, reads) for a in args))
            if freeze_result:
                freeze(value)
            table[key] = (keep, value)
            if len(table) > size:
                table.popitem(last=False)
            return value

        call.clear = lambda: entries().clear()
        call.entries = lambda: len(entries())
        _MEMOS.append(call)
        return call

    return wrap


def memo_rows(size: int, reads: tuple[str, ...] = ()):
    """``memo`` for a step computed row by row: row i of its result depends only on row i of each array argument
    (the other arguments are keyed as in ``memo``). Each row is kept apart, so a call whose rows were mostly seen
    before (the same GPU rows at the same budgets, in another set of rows) computes only the new rows, in one
    call. The result is a dataclass of arrays (or None) broadcast over the rows; at most ``size`` rows are kept
    per thread, all dropped when full. A row is the same computed alone or among others, so plans do not depend
    on what was kept."""

    def wrap(fn):
        local = threading.local()

        @functools.wraps(fn)
        def call(*args):
            arrays = [i for i, a in enumerate(args) if type(a) is np.ndarray]
            n = len(args[arrays[0]])
            keep: list = []
            base = tuple([None if i in arrays else _key(a, reads, keep) for i, a in enumerate(args)])
            store = local.__dict__.setdefault("store", {})
            rows, kind, _ = store.setdefault(base, ({}, [None], keep))
            keys = list(zip(*[_row_keys(args[i]) for i in arrays], strict=True)) if n else []
            found = [rows.get(k) for k in keys]
            new = [j for j, hit in enumerate(found) if hit is None]
            if new or not n:
                part = np.array(new, dtype=np.intp)
                value = fn(*(_view(a, reads) if i not in arrays else a[part] for i, a in enumerate(args)))
                packed, kind[0] = _pack(value)
                if sum(len(kept) for kept, _, _ in store.values()) + len(new) > size:
                    store.clear()
                    rows = store.setdefault(base, ({}, kind, keep))[0]
                for j, row in zip(new, packed, strict=True):
                    found[j] = rows[keys[j]] = row
            return freeze(_unpack(np.stack(found) if n else np.empty((0,) + packed.shape[1:]), kind[0]))

        call.clear = lambda: local.__dict__.pop("store", None)
        _MEMOS.append(call)
        return call

    return wrap


def _row_keys(a: np.ndarray) -> list:
    """One hashable key per row of ``a`` (its bytes)."""
    a = np.ascontiguousarray(a)
    if a.ndim == 1:
        return a.tolist()
    width = a.dtype.itemsize * (a.size // len(a))
    return a.reshape(len(a), -1).view(np.dtype((np.void, width))).ravel().tolist()


def _pack(value):
    """A dataclass of arrays -> (rows x fields x ... float array, (its type, the fields' names and dtypes))."""
    names = [f.name for f in dataclasses.fields(value) if getattr(value, f.name) is not None]
    arrays = np.broadcast_arrays(*[np.asarray(getattr(value, f)) for f in names])
    return np.stack([a.astype(float) for a in arrays], axis=1), (type(value), names, [a.dtype for a in arrays])


def _unpack(packed: np.ndarray, kind):
    cls, names, dtypes = kind
    return cls(**{f: packed[:, j].astype(d) for j, (f, d) in enumerate(zip(names, dtypes, strict=True))})


def clear() -> None:
    """Forget this thread's entries of every memoised step."""
    for m in _MEMOS:
        m.clear()


def freeze(value):
    """Make the arrays in ``value`` read-only (also inside tuples, lists, dicts and dataclasses); returns it."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, (tuple, list)):
        for v in value:
            if type(v) not in _PLAIN:
                freeze(v)
    elif isinstance(value, dict):
        for v in value.values():
            if type(v) not in _PLAIN:
                freeze(v)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            freeze(getattr(value, f.name))
    return value


# nothing to freeze in these: skipped without a call (a fixed-budget step's 1,061 effort names cost 0.4 ms of calls)
_PLAIN = frozenset((str, bool, int, float, type(None)))
_BY_VALUE = (str, bool, int, type(None), tuple)  # tuples: of names (accuracy ids, ...)


def _key(a, reads: tuple[str, ...], keep: list):
    kind = type(a)
    if kind is np.ndarray:
        return (a.dtype.str, a.shape, a.tobytes())
    if kind is float:
        return (a, math.copysign(1.0, a))
    if kind in _BY_VALUE:
        return a
    if kind is Scenario or kind is Reads:
        if not reads:
            raise TypeError("a memoised step that takes a scenario must name the fields it reads")
        return tuple([_key(getattr(a, f), (), keep) for f in reads])
    if isinstance(a, float):  # numpy floats
        return (float(a), math.copysign(1.0, a))
    if isinstance(a, (np.integer, np.bool_)):
        return a.item()
    keep.append(a)
    return ("id", id(a))


def _view(a, reads: tuple[str, ...]):
    if isinstance(a, (Scenario, Reads)):
        return Reads(**{f: getattr(a, f) for f in reads})
    return a
