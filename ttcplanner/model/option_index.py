"""Facts about an option set (and a task) that every step reads and no slider move changes: string columns
as masks and row lists, each option's curve, maximum tokens and accuracy basis. Memoised per object."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ttcplanner.model import costs
from ttcplanner.model.memo import memo
from ttcplanner.model.options import KINDS, OptionSet


@dataclass(frozen=True)
class OptionIndex:
    accuracy_id: np.ndarray
    is_gpu: np.ndarray
    is_token: np.ndarray
    of_kind: dict  # kind -> mask
    gpu_model: np.ndarray  # GPU rows: position of the row's accuracy id among the GPU ids sorted; -1 elsewhere


@memo(16)
def option_index(opts: OptionSet) -> OptionIndex:
    ids = np.array(opts.accuracy_id)
    is_gpu = opts.kind == "gpu"
    code = {acc_id: k for k, acc_id in enumerate(sorted(set(ids[is_gpu])))}
    pairs = zip(opts.accuracy_id, is_gpu.tolist(), strict=True)
    gpu_model = np.array([code[a] if g else -1 for a, g in pairs], dtype=np.intp)
    return OptionIndex(ids, is_gpu, ~is_gpu, {k: opts.kind == k for k in KINDS}, gpu_model)


@memo(16)
def offered_ids(task, opts: OptionSet) -> tuple[str, ...]:
    """The task's curves some option uses (a task has ~100 curves, the options use a few dozen)."""
    offered = set(opts.accuracy_id)
    return tuple(i for i in task.curves if i in offered)


@memo(16)
def max_tokens(task, opts: OptionSet) -> np.ndarray:
    """Each option's most reasoning tokens per sample its model takes on this task (inf without a curve)."""
    return np.array([task.curves[a].max_tokens if a in task.curves else np.inf for a in opts.accuracy_id])


@memo(16)
def has_curve(task, opts: OptionSet) -> np.ndarray:
    """Whether the task has a curve for each option's model."""
    return np.isin(option_index(opts).accuracy_id, tuple(task.curves))


@memo(16)
def table_rows(opts: OptionSet, ids: tuple[str, ...]) -> np.ndarray:
    """Each option's position in ``ids`` (len(ids) when its model is not among them)."""
    position = {acc_id: k for k, acc_id in enumerate(ids)}
    return np.array([position.get(acc_id, len(ids)) for acc_id in opts.accuracy_id], dtype=np.intp)


@memo(16)
def basis_of(task, opts: OptionSet) -> tuple[str, ...]:
    """Each option's accuracy basis: its task curve's ('published' / 'estimated_from_other_tasks') or 'none'."""
    return tuple(task.curves[a].basis if a in task.curves else "none" for a in opts.accuracy_id)


@memo(16)
def accuracy_coverage(task, opts: OptionSet) -> dict:
    """kind -> how many of its offers (distinct entries) have a published, an estimated or no accuracy curve."""
    basis = basis_of(task, opts)
    out = {}
    for k in KINDS:
        seen = {}
        for i in np.flatnonzero(opts.kind == k).tolist():
            seen.setdefault(opts.entry_id[i], basis[i])
        if seen:
            out[k] = {
                b: sum(1 for v in seen.values() if v == b) for b in ("published", "estimated_from_other_tasks", "none")
            }
    return out


def batch(latency_target_s: float, opts: OptionSet) -> np.ndarray:
    """Token offers bought through a batch API: the latency target allows 24 h and the offer has a discount."""
    discount = opts.prices["batch_discount"] > 0
    return option_index(opts).is_token & (latency_target_s >= costs.BATCH_LATENCY_S) & discount
