"""The user's own eval as a task profile like the shipped ones, kept in the user catalog.

Why: plans, sensitivity and the PDF all read task profiles from the catalog, so an imported eval that is
a TaskProfile works everywhere without special cases. The profile is marked ``basis: user_eval`` and its
``eval_import`` record names the source files, the date and what was fitted.

build_user_task: EvalData (eval_import) -> (TaskProfile, ImportSummary). Per model and setting (effort,
or the model's run when no effort is named) one curve point: pass@1 at the mean reasoning tokens of its
samples. Points fit the curve with fit_accuracy.fit_series, as the shipped tasks do; a single point
takes the median slope of the shipped curves with three or more points. Per-problem rows also fit the
task's difficulty spread (eval_fit). Models the catalog does not know are listed and left out.
save_user_task / remove_user_task write <user catalog>/eval_tasks.json atomically.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ttcplanner.model import accuracy, eval_fit
from ttcplanner.model.catalog import (
    SCHEMA_VERSION,
    AccuracyCurve,
    Catalog,
    TaskProfile,
    _check_entry,
    _convert_task,
    entry_to_json,
    load_file,
)
from ttcplanner.model.errors import InputError
from ttcplanner.model.eval_import import EvalData, Sample
from ttcplanner.model.jsonio import write_json_atomic

USER_TASKS_FILE = "eval_tasks.json"
BASIS = "user_eval"
DEFAULT_INPUT_TOKENS = 1000  # TaskProfile's default, used when the eval does not measure prompt tokens
DEFAULT_ANSWER_TOKENS = 500  # TaskProfile's default; an eval log rarely separates the answer from the reasoning
WIDE_BAND_PTS = 5.0  # a pass@1 band half-width above this is called wide in the summary


@dataclass
class ImportSummary:
    """What an import will write, for the preview (GUI) and the CLI report."""

    task_id: str
    task_name: str
    files: list[str]
    formats: list[str]
    models: dict[str, dict] = field(default_factory=dict)  # accuracy id -> figures per setting
    unknown_models: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    concentration: float = accuracy.DEFAULT_CONCENTRATION
    concentration_band: tuple[float, float] = (0.0, 0.0)
    concentration_measured: bool = False
    n_problems: int = 0
    changes: list[str] = field(default_factory=list)  # against the task it replaces
    replaces: bool = False
    no_data_models: list[str] = field(default_factory=list)
    estimated_models: list[str] = field(default_factory=list)  # curves estimated from other tasks (eval_estimate)
    estimate_note: str = ""  # how the user's task was placed in the cross-benchmark model, or why it was not

    def lines(self) -> list[str]:
        """The summary as text lines (CLI output and the dialog's preview)."""
        out = [
            f"Task {self.task_name!r} (id {self.task_id}, basis {BASIS}) from "
            f"{', '.join(Path(f).name for f in self.files)} [{', '.join(sorted(set(self.formats)))}]"
        ]
        if self.n_problems:
            out.append(
                f"  {self.n_problems} problems; difficulty spread kappa {self.concentration:.3g} "
                + (
                    f"(90% band {self.concentration_band[0]:.3g}-{self.concentration_band[1]:.3g}, from the "
                    "per-problem pass rates)"
                    if self.concentration_measured
                    else f"(the planner's prior, band {self.concentration_band[0]:.3g}-"
                    f"{self.concentration_band[1]:.3g}: one sample per problem cannot show the spread)"
                )
            )
        for model, m in sorted(self.models.items()):
            for s in m["settings"]:
                band = s["band_pts"]
                wide = f" WIDE: only {s['problems']} problems" if s["problems"] and band > WIDE_BAND_PTS else ""
                extra = ""
                if s.get("verifier_pct"):
                    extra = (
                        f"; pass@{s['samples']} with a verifier {s['verifier_pct'][0]:.1f}% "
                        f"({s['verifier_pct'][1]:.1f}-{s['verifier_pct'][2]:.1f}), majority of {s['samples']} "
                        f"{s['majority_pct'][0]:.1f}% ({s['majority_pct'][1]:.1f}-{s['majority_pct'][2]:.1f})"
                    )
                problems = (
                    f"{s['problems']} problems x {s['samples']} samples"
                    if s["problems"]
                    else f"{s['samples']} sample(s)"
                )
                out.append(
                    f"  {model}: {s['label']}: pass@1 {s['accuracy_pct']:.1f}% ±{band:.1f} at "
                    f"{s['reasoning_tokens']:,.0f} tokens ({problems}){extra}{wide}"
                )
        if self.unknown_models:
            out.append("  not imported, not in the catalog (give --model ID): " + ", ".join(self.unknown_models))
        if self.estimated_models:
            out.append(
                f"  ESTIMATED from other tasks (basis estimated_from_other_tasks, not your results): "
                f"{len(self.estimated_models)} catalog models, e.g. " + ", ".join(self.estimated_models[:5])
            )
        if self.estimate_note:
            out.append(f"  estimate: {self.estimate_note}")
        if self.no_data_models:
            out.append(
                f"  no data on this task (no ability estimate from other tasks): {len(self.no_data_models)} "
                "catalog models, e.g. " + ", ".join(self.no_data_models[:5])
            )
        for note in self.notes:
            out.append(f"  note: {note}")
        if self.skipped:
            out.append(f"  {len(self.skipped)} line(s) not usable:")
            out.extend(f"    {where}: {why}" for where, why in self.skipped[:20])
            if len(self.skipped) > 20:
                out.append(f"    ... and {len(self.skipped) - 20} more")
        if self.replaces:
            out.append(
                "  replaces the task imported before:"
                if self.changes
                else "  replaces the task imported before (no change)"
            )
            out.extend(f"    {c}" for c in self.changes)
        return out


def task_id_for(name: str) -> str:
    """A catalog id from the user's task name: lower case, letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")
    if not slug:
        raise InputError(f"task name {name!r} has no letters or digits", field="--task")
    return slug[:80]


def catalog_model_ids(catalog: Catalog) -> set[str]:
    ids = {
        o.accuracy_id or o.open_model_id or o.id for o in (*catalog.api_offers.values(), *catalog.asic_offers.values())
    }
    ids |= {m.accuracy_id or m.id for m in catalog.open_models.values()}
    for task in catalog.tasks.values():
        if getattr(task, "basis", "published") != BASIS:
            ids |= set(task.curves)
    return ids


def match_model(name: str, known: set[str]) -> str | None:
    """The catalog id a model name denotes: the id itself, or the name after its provider prefix
    ('openai/gpt-oss-120b', 'Qwen/Qwen3-32B'), case and '_' vs '-' aside. Nothing fuzzier."""
    candidates = [name, name.split("/")[-1]]
    for c in candidates:
        key = c.strip().lower().replace("_", "-")
        if key in known:
            return key
    return None


def _prior_slope(catalog: Catalog) -> tuple[float, str]:
    """Median slope b of the shipped curves fitted to three or more points (the prior for one point)."""
    slopes = [
        c.b
        for t in catalog.tasks.values()
        if getattr(t, "basis", "published") != BASIS
        for c in t.curves.values()
        if len(c.points) >= 3
    ]
    if not slopes:
        return 1.0, "prior slope b=1 (no shipped curve with three points)"
    b = float(np.median(slopes))
    return b, f"prior slope b={b:.3f} = median of the {len(slopes)} shipped curves with >= 3 points"


def _shipped_max_tokens(catalog: Catalog, model: str) -> float | None:
    values = [
        t.curves[model].max_tokens
        for t in catalog.tasks.values()
        if getattr(t, "basis", "published") != BASIS and model in t.curves
    ]
    return max(values) if values else None


def _effort_tokens(catalog: Catalog, model: str, effort: str) -> float | None:
    """Median reasoning tokens of an effort level of this model over the shipped tasks (AccuracyCurve.effort_tokens)."""
    values = [
        float(t.curves[model].effort_tokens[effort])
        for t in catalog.tasks.values()
        if model in t.curves and effort in (getattr(t.curves[model], "effort_tokens", None) or {})
    ]
    return float(np.median(values)) if values else None


def build_user_task(
    data: EvalData, catalog: Catalog, name: str, answer_format: str = "free", today: _dt.date | None = None
) -> tuple[TaskProfile, ImportSummary]:
    """The task profile an import would save, and what it holds; InputError when nothing usable is left."""
    from ttcplanner.model.fit_accuracy import fit_series

    today = today or _dt.date.today()
    accuracy._top_wrong_share(answer_format)  # rejects a bad answer format with the usual message
    task_id = task_id_for(name)
    existing = catalog.tasks.get(task_id)
    if existing is not None and getattr(existing, "basis", "published") != BASIS:
        raise InputError(f"{task_id!r} is a shipped task; choose another name for your eval", field="--task")
    summary = ImportSummary(
        task_id=task_id,
        task_name=name.strip(),
        files=list(data.files),
        formats=list(data.formats),
        skipped=list(data.skipped),
        notes=list(data.notes),
    )
    known = catalog_model_ids(catalog)
    rename = {m: match_model(m, known) for m in data.models}
    summary.unknown_models = sorted(m for m, k in rename.items() if k is None)
    floor = 100.0 / int(answer_format[7:]) if answer_format.startswith("choice:") else 0.0
    prior_b, prior_note = _prior_slope(catalog)

    # per-problem samples -> groups (model, setting)
    samples = [dataclasses.replace(s, model=rename[s.model]) for s in data.samples if rename[s.model]]
    problems = sorted({(s.task, s.problem_id) for s in samples})
    index = {p: i for i, p in enumerate(problems)}
    groups: dict[tuple[str, str | None], list[Sample]] = {}
    for s in samples:
        groups.setdefault((s.model, s.effort), []).append(s)
    settings: list[dict] = []
    counts: list[eval_fit.GroupCounts] = []
    for (model, effort), rows in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        tokens, how = _group_tokens(rows, catalog, model, effort)
        if tokens is None:
            summary.skipped.append((f"{model} effort {effort or '(none)'}", how))
            continue
        k = np.zeros(len(problems))
        n = np.zeros(len(problems))
        for s in rows:
            i = index[(s.task, s.problem_id)]
            n[i] += 1
            k[i] += s.correct
        counts.append(eval_fit.GroupCounts(k, n))
        per = n[n > 0]
        settings.append(
            {
                "model": model,
                "effort": effort,
                "tokens": tokens,
                "how": how,
                "problems": int((n > 0).sum()),
                "samples": int(np.median(per)),
            }
        )
    fit = eval_fit.fit_spread(counts) if counts else None
    if fit is not None:
        summary.concentration = fit.kappa
        summary.concentration_band = (fit.kappa_low, fit.kappa_high)
        summary.concentration_measured = fit.measured
        summary.n_problems = len(problems)

    points_by_model: dict[str, list[dict]] = {}
    figures: dict[str, list[dict]] = {}
    source_note = "user:your eval results (basis user_eval): " + ", ".join(Path(f).name for f in data.files)
    for j, st in enumerate(settings):
        m = fit.pass1[j]
        band = 100.0 * max(m - fit.pass1_low[j], fit.pass1_high[j] - m)
        label = f"your eval, effort {st['effort']}" if st["effort"] else "your eval"
        acc = 100.0 * m
        if floor and acc < floor:
            summary.notes.append(f"{st['model']} {label}: {acc:.1f}% is below chance ({floor:g}%) for {answer_format}")
        point = {
            "reasoning_tokens": round(st["tokens"], 1),
            "accuracy_pct": round(acc, 3),
            "label": f"{label}: {st['problems']} problems x {st['samples']} samples",
            "source": source_note,
            "tokens_derived": st["how"],
        }
        points_by_model.setdefault(st["model"], []).append(point)
        shown = {
            "label": label,
            "accuracy_pct": acc,
            "band_pts": band,
            "reasoning_tokens": st["tokens"],
            "problems": st["problems"],
            "samples": st["samples"],
            "tokens_how": st["how"],
            "effort": st["effort"],
        }
        if st["samples"] >= 2:
            shown["verifier_pct"] = eval_fit.predict_pct(fit, j, st["samples"], "verifier")
            shown["majority_pct"] = eval_fit.predict_pct(fit, j, st["samples"], "majority", answer_format)
        figures.setdefault(st["model"], []).append(shown)

    kappa = summary.concentration
    for row in data.aggregates:
        model = rename[row.model]
        if model is None:
            continue
        tokens, how = row.reasoning_tokens, "measured: reasoning_tokens column of the CSV"
        if tokens is None:
            tokens = _effort_tokens(catalog, model, row.effort or "")
            how = f"catalog: median tokens of effort {row.effort!r} for {model} on the shipped tasks"
            if tokens is None:
                summary.skipped.append(
                    (
                        row.where,
                        f"effort {row.effort!r} has no known token count for {model}: add a reasoning_tokens column",
                    )
                )
                continue
        pass1 = row.accuracy_pct
        label = f"your eval, effort {row.effort}" if row.effort else "your eval"
        if row.samples > 1:
            pass1 = _pass1_behind(row.accuracy_pct, row.samples, row.aggregation, answer_format, kappa)
            label += f" [samples={row.samples} {row.aggregation}]"
        n = row.n_problems
        band = 100.0 * 1.645 * math.sqrt(max(pass1 / 100 * (1 - pass1 / 100), 0.0025) / n) if n else 3.0
        points_by_model.setdefault(model, []).append(
            {
                "reasoning_tokens": round(float(tokens), 1),
                "accuracy_pct": round(row.accuracy_pct, 3),
                "label": label + (f": {n} problems" if n else ""),
                "source": source_note,
                "tokens_derived": how,
            }
        )
        figures.setdefault(model, []).append(
            {
                "label": label,
                "accuracy_pct": pass1,
                "band_pts": band,
                "reasoning_tokens": float(tokens),
                "problems": n or 0,
                "samples": row.samples,
                "tokens_how": how,
                "aggregate_pct": row.accuracy_pct if row.samples > 1 else None,
                "effort": row.effort,
            }
        )
    if not points_by_model:
        why = (
            f"every model is unknown to the catalog ({', '.join(summary.unknown_models)}); give --model ID"
            if summary.unknown_models
            else "no usable result (see the lines listed)"
        )
        first = f"; {summary.skipped[0][0]}: {summary.skipped[0][1]}" if summary.skipped else ""
        raise InputError(f"nothing to import: {why}{first}")

    curves = {}
    for model, pts in sorted(points_by_model.items()):
        fit_pts = [dict(p, accuracy_pct=_single_sample_pct(p, answer_format, kappa)) for p in pts]
        kept, dropped, a, b, ceiling, how, err = fit_series(fit_pts, floor, prior_b)
        bands = [f["band_pts"] for f in figures[model]]
        band = max(max(bands), 1.5 * err)
        largest = max(p["reasoning_tokens"] for p in pts)
        shipped_max = _shipped_max_tokens(catalog, model)
        max_tokens = max(shipped_max or 0.0, 2.0 * largest)
        note = (
            f"{how} to your eval's pass@1; a={a:.4f}, b={b:.4f}, ceiling={ceiling:.2f}, floor={floor:g}; max |error| "
            f"{err:.2f} pts; band {band:.1f} pts = the widest 90% bootstrap band over problems (or 1.5 x the fit "
            f"error); max_tokens {max_tokens:,.0f} = "
            + (
                "the shipped catalog's maximum for this model"
                if shipped_max and shipped_max >= 2 * largest
                else "2 x the largest budget in your eval"
            )
        )
        if len(kept) == 1:
            note += f"; {prior_note}"
        if dropped:
            note += "; dropped: " + "; ".join(f"{p['label']} at {p['reasoning_tokens']:.0f} tokens" for p in dropped)
        kept_labels = {(p["label"], p["reasoning_tokens"]) for p in kept}
        curves[model] = {
            "floor_pct": floor,
            "ceiling_pct": round(float(ceiling), 4),
            "a": round(float(a), 6),
            "b": round(float(b), 6),
            "max_tokens": float(max_tokens),
            "band_pct": round(min(band, 50.0), 2),
            "points": [p for p in pts if (p["label"], p["reasoning_tokens"]) in kept_labels],
            "fit_note": note,
        }
        if _curves_take_basis():
            curves[model]["basis"] = BASIS
        summary.models[model] = {"settings": figures[model]}

    measured_input = [s.input_tokens for s in samples if s.input_tokens is not None]
    input_tokens = int(round(float(np.median(measured_input)))) if measured_input else DEFAULT_INPUT_TOKENS
    input_note = (
        f"default_input_tokens {input_tokens} = median prompt tokens of {len(measured_input)} samples in your eval"
        if measured_input
        else f"default_input_tokens {DEFAULT_INPUT_TOKENS} is the planner's default"
    )
    measured = set(curves)
    estimate = _estimate_others(catalog, figures, curves, floor, prior_b, summary)
    summary.no_data_models = sorted(catalog_model_ids(catalog) - set(curves))
    eval_record = {
        "files": [Path(f).name for f in data.files],
        "formats": sorted(set(data.formats)),
        "imported": today.isoformat(),
        "problems": summary.n_problems,
        "concentration_low": round(summary.concentration_band[0], 4),
        "concentration_high": round(summary.concentration_band[1], 4),
        "concentration_measured": summary.concentration_measured,
        "unknown_models": summary.unknown_models,
        "lines_not_usable": len(summary.skipped),
        "source_tasks": [t for t in data.tasks if t],
        "measured_models": sorted(measured),
        "estimated_models": sorted(set(curves) - measured),
    }
    if estimate:
        eval_record["estimate"] = estimate
    raw = {
        "id": task_id,
        "name": summary.task_name,
        "source": source_note[:4000],
        "as_of": today.isoformat(),
        "benchmark": "your eval: " + ", ".join(eval_record["source_tasks"] or ["(unnamed)"]),
        "answer_format": answer_format,
        "verifier_available": False,
        "concentration": round(float(np.clip(summary.concentration, eval_fit.KAPPA_MIN, eval_fit.KAPPA_MAX)), 4),
        "default_input_tokens": input_tokens,
        "default_answer_tokens": DEFAULT_ANSWER_TOKENS,
        "curves": curves,
        "notes": (
            f"Imported from your eval results on {today.isoformat()} ({', '.join(eval_record['files'])}). "
            + (
                "kappa fitted by maximum likelihood (beta-binomial) on the per-problem pass counts. "
                if summary.concentration_measured
                else f"kappa {accuracy.DEFAULT_CONCENTRATION:g} is the planner's prior: the results have one sample "
                "per problem or only aggregate rows, which cannot show the difficulty spread. "
            )
            + f"{input_note}; default_answer_tokens {DEFAULT_ANSWER_TOKENS} is the planner's default (an eval log "
            "does not separate the answer from the reasoning); set both in the scenario."
        )[:4000],
        "basis": BASIS,
        "eval_import": eval_record,
    }
    if "concentration_low" in TaskProfile.__dataclass_fields__ and summary.concentration_measured:
        raw["concentration_low"] = max(eval_record["concentration_low"], 0.01)  # the accuracy work's band fields
        raw["concentration_high"] = eval_record["concentration_high"]
    task = validated_task(raw, "eval import")
    if existing is not None:
        summary.replaces = True
        summary.changes = describe_changes(existing, task)
    return task, summary


def _estimate_others(
    catalog: Catalog, figures: dict, curves: dict, floor: float, prior_b: float, summary: ImportSummary
) -> dict:
    """Add estimated curves (eval_estimate) for the catalog's models without the user's results; returns the
    record kept in eval_import['estimate'] (empty when nothing could be estimated)."""
    from ttcplanner.model import eval_estimate as est
    from ttcplanner.model.fit_accuracy import _fit_ab, _minimax_a

    block = est.load_abilities()
    models = block.get("models", {}) if block else {}
    if not models:
        summary.estimate_note = "the shipped catalog has no abilities block: models without your results have no data"
        return {}
    anchors, unusable = [], []
    for model in sorted(curves):
        if model not in models:
            unusable.append(f"{model}: no ability estimate")
            continue
        for f in figures.get(model, []):
            level, how = est.anchor_level(models[model], f.get("effort"), est.default_level(catalog, model))
            if level is None:
                unusable.append(f"{model} {f['label']}: {how}")
                continue
            anchors.append(
                est.Anchor(
                    model=model,
                    level=level,
                    theta=float(models[model][level]["theta"]),
                    tokens=float(f["reasoning_tokens"]),
                    pass1_pct=float(f["accuracy_pct"]),
                    band_pts=float(f["band_pts"]),
                    how=how,
                )
            )
    skipped = ("; not anchoring: " + "; ".join(unusable)) if unusable else ""
    if not anchors:
        summary.estimate_note = "no result of yours is on a model with an ability estimate: no estimate" + skipped
        return {}
    floor_band, floor_how = est.band_floor(catalog, block)
    fit = est.fit_task(anchors, floor, block, floor_band)
    targets = sorted((catalog_model_ids(catalog) & set(models)) - set(curves))
    for model in targets:
        levels = models[model]
        rows = []
        for level, rec in levels.items():
            pred, band = est.predict_band(fit, float(rec["theta"]), floor, block)
            tokens = float(rec["tokens"]) * math.exp(fit.token_offset)
            rows.append((tokens, pred, band, level, rec.get("tokens_how", "")))
        rows.sort()
        ln_t, y = np.log([r[0] for r in rows]), np.array([r[1] for r in rows])
        if np.ptp(ln_t) >= math.log(2.0):  # levels a factor 2 or more apart in tokens: their own slope (B_MIN..B_MAX)
            a, b = _fit_ab(ln_t, y, floor, 100.0, prior_b)
            curve_how = f"(a, b) by minimax through the {len(rows)} levels"
        else:  # levels close together in tokens: a slope between them is noise
            a, b = float(_minimax_a(ln_t, y, floor, 100.0, np.array([prior_b]))[0]), prior_b
            curve_how = f"offset a by minimax at the prior slope b={prior_b:.4f}"
        curve_err = float(np.max(np.abs(accuracy_pct_of(ln_t, a, b, floor) - y)))
        band = min(math.hypot(max(r[2] for r in rows), curve_err), 50.0)
        largest = max(r[0] for r in rows)
        shipped_max = _shipped_max_tokens(catalog, model)
        max_tokens = max(shipped_max or 0.0, 2.0 * largest)
        default = est.default_level(catalog, model)
        listed = ", ".join(f"{r[3]} {r[1]:.1f}% at {r[0]:,.0f} tokens" for r in rows)
        curves[model] = {
            "floor_pct": floor,
            "ceiling_pct": 100.0,
            "a": round(a, 6),
            "b": round(float(b), 6),
            "max_tokens": float(max_tokens),
            "band_pct": round(band, 2),
            "points": [],
            "basis": est.BASIS,
            "token_range": [round(rows[0][0], 1), round(rows[-1][0], 1)],
            "effort_tokens": {r[3]: round(r[0], 1) for r in rows},
            "effort_basis": {
                r[3]: f"estimated: {r[4]}, times exp({fit.token_offset:+.3f}) = your eval's token offset "
                "(median over the anchoring results)"
                for r in rows
            },
            "default_effort": default if default in levels else max(levels, key=lambda lv: levels[lv].get("cells", 0)),
            "fit_note": (
                f"ESTIMATED, not in your eval: {model}'s abilities on the published benchmarks placed on your "
                f"task by the cross-benchmark model ({fit.note}): {listed}; curve {curve_how}, "
                f"a={a:.4f}, b={b:.4f}, ceiling 100 (largest gap {curve_err:.1f} pts); band {band:.1f} pts = "
                f"quadrature of {floor_how}, the fit's residual, your results' bands carried through the fit"
                + (" and the spread of the shipped slopes" if fit.slope_how == "median" else "")
                + f"; max_tokens {max_tokens:,.0f}"
            )[:4000],
        }
    summary.estimated_models = targets
    summary.estimate_note = (
        f"{fit.note}; {len(anchors)} anchoring result(s): "
        + ", ".join(f"{a.model} {a.level} ({a.how})" for a in anchors)
        + f"; band at least {floor_how}{skipped}"
    )
    return {
        "slope": fit.slope_how,
        "s": round(fit.s, 4),
        "c": round(fit.c, 4),
        "token_offset": round(fit.token_offset, 4),
        "residual_pts": round(fit.residual_pts, 2),
        "band_floor_pts": round(floor_band, 2),
        "anchors": [f"{a.model} {a.level}" for a in anchors],
        "note": fit.note,
    }


def accuracy_pct_of(ln_t: np.ndarray, a: float, b: float, floor: float) -> np.ndarray:
    """The curve's accuracy at ln tokens (ceiling 100), as accuracy.py computes it."""
    return floor + (100.0 - floor) / (1.0 + np.exp(-(a + b * ln_t)))


def _curves_take_basis() -> bool:
    """Whether AccuracyCurve has a per-curve ``basis`` accepting 'user_eval' (the accuracy work adds the field;
    until 'user_eval' is one of its choices the task-level ``basis`` alone carries it)."""
    f = AccuracyCurve.__dataclass_fields__.get("basis")
    return f is not None and BASIS in (f.metadata.get("choices") or ())


def _group_tokens(rows: list[Sample], catalog: Catalog, model: str, effort: str | None) -> tuple[float | None, str]:
    measured = [s.reasoning_tokens for s in rows if s.reasoning_tokens is not None]
    if measured:
        hows = sorted({s.tokens_how for s in rows if s.reasoning_tokens is not None})
        share = f" ({len(measured)} of {len(rows)} samples)" if len(measured) < len(rows) else ""
        return max(float(np.mean(measured)), 1.0), f"mean of {len(measured)} samples{share}; " + "; ".join(hows)
    if effort:
        tokens = _effort_tokens(catalog, model, effort)
        if tokens is not None:
            return tokens, f"catalog: median tokens of effort {effort!r} for {model} on the shipped tasks"
        return None, f"no reasoning_tokens and no known token count for effort {effort!r}: add reasoning_tokens"
    return None, "no reasoning_tokens and no effort: the planner needs the tokens per answer"


def _pass1_behind(acc_pct: float, samples: int, aggregation: str, answer_format: str, kappa: float) -> float:
    """The pass@1 whose N-sample result is ``acc_pct`` under the planner's parallel model (bisection)."""
    kappa = float(np.clip(round(kappa, 6), eval_fit.KAPPA_MIN, eval_fit.KAPPA_MAX))
    lo, hi = 0.0, acc_pct
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if float(accuracy.parallel_mean_pct(mid, samples, aggregation, answer_format, kappa)) < acc_pct:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _single_sample_pct(point: dict, answer_format: str, kappa: float) -> float:
    samples, aggregation = accuracy.point_setting(_PointLabel(point["label"]))
    if samples <= 1:
        return point["accuracy_pct"]
    return _pass1_behind(point["accuracy_pct"], samples, aggregation, answer_format, kappa)


@dataclass(frozen=True)
class _PointLabel:
    label: str


def validated_task(raw: dict, src: str) -> TaskProfile:
    """The profile exactly as the catalog loader would read it back (never write what it rejects)."""
    where = f"tasks/{raw.get('id')}"
    task = _convert_task(raw, where, src)
    _check_entry("tasks", task, where, src)
    return task


def describe_changes(old: TaskProfile, new: TaskProfile) -> list[str]:
    """What replacing ``old`` by ``new`` changes, one line each (models, pass@1 at each point, spread)."""
    out = []
    est_basis = "estimated_from_other_tasks"
    # estimates follow the measured models: counted, not listed
    old_measured, new_measured = (
        {m for m, c in t.curves.items() if getattr(c, "basis", "") != est_basis} for t in (old, new)
    )
    for model in sorted(old_measured | new_measured):
        if model not in new_measured:
            out.append(f"{model}: removed")
        elif model not in old_measured:
            out.append(f"{model}: added")
        else:
            before = {(round(p.reasoning_tokens), p.label): p.accuracy_pct for p in old.curves[model].points}
            after = {(round(p.reasoning_tokens), p.label): p.accuracy_pct for p in new.curves[model].points}
            if before != after:

                def fmt(d):
                    return ", ".join(f"{v:.1f}% at {k[0]:,} tokens" for k, v in sorted(d.items()))

                out.append(f"{model}: {fmt(before)} -> {fmt(after)}")
    n_old, n_new = len(set(old.curves) - old_measured), len(set(new.curves) - new_measured)
    if n_old != n_new:
        out.append(f"models estimated from other tasks: {n_old} -> {n_new}")
    if abs(old.concentration - new.concentration) > 1e-9:
        out.append(f"difficulty spread kappa: {old.concentration:.3g} -> {new.concentration:.3g}")
    if old.answer_format != new.answer_format:
        out.append(f"answer format: {old.answer_format} -> {new.answer_format}")
    old_files = (getattr(old, "eval_import", None) or {}).get("files")
    new_files = (getattr(new, "eval_import", None) or {}).get("files")
    if old_files != new_files:
        out.append(f"files: {', '.join(old_files or [])} -> {', '.join(new_files or [])}")
    return out


# ---------------------------------------------------------------- the user catalog file


def _read_user_tasks(folder: Path) -> dict[str, dict]:
    path = folder / USER_TASKS_FILE
    if not path.exists():
        return {}
    kind, _, entries = load_file(path, "tasks")
    if kind != "tasks":
        raise InputError(f"holds kind {kind!r}, not tasks", field="kind", source=str(path))
    return {k: entry_to_json(v) for k, v in entries.items()}


def _write_user_tasks(folder: Path, entries: dict[str, dict]) -> Path:
    path = folder / USER_TASKS_FILE
    as_of = max((e["as_of"] for e in entries.values()), default=_dt.date.today().isoformat())
    write_json_atomic(
        path,
        {
            "schema_version": SCHEMA_VERSION,
            "kind": "tasks",
            "as_of": as_of,
            "note": "your eval results, written by `ttcplanner eval import`; remove with `ttcplanner eval remove`",
            "entries": list(entries.values()),
        },
    )
    return path


def user_tasks(folder: str | Path) -> dict[str, TaskProfile]:
    """The imported tasks saved in ``folder`` (the user catalog)."""
    folder = Path(folder)
    path = folder / USER_TASKS_FILE
    return load_file(path, "tasks")[2] if path.exists() else {}


def save_user_task(task: TaskProfile, folder: str | Path) -> Path:
    """Add or replace ``task`` in <folder>/eval_tasks.json (atomic; other tasks kept)."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create folder ({exc.strerror})", source=str(folder)) from None
    entries = _read_user_tasks(folder)
    raw = entry_to_json(task)
    validated_task(raw, str(folder / USER_TASKS_FILE))
    entries[task.id] = raw
    return _write_user_tasks(folder, entries)


def remove_user_task(task_id: str, folder: str | Path) -> Path:
    """Remove an imported task; InputError naming the imported ones when it is not one of them."""
    folder = Path(folder)
    entries = _read_user_tasks(folder)
    if task_id not in entries:
        known = ", ".join(sorted(entries)) or "none"
        raise InputError(f"no imported eval task {task_id!r}; imported: {known}", source=str(folder / USER_TASKS_FILE))
    del entries[task_id]
    return _write_user_tasks(folder, entries)
