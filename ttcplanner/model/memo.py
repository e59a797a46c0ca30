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
