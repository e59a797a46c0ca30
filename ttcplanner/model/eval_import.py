"""Read the user's own eval results: per-sample verdicts or aggregate accuracies, from four formats.

Why: an engineer's workload is their own eval, not AIME; these readers turn what their harness already
wrote into rows the fit (eval_fit.py) and the user task (user_tasks.py) can use.

Formats (detected from the file name and content):
- CSV: ``model, effort or reasoning_tokens, samples, accuracy_pct[, n_problems][, aggregation][, task]``
  (aggregate rows; ``samples`` > 1 needs ``aggregation`` majority or verifier);
- per-problem JSONL, one line per sample: ``problem_id, model, sample, correct`` (0/1 or true/false),
  optional ``reasoning_tokens``, ``effort``, ``task``;
- lm-evaluation-harness ``--log_samples`` output: ``samples_<task>_<date>.jsonl`` (one line per doc and
  filter: ``doc_id``, ``filter``, ``filtered_resps``, ``resps``, metric keys such as ``exact_match`` or
  ``acc``), with ``results_<date>.json`` beside it for the model name;
- Inspect AI eval logs in JSON (``inspect eval --log-format json``): ``eval.task``, ``eval.model``,
  ``samples[].id/epoch/scores{scorer: {value}}/model_usage``.

Every file goes through the project's guarded reader (jsonio). Lines that cannot be used are listed
with their line numbers; a file with nothing usable, mixed tasks without a task name, conflicting
duplicates or the same file twice are refused with one InputError.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ttcplanner.model import jsonio
from ttcplanner.model.errors import InputError
from ttcplanner.model.jsonio import parse_json_text

MAX_EVAL_FILE_BYTES = 64 * 1024 * 1024  # lm-eval samples files carry whole documents; 64 MB holds ~10k of them
CHARS_PER_TOKEN = 4.0  # response characters per token when only the text is logged (an estimate, said so)
LM_EVAL_METRICS = ("exact_match", "acc", "pass@1", "pass_at_1", "accuracy", "correct", "acc_norm")
FORMATS = ("csv", "jsonl", "lm-eval", "inspect")
_LM_EVAL_NAME = re.compile(r"^samples_(?P<task>.+)_(?P<date>\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d+)?)\.jsonl$")


@dataclass(frozen=True)
class Sample:
    """One scored attempt of one model at one problem."""

    task: str  # the task label in the file ('' when the file names none)
    problem_id: str
    model: str
    sample: str  # which attempt: a sample index, an epoch, a run
    correct: bool
    reasoning_tokens: float | None
    effort: str | None
    tokens_how: str  # how reasoning_tokens was obtained
    where: str  # file:line
    input_tokens: float | None = None  # prompt tokens, where the log measured them (Inspect model_usage)


@dataclass(frozen=True)
class AggregateRow:
    """One published-style result: accuracy of ``samples`` samples at one effort or token budget."""

    task: str
    model: str
    effort: str | None
    reasoning_tokens: float | None
    samples: int
    aggregation: str  # 'majority' or 'verifier' (one sample: 'majority', unused)
    accuracy_pct: float
    n_problems: int | None
    where: str


@dataclass
class EvalData:
    """What a set of files holds, after validation."""

    files: list[str]
    formats: list[str]
    samples: list[Sample] = field(default_factory=list)
    aggregates: list[AggregateRow] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file:line, reason)
    notes: list[str] = field(default_factory=list)

    @property
    def tasks(self) -> list[str]:
        return sorted({s.task for s in self.samples} | {a.task for a in self.aggregates})

    @property
    def models(self) -> list[str]:
        return sorted({s.model for s in self.samples} | {a.model for a in self.aggregates})


# ---------------------------------------------------------------- reading


def _read_text(path: Path) -> str:
    """The file's text through the project's guarded reader (regular file, size cap, strict UTF-8)."""
    return jsonio.read_input_text(path, "eval file", max_bytes=MAX_EVAL_FILE_BYTES)


def detect_format(path: Path, text: str) -> str:
    """'csv', 'jsonl', 'lm-eval' or 'inspect' from the name, then the content."""
    name = path.name.lower()
    if name.endswith(".csv"):
        return "csv"
    if _LM_EVAL_NAME.match(path.name):
        return "lm-eval"
    stripped = text.lstrip()
    if name.endswith(".jsonl") or (stripped.startswith("{") and "\n{" in stripped and not name.endswith(".json")):
        first = next((line for line in text.splitlines() if line.strip()), "")
        try:
            head = parse_json_text(first, str(path))
        except InputError:
            head = None
        if isinstance(head, dict) and "doc_id" in head and "problem_id" not in head:
            return "lm-eval"
        return "jsonl"
    if name.startswith("results_") and name.endswith(".json"):
        raise InputError(
            "an lm-evaluation-harness results file: give the samples_<task>_<date>.jsonl file "
            "(--log_samples); the results file beside it is read for the model name",
            source=str(path),
        )
    if name.endswith(".json"):
        return "inspect"
    if name.endswith(".eval"):
        raise InputError(
            "an Inspect AI .eval archive: convert it to JSON first with "
            "`inspect log convert --to json --output-dir DIR FILE`",
            source=str(path),
        )
    raise InputError(
        "unknown eval format: expected .csv, .jsonl (per-problem or lm-eval samples_*.jsonl) "
        "or an Inspect AI .json log",
        source=str(path),
    )


def read_eval_files(
    paths: Iterable[str | os.PathLike[str]], task: str | None = None, model: str | None = None
) -> EvalData:
    """Read and check every file; ``task`` names the result (mixed task labels need it), ``model`` names
    the model of every row (only when the files name at most one)."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise InputError("no eval files given")
    seen: dict[str, str] = {}
    for p in paths:
        key = os.path.realpath(p)
        if key in seen:
            raise InputError(f"the same file is given twice ({seen[key]})", source=str(p))
        seen[key] = str(p)
    data = EvalData(files=[str(p) for p in paths], formats=[])
    for p in paths:
        text = _read_text(p)
        fmt = detect_format(p, text)
        data.formats.append(fmt)
        before = (len(data.samples), len(data.aggregates))
        {"csv": _read_csv, "jsonl": _read_jsonl, "lm-eval": _read_lm_eval, "inspect": _read_inspect}[fmt](p, text, data)
        if (len(data.samples), len(data.aggregates)) == before:
            reasons = [r for w, r in data.skipped if w.startswith(str(p))]
            why = f"; first problem: {reasons[0]}" if reasons else ""
            raise InputError(f"no usable sample in this {fmt} file{why}", source=str(p))
    labels = [t for t in data.tasks if t]
    if len(labels) > 1 and not task:
        raise InputError(
            f"the files hold several tasks ({', '.join(labels)}); name the one task they form "
            "with --task NAME, or import them separately"
        )
    if model:
        named = data.models
        if len(named) > 1:
            raise InputError(f"--model {model!r} given, but the files name several models ({', '.join(named)})")
        data.samples = [_replace(s, model=model) for s in data.samples]
        data.aggregates = [_replace(a, model=model) for a in data.aggregates]
    if any(not m for m in data.models):
        raise InputError("some rows name no model (lm-eval results file missing?); give --model ID")
    _check_duplicates(data)
    return data


