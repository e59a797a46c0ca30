"""The PDF a manager reads: page 1 answers, display names instead of catalog ids, sources ranked and
cleaned, and no heading left at the foot of a page."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.format import count, money, pct
from ttcplanner.model.planner import evaluate
from ttcplanner.model.sensitivity import tornado
from ttcplanner.paths import scenarios_dir
from ttcplanner.present.names import model_names
from ttcplanner.present.sources import clean_url, source_tier
from ttcplanner.present.summary import alternatives
from ttcplanner.report.analysis_section import report_extras
from ttcplanner.report.pdf import export_pdf, keep_with_next

SCENARIOS = sorted(p.stem for p in scenarios_dir().glob("*.json"))
HEADINGS = (
    "Executive summary",
    "Key figures",
    "Why this option",
    "What to change",
    "Warnings",
    "Figures",
    "Scenario inputs",
    "Assumptions and caveats",
    "Sources",
    "Sensitivity",
    "Uncertainty",
)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(include_user=False)


@pytest.fixture(scope="module")
def exported(catalog, tmp_path_factory):
    """Every shipped scenario's plan and its PDF, exported as the CLI does."""
    out = {}
    folder = tmp_path_factory.mktemp("pdfs")
    for name in SCENARIOS:
        plan = evaluate(sc.load(scenarios_dir() / f"{name}.json"), catalog)
        out[name] = plan, PdfReader(export_pdf(plan, folder / f"{name}.pdf", names=model_names(catalog)))
    return out


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def link_uris(reader: PdfReader) -> list[str]:
    return [
        str(a.get_object()["/A"]["/URI"])
        for page in reader.pages
        for a in page.get("/Annots") or []
        if "/A" in a.get_object() and "/URI" in a.get_object()["/A"]
    ]


def text_without_urls(reader: PdfReader) -> str:
    """The PDF's text with every linked URL taken out (a URL may wrap, so any whitespace inside it matches)."""
    text = "\n".join(page.extract_text() for page in reader.pages)
    for uri in sorted(set(link_uris(reader)), key=len, reverse=True):
        text = re.sub(r"\s*".join(map(re.escape, uri)), " ", text)
    return re.sub(r"https?://\S+", " ", text)


