"""The report's text as HTML for QTextDocument: recommendation, key figures, inputs, assumptions, sources.

Every number is formatted by ttcplanner.model.format so the PDF reads like the GUI and the CLI.
QTextDocument understands a subset of HTML 4 / CSS 2: tables with cellpadding, per-cell borders with
border-collapse, page-break-before, font sizes in pt. Nothing fancier is used.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from html import escape
from typing import Mapping

from ttcplanner import __version__
from ttcplanner.model.format import cost_lines, count, duration, money, pct, requests, tokens
from ttcplanner.model.options import KIND_NAMES, KINDS
from ttcplanner.present.assumptions import plan_assumptions
from ttcplanner.present.key_figures import budget_line, key_figures
from ttcplanner.present.labels import aggregation_name
from ttcplanner.present.names import display_name
from ttcplanner.present.reasons import headline, nearest_miss_texts, reason_texts, warning_texts
from ttcplanner.present.sources import SOURCE_TIERS, clean_url, rank_sources, source_tier
from ttcplanner.present.summary import accuracy_basis, accuracy_text, alternatives, budget_text, flip_assumption
from ttcplanner.report.figures import FIGURE_WIDTH_MM, accuracy_models, shown_options

ACCENT = "#1F3A5F"
RULE = "#9AA7B5"
HEAD_BG = "#E6EBF1"
REC_BG = "#F3F6F9"
CSS_PX_PER_MM = 96 / 25.4  # QTextDocument sizes images in CSS pixels (1/96 inch)

FIGURE_CAPTIONS = {
    "accuracy": (
        "Accuracy vs reasoning tokens per sample",
        "Lines: fitted accuracy of each model on this task with the scenario's samples and aggregation; "
        "shaded: uncertainty band of the models in the key-figures table (wider where extrapolated past the "
        "published points); markers: published "
        "measurements as published. Dotted vertical: the scenario's reasoning budget.",
    ),
    "cost": (
        "Cost per request vs accuracy",
        "Each line sweeps the reasoning budget of one option (10 to 1M tokens per sample) at the scenario's "
        "volume and latency target. Thick black: Pareto frontier, the cheapest way to reach each accuracy. "
        "Markers: each shown option at the scenario's budget; star: the recommendation.",
    ),
    "volume": (
        "Monthly cost vs requests per day",
        "The cheapest option of each deployment kind that meets the targets, as volume changes and every "
        "other input stays as in the scenario. GPU costs step up with each whole replica. Dotted verticals: "
        "break-even volumes where the cheapest kind changes.",
    ),
}


ENGINE_NAMES = {
    "vllm": "vLLM",
    "sglang": "SGLang",
    "trtllm": "TensorRT-LLM",
    "tensorrt-llm": "TensorRT-LLM",
    "llamacpp": "llama.cpp",
    "llama.cpp": "llama.cpp",
}


def _yes(value: bool) -> str:
    return "yes" if value else "no"


# label, how to show the value (from the Scenario), unit note
SCENARIO_FIELDS = {
    "name": ("Scenario name", lambda s: s.name),
    "task_id": ("Task profile", lambda s, names=None: display_name(names, s.task_id)),
    "target_accuracy_pct": ("Accuracy target", lambda s: pct(s.target_accuracy_pct)),
    "reasoning_tokens": ("Reasoning budget per sample", lambda s: tokens(s.reasoning_tokens)),
    "samples": ("Samples per request", lambda s: f"{s.samples:d}"),
    "aggregation": ("Aggregation of samples", lambda s: aggregation_name(s.aggregation)),
    "scorer_quality": ("Scorer quality (0 = majority vote, 1 = oracle)", lambda s: f"{s.scorer_quality:g}"),
    "budget_mode": (
        "Budget mode",
        lambda s: (
            "auto (reasoning tokens and samples are caps; the cheapest budget within them is searched)"
            if s.budget_mode == "auto"
            else "fixed (every option priced at this budget)"
        ),
    ),
    "requests_per_day": ("Volume", lambda s: f"{requests(s.requests_per_day)}/day ({s.requests_per_day:,.0f})"),
    "input_tokens": ("Prompt per request", lambda s: tokens(s.input_tokens)),
    "answer_tokens": ("Answer per sample", lambda s: tokens(s.answer_tokens)),
    "cached_input_fraction": ("Cached share of the prompt", lambda s: pct(100 * s.cached_input_fraction, 0)),
    "peak_to_average": ("Peak-to-average load", lambda s: f"{s.peak_to_average:g} \u00d7"),
    "latency_target_s": (
        "Latency target per request",
        lambda s: f"{duration(s.latency_target_s)} ({s.latency_target_s:g} s)",
    ),
    "hardware": (
        "GPU hardware",
        lambda s, names=None: (
            "auto (every GPU in the catalog)" if s.hardware == "auto" else display_name(names, s.hardware)
        ),
    ),
    "gpus_per_replica": (
        "GPUs per replica",
        lambda s: "auto (smallest that fits)" if s.gpus_per_replica == 0 else f"{s.gpus_per_replica:d}",
    ),
    "ownership": (
        "GPU ownership",
        lambda s: {"rent": "rented (hourly price)", "own": "owned (purchase + power)"}.get(s.ownership, s.ownership),
    ),
    "weight_precision": (
        "Weight precision",
        lambda s: s.weight_precision.upper() if s.weight_precision != "native" else "native",
    ),
    "kv_precision": ("KV-cache precision", lambda s: s.kv_precision.upper()),
    "speculative_draft_tokens": (
        "Speculative decoding draft tokens",
        lambda s: "off" if s.speculative_draft_tokens == 0 else f"{s.speculative_draft_tokens:d}",
    ),
    "speculative_acceptance": ("Speculative acceptance rate", lambda s: pct(100 * s.speculative_acceptance, 0)),
    "prefix_cache": ("Prefix (prompt) cache", lambda s: "on" if s.prefix_cache else "off"),
    "engine": ("Serving engine (GPU options)", lambda s: ENGINE_NAMES.get(s.engine, s.engine)),
    "ttft_target_s": (
        "Time-to-first-token target",
        lambda s: "none" if s.ttft_target_s >= 7 * 86400 else f"{duration(s.ttft_target_s)} ({s.ttft_target_s:g} s)",
    ),
    "on_prem_only": ("On-premises only", lambda s: _yes(s.on_prem_only)),
    "amortization_months": ("GPU purchase amortisation", lambda s: f"{s.amortization_months:g} months"),
    "electricity_usd_per_kwh": ("Electricity price", lambda s: f"${s.electricity_usd_per_kwh:g}/kWh"),
    "pue": ("Power usage effectiveness (PUE)", lambda s: f"{s.pue:g}"),
    "gpu_price_basis": ("GPU rent basis", lambda s: s.gpu_price_basis),
    "gpu_pricing": ("GPU rent pricing", lambda s: s.gpu_pricing),
    "peak_traffic_share": ("Share of traffic at peak-hour API prices", lambda s: pct(100 * s.peak_traffic_share, 0)),
    "gpu_share_of_server": (
        "GPUs' share of a server's price (when no server price is catalogued)",
        lambda s: pct(100 * s.gpu_share_of_server, 0),
    ),
    "networking_fraction": ("Networking, share of server capex", lambda s: pct(100 * s.networking_fraction, 1)),
    "colo_usd_per_kw_month": ("Colocation", lambda s: f"${s.colo_usd_per_kw_month:g}/kW-month"),
    "maintenance_per_year": ("Maintenance, share of hardware per year", lambda s: pct(100 * s.maintenance_per_year, 1)),
    "staff_usd_per_gpu_month": ("Staff per GPU", lambda s: f"${s.staff_usd_per_gpu_month:g}/month"),
    "residual_fraction": ("Residual value after amortisation", lambda s: pct(100 * s.residual_fraction, 0)),
}


def model_assumptions(plan) -> list[str]:
    """``present.assumptions.plan_assumptions`` (Help > Assumptions and the CLI list the same)."""
    return list(plan_assumptions(plan))


def _cell(
    text: str,
    *,
    header: bool = False,
    align: str = "left",
    bold: bool = False,
    bg: str = "",
    width: str = "",
    small: bool = False,
    nowrap: bool = False,
) -> str:
    """One table cell. ``nowrap`` for short cells: the document wraps anywhere (for long URLs), which
    would otherwise split words like "Recommended" in narrow columns."""
    tag = "th" if header else "td"
    style = f"border-bottom: 0.5pt solid {RULE}; text-align: {align};"
    if nowrap or header:
        style += " white-space: nowrap;"
    if header:
        style += f" background-color: {HEAD_BG}; font-weight: bold;"
    elif bg:
        style += f" background-color: {bg};"
    if small:
        style += " font-size: 7.5pt;"
    w = f' width="{width}"' if width else ""
    body = f"<b>{text}</b>" if bold and not header else text
    return f'<{tag}{w} style="{style}">{body}</{tag}>'


def _table(header: list[tuple] | None, rows: list[str], font_pt: float = 8.5) -> str:
    """header: (title, align) or (title, align, width) per column, None for no header row. One font size per
    table so a row that straddles a page break breaks at the same line in every cell."""
    head = (
        ""
        if header is None
        else "<thead><tr>"
        + "".join(  # <thead>: repeated on each page the table spans
            _cell(escape(h[0]), header=True, align=h[1], width=h[2] if len(h) > 2 else "") for h in header
        )
        + "</tr></thead>"
    )
    return (
        '<table width="100%" cellspacing="0" cellpadding="3" style="border-collapse: collapse; '
        f'margin-top: 4pt; margin-bottom: 6pt; font-size: {font_pt}pt;">{head}{"".join(rows)}</table>'
    )


def _small_lines(lines) -> str:
    return f"<br/><span style='font-size: 7.5pt; color: #555555;'>{'<br/>'.join(escape(x) for x in lines)}</span>"


def key_figures_table(plan) -> str:
    """``present.key_figures`` as a table (the CLI lists the same rows)."""
    header = [
        ("", "left", "15%"),
        ("Option", "left", "31%"),
        ("Accuracy", "right", "12%"),
        ("Monthly", "right", "11%"),
        ("Per 1k req.", "right", "12%"),
        ("Latency", "right", "10%"),
        ("GPUs", "right", "9%"),
    ]
    rows = []
    for row in key_figures(plan):
        if row.index is None:
            rows.append(
                "<tr>"
                + _cell(f"No option{_small_lines([row.kind_name])}", nowrap=True)
                + f'<td colspan="6" style="border-bottom: 0.5pt solid {RULE}; color: #555555;">'
                f"{escape(row.why_none)}</td></tr>"
            )
            continue
        bold = row.role == "Recommended"
        bg = REC_BG if bold else ""
        accuracy = row.accuracy + (_small_lines([row.band, *row.caveats]) if row.band else "")
        rows.append(
            "<tr>"
            + "".join(
                [
                    _cell(escape(row.role) + _small_lines([row.kind_name]), bg=bg, bold=bold, nowrap=True),
                    _cell(escape(row.option) + (_small_lines([row.detail]) if row.detail else ""), bg=bg, bold=bold),
                    _cell(accuracy, bg=bg, align="right", nowrap=True),
                    _cell(row.monthly, bg=bg, align="right", bold=bold, nowrap=True),
                    _cell(row.per_1k, bg=bg, align="right", nowrap=True),
                    _cell(row.latency, bg=bg, align="right", nowrap=True),
                    _cell(row.gpus, bg=bg, align="right", nowrap=True),
                ]
            )
            + "</tr>"
        )
    return _table(header, rows, font_pt=9)


def scenario_table(plan, names: Mapping[str, str] | None = None) -> str:
    s = plan.scenario
    rows = []
    for f in dataclasses.fields(s):
        label, show = SCENARIO_FIELDS.get(
            f.name, (f.name.replace("_", " ").capitalize(), lambda sc, n=f.name: str(getattr(sc, n)))
        )
        value = show(s, names) if f.name in ("task_id", "hardware") else show(s)
        rows.append(
            "<tr>"
            + _cell(escape(label), width="45%")
            + _cell(escape(value))
            + _cell(f"<span style='color: #666666;'>{escape(f.name)}</span>", width="27%")
            + "</tr>"
        )
    return _table([("Input", "left"), ("Value", "left"), ("Scenario file field", "left")], rows)


def _link(url: str) -> str:
    """A source as a link, cleaned of tracking parameters (``present.sources.clean_url``)."""
    url = clean_url(url)
    if url.startswith(("http://", "https://")):
        return f'<a href="{escape(url)}" style="color: {ACCENT}; text-decoration: none;">{escape(url)}</a>'
    return escape(url)


def sources_tables(plan, names: Mapping[str, str] | None = None) -> str:
    o = plan.options
    rows = []
    for _role, i in shown_options(plan):
        parts = [p.strip() for p in o.source[i].split(";") if p.strip()]
        if o.kind[i] != "gpu" or len(parts) != 2:  # a GPU option's two parts stay labelled GPU, Model
            parts = [u for _, u in rank_sources(parts)]
        if o.kind[i] == "gpu" and len(parts) == 2:
            src = f"GPU: {_link(parts[0])}<br/>Model: {_link(parts[1])}"
        else:
            src = "<br/>".join(_link(p) for p in parts) or "n/a"
        priced = cost_lines(o, i, plan.scenario)  # which rent, tier or peak share; an owned GPU-hour item by item
        if priced:
            src += "<br/><span style='color: #555555;'>" + "<br/>".join(escape(line) for line in priced) + "</span>"
        rows.append(
            "<tr>"
            + _cell(escape(o.label[i]), width="26%")
            + _cell(src)
            + _cell(escape(o.as_of[i]), width="12%")
            + _cell(escape(o.confidence[i]), width="13%")
            + "</tr>"
        )
    html = "<p><b>Prices, speeds and hardware</b> of the options in the key-figures table:</p>"
    html += _table([("Option", "left"), ("Source", "left"), ("As of", "left"), ("Confidence", "left")], rows, font_pt=8)
    groups: dict[tuple[str, str], list[str]] = {}
    notes: dict[str, int] = {}
    for view in accuracy_models(plan):
        for pt in view.points:
            tag = ""
            if pt.tokens_derived:
                number = notes.setdefault(pt.tokens_derived, len(notes) + 1)
                method = pt.tokens_derived.split(":", 1)[0].strip().lower() if ":" in pt.tokens_derived[:20] else "note"
                tag = f" <span style='color: #555555;'>({escape(method)} [{number}])</span>"
            groups.setdefault((display_name(names, view.accuracy_id), pt.source), []).append(
                f"{escape(_named(pt.label, names))}: {pct(pt.accuracy_pct)} at {count(pt.reasoning_tokens)} tokens{tag}"
            )
    ranked = sorted(groups.items(), key=lambda item: source_tier(clean_url(item[0][1])))
    points = [
        "<tr>"
        + _cell(escape(model), width="17%")
        + _cell("<br/>".join(lines), width="56%")
        + _cell(_link(source))
        + "</tr>"
        for (model, source), lines in ranked
    ]
    if plan.provenance:
        provenance = sorted(plan.provenance, key=lambda row: source_tier(clean_url(row[1])))
        rows = [
            "<tr>" + _cell(escape(what), width="38%") + _cell(_link(src)) + _cell(escape(date), width="12%") + "</tr>"
            for what, src, date in provenance
        ]
        html += "<p><b>Task profile and fitted model factors</b>:</p>"
        html += _table([("What", "left"), ("Source", "left"), ("As of", "left")], rows, font_pt=8)
    html += "<p><b>Published accuracy points</b> plotted in Figure 1:</p>"
    if points:
        html += _table(
            [("Model", "left"), ("Setting: accuracy at reasoning tokens", "left"), ("Source", "left")],
            points,
            font_pt=8,
        )
        if notes:
            shared = _shared_tail(list(notes))
            lines = [
                f"[{n}] {escape(_named(text[: len(text) - len(shared)].rstrip('; '), names))}"
                for text, n in notes.items()
            ]
            if shared:
                lines.append(f"[1\u2013{len(notes)}] {escape(_named(shared.lstrip('; '), names))}")
            html += (
                "<p style='font-size: 7.5pt; margin-bottom: 1pt;'><b>How token counts were obtained</b> where the "
                "source does not publish them (numbers in brackets above):</p>"
                "<p style='font-size: 7.5pt; color: #333333; margin-top: 0;'>" + "<br/>".join(lines) + "</p>"
            )
    else:
        html += (
            "<p>None: the task profile has no published points for the plotted models (curves are catalog fits).</p>"
        )
    return html


def _source_urls(plan) -> list[str]:
    """Every web address the Sources section cites, in the order it cites them."""
    o = plan.options
    urls = [p.strip() for _, i in shown_options(plan) for p in o.source[i].split(";")]
    urls += [src for _, src, _ in plan.provenance]
    urls += [pt.source for view in accuracy_models(plan) for pt in view.points]
    return [u for u in urls if u.startswith(("http://", "https://"))]


def ranked_sources_html(plan) -> str:
    """The sources in one list by how much weight they carry: vendor and primary pages, papers, then
    secondary sites and blogs (``present.sources``), each cleaned of tracking parameters."""
    ranked = rank_sources(_source_urls(plan))
    html = ""
    for tier, heading in enumerate(SOURCE_TIERS):
        urls = [u for t, u in ranked if t == tier]
        if urls:
            html += (
                f"<p style='margin-bottom: 1pt;'><b>{escape(heading)}</b> ({len(urls)}):</p>"
                "<p style='font-size: 8pt; margin-top: 0; margin-bottom: 4pt;'>"
                + "<br/>".join(_link(u) for u in urls)
                + "</p>"
            )
    return html


def _named(text: str, names: Mapping[str, str] | None) -> str:
    """``text`` with the catalog ids it quotes (a price file's row, 'api_prices.csv: gpt-5-mini') replaced by
    their display names, so the reader meets the names the rest of the report uses."""
    ids = sorted((i for i, name in (names or {}).items() if name != i and i in text), key=len, reverse=True)
    if not ids:
        return text
    pattern = re.compile(r"(?<![\w/.-])(" + "|".join(map(re.escape, ids)) + r")(?![\w/-])")
    return pattern.sub(lambda m: names[m.group(1)], text)


def _shared_tail(notes: list[str]) -> str:
    """The '; '-separated clauses every note ends with (said once instead of on every line)."""
    if len(notes) < 2:
        return ""
    split = [n.split("; ") for n in notes]
    k = 0
    while all(len(parts) > k + 1 for parts in split) and len({tuple(parts[-k - 1 :]) for parts in split}) == 1:
        k += 1
    return "; " + "; ".join(split[0][-k:]) if k else ""


def _list(items) -> str:
    return (
        "<ul style='margin-top: 2pt; margin-bottom: 4pt;'>"
        + "".join(f"<li style='margin-bottom: 2pt;'>{escape(t)}</li>" for t in items)
        + "</ul>"
    )


def figure_html(number: int, name: str, image_name: str) -> str:
    """Title, image, caption (the PDF writer keeps the title on the image's page)."""
    title, caption = FIGURE_CAPTIONS[name]
    width = round(FIGURE_WIDTH_MM * CSS_PX_PER_MM)
    return (
        f'<p style="margin-top: 8pt; margin-bottom: 2pt;"><b>Figure {number}. {escape(title)}</b></p>'
        f'<p style="margin: 0;"><img src="{image_name}" width="{width}"/></p>'
        f'<p style="font-size: 8pt; color: #333333; margin-top: 2pt; margin-bottom: 6pt;">{escape(caption)}</p>'
    )


def _h2(text: str, page_break: bool = False) -> str:
    brk = " page-break-before: always;" if page_break else ""
    return (
        f'<h2 style="font-size: 12.5pt; color: {ACCENT}; margin-top: 12pt; margin-bottom: 3pt;{brk}">'
        f"{escape(text)}</h2>"
    )


def _summary_row(label: str, body: str, shade: bool = False) -> str:
    bg = REC_BG if shade else ""
    return "<tr>" + _cell(f"<b>{escape(label)}</b>", width="22%", bg=bg) + _cell(body, bg=bg) + "</tr>"


def _small(text: str) -> str:
    return f"<br/><span style='font-size: 8pt; color: #555555;'>{text}</span>"


def executive_summary(plan, names: Mapping[str, str] | None = None, tornado=None) -> str:
    """Page 1's answer: the recommendation, its cost, accuracy and budget, the alternatives and the one
    assumption that would change it (``present.summary`` decides the words)."""
    s, r, i = plan.scenario, plan.results, plan.recommended
    status = {
        "ok": "",
        "target_missed": f"No option reaches the {pct(s.target_accuracy_pct)} accuracy target: the "
        "most accurate option within the latency target is shown instead.",
        "nothing_feasible": "No option can serve this workload within the targets.",
    }[plan.status]
    html = ""
    if status and i is not None:  # without a recommendation the headline below says it
        html += f'<p style="color: #8B0000; margin-bottom: 2pt;"><b>{escape(status)}</b></p>'
    rows = []
    if i is None:
        html += f'<p style="font-size: 12pt; margin-top: 2pt; margin-bottom: 2pt;"><b>{escape(headline(plan))}</b></p>'
    else:
        kind = str(plan.options.kind[i])
        what = headline(plan).removeprefix(f"{KIND_NAMES[kind]}: ")  # the option and, for GPUs, its fleet
        rows.append(
            _summary_row(
                "Recommendation",
                f"<span style='font-size: 11pt;'><b>{escape(what)}</b></span>" + _small(escape(KIND_NAMES[kind])),
                shade=True,
            )
        )
        rows.append(
            _summary_row(
                "Monthly cost",
                f"<b>{money(r.monthly_usd[i])}/month</b> at "
                f"{requests(s.requests_per_day)}/day"
                + _small(
                    f"{money(r.cost_per_request_usd[i] * 1000)} per 1,000 requests; "
                    f"{duration(r.latency_s[i])} per request (target "
                    f"{duration(s.latency_target_s)})"
                ),
                shade=True,
            )
        )
        rows.append(
            _summary_row(
                "Accuracy",
                f"<b>{escape(accuracy_text(plan, i))}</b> against a "
                f"{pct(s.target_accuracy_pct)} target" + _small("Basis: " + escape(accuracy_basis(plan, i, names))),
                shade=True,
            )
        )
        rows.append(_summary_row("Chosen budget", escape(budget_text(plan, i)), shade=True))
    alts = alternatives(plan, names)
    if alts:
        rows.append(
            _summary_row(
                "Alternatives" if i is not None else "By deployment kind", "<br/>".join(escape(a.text) for a in alts)
            )
        )
    rows.append(_summary_row("What would change it", escape(flip_assumption(plan, tornado))))
    return html + _table(None, rows, font_pt=9.5)


def report_html(
    plan,
    figure_names: dict[str, str],
    extras_html: list[tuple[str, str]] = (),
    today: dt.date | None = None,
    names: Mapping[str, str] | None = None,
    tornado=None,
) -> str:
    """The whole report body. ``figure_names``: figure key -> image resource name; ``names``: display name
    per accuracy, task and GPU id (``present.names.model_names``); ``tornado``: a sensitivity result for this
    scenario, if one was run (page 1 then names the input that flips the recommendation)."""
    s = plan.scenario
    today = today or dt.date.today()
    parts = [
        '<p style="font-size: 8.5pt; color: #555555; margin-bottom: 0;">TEST-TIME COMPUTE PLAN</p>',
        f'<h1 style="font-size: 18pt; color: {ACCENT}; margin-top: 2pt; margin-bottom: 4pt;">{escape(s.name)}</h1>',
        f'<p style="color: #444444; margin-top: 0;">Task <b>{escape(display_name(names, s.task_id))}</b> \u00b7 '
        f"target {pct(s.target_accuracy_pct)} within {duration(s.latency_target_s)} per request \u00b7 "
        f"{requests(s.requests_per_day)}/day<br/>"
        f"Report date {today.isoformat()} \u00b7 catalog as of {escape(plan.catalog_as_of)} "
        f"({plan.catalog_age_days} days old) \u00b7 ttcplanner {__version__}</p>",
        f'<hr style="height: 1px; background-color: {RULE};"/>',
        _h2("Executive summary"),
        executive_summary(plan, names, tornado),
    ]
    parts.append(f"<p>{escape(budget_line(plan))}</p>")  # the chosen budget and the caps (issue 16)
    parts += [
        _h2("Key figures"),
        key_figures_table(plan),
        '<p style="font-size: 8pt; color: #444444;">Accuracy band: the fit\'s uncertainty range (extrap.: beyond '
        "the published points). Monthly cost at the scenario's volume; latency is per request including all "
        "samples; GPUs: total GPUs in the fleet (managed: the provider runs the hardware).</p>",
    ]
    if plan.break_evens:
        parts.append(
            "<p>Break-even volumes: "
            + "; ".join(
                f"{requests(b.requests_per_day)}/day ({escape(KIND_NAMES[b.below])} cheaper below, "
                f"{escape(KIND_NAMES[b.above])} above)"
                for b in plan.break_evens
            )
            + ".</p>"
        )
    rec_kind = None if plan.recommended is None else plan.options.kind[plan.recommended]
    other_kinds = tuple(f"{KIND_NAMES[k]}:" for k in KINDS if k != rec_kind)
    reasons = [t for t in reason_texts(plan) if not t.startswith(other_kinds)]  # the summary's alternatives say these
    reasons += nearest_miss_texts(plan)  # no option meets every target: which to relax, and by how much
    if reasons:
        parts += [_h2("Why this option" if plan.recommended is not None else "What to change"), _list(reasons)]
    if plan.warnings:
        parts += [_h2("Warnings"), _list(warning_texts(plan))]
    parts.append(_h2("Figures", page_break=True))  # page 1 is the summary; the figures start on a page of their own
    for n, (name, image) in enumerate(figure_names.items(), start=1):
        parts.append(figure_html(n, name, image))
    for title, html in extras_html:
        parts += [_h2(title), html]
    parts += [
        _h2("Scenario inputs"),
        scenario_table(plan, names),
        _h2("Assumptions and caveats"),
        _list(warning_texts(plan) + model_assumptions(plan)),
        _h2("Sources"),
        "<p>Ranked by the weight they carry: vendor and primary pages first, then papers, then secondary "
        "sites and blogs; tracking parameters removed. The tables after the list say which figure each "
        "source supports.</p>",
        ranked_sources_html(plan),
        sources_tables(plan, names),
    ]
    return "\n".join(parts)
