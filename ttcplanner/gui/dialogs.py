"""Help > Assumptions and Help > About.

The assumptions dialog reads its constants from the model modules themselves, so it cannot drift from
what the planner computes, and lists every catalog entry with its source link and date.
"""

from __future__ import annotations

import html
from collections import Counter

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QTextBrowser, QVBoxLayout, QWidget

from ttcplanner import __version__
from ttcplanner.model.catalog import Catalog

CATALOG_KINDS = (("api_offers", "API tiers"), ("asic_offers", "ASIC inference clouds"), ("gpus", "GPUs"),
                 ("open_models", "Open models"), ("tasks", "Task profiles"), ("serving_factors", "Serving efficiency factors"),
                 ("user_calibrations", "Your calibrations"))


def _const(module, name: str, fmt: str = "{}") -> str:
    value = getattr(module, name, None)
    return "?" if value is None else fmt.format(value)


def assumptions_html(catalog: Catalog) -> str:
    from ttcplanner.model import costs, planner, serving

    items = [
        "Accuracy vs reasoning tokens per sample follows a fitted sigmoid in ln(tokens) per model and task, with no gain "
        "past the model's trained maximum; outside the published points the band widens and the value is marked "
        "extrapolated.",
        "Parallel samples: per-problem difficulty is Beta-distributed; a verifier succeeds if any sample is right, "
        "majority vote needs the right answer to win the plurality, a learned scorer lies between the two.",
        f"A month is {_const(costs, 'DAYS_PER_MONTH', '{:g}')} days; batch APIs are used when the latency target allows "
        f"{_const(costs, 'BATCH_LATENCY_S', '{:,.0f}')} s and the offer has a batch discount.",
        "Open models on GPUs: roofline (memory bandwidth vs FLOPs) times fitted efficiency factors; "
        f"{_const(serving, 'USABLE_MEMORY_FRACTION', '{:.0%}')} of GPU memory usable, "
        f"{_const(serving, 'ACTIVATION_RESERVE_GB_PER_GPU', '{:g}')} GB per GPU reserved for activations; the prompt "
        "is prefilled once for all samples when the prefix cache is on.",
        f"Speculative decoding: a draft token costs {_const(serving, 'DRAFT_COST_PER_TOKEN', '{:.0%}')} of a target step "
        "(an assumption); the acceptance rate is yours to set.",
        "GPU fleets are sized for the peak (peak / average) and paid for around the clock; owned GPUs cost purchase "
        "price over the amortisation period plus power x PUE x electricity price.",
        f"Prices older than {_const(planner, 'STALE_PRICE_DAYS')} days raise a warning on the recommendation.",
        "The recommendation is the cheapest option per month that meets the accuracy and latency targets; if none "
        "does, the most accurate option that meets the latency target.",
    ]
    parts = ["<h3>Model assumptions</h3><ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in items) + "</ul>",
             f"<h3>Catalog</h3><p>Newest price: <b>{catalog.as_of}</b> ({catalog.age_days()} days ago). Read from: "
             + ", ".join(html.escape(s) for s in catalog.sources) + "</p>"]
    for kind, title in CATALOG_KINDS:
        entries = list(getattr(catalog, kind).values())
        if not entries:
            continue
        dates = Counter(e.as_of for e in entries)
        parts.append(f"<h4>{title} ({len(entries)}; dated {min(dates)} to {max(dates)})</h4><table cellspacing='0' cellpadding='2'>")
        for e in sorted(entries, key=lambda e: e.name.lower()):
            src = html.escape(e.source)
            link = f"<a href='{src}'>{src}</a>" if e.source.startswith("http") else src
            parts.append(f"<tr><td>{html.escape(e.name)}</td><td>&nbsp;{e.as_of}&nbsp;</td><td>{link}</td></tr>")
        parts.append("</table>")
    return "".join(parts)


class AssumptionsDialog(QDialog):
    def __init__(self, catalog: Catalog, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("assumptionsDialog")
        self.setWindowTitle("Assumptions and sources")
        self.resize(900, 650)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setHtml(assumptions_html(catalog))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser)
        lay.addWidget(buttons)


def about_text(catalog: Catalog) -> str:
    return (f"<h3>ttcplanner {__version__}</h3><p>Plan test-time compute: accuracy vs reasoning tokens vs dollars "
            f"across API tiers, rented or owned GPUs and ASIC inference clouds.</p>"
            f"<p>Catalog as of <b>{catalog.as_of}</b> ({catalog.age_days()} days old). Every figure carries its "
            f"source and date: Help &gt; Assumptions.</p><p>License: MIT. Fonts: DejaVu (bundled).</p>")


def show_about(catalog: Catalog, parent: QWidget | None = None) -> None:
    QMessageBox.about(parent, "About ttcplanner", about_text(catalog))
