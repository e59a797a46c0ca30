"""PDF sections for the sensitivity (tornado) and uncertainty (Monte Carlo) results: QtGui only.

``report_extras(tornado=..., monte_carlo=...)`` returns the ``extras`` mapping ``export_pdf`` takes:
{key: {"title", "html", "images"}}. The tornado chart is drawn with QPainter at print resolution (the
line-chart module has no bars); the Monte Carlo section is a table (probabilities and cost quantiles as
text, so they can be searched and copied) plus a cost-distribution chart built with ``report.chart``.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np

from ttcplanner.model.format import money, money_tick
from ttcplanner.model.options import KIND_NAMES, KINDS
from ttcplanner.model.sensitivity import flip_note, row_notes
from ttcplanner.present import palette
from ttcplanner.present.histogram import log_histogram

DPI = 300
WIDTH_MM = 170.0
ROW_MM = 12.5
LABEL_MM = 64.0
LOW_COLOR, HIGH_COLOR, FLIP_COLOR = palette.TORNADO_LOW, palette.TORNADO_HIGH, palette.TORNADO_FLIP
OUTCOME_NAMES = {**KIND_NAMES, "none": "Nothing meets the targets"}
TORNADO_IMAGE = "analysis-tornado.png"
COST_IMAGE = "analysis-monte-carlo-cost.png"


# ------------------------------------------------------------------------------------------- tornado


def _ticks(lo: float, hi: float) -> list[float]:
    from ttcplanner.report.chart import linear_ticks

    return linear_ticks(lo, hi, 6)


def tornado_image(t, font_family: str, dpi: int = DPI):
    """Horizontal bar pairs around the base cost, largest swing on top; flipping inputs outlined in red."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen

    px_mm = dpi / 25.4
    pt = dpi / 72.0
    rows = t.rows
    w = round(WIDTH_MM * px_mm)
    plot_top = 7 * px_mm  # room for the base label above the plot
    axis_h = 14 * px_mm
    h = round(plot_top + max(len(rows), 1) * ROW_MM * px_mm + axis_h)
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.setDotsPerMeterX(round(dpi / 0.0254))
    img.setDotsPerMeterY(round(dpi / 0.0254))
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    font = QFont(font_family)
    font.setPointSizeF(7.3)
    small = QFont(font)
    small.setPointSizeF(6.6)
    bold = QFont(font)
    bold.setBold(True)
    fm = QFontMetricsF(font, img)
    sfm = QFontMetricsF(small, img)

    base = t.base_cost if math.isfinite(t.base_cost) else 0.0
    ends = [v for r in rows for v in (r.cost_at_low, r.cost_at_high) if math.isfinite(v)] + [base]
    lo, hi = min(ends), max(ends)
    span = max(hi - lo, abs(base) * 0.1, 1.0)
    lo, hi = max(0.0, lo - 0.06 * span), hi + 0.06 * span
    left, right = LABEL_MM * px_mm, w - 4 * px_mm
    plot = QRectF(left, plot_top, right - left, max(len(rows), 1) * ROW_MM * px_mm)

    def x_of(v: float) -> float:
        return plot.left() + (v - lo) / (hi - lo) * plot.width()

    # grid and axis
    ticks = [v for v in _ticks(lo, hi) if lo <= v <= hi]
    p.setFont(font)
    for v in ticks:
        x = x_of(v)
        p.setPen(QPen(QColor("#DDDDDD"), 0.4 * pt))
        p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        p.setPen(QPen(QColor("#000000"), 0.6 * pt))
        p.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 2 * pt))
        text = money_tick(v)
        p.drawText(QPointF(x - fm.horizontalAdvance(text) / 2, plot.bottom() + 3 * pt + fm.ascent()), text)
    p.setFont(bold)
    title = "Monthly cost of the recommended option ($)"
    p.drawText(
        QPointF(
            plot.center().x() - QFontMetricsF(bold, img).horizontalAdvance(title) / 2,
            plot.bottom() + 4 * pt + fm.height() + QFontMetricsF(bold, img).ascent(),
        ),
        title,
    )

    bar_h = ROW_MM * px_mm * 0.26
    p.setPen(QPen(QColor("#000000"), 1.0 * pt))  # base line first: the notes' white boxes sit on top of it
    p.drawLine(QPointF(x_of(base), plot.top() - 1.5 * pt), QPointF(x_of(base), plot.bottom()))
    p.setFont(small)
    base_text = f"base {money(base)}/month"
    bx = min(
        max(x_of(base) - sfm.horizontalAdvance(base_text) / 2, plot.left()), right - sfm.horizontalAdvance(base_text)
    )
    p.drawText(QPointF(bx, plot.top() - 2.5 * pt - sfm.descent()), base_text)
    for j, r in enumerate(rows):
        top = plot.top() + j * ROW_MM * px_mm
        mid = top + ROW_MM * px_mm / 2
        outline = QPen(QColor(FLIP_COLOR), 1.4 * pt) if r.flips else QPen(QColor("#333333"), 0.4 * pt)
        for value, color, y0 in ((r.cost_at_low, LOW_COLOR, mid - bar_h), (r.cost_at_high, HIGH_COLOR, mid)):
            if not math.isfinite(value):
                continue
            x0, x1 = sorted((x_of(base), x_of(value)))
            p.setPen(outline)
            p.setBrush(QColor(color))
            p.drawRect(QRectF(x0, y0, max(x1 - x0, 0.6 * pt), bar_h))
        # label: input name, range, and the flip note
        p.setPen(QColor(FLIP_COLOR if r.flips else "#000000"))
        p.setFont(bold if r.flips else font)
        lfm = QFontMetricsF(bold if r.flips else font, img)
        label = r.label
        if lfm.horizontalAdvance(label) > left - 3 * px_mm and " (" in label:
            label = label[: label.rindex(" (")]  # the units; the range line below says them
        label = lfm.elidedText(label, Qt.TextElideMode.ElideRight, left - 3 * px_mm)
        p.drawText(QPointF(1 * px_mm, mid - 0.6 * pt - fm.descent()), label)
        p.setFont(small)
        p.setPen(QColor("#444444"))
        p.drawText(
            QPointF(1 * px_mm, mid + 0.6 * pt + sfm.ascent()),
            sfm.elidedText(f"{r.low_text} to {r.high_text}", Qt.TextElideMode.ElideRight, left - 3 * px_mm),
        )
        notes = row_notes(r)
        if notes:
            text = "; ".join(notes)
            tw = sfm.horizontalAdvance(text)
            x = plot.left() + 2 * pt  # in the gap above the row's bars
            y = top + 1.2 * pt + sfm.ascent()
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(255, 255, 255, 215))
            p.drawRect(QRectF(x - pt, y - sfm.ascent(), tw + 2 * pt, sfm.height()))
            p.setPen(QColor(FLIP_COLOR if r.flips else "#444444"))
            p.drawText(QPointF(x, y), text)
    # frame
    p.setPen(QPen(QColor("#000000"), 0.6 * pt))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(plot)
    p.end()
    return img


