"""Command-line front end: the GUI by default, and plan / serve-estimate / accuracy / catalog / calibrate.

Every command calls the same model functions as the GUI. Bad input of any kind ends with one line on
stderr and exit code 2; ``--json`` output shapes are a stable contract (tests/cli cover each).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from ttcplanner import __version__
from ttcplanner.model.errors import InputError
from ttcplanner.model.providers import FIRST_PARTY_PROVIDERS
from ttcplanner.qt_env import prefer_utf8_locale

EXIT_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (and exit 2) instead of usage + message."""

    def error(self, message: str):  # noqa: D401 - argparse API
        raise InputError(f"{self.prog}: {message} (see --help)")


def _bounded(convert, what: str, fmt: str, lo, hi):
    """An argparse type: ``convert(text)`` within [lo, hi], else a one-line error naming the bounds."""

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not (lo <= value <= hi):
            raise argparse.ArgumentTypeError(f"must be between {lo:{fmt}} and {hi:{fmt}}, got {text}")
        return value

    return parse


def _number(lo: float, hi: float):
    return _bounded(float, "a number", "g", lo, hi)


def _int_range(lo: int, hi: int):
    return _bounded(int, "a whole number", ",", lo, hi)


_positive_int = _int_range(1, 10**9)
MAX_GPUS_PER_REPLICA = 72  # as a scenario's gpus_per_replica: one NVL72 rack is the largest replica
_gpus_per_replica = _int_range(1, MAX_GPUS_PER_REPLICA)