def _replace(row, **changes):
    from dataclasses import replace

    return replace(row, **changes)


def _check_duplicates(data: EvalData) -> None:
    """The same attempt twice with the same verdict is dropped (noted); with different verdicts it is refused."""
    by_key: dict[tuple, Sample] = {}
    kept: list[Sample] = []
    dropped = 0
    for s in data.samples:
        key = (s.task, s.problem_id, s.model, s.effort, s.sample)
        old = by_key.get(key)
        if old is None:
            by_key[key] = s
            kept.append(s)
        elif old.correct != s.correct:
            raise InputError(
                f"conflicting duplicates: problem {s.problem_id!r}, model {s.model!r}, sample {s.sample!r} "
                f"is {'correct' if old.correct else 'wrong'} at {old.where} and "
                f"{'correct' if s.correct else 'wrong'} at {s.where}"
            )
        else:
            dropped += 1
    if dropped:
        data.notes.append(f"{dropped} repeated line(s) with the same verdict counted once")
    data.samples = kept
    agg: dict[tuple, AggregateRow] = {}
    for a in data.aggregates:
        key = (a.task, a.model, a.effort, a.reasoning_tokens, a.samples, a.aggregation)
        old = agg.get(key)
        if old is not None and old.accuracy_pct != a.accuracy_pct:
            raise InputError(
                f"conflicting duplicates: {a.model} at the same setting is {old.accuracy_pct:g}% at "
                f"{old.where} and {a.accuracy_pct:g}% at {a.where}"
            )
        agg[key] = a
    data.aggregates = list(agg.values())


# ---------------------------------------------------------------- field helpers


class _Bad(Exception):
    """A line that cannot be used (listed, not fatal)."""