def tornado_section(t, font_family: str) -> dict:
    flips = [r for r in t.rows if r.flips]
    if t.base_label is None:
        intro = "Nothing meets the targets in the base scenario, so there is no recommended cost to vary."
    else:
        intro = (
            f"Each uncertain input alone moved to the low and high end of its range, every other input as in the "
            f"scenario; bars: the monthly cost of the recommendation ({escape(t.base_label)}, "
            f"{money(t.base_cost)}/month, vertical line) at the low end (blue, upper bar) and the high end "
            f"(orange, lower bar). Largest swing first. Red outline: the recommendation changes within the range."
        )
    rows = "".join(
        f"<tr><td>{escape(r.label)}</td><td>{escape(r.low_text)} to {escape(r.high_text)}</td>"
        f"<td align='right'>{money(r.cost_at_low)}</td><td align='right'>{money(r.cost_at_high)}</td>"
        f"<td>{escape(flip_note(r)) or 'no'}</td></tr>"
        for r in t.rows
    )
    head = (
        "<thead><tr style='background-color: #E6EBF1;'><th align='left'>Input</th><th align='left'>Range</th>"
        "<th align='right'>Cost at low</th><th align='right'>Cost at high</th><th align='left'>Decision</th>"
        "</tr></thead>"
    )
    summary = (
        (
            f"<p><b>{len(flips)} of {len(t.rows)} inputs flip the decision within their range:</b> "
            + "; ".join(f"{escape(r.label)}: {escape(flip_note(r))}" for r in flips)
            + ".</p>"
        )
        if flips
        else "<p><b>No single input flips the decision within its range.</b></p>"
    )
    # the answer, then the chart and its explanation under it (as the figures' captions): the section's heading,
    # its answer and its chart then fit on one page (the PDF keeps a heading and a lead-in with the image)
    html = (
        f"{summary}"
        f'<p style="margin: 0;"><img src="{TORNADO_IMAGE}"/></p>'
        f"<p style='font-size: 8pt; color: #333333; margin-top: 2pt;'>{intro}</p>"
        f"<table width='100%' cellspacing='0' cellpadding='2' style='font-size: 8pt;'>{head}{rows}</table>"
        f"<p style='font-size: 8pt; color: #333333;'>Where each range comes from: ttcplanner sensitivity "
        f"lists the sources. {t.evaluations} full plan evaluations.</p>"
    )
    return {
        "title": "Sensitivity: what moves the cost and what flips the decision",
        "html": html,
        "images": {TORNADO_IMAGE: tornado_image(t, font_family)},
    }


