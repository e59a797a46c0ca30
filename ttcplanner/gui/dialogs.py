"""Help > Assumptions and Help > About.

The assumptions dialog shows ``present.assumptions`` (the PDF lists the same items) and every catalog
entry with its source link and date.
"""

from __future__ import annotations

import html
from collections import Counter

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QTextBrowser, QVBoxLayout, QWidget

from ttcplanner import __version__
from ttcplanner.model.catalog import Catalog
from ttcplanner.present.assumptions import model_assumptions

CATALOG_KINDS = (
    ("api_offers", "API tiers"),
    ("asic_offers", "ASIC inference clouds"),
    ("gpus", "GPUs"),
    ("open_models", "Open models"),
    ("tasks", "Task profiles"),
    ("serving_factors", "Serving efficiency factors"),
    ("user_calibrations", "Your calibrations"),
)


def assumptions_html(catalog: Catalog) -> str:
    items = model_assumptions()
    parts = [
        "<h3>Model assumptions</h3><ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in items) + "</ul>",
        f"<h3>Catalog</h3><p>Newest price: <b>{catalog.as_of}</b> ({catalog.age_days()} days ago). Read from: "
        + ", ".join(html.escape(s) for s in catalog.sources)
        + "</p>",
    ]
    for kind, title in CATALOG_KINDS:
        entries = list(getattr(catalog, kind).values())
        if not entries:
            continue
        dates = Counter(e.as_of for e in entries)
        parts.append(
            f"<h4>{title} ({len(entries)}; dated {min(dates)} to {max(dates)})</h4>"
            "<table cellspacing='0' cellpadding='2'>"
        )
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
    return (
        f"<h3>ttcplanner {__version__}</h3><p>Plan test-time compute: accuracy vs reasoning tokens vs dollars "
        f"across API tiers, rented or owned GPUs and ASIC inference clouds.</p>"
        f"<p>Catalog as of <b>{catalog.as_of}</b> ({catalog.age_days()} days old). Every figure carries its "
        f"source and date: Help &gt; Assumptions.</p><p>License: MIT. Fonts: DejaVu (bundled).</p>"
    )


def show_about(catalog: Catalog, parent: QWidget | None = None) -> None:
    QMessageBox.about(parent, "About ttcplanner", about_text(catalog))