def _text(value: Any, what: str, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _Bad(f"{what} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Bad(f"{what} must be text or a number, got {type(value).__name__}")
    text = str(value).strip()
    if len(text) > 200:
        raise _Bad(f"{what} is longer than 200 characters")
    if any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise _Bad(f"{what} contains control characters")
    return text


def _number(value: Any, what: str, lo: float, hi: float, required: bool = True) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _Bad(f"{what} is missing")
        return None
    if isinstance(value, bool):
        raise _Bad(f"{what} must be a number, got {value!r}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise _Bad(f"{what} must be a number, got {str(value)[:40]!r}") from None
    if not math.isfinite(x) or not (lo <= x <= hi):
        raise _Bad(f"{what} must be between {lo:g} and {hi:g}, got {str(value)[:40]}")
    return x


def _whole(value: Any, what: str, lo: float, hi: float, required: bool = True) -> int | None:
    x = _number(value, what, lo, hi, required)
    if x is None:
        return None
    if x != int(x):
        raise _Bad(f"{what} must be a whole number, got {str(value)[:40]}")
    return int(x)


def _verdict(value: Any, what: str = "correct") -> bool:
    """0/1, true/false, 'C'/'I' (Inspect), 1.0/0.0; partial credit is not a verdict."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value in (0, 1):
            return bool(value)
        raise _Bad(f"{what} must be 0 or 1 (partial credit {value!r} is not a pass/fail verdict)")
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("1", "true", "c", "correct", "yes", "pass", "1.0"):
            return True
        if v in ("0", "false", "i", "incorrect", "no", "fail", "0.0", "n"):
            return False
        raise _Bad(f"{what} must be 0/1 or true/false, got {value[:40]!r}")
    raise _Bad(f"{what} must be 0/1 or true/false, got {type(value).__name__}")


# ---------------------------------------------------------------- CSV


def _read_csv(path: Path, text: str, data: EvalData) -> None:
    src = str(path)
    try:
        _read_csv_rows(src, text, data)
    except csv.Error as exc:  # a NUL byte, an unclosed quote at the end, a field over the csv module's limit
        raise InputError(f"not a readable CSV ({exc})", source=src) from None


def _read_csv_rows(src: str, text: str, data: EvalData) -> None:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in ("model", "samples", "accuracy_pct") if c not in header]
    if missing or not ({"effort", "reasoning_tokens"} & set(header)):
        need = missing + ([] if {"effort", "reasoning_tokens"} & set(header) else ["effort or reasoning_tokens"])
        raise InputError(
            f"CSV header lacks {', '.join(need)} (expected model, effort or reasoning_tokens, samples, "
            "accuracy_pct[, n_problems])",
            source=src,
        )
    for row in reader:
        where = f"{src}:{reader.line_num}"
        try:
            if None in row:
                raise _Bad("more values than header columns")
            samples = _whole(row.get("samples"), "samples", 1, 1e6)
            aggregation = (_text(row.get("aggregation"), "aggregation", required=False) or "").lower()
            if samples > 1 and aggregation not in ("majority", "verifier"):
                raise _Bad("samples > 1 needs an aggregation column: majority or verifier")
            tokens = _number(row.get("reasoning_tokens"), "reasoning_tokens", 1, 1e9, required=False)
            effort = _text(row.get("effort"), "effort", required=False)
            if tokens is None and effort is None:
                raise _Bad("neither effort nor reasoning_tokens given")
            n = _whole(row.get("n_problems"), "n_problems", 1, 1e9, required=False)
            data.aggregates.append(
                AggregateRow(
                    task=_text(row.get("task"), "task", required=False) or "",
                    model=_text(row.get("model"), "model"),
                    effort=effort,
                    reasoning_tokens=tokens,
                    samples=samples,
                    aggregation=aggregation or "majority",
                    accuracy_pct=_number(row.get("accuracy_pct"), "accuracy_pct", 0, 100),
                    n_problems=n,
                    where=where,
                )
            )
        except _Bad as exc:
            data.skipped.append((where, str(exc)))


# ---------------------------------------------------------------- per-problem JSONL


def _json_lines(path: Path, text: str, data: EvalData):
    """(line number, object) for each non-blank line; unparsable lines are listed."""
    src = str(path)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = parse_json_text(line, f"{src}:{number}")
        except InputError as exc:
            data.skipped.append((f"{src}:{number}", str(exc).removeprefix(f"{src}:{number}: ")))
            continue
        if not isinstance(obj, dict):
            data.skipped.append((f"{src}:{number}", "not a JSON object"))
            continue
        yield number, obj


def _read_jsonl(path: Path, text: str, data: EvalData) -> None:
    src = str(path)
    for number, obj in _json_lines(path, text, data):
        where = f"{src}:{number}"
        try:
            tokens = _number(obj.get("reasoning_tokens"), "reasoning_tokens", 0, 1e9, required=False)
            data.samples.append(
                Sample(
                    task=_text(obj.get("task"), "task", required=False) or "",
                    problem_id=_text(obj.get("problem_id"), "problem_id"),
                    model=_text(obj.get("model"), "model"),
                    sample=_text(obj.get("sample"), "sample"),
                    correct=_verdict(obj.get("correct")),
                    reasoning_tokens=tokens,
                    effort=_text(obj.get("effort"), "effort", required=False),
                    tokens_how="measured: reasoning_tokens per sample in the eval file" if tokens is not None else "",
                    where=where,
                )
            )
        except _Bad as exc:
            data.skipped.append((where, str(exc)))


# ---------------------------------------------------------------- lm-evaluation-harness


def _lm_eval_results(path: Path, task: str, date: str | None, data: EvalData) -> dict | None:
    """The results_<date>.json beside a samples file (same date stamp first, else the only one)."""
    folder = path.parent
    candidates = [folder / f"results_{date}.json"] if date else []
    if not (candidates and candidates[0].is_file()):
        candidates = sorted(folder.glob("results_*.json"))
    candidates = [c for c in candidates if c.is_file()]
    if not candidates:
        data.notes.append(f"{path.name}: no results_<date>.json beside it, so no model name from it")
        return None
    chosen = candidates[0] if len(candidates) == 1 or (date and candidates[0].name == f"results_{date}.json") else None
    if chosen is None:
        data.notes.append(f"{path.name}: several results_*.json beside it and none with its date; none used")
        return None
    results = jsonio.read_json(chosen, "lm-eval results file")
    if not isinstance(results, dict):
        raise InputError("must be a JSON object", source=str(chosen))
    if str(chosen) not in data.files:
        data.files.append(str(chosen))
    return results


def _lm_eval_model(results: dict | None) -> str:
    if not results:
        return ""
    name = results.get("model_name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    config = results.get("config")
    args = config.get("model_args") if isinstance(config, dict) else None
    if isinstance(args, str):
        for part in args.split(","):
            key, _, value = part.partition("=")
            if key.strip() in ("pretrained", "model", "model_name") and value.strip():
                return value.strip()
    return ""


def _metric_of(obj: dict) -> tuple[str, Any] | None:
    names = obj.get("metrics")
    if isinstance(names, list):
        for name in names:
            if isinstance(name, str) and name in obj:
                return name, obj[name]
    for name in LM_EVAL_METRICS:
        if name in obj:
            return name, obj[name]
    return None


def _response_chars(obj: dict) -> int | None:
    """Characters of generated text in ``resps`` (nested lists of strings); None for loglikelihood scores."""
    total, found = 0, False
    stack = [obj.get("resps")]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
            found = True
        elif isinstance(item, list):
            stack.extend(item)
    return total if found else None


def _read_lm_eval(path: Path, text: str, data: EvalData) -> None:
    src = str(path)
    match = _LM_EVAL_NAME.match(path.name)
    task = match.group("task") if match else path.stem.removeprefix("samples_")
    results = _lm_eval_results(path, task, match.group("date") if match else None, data)
    model = _lm_eval_model(results)
    chosen_filter, other_filters = None, set()
    for number, obj in _json_lines(path, text, data):
        where = f"{src}:{number}"
        try:
            if "doc_id" not in obj:
                raise _Bad("doc_id is missing")
            doc_id = _text(obj.get("doc_id"), "doc_id")
            flt = obj.get("filter") if isinstance(obj.get("filter"), str) else "none"
            if chosen_filter is None:
                chosen_filter = flt
            if flt != chosen_filter:
                other_filters.add(flt)
                continue
            metric = _metric_of(obj)
            if metric is None:
                raise _Bad(f"no per-sample metric ({', '.join(LM_EVAL_METRICS)})")
            correct = _verdict(metric[1], metric[0])
            chars = _response_chars(obj)
            if chars is None:
                raise _Bad("no generated text in resps (a loglikelihood task): no reasoning tokens to plan on")
            data.samples.append(
                Sample(
                    task=task,
                    problem_id=doc_id,
                    model=model,
                    sample=f"{path.name}",
                    correct=correct,
                    reasoning_tokens=max(chars / CHARS_PER_TOKEN, 1.0),
                    effort=None,
                    tokens_how=f"estimated: response characters / {CHARS_PER_TOKEN:g} (lm-eval logs no token counts)",
                    where=where,
                )
            )
        except _Bad as exc:
            data.skipped.append((where, str(exc)))
    if other_filters:
        data.notes.append(
            f"{path.name}: filter {chosen_filter!r} used (the first in the file); "
            f"{', '.join(sorted(other_filters))} left out"
        )


# ---------------------------------------------------------------- Inspect AI


def _inspect_usage(sample: dict, model: str) -> dict | None:
    usage = sample.get("model_usage")
    if not isinstance(usage, dict) or not usage:
        return None
    return (
        usage.get(model)
        if isinstance(usage.get(model), dict)
        else next((v for v in usage.values() if isinstance(v, dict)), None)
    )


def _inspect_input_tokens(sample: dict, model: str) -> float | None:
    entry = _inspect_usage(sample, model)
    value = entry.get("input_tokens") if entry else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else None


def _inspect_tokens(sample: dict, model: str) -> tuple[float | None, str]:
    entry = _inspect_usage(sample, model)
    if entry is None:
        return None, ""
    reasoning = entry.get("reasoning_tokens")
    if isinstance(reasoning, (int, float)) and not isinstance(reasoning, bool) and reasoning > 0:
        output = entry.get("output_tokens")
        # providers differ in whether output_tokens includes reasoning; the larger is the tokens generated
        if isinstance(output, (int, float)) and not isinstance(output, bool) and output > reasoning:
            return float(output), "measured: Inspect model_usage output_tokens (reasoning included)"
        return float(reasoning), "measured: Inspect model_usage reasoning_tokens"
    output = entry.get("output_tokens")
    if isinstance(output, (int, float)) and not isinstance(output, bool) and output >= 0:
        return float(output), "measured: Inspect model_usage output_tokens (no separate reasoning count)"
    return None, ""


def _read_inspect(path: Path, text: str, data: EvalData) -> None:
    src = str(path)
    log = parse_json_text(text, src)
    if not isinstance(log, dict) or not isinstance(log.get("eval"), dict):
        raise InputError(
            "not an Inspect AI eval log (no 'eval' object); .eval archives: convert with "
            "`inspect log convert --to json`",
            source=src,
        )
    if log.get("status") not in (None, "success"):
        data.notes.append(f"{path.name}: log status {log.get('status')!r} (not 'success'); its scored samples are used")
    spec = log["eval"]
    task = spec.get("task") if isinstance(spec.get("task"), str) else ""
    task = task.split("/")[-1]
    model = spec.get("model") if isinstance(spec.get("model"), str) else ""
    generate = spec.get("model_generate_config")
    effort = generate.get("reasoning_effort") if isinstance(generate, dict) else None
    effort = effort if isinstance(effort, str) and effort else None
    samples = log.get("samples")
    if not isinstance(samples, list):
        raise InputError("has no samples (was it written with --no-log-samples?)", field="samples", source=src)
    scorer = None
    for i, s in enumerate(samples):
        where = f"{src}:samples[{i}]"
        try:
            if not isinstance(s, dict):
                raise _Bad("not an object")
            if s.get("error"):
                raise _Bad("the sample ended in an error")
            scores = s.get("scores")
            if not isinstance(scores, dict) or not scores:
                raise _Bad("no scores")
            if scorer is None:
                scorer = next(iter(scores))
                if len(scores) > 1:
                    data.notes.append(
                        f"{path.name}: scorer {scorer!r} used (the first); {', '.join(list(scores)[1:])} left out"
                    )
            score = scores.get(scorer)
            if not isinstance(score, dict) or "value" not in score:
                raise _Bad(f"no value for scorer {scorer!r}")
            value = score["value"]
            if isinstance(value, dict):
                raise _Bad("a dictionary score value (several metrics) is not a pass/fail verdict")
            tokens, how = _inspect_tokens(s, model)
            data.samples.append(
                Sample(
                    task=task,
                    problem_id=_text(s.get("id"), "id"),
                    model=model,
                    sample=f"{path.name}#epoch{_text(s.get('epoch', 1), 'epoch')}",
                    correct=_verdict(value, f"scores.{scorer}.value"),
                    reasoning_tokens=tokens,
                    effort=effort,
                    tokens_how=how,
                    where=where,
                    input_tokens=_inspect_input_tokens(s, model),
                )
            )
        except _Bad as exc:
            data.skipped.append((where, str(exc)))