# ---------------------------------------------------------------------------------------- Monte Carlo


def cost_chart(mc, font_family: str):
    from ttcplanner.report.chart import Axis, Chart, Series
    from ttcplanner.report.figures import KIND_STYLE

    edges, shares = log_histogram(mc.monthly_usd_by_kind)
    if not len(edges):
        return None
    centres = np.sqrt(edges[:-1] * edges[1:])
    series = []
    for k in KINDS:
        h = shares.get(k)
        if h is None or not h.any():
            continue
        color, dash, marker = KIND_STYLE[k]
        series.append(
            Series(
                centres,
                h,
                label=f"{KIND_NAMES[k]} (cheapest in {mc.probability[k]:.1%})",
                color=color,
                dash=dash,
                marker=marker,
                marker_every=4,
                width_pt=1.3,
            )
        )
    top = max(float(np.max(s.y)) for s in series) if series else 1.0
    chart = Chart(
        width_mm=WIDTH_MM,
        height_mm=70,
        font_family=font_family,
        x=Axis("Monthly cost of the best option of the kind ($, log scale)", log=True, fmt=money_tick),
        y=Axis("Share of samples (%)", lo=0, hi=top * 1.1, fmt=lambda v: f"{v:g}%"),
        series=series,
    )
    return chart.render(DPI)


def monte_carlo_section(mc, font_family: str) -> dict:
    rows = []
    for k in sorted(mc.probability, key=lambda k: -(mc.probability[k] if math.isfinite(mc.probability[k]) else -1)):
        p = mc.probability[k]
        q = mc.quantiles_by_kind.get(k)
        if k == "none":
            med = spread = ""
        elif q is None or q["p50"] is None:
            med, spread = "never meets the targets", ""
        else:
            med, spread = money(q["p50"]), f"{money(q['p5'])} to {money(q['p95'])}"
        pct = f"{100 * p:.1f}%" if math.isfinite(p) else "n/a"
        rows.append(
            f"<tr><td>{escape(OUTCOME_NAMES[k])}</td><td align='right'>{pct}</td>"
            f"<td align='right'>{med}</td><td align='right'>{spread}</td></tr>"
        )
    head = (
        "<thead><tr style='background-color: #E6EBF1;'><th align='left'>Outcome</th>"
        "<th align='right'>Probability cheapest meeting the targets</th><th align='right'>Median monthly cost</th>"
        "<th align='right'>5th to 95th percentile</th></tr></thead>"
    )
    intro = (
        f"{mc.n:,} samples (seed {mc.seed}) with every uncertain input drawn at once: independent triangular "
        "distributions with the mode at the scenario value (log space for factors), over the ranges of the "
        "sensitivity analysis (ttcplanner sensitivity lists them with their sources). Probability: the share of "
        "samples in which the kind offers the cheapest option that "
        "meets the accuracy and latency targets. Costs: the best option of each kind, over the samples where it "
        "has one."
    )
    html = f"<p>{intro}</p><table width='100%' cellspacing='0' cellpadding='2'>{head}{''.join(rows)}</table>"
    images = {}
    img = cost_chart(mc, font_family)
    if img is not None:
        images[COST_IMAGE] = img
        html += (
            f'<p style="margin-top: 6pt; margin-bottom: 0;"><img src="{COST_IMAGE}"/></p>'
            '<p style="font-size: 8pt; color: #333333;">Distribution of the monthly cost of the best option of '
            "each kind across the samples (log-spaced bins; heights are shares of all samples).</p>"
        )
    return {"title": "Uncertainty: how often each deployment kind wins", "html": html, "images": images}


def report_extras(tornado=None, monte_carlo=None, font_family: str | None = None) -> dict:
    """The ``extras`` for ``export_pdf``: a section per result given (a cancelled Monte Carlo is left out)."""
    if font_family is None:
        from ttcplanner.report.qt_setup import ensure_app

        font_family = ensure_app()
    out = {}
    if tornado is not None:
        out["tornado"] = {**tornado_section(tornado, font_family), "result": tornado}  # for page 1's summary
    if monte_carlo is not None and not monte_carlo.cancelled and monte_carlo.n:
        out["monte_carlo"] = monte_carlo_section(monte_carlo, font_family)
    return out
