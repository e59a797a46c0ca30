"""model/memo.py: one cache for every planner step, keyed on exactly what the step reads."""

import dataclasses
import threading

import numpy as np
import pytest

from ttcplanner.model import memo
from ttcplanner.model.scenario import Scenario


def test_a_step_sees_only_the_scenario_fields_it_declares_and_is_keyed_on_them():
    calls = []

    @memo.memo(4, reads=("samples",))
    def step(s):
        calls.append(s.samples)
        return np.arange(s.samples)

    a = step(Scenario(samples=3))
    assert step(Scenario(samples=3, requests_per_day=5)) is a  # an undeclared field does not reach the key
    assert calls == [3] and not a.flags.writeable  # results are read-only
    step(Scenario(samples=4))
    assert calls == [3, 4]

    @memo.memo(4, reads=("samples",))
    def sloppy(s):
        return s.requests_per_day  # not declared: must fail, never answer from a stale entry

    with pytest.raises(AttributeError):
        sloppy(Scenario())


def test_keys_tell_minus_zero_arrays_and_objects_apart_and_keep_objects_alive():
    @memo.memo(8)
    def step(x):
        return object()

    assert step(0.0) is step(0.0) and step(0.0) is not step(-0.0)
    assert step(np.array([1.0, 2.0])) is step(np.array([1.0, 2.0])) is not step(np.array([1.0, 3.0]))
    owner = [1]
    first = step(owner)
    assert step(owner) is first and step([1]) is not first  # other objects by identity, never by equality


def test_entries_are_per_thread_and_clear_forgets_them():
    @memo.memo(4)
    def step(x):
        return [x]

    here = step(1)
    got = {}
    worker = threading.Thread(target=lambda: got.setdefault("there", step(1)))
    worker.start()
    worker.join()
    assert got["there"] == here and got["there"] is not here
    memo.clear()
    assert step(1) is not here


@dataclasses.dataclass(frozen=True)
class _Rows:
    total: np.ndarray
    positive: np.ndarray
    unused: np.ndarray | None = None


def test_memo_rows_computes_only_rows_it_has_not_seen_and_returns_what_a_cold_call_does():
    calls = []

    @memo.memo_rows(100)
    def step(scale, pos, x):
        calls.append(pos.tolist())
        return _Rows(total=scale * (pos[:, None] + x), positive=(x > 0))

    pos, x = np.array([0, 1, 2]), np.array([[1.0, -2.0], [3.0, 4.0], [5.0, 6.0]])
    first = step(2.0, pos, x)
    assert calls == [[0, 1, 2]]
    again = step(2.0, np.array([2, 7, 0]), np.array([[5.0, 6.0], [1.0, 1.0], [1.0, -2.0]]))
    assert calls[-1] == [7]  # rows (2, [5, 6]) and (0, [1, -2]) were kept
    assert np.array_equal(again.total, [[14.0, 16.0], [16.0, 16.0], [2.0, -4.0]])
    assert again.positive.dtype == bool and np.array_equal(again.positive, [[True, True], [True, True], [True, False]])
    assert again.unused is None and not again.total.flags.writeable
    assert np.array_equal(first.total, 2.0 * (pos[:, None] + x))
    step(3.0, pos, x)  # another key argument: other rows
    assert calls[-1] == [0, 1, 2]
    step.clear()
    step(2.0, pos[:1], x[:1])
    assert calls[-1] == [0]


def test_memo_rows_drops_everything_when_full():
    calls = []

    @memo.memo_rows(4)
    def step(pos):
        calls.append(len(pos))
        return _Rows(total=pos * 1.0, positive=pos > 0)

    step(np.arange(3))
    step(np.arange(3))
    assert calls == [3]
    step(np.arange(3, 6))  # 3 + 3 rows > 4: the kept rows go
    step(np.arange(3))
    assert calls == [3, 3, 3]