def catalog_ids(catalog) -> set[str]:
    """Every id in the catalog (entries and the accuracy ids they share) that is not itself a display name:
    an id spelt like a name (the open model gpt-oss-120b is called "gpt-oss-120b") cannot be told apart."""
    entries = [
        e
        for kind in ("gpus", "open_models", "api_offers", "asic_offers", "tasks", "serving_factors")
        for e in getattr(catalog, kind).values()
    ]
    ids = {e.id for e in entries} | {getattr(e, "accuracy_id", "") for e in entries} - {""}
    names = " | ".join(e.name for e in entries)
    return {i for i in ids if not re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", names)}


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_catalog_id_in_the_text(exported, catalog, name):
    ids = catalog_ids(catalog)
    assert {"maths-olympiad", "h100-sxm"} <= ids  # the ids the issue saw, which must be named instead
    text = text_without_urls(exported[name][1])
    found = sorted(i for i in ids if re.search(rf"(?<![\w/.-]){re.escape(i)}(?![\w/-])", text))
    assert found == []
    # the old "none: none meets ..." rows; an effort level called "none" ("semi-private, none: 12.3%") may stay
    assert not re.search(r"none:\s+(none|excluded|no\s)", text.lower())


@pytest.mark.parametrize("name", SCENARIOS)
def test_page_one_is_the_executive_summary(exported, catalog, name):
    plan, reader = exported[name]
    first = flat(reader.pages[0].extract_text())
    for words in (
        "Executive summary",
        "Recommendation",
        "Monthly cost",
        "Accuracy",
        "Chosen budget",
        "What would change it",
        "Key figures",
    ):
        assert words in first
    i = plan.recommended
    if i is not None:
        r = plan.results
        assert plan.options.label[i] in first and money(r.monthly_usd[i]) + "/month" in first
        assert pct(r.accuracy_pct[i]) in first and f"{pct(r.low_pct[i], 0)}\u2013{pct(r.high_pct[i], 0)}" in first
        assert "Basis: curve fitted to" in first or "Basis: estimated from" in first
        n = int(r.samples[i])
        assert f"{count(r.reasoning_tokens[i])} reasoning tokens per sample \u00d7 {n} sample" in first
        assert "effort level" in first
    for alt in alternatives(plan, model_names(catalog)):
        assert flat(alt.text)[:60] in first
    assert ("Volume" in first) or ("break-even" in first)
    assert "Figure 1" not in first  # the figures start on page 2, the summary is not cut by them


def test_page_one_names_the_input_that_flips_it_from_the_sensitivity_run(catalog, tmp_path):
    plan = evaluate(sc.load(scenarios_dir() / "maths-tutor-high-volume.json"), catalog)
    t = tornado(plan.scenario, catalog)
    flipping = [row for row in t.rows if row.flips]
    assert flipping
    row = ([r for r in flipping if r.flips_kind] or flipping)[0]
    reader = PdfReader(
        export_pdf(plan, tmp_path / "t.pdf", extras=report_extras(tornado=t), names=model_names(catalog))
    )
    first = flat(reader.pages[0].extract_text())
    assert f"{row.label}: at {row.flip_text}" in first and "(sensitivity analysis)" in first
    assert_no_page_ends_with_a_heading(reader)


@pytest.mark.parametrize("name", SCENARIOS)
def test_sources_are_clean_and_ranked(exported, name):
    _, reader = exported[name]
    uris = link_uris(reader)
    assert uris and all(u == clean_url(u) for u in uris)
    text = flat(" ".join(page.extract_text() for page in reader.pages))
    sources = text[text.rindex("Ranked by the weight they carry") :]
    headings = [h for h in ("Vendor and primary pages", "Papers", "Secondary sites and blogs") if h in sources]
    assert headings and [sources.index(h) for h in headings] == sorted(sources.index(h) for h in headings)
    # the ranked list opens the Sources section and cites every source once, so first mentions are in its order
    tiers = [source_tier(u) for u in dict.fromkeys(uris)]
    assert tiers == sorted(tiers)
    assert tiers[0] == 0


def assert_no_page_ends_with_a_heading(reader: PdfReader) -> None:
    for page in reader.pages[:-1]:
        lines = [ln.strip() for ln in page.extract_text().splitlines() if ln.strip()]
        body = [ln for ln in lines if not ln.startswith(("ttcplanner ", "Page "))]
        last = body[-1]
        assert (
            last not in HEADINGS
            and not last.startswith(("Sensitivity:", "Uncertainty:", "decision"))
            and not re.match(r"Figure \d+\.", last)
        ), body[-3:]


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_page_ends_with_a_heading(exported, name):
    assert_no_page_ends_with_a_heading(exported[name][1])


# ------------------------------------------------------------------ the pagination logic itself


def _layout(html: str, page_height: float = 300.0):
    from PySide6.QtCore import QSizeF
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setDocumentMargin(0)
    doc.setHtml(html)
    doc.setPageSize(QSizeF(400, page_height))
    keep_with_next(doc, page_height)
    return doc


def _page(doc, y: float, page_height: float) -> int:
    return int((y + 1) // page_height)


@pytest.mark.parametrize(
    "follower",
    [
        "<p>one short paragraph after it</p>",
        "<table><tr><td>a table cell</td><td>b</td></tr><tr><td>c</td></tr></table>",
        "<ul><li>a list item</li><li>another</li></ul>",
        "<p>" + "a long paragraph that runs over many lines " * 30 + "</p>",
    ],
    ids=["paragraph", "table", "list", "long paragraph"],
)
def test_a_heading_is_never_the_last_block_on_a_page(follower):
    """Slide a heading down a page one filler line at a time: wherever it lands, the first two lines of what
    follows it (all of it when shorter) are on the heading's page."""
    page_height = 300.0
    for filler in range(0, 30):
        doc = _layout(
            "".join(f"<p>filler line {n}</p>" for n in range(filler)) + "<h2>A heading</h2>" + follower, page_height
        )
        layout = doc.documentLayout()
        block = doc.begin()
        while block.isValid() and block.blockFormat().headingLevel() == 0:
            block = block.next()
        assert block.isValid()
        nxt = block.next()
        top = layout.blockBoundingRect(block).top()
        lines = nxt.layout()
        kept = lines.lineAt(min(lines.lineCount(), 2) - 1)  # two lines of a long block at least, not one
        kept_bottom = layout.blockBoundingRect(nxt).top() + kept.y() + kept.height()
        assert _page(doc, top, page_height) == _page(doc, kept_bottom - 2, page_height), filler


def test_cli_sensitivity_flag_puts_the_flipping_input_on_page_one(tmp_path, capsys):
    from ttcplanner.cli import main

    out = tmp_path / "plan.pdf"
    assert main(["plan", str(scenarios_dir() / "coding-agent-verifier.json"), "--pdf", str(out), "--sensitivity"]) == 0
    reader = PdfReader(out)
    first = flat(reader.pages[0].extract_text())
    assert "(sensitivity analysis)" in first
    assert "Sensitivity: what moves the cost" in flat(" ".join(p.extract_text() for p in reader.pages[1:]))