def _speculative(text: str) -> tuple[int, float]:
    try:
        draft, accept = text.split(":")
        draft_n, accept_r = int(draft), float(accept)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected DRAFT_LEN:ACCEPT_RATE like 4:0.7, got {text!r}") from None
    if not (1 <= draft_n <= 16 and 0 <= accept_r < 1):
        raise argparse.ArgumentTypeError("draft length must be 1-16 and acceptance rate in [0, 1)")
    return draft_n, accept_r


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="ttcplanner", description="Plan test-time compute: accuracy vs reasoning tokens vs dollars.")
    p.add_argument("--version", action="version", version=f"ttcplanner {__version__}")
    p.add_argument(
        "--catalog",
        action="append",
        metavar="DIR",
        default=[],
        help="a catalog folder whose entries override or add to the shipped catalog (repeatable)",
    )
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    g = sub.add_parser("gui", help="open the planner window (the default)")
    g.add_argument("scenario", nargs="?", help="scenario JSON file to open")

    pl = sub.add_parser("plan", help="recommend a deployment for a scenario file")
    pl.add_argument("scenario", help="scenario JSON file")
    pl.add_argument("--json", action="store_true", help="print the plan as JSON")
    pl.add_argument("--pdf", metavar="OUT.pdf", help="also write the plan summary PDF")
    pl.add_argument("--paper", choices=("a4", "letter"), default="a4", help="PDF page size (default a4)")
    pl.add_argument(
        "--monte-carlo",
        type=_int_range(1, 1_000_000),
        metavar="N",
        help="also sample the uncertain inputs N times: how likely each deployment kind wins",
    )
    pl.add_argument(
        "--seed",
        type=_int_range(0, 2**63 - 1),
        default=0,
        metavar="S",
        help="random seed for --monte-carlo (default 0; same seed, same result)",
    )
    pl.add_argument(
        "--budget",
        choices=("auto", "fixed"),
        help="auto: the scenario's reasoning tokens and samples are caps and each option is bought at its "
        "cheapest budget within them; fixed: price exactly that budget (default: the file's budget_mode)",
    )
    pl.add_argument(
        "--sensitivity",
        action="store_true",
        help="with --pdf: add the sensitivity (tornado) section; page 1 then names the input that flips "
        "the recommendation",
    )

    sn = sub.add_parser("sensitivity", help="which uncertain input moves the cost most, and where the decision flips")
    sn.add_argument("scenario", help="scenario JSON file")
    sn.add_argument("--json", action="store_true")

    se = sub.add_parser("serve-estimate", help="throughput and latency of an open model on GPUs")
    se.add_argument("--model", required=True, help="open model id (see: catalog list)")
    se.add_argument("--hardware", required=True, help="GPU id (see: catalog list)")
    se.add_argument("--gpus", type=_gpus_per_replica, required=True, help="GPUs per replica (tensor parallel)")
    se.add_argument(
        "--precision",
        choices=("bf16", "fp8", "fp4", "int4"),
        required=True,
        help="weight precision (int4: GGUF Q4_K_M-class or AWQ/GPTQ, ~4.8 bits per weight)",
    )
    se.add_argument("--input-tokens", type=_number(0, 1e7), required=True)
    se.add_argument("--output-tokens", type=_number(1, 1e7), required=True)
    se.add_argument("--concurrency", default="max", help="sequences in flight, or 'max' (the most that fit)")
    se.add_argument("--kv-precision", choices=("bf16", "fp8", "fp4"), default="bf16")
    se.add_argument("--speculative", type=_speculative, metavar="DRAFT_LEN:ACCEPT_RATE")
    se.add_argument(
        "--engine",
        choices=("vllm", "sglang", "trtllm", "llamacpp"),
        default="vllm",
        help="serving engine (fitted efficiencies and its defaults; default vllm)",
    )
    se.add_argument(
        "--num-prompts",
        type=_positive_int,
        metavar="N",
        help="a benchmark of N requests: with --concurrency max all at once, with --concurrency C "
        "through C slots, with --request-rate R arriving at R/s",
    )
    se.add_argument(
        "--request-rate",
        type=_number(1e-9, 1e9),
        metavar="R",
        help="Poisson arrivals at R requests/s (instead of --concurrency)",
    )
    se.add_argument("--max-num-seqs", type=int, metavar="S", help="the engine's running-request cap (default: its own)")
    se.add_argument("--expert-parallel", action="store_true", help="shard MoE experts across the GPUs (all-to-all)")
    se.add_argument("--json", action="store_true")

    ac = sub.add_parser("accuracy", help="accuracy from test-time compute")
    ac.add_argument("--pass1", type=_number(0, 100), metavar="PCT", help="single-sample accuracy in percent")
    ac.add_argument("--model", help="accuracy model id (with --task and --reasoning-tokens)")
    ac.add_argument("--task", help="task profile id")
    ac.add_argument("--reasoning-tokens", type=_number(0, 1e9), metavar="T")
    ac.add_argument("--effort", metavar="LEVEL", help="the model's effort level (default: its default level)")
    ac.add_argument("--samples", type=_positive_int, default=1, metavar="N")
    ac.add_argument("--aggregate", choices=("majority", "verifier", "scorer"), default="majority")
    ac.add_argument("--answer-format", default=None, metavar="{free,choice:K}")
    ac.add_argument(
        "--scorer-quality",
        type=_number(0, 1),
        default=None,
        help="best-of-N scorer quality 0-1 (default: the task's fitted value, else 0.5)",
    )
    ac.add_argument("--json", action="store_true")

    cb = sub.add_parser("calibrate", help="calibrate serving estimates with your own measurement")
    cb.add_argument(
        "--vllm-bench",
        nargs="+",
        metavar="RESULT.json",
        help="the JSON written by `vllm bench serve --save-result` (several files: a sweep, which refits "
        "this configuration's decode and prefill efficiencies)",
    )
    cb.add_argument(
        "--sglang-bench",
        nargs="+",
        metavar="OUTPUT.jsonl",
        help="SGLang `bench_serving --output-file` output (one run per line): a sweep",
    )
    cb.add_argument(
        "--engine",
        choices=("vllm", "sglang", "trtllm", "llamacpp"),
        help="engine of the runs (default: vllm for --vllm-bench, sglang for --sglang-bench)",
    )
    cb.add_argument("--model", required=True, help="open model id")
    cb.add_argument("--hardware", required=True, help="GPU id")
    cb.add_argument("--gpus", type=_gpus_per_replica, required=True, help="GPUs per replica in the run")
    cb.add_argument("--precision", choices=("bf16", "fp8", "fp4"), required=True, help="weight precision in the run")
    cb.add_argument(
        "--kv-precision",
        choices=("bf16", "fp8", "fp4"),
        default="bf16",
        help="KV-cache precision in the run (vLLM default: bf16)",
    )
    cb.add_argument("--into", metavar="DIR", help="catalog folder to save into (default: your user catalog)")
    cb.add_argument(
        "--force",
        action="store_true",
        help="save a calibration that looks wrong (scale outside 0.33x-3x, another model_id, no output)",
    )
    cb.add_argument("--json", action="store_true")

    ca = sub.add_parser("catalog", help="list, show, validate or import catalog entries")
    csub = ca.add_subparsers(dest="catalog_command", parser_class=_Parser, required=True)
    cl = csub.add_parser("list", help="every entry by kind")
    cl.add_argument("--json", action="store_true")
    cs = csub.add_parser("show", help="one entry in full")
    cs.add_argument("id")
    cs.add_argument("--json", action="store_true")
    ci = csub.add_parser("import-litellm", help="import API prices from LiteLLM's model_prices_and_context_window.json")
    ci.add_argument("file")
    ci.add_argument(
        "--all",
        action="store_true",
        help="also add resellers and other providers (default: the vendors' own offers only)",
    )
    ci.add_argument("--into", metavar="DIR", help="catalog folder to save into (default: your user catalog)")
    ci.add_argument(
        "--force", action="store_true", help="save even when a price changes more than 10-fold (usually a unit error)"
    )
    ci.add_argument("--json", action="store_true")
    cp = csub.add_parser(
        "import-prices", help="import your own (negotiated) prices from a CSV: kind, id, field, value, source, as_of"
    )
    cp.add_argument("file")
    cp.add_argument("--into", metavar="DIR", help="catalog folder to save into (default: your user catalog)")
    cp.add_argument("--json", action="store_true")
    cst = csub.add_parser("stale", help="prices older than --days (default 180), and undated GPU rents")
    cst.add_argument("--days", type=_int_range(0, 100_000), default=180)
    cst.add_argument("--json", action="store_true")
    cv = csub.add_parser("validate", help="check a catalog folder")
    cv.add_argument("dir")
    cv.add_argument("--json", action="store_true")

    ev = sub.add_parser("eval", help="plan on your own eval results: import, list or remove a task")
    esub = ev.add_subparsers(dest="eval_command", parser_class=_Parser, required=True)
    ei = esub.add_parser(
        "import", help="import eval results (CSV, per-problem JSONL, lm-eval samples, Inspect log) as a task"
    )
    ei.add_argument("files", nargs="+", metavar="FILE")
    ei.add_argument("--task", metavar="NAME", help="the task's name (default: the task named in the files)")
    ei.add_argument("--model", metavar="ID", help="catalog model id of every result (when the files name one model)")
    ei.add_argument("--answer-format", default="free", metavar="{free,choice:K}", help="answer format (default free)")
    ei.add_argument("--into", metavar="DIR", help="catalog folder to save into (default: your user catalog)")
    ei.add_argument("--dry-run", action="store_true", help="show what would be imported; write nothing")
    ei.add_argument("--json", action="store_true")
    el = esub.add_parser("list", help="the imported eval tasks")
    el.add_argument("--into", metavar="DIR", help="catalog folder (default: your user catalog)")
    el.add_argument("--json", action="store_true")
    er = esub.add_parser("remove", help="remove an imported eval task")
    er.add_argument("name", metavar="NAME", help="task id or name")
    er.add_argument("--into", metavar="DIR", help="catalog folder (default: your user catalog)")
    er.add_argument("--json", action="store_true")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    prefer_utf8_locale()  # before any Qt start (GUI, PDF)
    if argv and argv[0].lower().endswith(".json"):
        argv.insert(0, "gui")  # `ttcplanner file.json` opens it, as a file manager's "Open with" does
    try:
        args = build_parser().parse_args(argv)
        if args.command in (None, "gui"):
            return _gui(args)
        return COMMANDS[args.command](args)
    except InputError as exc:
        print(f"ttcplanner: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("ttcplanner: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _catalog(args):
    from ttcplanner.model.catalog import load_catalog

    return load_catalog(*args.catalog)


def _shown(path) -> str:
    """A path as printable text: a file name in a foreign encoding (surrogate-escaped) or with a newline
    cannot fail or split the output."""
    from ttcplanner.model.errors import one_line

    return one_line(str(path))


def _print_json(data) -> None:
    print(json.dumps(data, indent=2, allow_nan=False))


def _gui(args) -> int:
    from ttcplanner.gui.app import run

    return run(scenario_path=getattr(args, "scenario", None), catalog_dirs=args.catalog)


def _plan(args) -> int:
    from ttcplanner.model import scenario as sc
    from ttcplanner.model.planner import evaluate
    from ttcplanner.plan_text import plan_text
    from ttcplanner.present.plan_json import plan_to_json

    if args.pdf is not None:  # an empty name, a folder, FIFO or device fails before the plan is computed
        from ttcplanner.model.jsonio import writable_target

        writable_target(args.pdf, "PDF")
    scenario = sc.load(args.scenario)
    if args.budget:
        scenario = scenario.replace(budget_mode=args.budget)
    catalog = _catalog(args)
    plan = evaluate(scenario, catalog)
    mc = None
    if args.monte_carlo:
        from ttcplanner.model.sensitivity import monte_carlo

        mc = monte_carlo(scenario, catalog, args.monte_carlo, seed=args.seed)
    if args.pdf is not None:
        from ttcplanner.report.pdf import export_pdf

        extras = None
        t = None
        if args.sensitivity:
            from ttcplanner.model.sensitivity import tornado

            t = tornado(scenario, catalog)
        if mc is not None or t is not None:
            from ttcplanner.report.analysis_section import report_extras

            extras = report_extras(tornado=t, monte_carlo=mc)
        from ttcplanner.present.names import model_names

        export_pdf(plan, args.pdf, paper=args.paper, extras=extras, names=model_names(catalog))
    if args.json:
        data = plan_to_json(plan)
        if args.pdf is not None:
            data["pdf"] = str(Path(args.pdf))
        if mc is not None:
            from ttcplanner.model.sensitivity import monte_carlo_to_json

            data["monte_carlo"] = monte_carlo_to_json(mc)
        task = catalog.tasks.get(scenario.task_id)
        if task is not None:  # where the task's accuracy comes from: 'published' or 'user_eval'
            data["basis"] = getattr(task, "basis", "published")
        _print_json(data)
    else:
        from ttcplanner.present.names import model_names

        print(plan_text(plan, names=model_names(catalog)))
        if mc is not None:
            print("\n" + _monte_carlo_text(mc))
        if args.pdf is not None:
            print(f"\nPDF written to {_shown(args.pdf)}")
    return 0


def _monte_carlo_text(mc) -> str:
    from ttcplanner.model.format import money
    from ttcplanner.present.labels import KIND_NAMES

    names = {**KIND_NAMES, "none": "Nothing meets the targets"}
    lines = [
        f"Monte Carlo ({mc.n:,} samples of every uncertain input, seed {mc.seed}): cheapest option meeting the targets"
    ]
    for k, p in sorted(mc.probability.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {names[k]:<26} {p:6.1%}")
    lines.append("Monthly cost of the best option of each kind (5th / 25th / median / 75th / 95th percentile):")
    for k, q in mc.quantiles_by_kind.items():
        if q["p50"] is None:
            lines.append(f"  {names[k]:<26} never meets the targets")
        else:
            lines.append(f"  {names[k]:<26} " + " / ".join(money(q[f"p{p}"]) for p in (5, 25, 50, 75, 95)))
    return "\n".join(lines)


def _sensitivity(args) -> int:
    from ttcplanner.model import scenario as sc
    from ttcplanner.model.format import money
    from ttcplanner.model.sensitivity import tornado, tornado_to_json
    from ttcplanner.present.labels import KIND_NAMES

    t = tornado(sc.load(args.scenario), _catalog(args))
    if args.json:
        _print_json(tornado_to_json(t))
        return 0
    if t.base_status != "ok":
        print(f"{t.scenario.name}: no option meets the targets; 'flips at' shows where an input makes one appear.")
    else:
        print(
            f"{t.scenario.name}: recommended {t.base_label} ({KIND_NAMES.get(t.base_kind, t.base_kind)}) at "
            f"{money(t.base_cost)}/month.\n"
            f"Monthly cost of that same option with one input at each end of its range; 'flips at' is where "
            f"the recommendation changes."
        )
    width = max(len(r.label) for r in t.rows)
    ranges = [f"{r.low_text} .. {r.high_text}" for r in t.rows]
    rw = max(len(x) for x in ranges)
    print(f"\n{'input':<{width}}  {'range':<{rw}}  {'cost at low':>11}  {'cost at high':>12}  flips at")
    for r, rng in zip(t.rows, ranges, strict=False):
        to_kind = KIND_NAMES.get(r.flip_to_kind, r.flip_to_kind)
        flip = (
            "-"
            if not r.flips
            else f"{r.flip_text} -> {r.flip_to} ({to_kind})"
            if r.flip_to_kind
            else f"{r.flip_text} -> nothing meets the targets"
        )
        print(f"{r.label:<{width}}  {rng:<{rw}}  {money(r.cost_at_low):>11}  {money(r.cost_at_high):>12}  {flip}")
    return 0


def _serve_estimate(args) -> int:
    import math

    import numpy as np

    from ttcplanner.model.serving import build_setup, load_estimate, precision_of, regime_of

    catalog = _catalog(args)
    model = catalog.get("open_models", args.model)
    gpu = catalog.get("gpus", args.hardware)
    if args.request_rate is not None and args.concurrency != "max":
        raise InputError("give --request-rate or --concurrency, not both")
    if args.max_num_seqs is not None and args.max_num_seqs < 1:
        raise InputError(f"--max-num-seqs must be at least 1, got {args.max_num_seqs}")
    if args.concurrency == "max":
        concurrency = None
    else:
        try:
            concurrency = int(args.concurrency)
        except ValueError:
            raise InputError(f"--concurrency must be a whole number or 'max', got {args.concurrency!r}") from None
        if not 1 <= concurrency <= 1_000_000:
            raise InputError(f"--concurrency must be from 1 to 1,000,000, got {concurrency}")
    draft, accept = args.speculative or (0, 0.0)
    setup = build_setup(
        catalog,
        [(model, gpu, args.gpus)],
        args.precision,
        args.kv_precision,
        args.engine,
        args.expert_parallel,
        args.max_num_seqs,
    )
    n_prompts = args.num_prompts if args.num_prompts is not None else math.inf
    if concurrency is None and args.request_rate is None and args.num_prompts is None:
        c = math.inf  # steady state with the engine full
        n_prompts = math.inf
        cap = float(min(setup.max_running[0], 1e12))
        c = cap
    else:
        c = concurrency if concurrency is not None else math.inf
    est = load_estimate(
        setup,
        args.input_tokens,
        args.output_tokens,
        concurrency=c,
        num_prompts=n_prompts,
        request_rate=args.request_rate if args.request_rate is not None else math.inf,
        draft_tokens=draft,
        acceptance=accept,
    )
    v = {name: np.asarray(getattr(est, name)).item() for name in vars(est)}
    fits = bool(v["fits"])

    def num(x):
        return float(x) if fits and np.isfinite(x) else None

    weights_gb = float(setup.total_params[0] * setup.weight_bytes_per_param[0]) / args.gpus / 1e9
    kv_gb = (
        float(v["running"])
        * float(setup.kv_bytes_per_token[0])
        * (args.input_tokens + args.output_tokens / 2)
        / args.gpus
        / 1e9
    )
    tok = num(v["output_tokens_per_s"])
    data = {
        "model": model.id,
        "hardware": gpu.id,
        "gpus": args.gpus,
        "precision": args.precision,
        "kv_precision": args.kv_precision,
        "input_tokens": args.input_tokens,
        "output_tokens": args.output_tokens,
        "engine": args.engine,
        "fits": fits,
        "max_concurrency": int(v["max_concurrency"]),
        "concurrency": int(round(v["running"])) if fits else 0,
        "output_tokens_per_s": tok,
        "output_tokens_per_s_per_gpu": tok / args.gpus if tok is not None else None,
        "output_tokens_per_s_per_user": num(1.0 / v["tpot_s"]) if fits and v["tpot_s"] > 0 else None,
        "ttft_s": num(v["ttft_s"]),
        "ttft_p99_s": num(v["ttft_p99_s"]),
        "tpot_s": num(v["tpot_s"]),
        "e2e_s": num(v["e2e_s"]),
        "e2e_p99_s": num(v["e2e_p99_s"]),
        "request_throughput_per_s": num(v["request_throughput_per_s"]),
        "memory_gb_per_gpu": weights_gb + (kv_gb if fits else 0.0) + 2.0,
        "memory_gb_available_per_gpu": float(gpu.memory_gb),
        "regime": ["dense-small-tp", "dense-large-tp", "moe"][
            int(regime_of(np.array(model.experts_total > 0), np.array(args.gpus)))
        ],
        "calibrated_by_user": bool(setup.calibrated[0] > 0),
        "speculative": {"draft_tokens": draft, "acceptance": accept} if draft else None,
        "max_num_seqs": int(setup.max_running[0]),
        "expert_parallel": bool(args.expert_parallel),
    }
    del precision_of
    if args.json:
        _print_json(data)
        return 0
    from ttcplanner.model.format import duration, rate

    title = (
        f"{model.name} on {args.gpus}x {gpu.name} ({args.precision.upper()} weights, {args.kv_precision.upper()} KV, "
        f"{args.engine})"
    )
    if not fits:
        print(
            f"{title}\nDoes not fit: needs about {data['memory_gb_per_gpu']:.1f} GB per GPU for weights alone "
            f"plus KV cache; {gpu.memory_gb:g} GB available."
        )
        return 0
    print(
        f"{title}\n"
        f"  running            {data['concurrency']} sequences (KV cache fits {data['max_concurrency']}; "
        f"engine cap {data['max_num_seqs']})\n"
        f"  replica output     {rate(data['output_tokens_per_s'])} "
        f"({rate(data['output_tokens_per_s_per_gpu'])} per GPU), "
        f"{data['request_throughput_per_s']:.3g} requests/s\n"
        f"  per user           {rate(data['output_tokens_per_s_per_user'] or 0)}\n"
        f"  TTFT mean / p99    {duration(data['ttft_s'])} / {duration(data['ttft_p99_s'])}\n"
        f"  TPOT mean          {duration(data['tpot_s'])}\n"
        f"  end to end         {duration(data['e2e_s'])} mean / {duration(data['e2e_p99_s'])} p99\n"
        f"  memory per GPU     {data['memory_gb_per_gpu']:.1f} GB of {gpu.memory_gb:g} GB"
    )
    return 0


def _accuracy(args) -> int:
    import numpy as np

    from ttcplanner.model import accuracy as acc

    if args.pass1 is not None and args.model:
        raise InputError("give either --pass1 or --model (with --task), not both")
    task = _catalog(args).get("tasks", args.task) if args.task else None
    quality = args.scorer_quality
    if quality is None:
        quality = task.scorer_quality if task is not None and task.scorer_quality is not None else 0.5
    extra = {}
    if args.pass1 is not None:
        if args.reasoning_tokens is not None or args.effort:
            raise InputError("--reasoning-tokens and --effort go with --model, not --pass1")
        if task is not None:
            if args.answer_format:
                raise InputError("--answer-format goes with --pass1 alone; a task profile has its own answer format")
            fmt, kappa, settings = task.answer_format, task.concentration, acc.parallel_settings(task)
        else:
            fmt, kappa = args.answer_format or "free", acc.PRIOR_CONCENTRATION
            settings = {
                "concentration_band": acc.PRIOR_CONCENTRATION_BAND,
                "verifier_concentration": acc.PRIOR_VERIFIER_CONCENTRATION,
                "verifier_band": acc.PRIOR_VERIFIER_CONCENTRATION_BAND,
            }
            _check_answer_format(fmt)
        mean, low, high = acc.parallel_pct(args.pass1, args.samples, args.aggregate, fmt, kappa, quality, **settings)
        extrap, basis = False, "fitted"
        what = f"pass@1 {args.pass1:g}%" + (
            f" on {task.name}" if task is not None else " (prior over all published pairs)"
        )
        extra = {"concentration": kappa, "verifier_concentration": settings["verifier_concentration"] or kappa}
    elif args.model and task is None:
        return _accuracy_every_task(args, quality)
    else:
        if not (args.model and task is not None):
            raise InputError(
                "give --pass1 PCT [--task ID], or --model ID [--task ID] [--effort E | --reasoning-tokens T]"
            )
        if args.answer_format:
            raise InputError("--answer-format goes with --pass1; a task profile has its own answer format")
        if args.effort and args.reasoning_tokens is not None:
            raise InputError("give --effort or --reasoning-tokens, not both")
        if args.model not in task.curves:
            raise InputError(
                f"no accuracy data for {args.model!r} on task {task.id!r} (neither published nor estimable "
                f"from its other tasks); models with data: {', '.join(sorted(task.curves)[:20])}, ...",
                field="model",
            )
        if args.reasoning_tokens is not None:
            tokens, level = float(args.reasoning_tokens), None
        else:
            tokens, level, how = acc.effort_tokens(task, args.model, args.effort)
            extra = {"effort": level, "reasoning_tokens": tokens, "effort_tokens_basis": how}
        acc.check_budget(task, args.model, tokens)
        est = acc.task_accuracy(task, args.model, np.array([tokens]), args.samples, args.aggregate, quality)
        mean, low, high, extrap = est.mean_pct, est.low_pct, est.high_pct, est.extrapolated
        basis = acc.point_basis(task, args.model, tokens, args.samples)
        what = f"{args.model} on {task.name} at " + (
            f"{level} effort ({tokens:,.0f} reasoning tokens)" if level else f"{tokens:g} reasoning tokens"
        )
    data = {
        "accuracy_pct": float(np.ravel(mean)[0]),
        "low_pct": float(np.ravel(low)[0]),
        "high_pct": float(np.ravel(high)[0]),
        "extrapolated": bool(np.ravel(extrap)[0]),
        "basis": basis,
        "samples": args.samples,
        "aggregate": args.aggregate,
        **extra,
    }
    if args.json:
        _print_json(data)
    else:
        note = " (extrapolated beyond published points)" if data["extrapolated"] else ""
        note += " [estimated from the model's other tasks]" if basis == "estimated_from_other_tasks" else ""
        print(
            f"{what}, {args.samples} sample(s), {args.aggregate}: {data['accuracy_pct']:.1f}% "
            f"(band {data['low_pct']:.1f}-{data['high_pct']:.1f}%){note}"
        )
    return 0


def _accuracy_every_task(args, quality) -> int:
    """`accuracy --model ID` without --task: the model on every task where it has data, at its default effort (or
    the given effort / tokens), each with its basis; tasks without data are named."""
    import numpy as np

    from ttcplanner.model import accuracy as acc

    catalog = _catalog(args)
    results, missing = {}, []
    for task in catalog.tasks.values():
        if args.model not in task.curves:
            missing.append(task.id)
            continue
        if args.reasoning_tokens is not None:
            tokens, level = float(args.reasoning_tokens), None
        elif args.effort and args.effort not in task.curves[args.model].effort_tokens:
            missing.append(task.id)
            continue
        else:
            tokens, level, _ = acc.effort_tokens(task, args.model, args.effort)
        if tokens > task.curves[args.model].max_tokens:
            missing.append(task.id)
            continue
        est = acc.task_accuracy(task, args.model, np.array([tokens]), args.samples, args.aggregate, quality)
        results[task.id] = {
            "accuracy_pct": float(est.mean_pct[0]),
            "low_pct": float(est.low_pct[0]),
            "high_pct": float(est.high_pct[0]),
            "extrapolated": bool(est.extrapolated[0]),
            "basis": acc.point_basis(task, args.model, tokens, args.samples),
            "effort": level,
            "reasoning_tokens": tokens,
        }
    if not results:
        raise InputError(f"no accuracy data for {args.model!r} on any task", field="model")
    if args.json:
        _print_json(
            {
                "model": args.model,
                "samples": args.samples,
                "aggregate": args.aggregate,
                "tasks": results,
                "no_data": missing,
            }
        )
        return 0
    for task_id, r in results.items():
        setting = f"{r['effort']} effort" if r["effort"] else f"{r['reasoning_tokens']:g} tokens"
        print(
            f"{task_id:22s} {r['accuracy_pct']:5.1f}% (band {r['low_pct']:.1f}-{r['high_pct']:.1f}%) at {setting} "
            f"({r['reasoning_tokens']:,.0f} tokens), {r['basis']}{', extrapolated' if r['extrapolated'] else ''}"
        )
    if missing:
        print(f"no accuracy data: {', '.join(missing)}")
    return 0


def _check_answer_format(fmt: str) -> None:
    from ttcplanner.model.catalog import check_answer_format

    check_answer_format(fmt, "--answer-format")


def _catalog_cmd(args) -> int:
    from ttcplanner.model.catalog import KINDS, entry_to_json, load_catalog, load_file

    if args.catalog_command == "import-litellm":
        return _import_litellm(args)
    if args.catalog_command == "import-prices":
        return _import_prices(args)
    if args.catalog_command == "stale":
        return _stale(args)
    if args.catalog_command == "validate":
        from ttcplanner.model.jsonio import require_folder

        folder = require_folder(args.dir, "catalog folder")
        files = sorted(folder.glob("*.json"))
        if not files:
            raise InputError("no *.json catalog files in this folder", source=str(folder))
        counts = {}
        for path in files:
            kind, as_of, entries = load_file(path)
            counts[path.name] = {"kind": kind, "as_of": as_of, "entries": len(entries)}
        load_catalog(folder)  # the folder also merges cleanly over the shipped catalog
        if args.json:
            _print_json({"valid": True, "files": counts})
        else:
            for name, c in counts.items():
                print(f"{name}: {c['entries']} {c['kind']} entries, as of {c['as_of']}: ok")
        return 0
    catalog = _catalog(args)
    if args.catalog_command == "list":
        data = {
            kind: [{"id": e.id, "name": e.name, "as_of": e.as_of} for e in getattr(catalog, kind).values()]
            for kind in KINDS
        }
        if args.json:
            _print_json({"catalog_as_of": catalog.as_of, **data})
        else:
            print(f"Catalog as of {catalog.as_of} ({catalog.age_days()} days old)")
            for kind, rows in data.items():
                if rows:
                    print(f"\n{kind} ({len(rows)}):")
                    for row in rows:
                        print(f"  {row['id']:<28} {row['name']}  [{row['as_of']}]")
        return 0
    kind = catalog.kind_of(args.id)
    if kind is None:
        raise InputError(f"unknown id {args.id!r} (see: ttcplanner catalog list)")
    entry = getattr(catalog, kind)[args.id]
    data = {"kind": kind, **entry_to_json(entry)}
    if args.json:
        _print_json(data)
    else:
        for key, value in data.items():
            if key != "curves":
                print(f"{key:>28}: {value}")
        if kind == "tasks":
            print(f"{'curves':>28}: {', '.join(entry.curves)}")
    return 0


def _import_litellm(args) -> int:
    from ttcplanner.model.import_checks import PRICE_JUMP, price_changes, price_jumps, usd
    from ttcplanner.model.price_import import import_litellm, save_offers
    from ttcplanner.paths import user_catalog_dir

    result = import_litellm(args.file, providers=None if args.all else FIRST_PARTY_PROVIDERS)
    before = _catalog(args)  # what the planner used until now: shipped, user and --catalog offers
    changes = price_changes(before, result.offers)
    jumps = price_jumps(changes)
    if jumps and not args.force:
        raise InputError(
            f"{len(jumps)} price(s) would change more than {PRICE_JUMP:g}-fold, e.g. {jumps[0]}; "
            "nothing saved. Check the file, or import anyway with --force",
            source=args.file,
        )
    paths = save_offers(result.offers, args.into or user_catalog_dir()) if result.offers else []
    if args.json:
        _print_json(
            {
                "imported": len(result.offers),
                "updated": sorted(result.updated),
                "added": sorted(result.added),
                "skipped": [{"key": k, "reason": r} for k, r in result.skipped],
                "saved_to": [str(p) for p in paths],
                "changes": changes,
            }
        )
    else:
        print(
            f"Imported {len(result.offers)} offers ({len(result.updated)} updated, {len(result.added)} added) "
            f"into {', '.join(_shown(p) for p in paths) or 'nothing'}."
        )
        changed = [c for c in changes if c["fields"]]
        print(f"Prices changed ({len(changed)}; $ per million tokens):" if changed else "No price changed.")
        for c in changed[:200]:
            print(
                f"  {c['id']}{' (new)' if c['new_offer'] else ''}: "
                + ", ".join(f"{k} {usd(v['old'])} -> {usd(v['new'])}" for k, v in c["fields"].items())
            )
        if len(changed) > 200:
            print(f"  ... and {len(changed) - 200} more (see --json)")
        print(f"Skipped {len(result.skipped)}:")
        for key, reason in result.skipped[:50]:
            print(f"  {key}: {reason}")
        if len(result.skipped) > 50:
            print(f"  ... and {len(result.skipped) - 50} more (see --json)")
    return 0


def _import_prices(args) -> int:
    from ttcplanner.model.price_import import import_prices, save_price_entries
    from ttcplanner.paths import user_catalog_dir

    result = import_prices(args.file, _catalog(args))  # a file that is not such a CSV stops here: nothing written
    paths = save_price_entries(result.entries, args.into or user_catalog_dir()) if result.entries else []
    if args.json:
        _print_json(
            {
                "applied": [
                    {"line": n, "kind": k, "id": i, "field": f, "value": v} for n, k, i, f, v in result.applied
                ],
                "skipped": [{"line": n, "reason": r} for n, r in result.skipped],
                "saved_to": [str(p) for p in paths],
            }
        )
    else:
        print(
            f"Imported {len(result.applied)} prices into {', '.join(str(p) for p in paths) or 'nothing'}; "
            f"skipped {len(result.skipped)} rows:"
        )
        for line, reason in result.skipped:
            print(f"  line {line}: {reason}")
    return 0


def _stale(args) -> int:
    from ttcplanner.model.price_import import freshness, stale_entries

    catalog = _catalog(args)
    rows = stale_entries(catalog, args.days)
    if args.json:
        _print_json({"days": args.days, "stale": rows, "freshness": freshness(catalog)})
    else:
        print(f"{len(rows)} prices older than {args.days} days or undated:")
        for r in rows:
            what = f"{r['id']} {r['provider']} {r['pricing']}" if r["kind"] == "gpus" else r["id"]
            print(f"  {r['kind']:<12} {what:<40} {r['as_of'] or 'undated'}")
    return 0


def _calibrate(args) -> int:
    from ttcplanner.model.calibration import (
        calibrate,
        calibrate_sweep,
        calibration_doubts,
        read_sglang_bench,
        read_vllm_bench,
        save_user_calibration,
    )
    from ttcplanner.model.catalog import entry_to_json
    from ttcplanner.paths import user_catalog_dir

    if not args.vllm_bench and not args.sglang_bench:
        raise InputError("give --vllm-bench RESULT.json ... or --sglang-bench OUTPUT.jsonl ...")
    catalog = _catalog(args)
    results = [read_vllm_bench(f) for f in args.vllm_bench or []]
    for f in args.sglang_bench or []:
        results += read_sglang_bench(f)
    engine = args.engine or ("sglang" if args.sglang_bench and not args.vllm_bench else "vllm")
    doubts = []
    if len(results) == 1 and args.vllm_bench:
        cal = calibrate(
            catalog,
            results[0],
            args.model,
            args.hardware,
            args.gpus,
            args.precision,
            args.kv_precision,
            force=args.force,
        )
        doubts = calibration_doubts(results[0], catalog.get("open_models", args.model), cal.throughput_scale)
    else:
        cal = calibrate_sweep(
            catalog, results, args.model, args.hardware, args.gpus, args.precision, args.kv_precision, engine
        )
    path = save_user_calibration(cal, args.into or user_catalog_dir())
    if args.json:
        _print_json({"saved_to": str(path), "calibration": entry_to_json(cal), "doubts": doubts})
    elif cal.runs > 1 or len(results) > 1:
        print(
            f"Refitted {cal.name} on {len(results)} runs: decode efficiency x{cal.decode_scale:.3g}, prefill "
            f"efficiency x{cal.prefill_scale:.3g}. Saved to {_shown(path)}.\nLater estimates for this setup are "
            f"marked as calibrated by you."
        )
    else:
        if doubts:
            print("Saved with --force although " + "; ".join(doubts) + ".")
        print(
            f"Measured {cal.measured_output_tokens_per_s:,.0f} output tok/s; the model estimated "
            f"{cal.measured_output_tokens_per_s / cal.throughput_scale:,.0f}. Saved scale {cal.throughput_scale:.3f} "
            f"for {cal.name} to {_shown(path)}.\nLater estimates for this setup are marked as calibrated by you."
        )
    return 0


def _eval(args) -> int:
    from ttcplanner.model.catalog import entry_to_json
    from ttcplanner.model.eval_import import read_eval_files
    from ttcplanner.model.user_tasks import build_user_task, remove_user_task, save_user_task, task_id_for, user_tasks
    from ttcplanner.paths import user_catalog_dir

    folder = Path(args.into) if args.into else user_catalog_dir()
    if args.eval_command == "list":
        tasks = user_tasks(folder)
        if args.json:
            _print_json(
                {
                    "folder": str(folder),
                    "tasks": [
                        {"id": t.id, "name": t.name, "as_of": t.as_of, "models": sorted(t.curves), **t.eval_import}
                        for t in tasks.values()
                    ],
                }
            )
        else:
            print(f"{len(tasks)} imported eval task(s) in {folder}" + (":" if tasks else ""))
            for t in tasks.values():
                measured = t.eval_import.get("measured_models") or sorted(t.curves)
                estimated = len(t.curves) - len(measured)
                print(
                    f"  {t.id:<24} {t.name}  [{t.as_of}] your results: {', '.join(measured)}"
                    + (f"; estimated from other tasks: {estimated} models" if estimated > 0 else "")
                    + f"; from {', '.join(t.eval_import.get('files', []))}"
                )
        return 0
    if args.eval_command == "remove":
        task_id = task_id_for(args.name)
        path = remove_user_task(task_id, folder)
        if args.json:
            _print_json({"removed": task_id, "saved_to": str(path)})
        else:
            print(f"Removed the eval task {task_id!r} from {path}.")
        return 0
    _check_answer_format(args.answer_format)
    catalog = _catalog(args)
    data = read_eval_files(args.files, task=args.task, model=args.model)
    name = args.task or next((t for t in data.tasks if t), None)
    if not name:
        raise InputError("the files name no task; give --task NAME")
    task, summary = build_user_task(data, catalog, name, args.answer_format)
    path = None if args.dry_run else save_user_task(task, folder)
    if args.json:
        _print_json(
            {
                "task": entry_to_json(task),
                "replaces": summary.replaces,
                "changes": summary.changes,
                "unknown_models": summary.unknown_models,
                "not_usable": [{"where": w, "reason": r} for w, r in summary.skipped],
                "notes": summary.notes,
                "no_data_models": summary.no_data_models,
                "estimated_models": summary.estimated_models,
                "estimate": summary.estimate_note,
                "saved_to": str(path) if path else None,
            }
        )
    else:
        print("\n".join(summary.lines()))
        print(f"Saved to {path}; plan on it with task_id {task.id!r}." if path else "Dry run: nothing written.")
    return 0


COMMANDS = {
    "eval": _eval,
    "calibrate": _calibrate,
    "plan": _plan,
    "sensitivity": _sensitivity,
    "serve-estimate": _serve_estimate,
    "accuracy": _accuracy,
    "catalog": _catalog_cmd,
}


if __name__ == "__main__":  # `python -m ttcplanner.cli ...` runs the CLI too
    sys.exit(main())
