"""PDF sections for the tornado and Monte Carlo results: images, text, and what export_pdf makes of them."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pdf_helpers import image_widths
from pypdf import PdfReader

from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.planner import evaluate
from ttcplanner.model.sensitivity import monte_carlo, tornado
from ttcplanner.report import analysis_section
from ttcplanner.report.pdf import export_pdf

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "resources" / "scenarios" / "coding-agent-verifier.json"  # several inputs flip its decision


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(include_user=False)


@pytest.fixture(scope="module")
def scenario():
    return sc.load(SCENARIO)


@pytest.fixture(scope="module")
def tornado_result(scenario, catalog):
    return tornado(scenario, catalog)


@pytest.fixture(scope="module")
def mc_result(scenario, catalog):
    return monte_carlo(scenario, catalog, 4000, seed=1)


@pytest.fixture(scope="module")
def family():
    from ttcplanner.report.qt_setup import ensure_app

    return ensure_app()


def text_of(path) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(str(path)).pages))


def colour_count(image, hex_color: str) -> int:
    from PySide6.QtGui import QColor

    target = QColor(hex_color).rgb()
    return sum(
        1 for y in range(0, image.height(), 2) for x in range(0, image.width(), 2) if image.pixel(x, y) == target
    )


def test_tornado_image_print_size_and_flip_outline(tornado_result, family):
    img = analysis_section.tornado_image(tornado_result, family)
    assert img.width() == round(analysis_section.WIDTH_MM / 25.4 * analysis_section.DPI)
    assert img.dotsPerMeterX() == round(analysis_section.DPI / 0.0254)
    assert img.height() > len(tornado_result.rows) * analysis_section.ROW_MM / 25.4 * analysis_section.DPI
    assert colour_count(img, analysis_section.LOW_COLOR) > 100 and colour_count(img, analysis_section.HIGH_COLOR) > 100
    assert any(r.flips for r in tornado_result.rows)
    assert colour_count(img, analysis_section.FLIP_COLOR) > 50
    calm = dataclasses.replace(
        tornado_result, rows=tuple(dataclasses.replace(r, flips=False) for r in tornado_result.rows)
    )
    assert colour_count(analysis_section.tornado_image(calm, family), analysis_section.FLIP_COLOR) == 0


def test_tornado_section_names_every_flip(tornado_result, family):
    section = analysis_section.tornado_section(tornado_result, family)
    assert set(section["images"]) == {analysis_section.TORNADO_IMAGE}
    assert f'src="{analysis_section.TORNADO_IMAGE}"' in section["html"]
    flips = [r for r in tornado_result.rows if r.flips]
    assert f"{len(flips)} of {len(tornado_result.rows)} inputs flip" in section["html"]
    for r in flips:
        assert analysis_section.flip_note(r) in section["html"].replace("&amp;", "&")
    calm = dataclasses.replace(
        tornado_result, rows=tuple(dataclasses.replace(r, flips=False) for r in tornado_result.rows)
    )
    assert "No single input flips" in analysis_section.tornado_section(calm, family)["html"]


def test_flip_to_nothing_is_worded():
    row = type("Row", (), {"flips": True, "flip_to": None, "flip_text": "-2.1 pts"})()
    assert analysis_section.flip_note(row) == "flips to nothing meeting the targets at -2.1 pts"


def test_log_histogram_shares(mc_result):
    edges, shares = analysis_section.log_histogram(mc_result.monthly_usd_by_kind)
    assert np.all(np.diff(np.log(edges)) == pytest.approx(np.diff(np.log(edges))[0]))  # log-spaced
    for k, v in mc_result.monthly_usd_by_kind.items():
        assert shares[k].sum() == pytest.approx(100 * np.mean(np.isfinite(v) & (v > 0)))


def test_pdf_with_extras_has_the_tornado_image_and_the_probabilities(
    tornado_result, mc_result, scenario, catalog, tmp_path
):
    extras = analysis_section.report_extras(tornado=tornado_result, monte_carlo=mc_result)
    assert list(extras) == ["tornado", "monte_carlo"]
    out = tmp_path / "plan.pdf"
    export_pdf(evaluate(scenario, catalog), out, extras=extras)
    widths = image_widths(out)
    tornado_px = extras["tornado"]["images"][analysis_section.TORNADO_IMAGE].width()
    assert tornado_px in widths and len(widths) == 3 + 2  # plan figures + tornado + cost distribution
    text = text_of(out)
    assert "Sensitivity: what moves the cost and what flips the decision" in text
    assert "flips to" in text
    assert "Probability cheapest meeting the targets" in text
    shown = 0.0
    for k, p in mc_result.probability.items():
        assert f"{analysis_section.OUTCOME_NAMES[k]} {100 * p:.1f}%" in text
        shown += round(100 * p, 1)
    assert shown == pytest.approx(100, abs=0.3)


def test_cancelled_monte_carlo_is_left_out(mc_result):
    partial = dataclasses.replace(mc_result, cancelled=True)
    assert analysis_section.report_extras(monte_carlo=partial) == {}
    assert list(analysis_section.report_extras(monte_carlo=mc_result)) == ["monte_carlo"]


def test_cli_plan_pdf_with_monte_carlo(tmp_path):
    out = tmp_path / "cli.pdf"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ttcplanner",
            "plan",
            str(SCENARIO),
            "--pdf",
            str(out),
            "--monte-carlo",
            "2000",
            "--seed",
            "4",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.returncode == 0, proc.stderr
    text = text_of(out)
    assert "Uncertainty: how often each deployment kind wins" in text and "2,000 samples (seed 4)" in text
    assert "Sensitivity: what moves" not in text  # the CLI computes no tornado for plan
